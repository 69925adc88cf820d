"""Extract stage: any media ffmpeg reads -> data/work/<slug>/audio.wav (16 kHz mono PCM) + media.json."""
from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import av

from pipeline.artifacts.manifest import media_path
from pipeline.artifacts.media import AudioStream, MediaInfo
from pipeline.core import fsutil
from pipeline.core.errors import MediaError
from pipeline.extract.ffmpeg import ffmpeg_exe
from pipeline.runner.stage import Stage, StageContext

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000


def probe(path: Path) -> MediaInfo:
    """Read the container's streams and duration with PyAV; MediaError if unreadable or without audio."""
    if not path.is_file():
        raise MediaError(f"{path}: media file not found")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: media file is empty")
    try:
        with av.open(str(path)) as container:
            audio = [
                AudioStream(s.index, s.codec_context.name or "?", int(s.codec_context.sample_rate or 0),
                            int(s.codec_context.channels or 0))
                for s in container.streams.audio
            ]
            video = len(container.streams.video)
            duration = _duration(container)
            fmt = container.format.name
    except av.error.FFmpegError as exc:
        raise MediaError(f"{path}: not readable media ({exc.strerror or exc})") from exc
    if not audio:
        raise MediaError(f"{path}: has no audio stream ({video} video stream(s)); nothing to transcribe")
    return MediaInfo(source=path.name, source_sha256="", source_bytes=path.stat().st_size,
                     duration=duration, format=fmt, audio_streams=audio, video_streams=video)


def _duration(container) -> float:
    if container.duration:
        return container.duration / av.time_base
    stream = container.streams.audio[0] if container.streams.audio else None
    if stream is not None and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0


def extract_audio(src: Path, dst: Path) -> MediaInfo:
    """Decode the first audio stream of src to dst as 16 kHz mono 16-bit WAV (atomic)."""
    info = probe(src)
    with fsutil.atomic_path(dst, suffix=".wav") as tmp:
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
               "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le",
               "-f", "wav", str(tmp)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["unknown ffmpeg error"])[-1]
            raise MediaError(f"{src}: ffmpeg could not decode the audio ({reason})")
        samples = (tmp.stat().st_size - 44) // 2
        if samples <= 0:
            raise MediaError(f"{src}: audio stream decodes to no samples")
    duration = samples / SAMPLE_RATE
    return MediaInfo(**{**info.to_json(), "audio_streams": info.audio_streams,
                        "source_sha256": fsutil.sha256_file(src), "duration": round(duration, 3)})


def _inputs(ctx: StageContext) -> list[Path]:
    return [media_path(ctx.paths, ctx.recording)]


def _outputs(ctx: StageContext) -> list[Path]:
    return [ctx.work_dir / "audio.wav", ctx.work_dir / "media.json"]


def _build(ctx: StageContext) -> dict:
    info = extract_audio(media_path(ctx.paths, ctx.recording), ctx.work_dir / "audio.wav")
    fsutil.write_json(ctx.work_dir / "media.json", info.to_json())
    log.info("extracted %.1f s of audio from %s", info.duration, info.source)
    return {"duration": info.duration}


STAGE = Stage(
    name="extract",
    description="decode the recording's audio to 16 kHz mono WAV",
    inputs=_inputs,
    params=lambda ctx: {"sample_rate": SAMPLE_RATE, "channels": 1, "media": ctx.recording.media},
    outputs=_outputs,
    build=_build,
    packages=("imageio-ffmpeg", "av"),
)
