"""What the review app shows for a recording: the pipeline's artifacts joined with review state.

Draft items come from drafts.json (ids from the drafts stage), sentences from sentences.json (or
the transcript's segments before the drafts stage ran), decisions from review.sqlite. An item's
state is the stored decision when the machine text it was made on still matches, else 'stale'.
Decisions whose item no longer exists are kept and listed as orphans, never dropped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.drafts import Drafts
from pipeline.artifacts.manifest import Recording, load_recording
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import PipelineError
from pipeline.editorial.corrections import (
    SENTENCE_KIND,
    Corrections,
    load_corrections,
    normalize,
)
from pipeline.editorial.store import ItemState, ReviewStore
from pipeline.editorial.worddiff import word_diff

log = logging.getLogger(__name__)

KIND_LABELS = {
    "introduction": "Introduction", "summary": "Recording summary", "summary_sentence": "Summary sentence",
    "keyphrases": "Keyphrases", "quote": "Quote", "question": "Question", "answer": "Answer",
    "speaker": "Speaker", "sentence": "Transcript correction",
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
class SentenceView:
    """A transcript sentence as shown: corrected text, and a stale correction if there is one."""

    id: str
    chapter_index: int
    start: float
    end: float
    machine_text: str
    text: str
    corrected: bool
    version: int
    stale_edit: ItemState | None = None


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

    def items(self) -> list[ReviewItem]:
        """Every draft item, orphans included."""
        found = [i for i in (self.introduction, self.summary) if i]
        for ch in self.chapters:
            found += ch.summary + ([ch.keyphrases] if ch.keyphrases else []) + ch.quotes
        found += [i for pair in self.questions for i in pair if i]
        return found + self.speakers + self.orphans

    def find(self, kind: str, item_id: str) -> ReviewItem | None:
        return next((i for i in self.items() if i.kind == kind and i.item_id == item_id), None)

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


def item_state(stored: ItemState | None, machine_text: str) -> str:
    """The state to show: the decision while its source text still matches, else 'stale'."""
    if stored is None:
        return "open"
    if normalize(stored.source_text) != normalize(machine_text):
        return "stale"
    return stored.status


class _Builder:
    """Joins one recording's artifacts with its stored decisions."""

    def __init__(self, paths: DataPaths, store: ReviewStore, slug: str):
        self.paths, self.slug = paths, slug
        self.recording = load_recording(paths, slug)
        self.work = paths.work_dir(slug)
        self.decisions = store.items(slug)
        self.corrections: Corrections = load_corrections(paths, slug)
        self.used: set[tuple[str, str]] = set()

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
            return fsutil.read_json(path)
        except (ValueError, OSError) as exc:
            log.warning("%s unreadable (%s); showing the recording without it", path, exc)
            return None


def load_view(paths: DataPaths, store: ReviewStore, slug: str) -> RecordingView:
    """Build the recording page's view: raises PipelineError (ManifestError) for unknown slugs."""
    b = _Builder(paths, store, slug)
    transcript = b.read("transcript.json")
    drafts = _read_drafts(b)
    chapters = _chapters(b, drafts)
    sentences = _sentences(b, transcript)
    for ch in chapters:
        ch.sentences = [s for s in sentences if s.chapter_index == ch.index]
    if chapters and not any(ch.sentences for ch in chapters[1:]):
        chapters[0].sentences = sentences  # sentences without chapter numbers: show them all once
    view = RecordingView(
        recording=b.recording, chapters=chapters,
        introduction=_text_item(b, "introduction", drafts.introduction if drafts else ""),
        summary=_text_item(b, "summary", drafts.summary if drafts else ""),
        questions=_questions(b, drafts), speakers=_speakers(b),
        orphans=[], has_drafts=drafts is not None, has_transcript=transcript is not None,
        language=(drafts.language if drafts else "") or b.recording.language,
        duration=float((transcript or {}).get("duration") or (chapters[-1].end if chapters else 0.0)),
    )
    _added_quotes(b, view, sentences)
    view.orphans = _orphans(b)
    return view


def _read_drafts(b: _Builder):

    data = b.read("drafts.json")
    if data is None:
        return None
    try:
        return Drafts.from_json(data)
    except (KeyError, TypeError, ValueError, PipelineError) as exc:
        log.warning("drafts.json of %s unreadable (%s); re-run the drafts stage", b.slug, exc)
        return None


def _text_item(b: _Builder, kind: str, text: str) -> ReviewItem | None:
    if not text.strip():
        return None
    return b.item(kind, kind, text, b.corrections.apply(text))


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
                                   end=s.end, chapter_index=ch.index))
    if ch.keyphrases:
        text = ", ".join(ch.keyphrases)
        view.keyphrases = b.item("keyphrases", f"kp-{ch.index}", text, b.corrections.apply(text),
                                 chapter_index=ch.index, start=ch.start, end=ch.end)
    for q in ch.quotes:
        view.quotes.append(b.item("quote", q.id, q.text, _corrected(b, q), start=q.start, end=q.end,
                                  chapter_index=ch.index,
                                  extra={"speaker": q.speaker, "reasons": q.reasons, "score": q.score}))
    return view


