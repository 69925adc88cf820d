"""What the review app shows for a recording: the pipeline's artifacts joined with review state.

Draft items come from drafts.json (ids from the drafts stage), sentences from sentences.json (or
the transcript's segments before the drafts stage ran), decisions from review.sqlite. An item's
state is the stored decision when the machine text it was made on still matches, else 'stale'.
Decisions whose item no longer exists are kept and listed as orphans, never dropped.
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.drafts import Drafts
from pipeline.artifacts.manifest import Recording, load_recording, manifest_path
from pipeline.core.config import DataPaths
from pipeline.core.errors import PipelineError
from pipeline.editorial import artifact_cache, changes
from pipeline.editorial.changes import VERBS  # noqa: F401  (re-exported: the history's verbs)
from pipeline.editorial.corrections import (
    CHAPTER_KIND,
    Corrections,
    ReviewDatabaseError,
    chapter_item_id,
    load_corrections,
    normalize,
)
from pipeline.editorial.store import ItemState, ReviewStore
from pipeline.editorial.transcript_view import (  # SentenceView and item_state are re-exported
    GAP_KIND,
    SentenceView,
    build_sentences,
    coverage_gaps,
    gap_id,
    gap_text,
    item_state,
    ruled_text,
)
from pipeline.editorial.worddiff import word_diff

log = logging.getLogger(__name__)

KIND_LABELS = {
    "introduction": "Introduction", "summary": "Recording summary", "summary_sentence": "Summary sentence",
    "keyphrases": "Keyphrases", "quote": "Quote", "question": "Question", "answer": "Answer",
    "speaker": "Speaker", "sentence": "Transcript correction", GAP_KIND: "Speech not transcribed",
    CHAPTER_KIND: "Chapter",
}
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".ogv"}


@dataclass
class ReviewItem:
    """One reviewable draft item with its machine text, the text to show and its review state."""

    kind: str
    item_id: str
    machine_text: str
    text: str
    state: str  # open | approved | edited | rejected | stale
    stored: ItemState | None = None
    start: float | None = None
    end: float | None = None
    chapter_index: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def version(self) -> int:
        return self.stored.version if self.stored else 0

    @property
    def dom_id(self) -> str:
        return f"item-{self.kind}-{self.item_id}"

    @property
    def accepted(self) -> bool:
        """Goes on the exported page: approved (an edit still needs an approval), and not stale."""
        return self.state == "approved"

    @property
    def pending(self) -> bool:
        """Still waiting for a decision: open, or edited and not yet approved."""
        return self.state in ("open", "edited")

    def source_diff(self) -> list[tuple[str, str]]:
        """For a stale item: how the machine text changed since the decision, word by word."""
        if self.state != "stale" or self.stored is None:
            return []
        return word_diff(self.stored.source_text, self.machine_text)


@dataclass
class ChapterView:
    """A chapter with its draft items and its transcript sentences."""

    index: int
    title: str
    start: float
    end: float
    summary: list[ReviewItem] = field(default_factory=list)
    keyphrases: ReviewItem | None = None
    quotes: list[ReviewItem] = field(default_factory=list)
    sentences: list[SentenceView] = field(default_factory=list)
    gaps: list[ReviewItem] = field(default_factory=list)  # speech in this chapter without words
    edit_row: ItemState | None = None  # the stored chapter edit (title, start), also when undone

    def flow(self) -> list[tuple[str, SentenceView | ReviewItem]]:
        """The transcript column: sentences, and each gap that starts in this chapter at its place."""
        here = [("gap", g.start or 0.0, g) for g in self.gaps if g.extra.get("home") == self.index]
        rows = sorted([("sentence", s.start, s) for s in self.sentences] + here, key=lambda r: (r[1], r[0] != "gap"))
        return [(kind, obj) for kind, _, obj in rows]


@dataclass
class RecordingView:
    """Everything the recording page shows."""

    recording: Recording
    chapters: list[ChapterView]
    introduction: ReviewItem | None
    summary: ReviewItem | None
    questions: list[tuple[ReviewItem, ReviewItem | None]]
    speakers: list[ReviewItem]
    orphans: list[ReviewItem]
    has_drafts: bool
    has_transcript: bool
    language: str
    duration: float
    gaps: list[ReviewItem] = field(default_factory=list)  # kind 'gap': speech the transcript lacks
    damage: str = ""  # media.json's damage: the file was kept with --accept-damaged
    rejected: list = field(default_factory=list)  # drafts.json's RejectedDraft: generated text the check refused

    def items(self) -> list[ReviewItem]:
        """Every draft item, orphans included."""
        found = [i for i in (self.introduction, self.summary) if i]
        for ch in self.chapters:
            found += ch.summary + ([ch.keyphrases] if ch.keyphrases else []) + ch.quotes
        found += [i for pair in self.questions for i in pair if i]
        return found + self.speakers + self.orphans

    def find(self, kind: str, item_id: str) -> ReviewItem | None:
        """A draft item or a gap by kind and id."""
        return next((i for i in self.items() + self.gaps if i.kind == kind and i.item_id == item_id), None)

    @property
    def unchecked_gaps(self) -> list[ReviewItem]:
        """Gaps no editor has marked checked (or whose check no longer matches the gap)."""
        return [g for g in self.gaps if not g.accepted]

    def sentence(self, sentence_id: str) -> SentenceView | None:
        return next((s for ch in self.chapters for s in ch.sentences if s.id == sentence_id), None)

    def counts(self) -> dict[str, int]:
        """Draft items per state; 'edited' items are counted apart: they still need an approval."""
        counts = {"approved": 0, "edited": 0, "open": 0, "rejected": 0, "stale": 0}
        for item in self.items():
            counts[item.state] += 1
        counts["total"] = sum(counts.values())
        return counts

    @property
    def media_kind(self) -> str:
        return "video" if Path(self.recording.media).suffix.lower() in VIDEO_SUFFIXES else "audio"


class _Builder:
    """Joins one recording's artifacts with its stored decisions."""

    def __init__(self, paths: DataPaths, store: ReviewStore, slug: str):
        self.paths, self.slug = paths, slug
        # Parsed once per version of recording.yaml: YAML is slow, and the page is rebuilt after every change.
        self.recording = artifact_cache.load(manifest_path(paths, slug), lambda _: load_recording(paths, slug))
        self.work = paths.work_dir(slug)
        self.decisions = store.items(slug)
        try:
            self.corrections: Corrections = load_corrections(paths, slug)
        except ReviewDatabaseError:
            if not getattr(store, "problem", ""):  # only the app, which says so on every page, goes on
                raise
            self.corrections = Corrections()
        self.used: set[tuple[str, str]] = set()
        self.sentences: list[SentenceView] = []  # set by load_view before the drafts are joined
        self.machine: dict[str, str] = {}        # sentence id -> machine text (for corrections)
        self.starts: list[float] = []            # start of each of self.sentences, for bisect

    def item(self, kind: str, item_id: str, machine_text: str, corrected: str | None = None,
             **where: Any) -> ReviewItem:
        stored = self.decisions.get((kind, item_id))
        self.used.add((kind, item_id))
        state = item_state(stored, machine_text)
        shown = corrected if corrected is not None else machine_text
        if stored and stored.text and state != "stale":
            shown = stored.text
        extra = where.pop("extra", {})
        return ReviewItem(kind, item_id, machine_text, shown, state, stored, extra=extra, **where)

    def read(self, name: str) -> dict[str, Any] | None:
        path = self.work / name
        if not path.is_file():
            return None
        try:
            return artifact_cache.read_json(path)
        except (ValueError, OSError) as exc:
            log.warning("%s unreadable (%s); showing the recording without it", path, exc)
            return None


