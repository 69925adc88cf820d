"""Speech coverage: where Silero VAD hears speech against where the transcript has words.

A decoder that stops early in a chunk loses whole sentences without a sign; measuring coverage makes
the loss visible, `repair` gets the words back, and what stays uncovered becomes an explicit gap.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from pipeline.artifacts.transcript import Coverage, Gap, Word

RATE = 16000
Span = tuple[float, float]
# How far a word's timestamps may be off and still count as covering the speech next to it.
WIDEN = 0.3
# A word stretched over more than this is an alignment artefact (seen when decoding without
# timestamps: one word spread over seconds of speech that was never written), so it only
# covers its two ends.
MAX_WORD = 1.2


def speech_regions(samples: np.ndarray, offset: float = 0.0) -> list[Span]:
    """Speech in a 16 kHz mono float32 array, in seconds from `offset` (Silero VAD, tight padding)."""
    from faster_whisper.vad import (  # a dependency; heavy onnx import
        VadOptions,
        get_speech_timestamps,
    )

    options = VadOptions(threshold=0.5, min_silence_duration_ms=500, speech_pad_ms=100, min_speech_duration_ms=250)
    return [(offset + t["start"] / RATE, offset + t["end"] / RATE) for t in get_speech_timestamps(samples, options)]


def merge(spans: Iterable[Span], gap: float = 0.0) -> list[Span]:
    """Sorted, overlapping (or nearer than `gap`) spans joined."""
    out: list[list[float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def subtract(regions: list[Span], cover: list[Span]) -> list[Span]:
    """The parts of `regions` not in `cover` (both sorted and merged)."""
    out, k = [], 0
    for start, end in regions:
        cur = start
        while k < len(cover) and cover[k][1] <= cur:
            k += 1
        j = k
        while j < len(cover) and cover[j][0] < end:
            if cover[j][0] > cur:
                out.append((cur, cover[j][0]))
            cur = max(cur, cover[j][1])
            j += 1
        if cur < end:
            out.append((cur, end))
    return out


def _word_spans(words: Iterable[Word]) -> Iterable[Span]:
    for w in words:
        if w.end - w.start > MAX_WORD:
            yield (w.start - WIDEN, w.start + MAX_WORD / 2)
            yield (w.end - MAX_WORD / 2, w.end + WIDEN)
        else:
            yield (w.start - WIDEN, w.end + WIDEN)


def uncovered(words: Iterable[Word], regions: list[Span]) -> list[Span]:
    """Every stretch of speech with no word on or near it."""
    return subtract(merge(regions), merge(_word_spans(words)))


def measure(words: list[Word], regions: list[Span], min_gap: float = 1.0,
            repaired: list[Span] = (), reason: str = "no words after repair") -> Coverage:
    """Coverage of `regions` by `words`; holes of `min_gap` seconds or more become gaps."""
    holes = uncovered(words, regions)
    speech = sum(e - s for s, e in merge(regions))
    missing = sum(e - s for s, e in holes)
    return Coverage(
        speech_seconds=round(speech, 2), covered_seconds=round(speech - missing, 2), min_gap=min_gap,
        gaps=[Gap(round(s, 2), round(e, 2), reason) for s, e in holes if e - s >= min_gap],
        repaired=[Gap(round(s, 2), round(e, 2), "re-decoded on its own") for s, e in repaired],
        measured=True,
    )


Decoder = Callable[[np.ndarray], list[Word]]


def repair(samples: np.ndarray, offset: float, words: list[Word], holes: list[Span], decode: Decoder,
           context: float = 1.0) -> tuple[list[Word], list[Span]]:
    """Re-decode each hole (with `context` seconds either side) on its own and splice in the words
    that fall between the words already around it. Never removes or moves an existing word.

    `decode` takes 16 kHz samples and returns words timed from the start of those samples.
    Returns (all words in time order, the holes that got words)."""
    end_of_audio = offset + len(samples) / RATE
    added: list[Word] = []
    fixed: list[Span] = []
    for start, end in holes:
        before = max((w.end for w in words if w.end <= start + WIDEN), default=offset)
        after = min((w.start for w in words if w.start >= end - WIDEN), default=end_of_audio)
        a, b = max(offset, start - context), min(end_of_audio, end + context)
        piece = samples[int((a - offset) * RATE):int((b - offset) * RATE)]
        new = [Word(round(a + w.start, 3), round(a + w.end, 3), w.word, w.probability) for w in decode(piece)]
        kept = [w for w in new if before - 0.05 <= (w.start + w.end) / 2 <= after + 0.05]
        if kept:
            added += kept
            fixed.append((start, end))
    return sorted(words + added, key=lambda w: (w.start, w.end)), fixed
