"""drafts.json: per-chapter summary sentences, keyphrases, quotes and questions, with times."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, load_artifact
from pipeline.artifacts.transcript import Gap
from pipeline.core import fsutil
from pipeline.core.errors import PipelineError


@dataclass
class SummaryItem:
    """A summary sentence (lightly cleaned) with the time span and segments it was taken from."""

    id: str
    text: str
    start: float
    end: float
    segment_ids: list[int] = field(default_factory=list)
    sentence_id: str = ""
    score: float = 0.0
    source: str = "extractive"  # how it was made: "extractive" (a transcript sentence), "page" or "llm"
    model: str = ""             # for source "llm": the language model that wrote it
    cited: list[str] = field(default_factory=list)  # for source "llm": ids of the sentences it rests on


@dataclass
class Quote:
    """A verbatim quote candidate: exact transcript text of its span, its score and why it scored so."""

    id: str
    text: str
    start: float
    end: float
    segment_ids: list[int] = field(default_factory=list)
    speaker: str = ""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    sentence_id: str = ""
    source: str = "extractive"


@dataclass
class Question:
    """An audience question and the answer span that follows it (answer_* empty/0 when none)."""

    id: str
    chapter_index: int
    text: str
    start: float
    end: float
    segment_ids: list[int] = field(default_factory=list)
    answer: str = ""
    answer_start: float = 0.0
    answer_end: float = 0.0
    answer_segment_ids: list[int] = field(default_factory=list)
    answer_speaker: str = ""
    sentence_id: str = ""
    source: str = "extractive"  # "extractive" (found in the transcript) or "page" (the page's own Q&A, kept as written)
    asked: bool = True          # for a page question: whether it was matched to the moment it was asked
    similarity: float = 1.0     # for a page question: how closely the matched sentence says it (0-1)
    asker: str = ""             # who asked (the question's voice in speakers.json, e.g. 'Publiek'); '' unknown


@dataclass
class PageText:
    """A text the page already has (introduction, summary, quote), kept as the editor's text and checked
    against the transcript: the closest thing said, when, and whether it was said verbatim."""

    id: str
    kind: str            # "introduction" | "summary" | "quote"
    text: str
    source: str = "page"
    speaker: str = ""
    verbatim: bool = False      # quotes: the words were said, in this order (case and punctuation aside)
    supported: float = 0.0      # share of its sentences whose content words were said in one transcript sentence
    flagged: bool = False       # a quote not said verbatim, or a text the transcript hardly supports
    closest: str = ""           # the closest thing said (one or two transcript sentences)
    closest_start: float = 0.0
    closest_end: float = 0.0
    sentence_id: str = ""
    similarity: float = 0.0


# Why the grounding check rejected a generated sentence. drafts.json stores the filled-in English text
# (readable as it is); the review app matches it against these templates and shows it in the editor's
# language (the templates are msgids of its catalogue).
REJECTION_REASONS = {
    "no_citation": "cites no sentence",
    "bad_citation": "cites sentence(s) that do not exist: %(items)s",
    "numbers": "number(s) not in the cited sentences: %(items)s",
    "names": "name(s) not in the cited sentences: %(items)s",
    "no_content": "says nothing of content",
    "content_share": "only %(share)s of its content words are in the cited sentences (missing: %(items)s)",
    "too_many": "more sentences than the %(n)s asked for",
    "repeats": "repeats an earlier sentence",
    "repeats_summary": "repeats a chapter summary sentence",
}


def rejection_reason(key: str, **fields: object) -> str:
    """The stored text of one rejection reason (REJECTION_REASONS[key] filled in)."""
    return REJECTION_REASONS[key] % {k: str(v) for k, v in fields.items()}


def _reason_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


_REASON_PATTERNS = [(t, _reason_pattern(t)) for t in REJECTION_REASONS.values()]


def parse_rejection_reason(text: str) -> tuple[str, dict[str, str]] | None:
    """(template, fields) of a stored reason; None for a text that matches no template (older drafts)."""
    for template, pattern in _REASON_PATTERNS:
        match = pattern.match(text)
        if match:
            return template, match.groupdict()
    return None


@dataclass
class RejectedDraft:
    """A sentence a language model wrote that the grounding check rejected (the extractive draft stands
    in its place): what it said, the sentences it cited and why it was rejected."""

    chapter_index: int   # -1: the recording's summary paragraph
    text: str
    cited: list[str] = field(default_factory=list)  # ids of the sentences it cited (that exist)
    reasons: list[str] = field(default_factory=list)
    model: str = ""


@dataclass
class ChapterDraft:
    """The drafts of one chapter."""

    index: int
    title: str
    start: float
    end: float
    summary: list[SummaryItem] = field(default_factory=list)
    keyphrases: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    # Speech in this chapter the transcript has no words for: its drafts are incomplete.
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class Drafts:
    """data/work/<slug>/drafts.json: all editorial drafts of a recording, as data."""

    language: str
    title: str
    introduction: str
    summary: str
    chapters: list[ChapterDraft]
    questions: list[Question]
    provenance: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    introduction_source: str = "extractive"  # "page" when the page's own introduction was kept
    summary_source: str = "extractive"       # "page" when the page's own summary was kept; "llm" when generated
    summary_model: str = ""                  # for summary_source "llm": the language model that wrote it
    page_texts: list[PageText] = field(default_factory=list)
    rejected: list[RejectedDraft] = field(default_factory=list)  # generated sentences the grounding check refused

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": data.pop("schema_version"), **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Drafts":
        version = data.get("schema_version", SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise PipelineError(f"drafts.json has schema {version}, newer than this pipeline; upgrade it")
        chapters = [
            ChapterDraft(**{**c, "summary": [SummaryItem(**s) for s in c.get("summary", [])],
                            "quotes": [Quote(**q) for q in c.get("quotes", [])],
                            "gaps": [Gap(**g) for g in c.get("gaps", [])]})
            for c in data["chapters"]
        ]
        questions = [Question(**q) for q in data.get("questions", [])]
        page_texts = [PageText(**p) for p in data.get("page_texts", [])]
        rejected = [RejectedDraft(**r) for r in data.get("rejected", [])]
        return cls(**{**data, "chapters": chapters, "questions": questions, "page_texts": page_texts,
                      "rejected": rejected, "schema_version": version})

    @classmethod
    def load(cls, path: str | Path) -> "Drafts":
        return load_drafts(path)

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())

    def items(self) -> dict[str, SummaryItem | Quote | Question]:
        """Every reviewable item by its id."""
        found: dict[str, SummaryItem | Quote | Question] = {}
        for chapter in self.chapters:
            found.update({s.id: s for s in chapter.summary})
            found.update({q.id: q for q in chapter.quotes})
        found.update({q.id: q for q in self.questions})
        return found


def load_drafts(path: str | Path) -> Drafts:
    """Read drafts.json; a missing or unreadable file raises PipelineError naming it."""
    return load_artifact(path, Drafts.from_json, "drafts.json", "drafts")
