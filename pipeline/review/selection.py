"""Timestamps of a transcript selection (an editor-added quote) from the words' timestamps."""
from __future__ import annotations

import logging

from pipeline.core import fsutil
from pipeline.core.config import DataPaths

log = logging.getLogger(__name__)


def _words(paths: DataPaths, slug: str) -> list[dict]:
    path = paths.work_dir(slug) / "transcript.json"
    try:
        return [w for seg in fsutil.read_json(path).get("segments", []) for w in seg.get("words", [])]
    except (OSError, ValueError):
        return []


def time_at(sentence, offset: int, words: list[dict], at_end: bool) -> float:
    """The time of character `offset` of a sentence's shown text: the start (or end) of the word
    there, by word timestamps; proportional within the sentence when it has no words."""
    inside = [w for w in words if sentence.start - 0.05 <= float(w["start"]) < sentence.end + 0.05]
    length = max(1, len(sentence.text))
    offset = min(max(0, offset), length)
    if not inside:
        return round(sentence.start + (sentence.end - sentence.start) * offset / length, 3)
    # The shown text may be corrected, so place the offset proportionally on the machine words.
    machine = "".join(str(w["word"]) for w in inside)
    target = offset * len(machine) / length
    position = 0.0
    for word in inside:
        position += len(str(word["word"]))
        if position >= target if at_end else position > target:
            return float(word["end"] if at_end else word["start"])
    return float(inside[-1]["end"] if at_end else inside[-1]["start"])


def selection_times(paths: DataPaths, slug: str, span: list, start_offset: int, end_offset: int) -> tuple[float, float]:
    """(start, end) seconds of a selection from `start_offset` in span[0] to `end_offset` in span[-1]
    (-1: the end of that sentence)."""
    words = _words(paths, slug)
    first, last = span[0], span[-1]
    start = time_at(first, start_offset, words, at_end=False)
    end = last.end if end_offset < 0 else time_at(last, end_offset, words, at_end=True)
    return round(start, 3), round(max(end, start), 3)