def load_view(paths: DataPaths, store: ReviewStore, slug: str) -> RecordingView:
    """Build the recording page's view: raises PipelineError (ManifestError) for unknown slugs."""
    b = _Builder(paths, store, slug)
    transcript = b.read("transcript.json")
    sentences = build_sentences(b, transcript)
    b.sentences = sorted(sentences, key=lambda s: s.start)
    b.starts, b.machine = [s.start for s in b.sentences], {s.id: s.machine_text for s in sentences}
    drafts = _read_drafts(b)
    chapters = _chapters(b, drafts)
    by_chapter: dict[int, list[SentenceView]] = {}
    for s in sentences:
        by_chapter.setdefault(s.chapter_index, []).append(s)
    for ch in chapters:
        ch.sentences = by_chapter.get(ch.index, [])
        ch.edit_row = b.decisions.get((CHAPTER_KIND, chapter_item_id(ch.index)))
        b.used.add((CHAPTER_KIND, chapter_item_id(ch.index)))
    if chapters and not any(ch.sentences for ch in chapters[1:]):
        chapters[0].sentences = sentences  # sentences without chapter numbers: show them all once
    view = RecordingView(
        recording=b.recording, chapters=chapters,
        introduction=_text_item(b, "introduction", drafts.introduction if drafts else "", False,
                                drafts.introduction_source if drafts else ""),
        summary=_text_item(b, "summary", drafts.summary if drafts else "",
                           drafts is not None and drafts.summary_source != "page",
                           drafts.summary_source if drafts else "", drafts.summary_model if drafts else ""),
        questions=_questions(b, drafts), speakers=_speakers(b),
        orphans=[], has_drafts=drafts is not None, has_transcript=transcript is not None,
        language=(drafts.language if drafts else "") or b.recording.language,
        duration=float((transcript or {}).get("duration") or (chapters[-1].end if chapters else 0.0)),
    )
    _added_quotes(b, view, sentences)
    view.gaps = _gaps(b, view, transcript)
    view.damage = str((b.read("media.json") or {}).get("damage") or "")
    view.orphans = _orphans(b)
    view.rejected = list(drafts.rejected) if drafts else []
    return view


