"""Boundary snapping: move each listed chapter time to the nearest natural break in what was said.

The transcript is flattened into units (its words; a segment without word timestamps is one unit).
A boundary is a gap between two units, so no word is ever cut, and chapters are contiguous unit
ranges, so every word lands in exactly one chapter by construction.
"""
from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

from pipeline.artifacts.transcript import Transcript
from pipeline.core.errors import ConfigError

log = logging.getLogger(__name__)

SENTENCE_END = (".", "?", "!", "…")
CLOSERS = "\"'»”’)]"


@dataclass(frozen=True)
class ChapterOptions:
    """How listed chapter times are snapped and which chapters are flagged for the editor."""

    window: float = 8.0  # seconds either side of a listed time searched for a break
    min_pause: float = 0.3  # a silence between words at least this long counts as a break
    long_pause: float = 1.0  # a pause this long ends a thought even without punctuation
    pause_cap: float = 5.0  # longer pauses score no better than this (seconds; score grows as log(1 + pause))
    sentence_weight: float = 1.0  # score for a break right after '.', '?', '!'
    pause_weight: float = 1.5  # score for a pause of pause_cap seconds
    segment_weight: float = 0.1  # score for a break between Whisper segments (weak: VAD chunking decides them)
    speaker_weight: float = 0.5  # score for a speaker change (when speakers.json gives the words' voices)
    distance_weight: float = 0.5  # penalty for a break a whole window away from the listed time
    min_chapter_seconds: float = 10.0  # shorter chapters are flagged 'short'
    min_words: int = 3  # chapters with fewer words are flagged 'no_speech'
    min_speech_ratio: float = 0.1  # chapters whose words fill less of their time are flagged 'no_speech'

    def __post_init__(self) -> None:
        bad = [name for name in ("window", "pause_cap") if getattr(self, name) <= 0]
        bad += [name for name, value in asdict(self).items() if value < 0 and name not in bad]
        if bad:
            raise ConfigError(f"chapter options {', '.join(bad)} must be positive (window, pause_cap) or >= 0")
        if self.long_pause < self.min_pause:
            raise ConfigError("chapter options: long_pause must be >= min_pause")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Unit:
    """The smallest piece a boundary may not cut: one word, or one segment that has no words."""

    start: float
    end: float
    text: str
    segment: int  # position in transcript.segments
    word: int  # position in that segment's words; -1 for a whole wordless segment
    speaker: str | None = None

    @property
    def ends_sentence(self) -> bool:
        return self.text.strip().rstrip(CLOSERS).endswith(SENTENCE_END)


@dataclass(frozen=True)
class Boundary:
    """Where a chapter begins: before units[gap]; why it was put there."""

    gap: int
    listed: float
    snapped: bool
    reason: str
    pause: float = 0.0
    sentence_end: bool = False
    listed_in_sentence: bool = False
    mid_sentence: bool = False


def transcript_units(transcript: Transcript,
                     speaker_of: Callable[[float, float], str] | None = None) -> list[Unit]:
    """Words in transcript order (segments without word timestamps count as one unit). speaker_of
    (e.g. speakers.json's `Speakers.speaker_id_of`) gives each unit its voice, so that a break where
    the voice changes scores `speaker_weight`; '' (no voice there) is no speaker."""
    def who(start: float, end: float, segment) -> str | None:
        return (speaker_of(start, end) or None) if speaker_of else getattr(segment, "speaker", None)

    units = []
    for pos, segment in enumerate(transcript.segments):
        if segment.words:
            units += [Unit(w.start, w.end, w.word, pos, i, who(w.start, w.end, segment))
                      for i, w in enumerate(segment.words)]
        elif segment.text.strip():
            units.append(Unit(segment.start, segment.end, segment.text, pos, -1,
                              who(segment.start, segment.end, segment)))
    return units


class Gaps:
    """The N+1 gaps around N units: gap i lies between units[i-1] and units[i]."""

    def __init__(self, units: list[Unit], duration: float):
        self.units = units
        self.duration = max([duration] + [u.end for u in units])

    def __len__(self) -> int:
        return len(self.units) + 1

    def span(self, i: int) -> tuple[float, float]:
        before = self.units[i - 1].end if i > 0 else 0.0
        after = self.units[i].start if i < len(self.units) else self.duration
        return before, after

    def pause(self, i: int) -> float:
        before, after = self.span(i)
        return max(0.0, after - before)

    def distance(self, i: int, t: float) -> float:
        before, after = self.span(i)
        if min(before, after) <= t <= max(before, after):
            return 0.0
        return min(abs(t - before), abs(t - after))

    def edge(self, i: int) -> bool:
        return i == 0 or i == len(self.units)

    def sentence_end(self, i: int) -> bool:
        return 0 < i <= len(self.units) and self.units[i - 1].ends_sentence

    def segment_change(self, i: int) -> bool:
        return 0 < i < len(self.units) and self.units[i - 1].segment != self.units[i].segment

    def speaker_change(self, i: int) -> bool:
        if not 0 < i < len(self.units):
            return False
        a, b = self.units[i - 1].speaker, self.units[i].speaker
        return a is not None and b is not None and a != b

    def sentence_break(self, i: int, options: ChapterOptions) -> bool:
        """True where a cut does not fall inside a sentence."""
        return self.edge(i) or self.sentence_end(i) or self.pause(i) >= options.long_pause \
            or self.speaker_change(i)

    def is_break(self, i: int, options: ChapterOptions) -> bool:
        return self.sentence_break(i, options) or self.pause(i) >= options.min_pause


