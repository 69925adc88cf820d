"""The packaged ffmpeg binary (imageio-ffmpeg; no root, no system ffmpeg) and pydub wired to it."""
from __future__ import annotations

import functools
import os

from pipeline.core.errors import MediaError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel ($PIPELINE_FFMPEG overrides)."""
    override = os.environ.get("PIPELINE_FFMPEG")
    if override:
        return override
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise MediaError("imageio-ffmpeg is not installed; run 'make setup'") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def pydub_audio_segment():
    """pydub's AudioSegment, pointed at the packaged ffmpeg (pydub looks for a system one otherwise)."""
    import warnings

    with warnings.catch_warnings():  # pydub warns on import when no system ffmpeg is on PATH
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    AudioSegment.ffmpeg = ffmpeg_exe()
    return AudioSegment