def _gaps(b: _Builder, view: RecordingView, transcript: dict | None) -> list[ReviewItem]:
    """One 'gap' item per stretch of speech without words, listed in every chapter it overlaps and
    shown in the transcript of the chapter it starts in (its 'home')."""
    found = []
    for g in coverage_gaps(transcript):
        start, end = float(g["start"]), float(g["end"])
        inside = [ch for ch in view.chapters if start < max(ch.end, ch.start + 1e-3) and end > ch.start]
        inside = inside or view.chapters[:1]
        home = next((ch.index for ch in inside if ch.start <= start), inside[0].index if inside else 0)
        item = b.item(GAP_KIND, gap_id(start), gap_text(start, end), start=start, end=end,
                      chapter_index=home, extra={"reason": str(g.get("reason") or ""), "home": home})
        for ch in inside:
            ch.gaps.append(item)
        found.append(item)
    return found


def _read_drafts(b: _Builder):

    data = b.read("drafts.json")
    if data is None:
        return None
    try:
        return Drafts.from_json(data)
    except (KeyError, TypeError, ValueError, PipelineError) as exc:
        log.warning("drafts.json of %s unreadable (%s); re-run the drafts stage", b.slug, exc)
        return None


def _text_item(b: _Builder, kind: str, text: str, from_transcript: bool, source: str = "",
               model: str = "") -> ReviewItem | None:
    """The introduction or recording summary; one drafted from transcript sentences gets their
    corrections (matched with their neighbouring words, as it may come from any sentence)."""
    if not text.strip():
        return None
    corrected = b.corrections.derived_text(text, b.machine) if from_transcript else b.corrections.apply(text)
    return b.item(kind, kind, text, corrected, extra={"source": source, "model": model})


def _chapters(b: _Builder, drafts) -> list[ChapterView]:
    """Chapters with their draft items; from drafts.json, else chapters.json, else one chapter."""
    if drafts is not None:
        return [_chapter_view(b, ch) for ch in drafts.chapters]
    data = b.read("chapters.json") or {}
    found = [ChapterView(int(c["index"]), str(c.get("title") or ""), float(c["start"]), float(c["end"]))
             for c in data.get("chapters", []) if "index" in c and "start" in c and "end" in c]
    return found or [ChapterView(0, b.recording.title, 0.0, 0.0)]


def _chapter_view(b: _Builder, ch) -> ChapterView:
    view = ChapterView(ch.index, ch.title, ch.start, ch.end)
    for s in ch.summary:
        view.summary.append(b.item("summary_sentence", s.id, s.text, _corrected(b, s), start=s.start,
                                   end=s.end, chapter_index=ch.index, extra={"source": s.source, "model": s.model}))
    if ch.keyphrases:
        text = ", ".join(ch.keyphrases)
        view.keyphrases = b.item("keyphrases", f"kp-{ch.index}", text, b.corrections.apply(text),
                                 chapter_index=ch.index, start=ch.start, end=ch.end, extra={"source": "extractive"})
    for q in ch.quotes:
        view.quotes.append(b.item("quote", q.id, q.text, _corrected(b, q), start=q.start, end=q.end,
                                  chapter_index=ch.index,
                                  extra={"speaker": q.speaker, "reasons": q.reasons, "score": q.score,
                                         "source": q.source}))
    return view


