"""Facts about audio.wav the transcribe stage and its engines share."""
from __future__ import annotations

import wave
from pathlib import Path

from pipeline.core.errors import MediaError


def audio_duration(path: Path) -> float:
    """Duration of a PCM WAV in seconds."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError) as exc:
        raise MediaError(f"{path}: not a readable WAV ({exc})") from exc