def score(gaps: Gaps, i: int, t: float, options: ChapterOptions) -> float:
    """How good a chapter break gap i is for listed time t (higher is better)."""
    o = options
    # Whisper's punctuation is a guess (sequential decoding wrote "timers," before a 4.6 s silence):
    # a silence of twice long_pause ends a thought as surely as a full stop does.
    ended = gaps.sentence_end(i) or gaps.pause(i) >= 2 * o.long_pause
    return (o.sentence_weight * ended
            # log: a 4 s pause beats a 2 s one, but 0.5 s vs 1 s matters more than 4 s vs 4.5 s
            + o.pause_weight * math.log1p(min(gaps.pause(i), o.pause_cap)) / math.log1p(o.pause_cap)
            + o.segment_weight * gaps.segment_change(i)
            + o.speaker_weight * gaps.speaker_change(i)
            - o.distance_weight * gaps.distance(i, t) / o.window)


def snap_boundaries(units: list[Unit], listed: list[float], duration: float,
                    options: ChapterOptions) -> list[Boundary]:
    """One Boundary per listed start (the first always at gap 0); gaps never decrease."""
    gaps = Gaps(units, duration)
    if not listed:
        return []
    boundaries = [Boundary(0, listed[0], True, "start of the recording", sentence_end=True)]
    for k in range(1, len(listed)):
        lower = (listed[k - 1] + listed[k]) / 2
        upper = (listed[k] + listed[k + 1]) / 2 if k + 1 < len(listed) else float("inf")
        boundaries.append(_snap_one(gaps, listed[k], boundaries[-1].gap, (lower, upper), options))
    return boundaries


def _snap_one(gaps: Gaps, t: float, first: int, neighbours: tuple[float, float],
              options: ChapterOptions) -> Boundary:
    # A gap belongs to the listed time nearest its middle (or to the one inside it), so one chapter's
    # boundary never takes the break that the next listed chapter is about.
    candidates = [
        i for i in range(first, len(gaps))
        if _overlaps(gaps.span(i), t - options.window, t + options.window)
        and (neighbours[0] < sum(gaps.span(i)) / 2 <= neighbours[1] or gaps.distance(i, t) == 0)
    ]
    breaks = [i for i in candidates if gaps.is_break(i, options)]
    in_sentence = _listed_in_sentence(gaps, t, first, options)
    if breaks:
        best = max(breaks, key=lambda i: (score(gaps, i, t, options), -gaps.distance(i, t)))
        return Boundary(best, t, True, _reason(gaps, best, options), round(gaps.pause(best), 3),
                        gaps.sentence_end(best), in_sentence, not gaps.sentence_break(best, options))
    nearest = min(range(first, len(gaps)), key=lambda i: (gaps.distance(i, t), i))
    reason = (f"no pause or sentence end within ±{options.window:g} s; "
              "kept the listed time (split between the nearest words)")
    log.debug("boundary at %.1f s: %s", t, reason)
    return Boundary(nearest, t, False, reason, round(gaps.pause(nearest), 3), gaps.sentence_end(nearest),
                    in_sentence, not gaps.sentence_break(nearest, options))


def _overlaps(span: tuple[float, float], lo: float, hi: float) -> bool:
    return min(span) <= hi and max(span) >= lo


def _listed_in_sentence(gaps: Gaps, t: float, first: int, options: ChapterOptions) -> bool:
    """Does the listed time itself fall inside a sentence (inside a word or a short mid-sentence gap)?"""
    nearest = min(range(first, len(gaps)), key=lambda i: (gaps.distance(i, t), i))
    return gaps.distance(nearest, t) > 0 or not gaps.sentence_break(nearest, options)


def _reason(gaps: Gaps, i: int, options: ChapterOptions) -> str:
    parts = []
    if gaps.pause(i) >= options.min_pause:
        parts.append(f"pause {gaps.pause(i):.1f} s")
    if gaps.sentence_end(i):
        parts.append("after a sentence end")
    if gaps.speaker_change(i):
        parts.append("speaker change")
    if i == 0:
        parts.append("before the first word")
    elif i == len(gaps.units):
        parts.append("after the last word")
    return ", ".join(parts) or "segment boundary"


def unit_ranges(boundaries: list[Boundary], n_units: int) -> list[tuple[int, int]]:
    """[start, end) unit range of each chapter: contiguous, covering 0..n_units exactly once."""
    gaps = [b.gap for b in boundaries] + [n_units]
    if gaps and gaps[0] != 0:
        raise ValueError("the first chapter must start at the first unit")
    return list(zip(gaps, gaps[1:]))