def _corrected(b: _Builder, item) -> str:
    """A draft item in the corrected transcript's words: the corrections of the sentences it was made
    from (by id and time span) carried in, then rules and glossary. One correction, everywhere."""
    return _from_sentences(b, item.text, item.start, item.end, getattr(item, "sentence_id", ""))


def _from_sentences(b: _Builder, text: str, start: float, end: float, first: str = "") -> str:
    edits = b.corrections.sentence_edits
    if not edits:  # the common case: nothing to carry over but rules
        return ruled_text(b.corrections, text)
    # Sentences are in time order: look up the span instead of scanning (the page of a two-hour
    # lecture has thousands of sentences and hundreds of items).
    lo, hi = bisect.bisect_left(b.starts, start - 0.05), bisect.bisect_right(b.starts, end + 0.05)
    ids = [s.id for s in b.sentences[lo:hi] if s.end <= end + 0.05] + ([first] if first else [])
    if not any(i in edits for i in ids):
        return ruled_text(b.corrections, text)
    return b.corrections.derived_text(text, b.machine, ids)


def _questions(b: _Builder, drafts) -> list[tuple[ReviewItem, ReviewItem | None]]:
    pairs = []
    for q in drafts.questions if drafts else []:
        question = b.item("question", q.id, q.text, _corrected(b, q), start=q.start, end=q.end,
                          chapter_index=q.chapter_index, extra={"source": q.source})
        answer = None
        if q.answer.strip():
            answer = b.item("answer", q.id, q.answer, _from_sentences(b, q.answer, q.answer_start, q.answer_end),
                            start=q.answer_start,
                            end=q.answer_end, chapter_index=q.chapter_index,
                            extra={"speaker": q.answer_speaker, "source": q.source})
        pairs.append((question, answer))
    return pairs


def speaker_text(name: str, organisation: str = "", role: str = "") -> str:
    """A speaker as editable text: name, organisation and role on their own lines."""
    return "\n".join(x.strip() for x in (name, organisation, role))


def _speakers(b: _Builder) -> list[ReviewItem]:
    return [b.item("speaker", f"speaker-{n}", speaker_text(sp.name, sp.organisation, sp.role), extra={"source": "page"})
            for n, sp in enumerate(b.recording.speakers, start=1)]


def _added_quotes(b: _Builder, view: RecordingView, sentences: list[SentenceView]) -> None:
    """Quotes editors selected in the transcript: stale when the transcript no longer says them."""
    added = [kv for kv in b.decisions.items() if kv[0][0] == "quote" and kv[1].data.get("added")]
    spoken = normalize(" ".join(s.text for s in sentences)) if added else ""
    by_index = {ch.index: ch for ch in view.chapters}
    for (kind, item_id), stored in sorted(added, key=lambda kv: kv[1].item_id):
        b.used.add((kind, item_id))
        state = stored.status if normalize(stored.source_text) in spoken else "stale"
        item = ReviewItem(kind, item_id, stored.source_text, stored.text or stored.source_text, state, stored,
                          start=stored.data.get("start"), end=stored.data.get("end"),
                          chapter_index=stored.data.get("chapter_index"),
                          extra={"speaker": stored.data.get("speaker", ""), "added": True})
        chapter = by_index.get(item.chapter_index) or (view.chapters[0] if view.chapters else None)
        (chapter.quotes if chapter else view.orphans).append(item)


def _orphans(b: _Builder) -> list[ReviewItem]:
    """Decisions on items the current drafts no longer have: kept, shown as stale."""
    out = []
    for (kind, item_id), stored in sorted(b.decisions.items()):
        if (kind, item_id) in b.used or kind == GAP_KIND:  # a gap that is gone needs no check
            continue
        out.append(ReviewItem(kind, item_id, stored.source_text, stored.text or stored.source_text,
                              "stale", stored, start=stored.data.get("start"), end=stored.data.get("end")))
    return out


def describe_change(entry) -> tuple[str, str, str]:
    """(verb, kind label, quoted text) of a history entry (see editorial/changes.py)."""
    return changes.describe_change(entry, KIND_LABELS)