def _corrected(b: _Builder, item) -> str:
    """Draft text from a sentence gets that sentence's correction, or the rules and glossary."""
    if getattr(item, "sentence_id", ""):
        return b.corrections.sentence_text(item.sentence_id, item.text)
    return b.corrections.apply(item.text)


def _sentences(b: _Builder, transcript: dict | None) -> list[SentenceView]:
    """Sentences from sentences.json, else one per transcript segment (before the drafts stage)."""
    data = b.read("sentences.json")
    rows: list[dict] = (data or {}).get("sentences") or []
    if not rows and transcript:
        seg_chapter = _segment_chapters(b)
        rows = [{"id": f"seg{s['id']}", "chapter_index": seg_chapter.get(s["id"], 0), "start": s["start"],
                 "end": s["end"], "text": s["text"].strip()} for s in transcript.get("segments", [])]
    out = []
    for r in rows:
        machine = str(r.get("text") or "")
        stored = b.decisions.get((SENTENCE_KIND, r["id"]))
        state = item_state(stored, machine)
        b.used.add((SENTENCE_KIND, r["id"]))
        out.append(SentenceView(
            id=r["id"], chapter_index=int(r.get("chapter_index") or 0), start=float(r["start"]),
            end=float(r["end"]), machine_text=machine, text=b.corrections.sentence_text(r["id"], machine),
            corrected=state == "edited", version=stored.version if stored else 0,
            stale_edit=stored if state == "stale" else None))
    return out


def _segment_chapters(b: _Builder) -> dict[int, int]:
    data = b.read("chapters.json") or {}
    return {sid: int(c["index"]) for c in data.get("chapters", []) for sid in c.get("segment_ids", [])}


def _questions(b: _Builder, drafts) -> list[tuple[ReviewItem, ReviewItem | None]]:
    pairs = []
    for q in drafts.questions if drafts else []:
        question = b.item("question", q.id, q.text, _corrected(b, q), start=q.start, end=q.end,
                          chapter_index=q.chapter_index)
        answer = None
        if q.answer.strip():
            answer = b.item("answer", q.id, q.answer, b.corrections.apply(q.answer), start=q.answer_start,
                            end=q.answer_end, chapter_index=q.chapter_index,
                            extra={"speaker": q.answer_speaker})
        pairs.append((question, answer))
    return pairs


def speaker_text(name: str, organisation: str = "", role: str = "") -> str:
    """A speaker as editable text: name, organisation and role on their own lines."""
    return "\n".join(x.strip() for x in (name, organisation, role))


def _speakers(b: _Builder) -> list[ReviewItem]:
    return [b.item("speaker", f"speaker-{n}", speaker_text(sp.name, sp.organisation, sp.role))
            for n, sp in enumerate(b.recording.speakers, start=1)]


def _added_quotes(b: _Builder, view: RecordingView, sentences: list[SentenceView]) -> None:
    """Quotes editors selected in the transcript: stale when the transcript no longer says them."""
    spoken = normalize(" ".join(s.text for s in sentences))
    by_index = {ch.index: ch for ch in view.chapters}
    for (kind, item_id), stored in sorted(b.decisions.items(), key=lambda kv: kv[1].item_id):
        if kind != "quote" or not stored.data.get("added"):
            continue
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
        if (kind, item_id) in b.used:
            continue
        out.append(ReviewItem(kind, item_id, stored.source_text, stored.text or stored.source_text,
                              "stale", stored, start=stored.data.get("start"), end=stored.data.get("end")))
    return out


VERBS = {"approve": "approved", "edit": "edited", "reject": "rejected", "reopen": "reopened", "add": "added",
         "add rule": "added rule", "remove rule": "removed rule", "add term": "added term",
         "remove term": "removed term"}


def describe_change(entry) -> tuple[str, str, str]:
    """(verb, kind label, quoted text) of a history entry, in words an editor reads:
    ('edited', 'Quote', '“Ik geloof…”'); the label is '' for rules and terms.

    Parts, not one sentence, so the app can translate the verb and the label.
    """
    undo = entry.action.startswith("undo ")
    verb = VERBS.get(entry.action[5:] if undo else entry.action, entry.action)
    row = entry.after or entry.before or {}
    label = ""
    if entry.tbl == "items":
        label = KIND_LABELS.get(row.get("kind", ""), row.get("kind", ""))
        text = " ".join(str(row.get("text") or row.get("source_text") or "").split())
        what = f"\u201c{text[:48]}{'…' if len(text) > 48 else ''}\u201d"
    elif entry.tbl == "rules":
        what = f"\u201c{row.get('find', '')}\u201d \u2192 \u201c{row.get('replace', '')}\u201d"
    else:
        what = f"\u201c{row.get('term', '')}\u201d"
    return (f"undid: {verb}" if undo else verb), label, what
