"""Segments cut from word timestamps.

Whisper's own segments are cut where the decoder chose (up to a whole VAD chunk, about 25 s, in
faster-whisper's batched pipeline), and repaired words arrive without one. Segments are what
chapters split, subtitles show and editors click, so they are cut again here from the words: after a sentence end, at a pause, and before
a segment grows past a subtitle's length. Every word lands in exactly one segment, in order.
"""
from __future__ import annotations

from pipeline.artifacts.transcript import Word

SENTENCE_END = (".", "?", "!", "…")
CLAUSE_END = (",", ";", ":")
CLOSERS = "\"')]}»”’"


def _ends_with(word: Word, marks: tuple[str, ...]) -> bool:
    return word.word.strip().rstrip(CLOSERS).endswith(marks)


def text_of(words: list[Word]) -> str:
    """The words as text (Whisper's words carry their leading space)."""
    return "".join(w.word for w in words).strip()


def _fits(words: list[Word], max_seconds: float, max_chars: int) -> bool:
    return words[-1].end - words[0].start <= max_seconds and len(text_of(words)) <= max_chars


def _split_point(words: list[Word], max_seconds: float, max_chars: int) -> int:
    """Where to cut a segment that grew too long: after its last clause mark, else at its widest
    pause, as long as the first part keeps a third of the limit; else before the last word."""
    def big_enough(k: int) -> bool:
        head = words[:k]
        return head[-1].end - head[0].start >= max_seconds / 3 or len(text_of(head)) >= max_chars / 3

    for k in range(len(words) - 1, 0, -1):
        if _ends_with(words[k - 1], CLAUSE_END) and big_enough(k):
            return k
    pauses = [(words[k].start - words[k - 1].end, k) for k in range(1, len(words)) if big_enough(k)]
    if pauses and max(pauses)[0] >= 0.15:
        return max(pauses)[1]
    return len(words)


def cut_segments(words: list[Word], max_seconds: float = 7.0, max_chars: int = 84,
                 max_pause: float = 0.8) -> list[list[Word]]:
    """Group words into segments: a sentence end or a pause over `max_pause` ends one, and none
    runs past `max_seconds` or `max_chars` (a single word longer than that stays whole)."""
    out: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and word.start - current[-1].end > max_pause:
            out.append(current)
            current = []
        if current and not _fits(current + [word], max_seconds, max_chars):
            k = _split_point(current, max_seconds, max_chars)
            out.append(current[:k])
            current = current[k:]
            if current and not _fits(current + [word], max_seconds, max_chars):
                out.append(current)
                current = []
        current.append(word)
        if _ends_with(word, SENTENCE_END):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out
