"""sentences.json: the transcript re-split into timed sentences, per chapter."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, load_artifact
from pipeline.core import fsutil
from pipeline.core.errors import PipelineError


@dataclass
class Sentence:
    """One sentence: its id, chapter, time span (seconds), text and the transcript segments it spans."""

    id: str
    chapter_index: int
    start: float
    end: float
    text: str
    segment_ids: list[int] = field(default_factory=list)
    speaker: str = ""


@dataclass
class SentenceSet:
    """data/work/<slug>/sentences.json: every sentence of a recording, in time order."""

    language: str
    sentences: list[Sentence]
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": self.schema_version, "language": self.language,
                "sentences": [asdict(s) for s in self.sentences]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SentenceSet":
        version = data.get("schema_version", SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise PipelineError(f"sentences.json has schema {version}, newer than this pipeline; upgrade it")
        return cls(language=data["language"], sentences=[Sentence(**s) for s in data["sentences"]],
                   schema_version=version)

    @classmethod
    def load(cls, path: str | Path) -> "SentenceSet":
        return load_sentences(path)

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())

    def by_id(self) -> dict[str, Sentence]:
        return {s.id: s for s in self.sentences}

    def in_chapter(self, index: int) -> list[Sentence]:
        return [s for s in self.sentences if s.chapter_index == index]


def load_sentences(path: str | Path) -> SentenceSet:
    """Read sentences.json; a missing or unreadable file raises PipelineError naming it."""
    return load_artifact(path, SentenceSet.from_json, "sentences.json", "drafts")


def sentence_id(start: float, taken: set[str]) -> str:
    """'s' + start in ms (9 digits); made unique against `taken` with '-1', '-2', ... and added to it."""
    base = "s%09d" % round(start * 1000)
    candidate, n = base, 0
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class ChapterSpan:
    """What sentence splitting needs of a chapter (chapters.json): its segments and text.

    A segment listed by two chapters was split at a word boundary. `parts` says where, as
    (segment_id, word_start, word_end, text) of each split segment's part in this chapter (the
    chapters stage's pieces); without it, the chapter keeps the words that start inside [start, end).
    """

    index: int
    title: str
    start: float
    end: float
    segment_ids: tuple[int, ...]
    text: str = ""
    parts: tuple[tuple[int, int, int, str], ...] = ()
