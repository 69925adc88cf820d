"""Long recordings are transcribed in windows of about ten minutes, cut in the quietest moment.

Whisper engines load the whole file as float32 (460 MB for two hours) and keep per-chunk features
besides; windows keep memory flat whatever the length, and cutting where it is quietest keeps
words whole.
"""
from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from pipeline.core.errors import MediaError

FRAME_SECONDS = 0.1


@dataclass(frozen=True)
class AudioWindow:
    """Samples (float32, 16 kHz mono) starting `offset` seconds into the recording."""

    offset: float
    samples: np.ndarray


def quietest_frame(samples: np.ndarray, rate: int) -> int:
    """Index (in samples) of the middle of the quietest 0.1 s frame; ties go to the latest frame."""
    size = max(1, int(rate * FRAME_SECONDS))
    count = len(samples) // size
    if count == 0:
        return len(samples)
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    energy = np.sqrt((frames ** 2).mean(axis=1))
    best = count - 1 - int(np.argmin(energy[::-1]))
    return best * size + size // 2


def iter_windows(path: Path, window_seconds: float = 600.0, search_seconds: float = 20.0) -> Iterator[AudioWindow]:
    """Yield consecutive windows covering the whole WAV exactly once (no overlap, no gap)."""
    try:
        wav = wave.open(str(path), "rb")
    except (wave.Error, EOFError, OSError) as exc:
        raise MediaError(f"{path}: not a readable WAV ({exc})") from exc
    with wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise MediaError(f"{path}: expected 16-bit mono WAV from the extract stage")
        rate, total = wav.getframerate(), wav.getnframes()
        window, search = int(window_seconds * rate), int(search_seconds * rate)
        pos = 0
        while pos < total:
            end = min(total, pos + window)
            if end < total and total - end > search:
                wav.setpos(end - search)
                tail = np.frombuffer(wav.readframes(search), dtype=np.int16)
                end = end - search + quietest_frame(tail, rate)
            else:
                end = total
            wav.setpos(pos)
            data = np.frombuffer(wav.readframes(end - pos), dtype=np.int16)
            yield AudioWindow(pos / rate, data.astype(np.float32) / 32768.0)
            pos = end
