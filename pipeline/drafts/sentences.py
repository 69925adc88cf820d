"""Sentences with timestamps: the transcript re-split by punkt, each sentence keeping its time span,
source segment ids and chapter (data/work/<slug>/sentences.json).

Sentence ids are 's' + start in milliseconds, zero-padded to 9 digits ('s000123456'), so the same
transcript always gives the same ids; a second sentence with the same start gets '-1', '-2', ...
The search index and the review app key on these ids, never on sentence text.

A sentence's speaker is the voice with most overlap in speakers.json (the speakers stage) when there is
one ('' for a voice nobody could name); without it, the chapter's speaker (a name in the chapter title,
or the recording's only speaker).
"""
from __future__ import annotations

import bisect
import logging
import math
from dataclasses import dataclass

from pipeline.artifacts.sentences import ChapterSpan, Sentence, SentenceSet, sentence_id
from pipeline.artifacts.speakers import Speakers
from pipeline.artifacts.transcript import Segment, Transcript
from pipeline.core.errors import PipelineError
from pipeline.drafts.nlp import LanguageTools

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


# ---------------------------------------------------------------- splitting


@dataclass(frozen=True)
class _Anchor:
    """A stretch of chapter text with known timing: one word, or a whole segment without words."""

    a: int
    b: int
    start: float
    end: float
    segment_id: int
    is_word: bool

    def time_at(self, pos: int) -> float:
        if self.is_word or self.b <= self.a:
            return self.start if pos <= self.a else self.end
        frac = min(max((pos - self.a) / (self.b - self.a), 0.0), 1.0)
        return self.start + frac * (self.end - self.start)


def split_sentences(
    transcript: Transcript,
    chapters: list[ChapterSpan],
    tools: LanguageTools,
    speakers: dict[int, str] | None = None,
    turns: Speakers | None = None,
) -> SentenceSet:
    """Re-split every chapter's text into sentences with punkt; time each from its words. Each sentence's
    speaker comes from the speaker turns when given, else from `speakers` (chapter index -> name)."""
    shared = _shared_segments(chapters)
    by_id = {s.id: s for s in transcript.segments}
    taken: set[str] = set()
    sentences: list[Sentence] = []
    for chapter in chapters:
        pieces = _chapter_pieces(chapter, by_id, shared)
        text = chapter.text.strip() or " ".join(p[1] for p in pieces)
        anchors = _align(text, pieces)
        starts = [x.a for x in anchors]
        speaker = (speakers or {}).get(chapter.index, "")
        for a, b in tools.sentence_spans(text):
            sentence = _timed_sentence(chapter, text[a:b], (a, b), anchors, starts, taken, speaker)
            if sentence:
                if turns is not None:
                    sentence.speaker = turns.speaker_of(sentence.start, sentence.end)
                sentences.append(sentence)
    return SentenceSet(language=tools.code, sentences=sentences)


def _shared_segments(chapters: list[ChapterSpan]) -> set[int]:
    seen: set[int] = set()
    shared: set[int] = set()
    for chapter in chapters:
        for sid in chapter.segment_ids:
            (shared if sid in seen else seen).add(sid)
    return shared


def _chapter_pieces(chapter: ChapterSpan, by_id: dict[int, Segment], shared: set[int]) -> list[tuple[Segment, str, list]]:
    """(segment, text, words) of each segment in the chapter; a shared segment keeps its words in [start, end)."""
    end = chapter.end if chapter.end > chapter.start else math.inf
    parts = {p[0]: p for p in chapter.parts}
    pieces = []
    for sid in chapter.segment_ids:
        segment = by_id.get(sid)
        if segment is None:
            raise PipelineError(f"chapter {chapter.index} lists segment {sid}, which transcript.json lacks; re-run chapters")
        words = segment.words
        if sid in parts:
            _, first, last, text = parts[sid]
            words = words[first:last]
        elif sid in shared:
            words = [w for w in words if chapter.start - 1e-3 <= w.start < end - 1e-3]
            text = "".join(w.word for w in words).strip()
        else:
            text = segment.text.strip()
        pieces.append((segment, text, words))
    return pieces


def _align(text: str, pieces: list[tuple[Segment, str, list]]) -> list[_Anchor]:
    """Find each word (or word-less segment) of the chapter in its text, in order."""
    anchors: list[_Anchor] = []
    cursor = 0
    for segment, piece_text, words in pieces:
        units = [(w.word.strip(), w.start, w.end, True) for w in words if w.word.strip()]
        if not units:
            units = [(piece_text, segment.start, segment.end, False)]
        for token, start, end, is_word in units:
            pos = text.find(token, cursor) if token else -1
            if pos < 0 or pos - cursor > 200:
                continue  # Whisper's word text can differ from its segment text; the neighbours time it
            anchors.append(_Anchor(pos, pos + len(token), start, end, segment.id, is_word))
            cursor = pos + len(token)
    return anchors


def _timed_sentence(chapter: ChapterSpan, body: str, span: tuple[int, int], anchors: list[_Anchor],
                    starts: list[int], taken: set[str], speaker: str) -> Sentence | None:
    """The sentence at chapter-text span (a, b), timed by the anchors it overlaps."""
    a, b = span
    body = body.strip()
    if not body:
        return None
    lo = max(bisect.bisect_right(starts, a) - 1, 0)
    hi = bisect.bisect_left(starts, b)
    inside = [x for x in anchors[lo:hi] if x.b > a and x.a < b]
    if inside:
        start, end = inside[0].time_at(a), inside[-1].time_at(b)
        segment_ids = sorted({x.segment_id for x in inside})
    else:
        near = anchors[min(lo, len(anchors) - 1)] if anchors else None
        start = end = near.end if near else chapter.start
        segment_ids = [near.segment_id] if near else list(chapter.segment_ids[:1])
    if chapter.end > chapter.start:
        start, end = min(max(start, chapter.start), chapter.end), min(max(end, chapter.start), chapter.end)
    start, end = round(start, 3), round(max(end, start), 3)
    return Sentence(id=sentence_id(start, taken), chapter_index=chapter.index, start=start, end=end,
                    text=body, segment_ids=segment_ids, speaker=speaker)


def segments_text(transcript: Transcript, segment_ids: list[int]) -> str:
    """The transcript text of the given segments: their stripped texts joined by single spaces."""
    by_id = {s.id: s for s in transcript.segments}
    return " ".join(by_id[i].text.strip() for i in segment_ids if i in by_id and by_id[i].text.strip())
