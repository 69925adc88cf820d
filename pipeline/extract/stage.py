"""Extract stage: any media ffmpeg reads -> data/work/<slug>/audio.wav (16 kHz mono PCM) + media.json."""
from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import signal
import subprocess
import sys
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


def extract_audio(src: Path, dst: Path, *, accept_damaged: bool = False) -> MediaInfo:
    """Decode the first audio stream of src to dst as 16 kHz mono 16-bit WAV (atomic).

    ffmpeg exits 0 on many damaged files and says so only on stderr, so the decoded length is
    compared with the container's and ffmpeg's error lines are read: a damaged file is a
    MediaError, unless `accept_damaged`, which keeps what decodes and records the damage.
    """
    info = probe(src)
    with fsutil.atomic_path(dst, suffix=".wav") as tmp:
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
               "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le",
               "-f", "wav", str(tmp)]
        returncode, stderr = run_ffmpeg(cmd)
        if returncode != 0:
            reason = (stderr.strip().splitlines() or ["unknown ffmpeg error"])[-1]
            raise MediaError(f"{src}: ffmpeg could not decode the audio ({reason})")
        samples = (tmp.stat().st_size - 44) // 2
        if samples <= 0:
            raise MediaError(f"{src}: audio stream decodes to no samples")
        duration = samples / SAMPLE_RATE
        damage = damage_report(duration, info.duration, stderr)
        if damage and not accept_damaged:
            raise MediaError(f"{src}: damaged media: {damage}; re-copy or re-download the file, "
                             "or keep what decodes with 'pipeline add --accept-damaged'")
    if damage:
        log.warning("%s: damaged media kept on request: %s", src.name, damage)
    return MediaInfo(**{**info.to_json(), "audio_streams": info.audio_streams,
                        "source_sha256": fsutil.sha256_file(src), "duration": round(duration, 3),
                        "stated_duration": round(info.duration, 3), "damage": damage})


# ffmpeg's words for a file that is damaged rather than merely unusual.
DAMAGE_WORDS = ("invalid data", "corrupt", "error while decoding", "crc", "truncat", "partial file",
                "header missing", "moov atom not found", "invalid frame", "packet mismatch",
                "decode_band", "end of file", "error reading", "invalid packet", "page checksum")


def damage_report(decoded: float, stated: float, stderr: str) -> str:
    """'' for a sound file; else one line: how much decoded of what the container states, and why."""
    errors = [line.strip() for line in stderr.splitlines() if line.strip()]
    damaged = [line for line in errors if any(w in line.lower() for w in DAMAGE_WORDS)]
    # Containers round their duration and codecs pad the last frame: a second (or 2 %) is noise.
    short = stated > 0 and decoded < stated - max(1.0, 0.02 * stated)
    if not short and not damaged:
        return ""
    reason = f" ({_first_words(damaged[0])})" if damaged else ""
    if short:
        return f"decoded {decoded:.1f} s of {stated:.1f} s{reason}"
    return f"ffmpeg reported {len(damaged)} decoding error(s){reason}"


def _first_words(line: str, limit: int = 80) -> str:
    # ffmpeg prefixes lines with '[ogg @ 0x55d…]': the address is noise for an editor.
    line = re.sub(r"\[(?:[^\]@]*/)?([^\]@/]+?) @ 0x[0-9a-f]+\]\s*", r"\1: ", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def run_ffmpeg(cmd: list[str]) -> tuple[int, str]:
    """Run ffmpeg, returning (exit code, stderr); the child dies with us, so a Ctrl-C, a kill -9 or a
    killed worker never leaves an orphan ffmpeg writing a full-size WAV (the next run sweeps the file)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            errors="replace", preexec_fn=_die_with_parent())  # noqa: PLW1509 (prctl only; see there)
    try:
        _, stderr = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc.returncode, stderr


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent():
    """A preexec_fn that has the kernel SIGKILL the child when its parent dies (Linux; None elsewhere).

    An exception handler cannot run on SIGKILL, so only the kernel can end the child then. The
    "parent" is the thread that started it: run_ffmpeg's thread waits for ffmpeg, so it outlives it.
    prctl is looked up before the fork so the child only makes the call.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = _libc().prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect: nobody will signal us
            os._exit(1)

    return preexec


@functools.cache
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _inputs(ctx: StageContext) -> list[Path]:
    return [media_path(ctx.paths, ctx.recording)]


def _outputs(ctx: StageContext) -> list[Path]:
    return [ctx.work_dir / "audio.wav", ctx.work_dir / "media.json"]


def _build(ctx: StageContext) -> dict:
    accept = ctx.recording.accept_damaged
    info = extract_audio(media_path(ctx.paths, ctx.recording), ctx.work_dir / "audio.wav", accept_damaged=accept)
    fsutil.write_json(ctx.work_dir / "media.json", info.to_json())
    log.info("extracted %.1f s of audio from %s", info.duration, info.source)
    warnings = [f"damaged media kept: {info.damage}"] if info.damage else []
    return {"duration": info.duration, "warnings": warnings}


STAGE = Stage(
    name="extract",
    description="decode the recording's audio to 16 kHz mono WAV",
    inputs=_inputs,
    params=lambda ctx: {"sample_rate": SAMPLE_RATE, "channels": 1, "media": ctx.recording.media,
                        "accept_damaged": ctx.recording.accept_damaged},
    outputs=_outputs,
    build=_build,
    packages=("imageio-ffmpeg", "av"),
)
