"""chapters.json: the recording's chapters with boundaries snapped to what was said."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, _check_schema, load_artifact
from pipeline.artifacts.transcript import Gap
from pipeline.core import fsutil
from pipeline.core.version import __version__


@dataclass(frozen=True)
class Piece:
    """A segment, or the part of a split segment, inside one chapter.

    A segment that straddles a chapter boundary is split between two words into parts 0, 1, …;
    (segment_id, part) is unique. word_start/word_end index that segment's words ([start, end)).
    """

    segment_id: int
    part: int
    start: float
    end: float
    text: str
    word_start: int
    word_end: int
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chapter:
    """One chapter: listed and snapped start, its text and where its words are in the transcript.

    Its words are transcript.words()[word_start:word_end] (see chapter_words); `pieces` says which
    segment (part) each came from. `end` is the next chapter's start.
    """

    index: int
    title: str
    listed_start: float
    start: float
    end: float
    segment_ids: list[int]
    text: str
    word_count: int
    flags: list[str]
    snap: dict[str, Any]
    word_start: int
    word_end: int
    pieces: list[Piece]
    files: dict[str, str] = field(default_factory=dict)
    # Speech inside this chapter the transcript has no words for (from transcript.json's coverage):
    # the chapter is incomplete until an editor has listened to these and marked them checked.
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class Chapters:
    """data/work/<slug>/chapters.json."""

    recording: str
    source: str
    duration: float
    chapters: list[Chapter]
    warnings: list[str]
    options: dict[str, Any]
    versions: dict[str, str] = field(default_factory=lambda: {"lecture-pipeline": __version__})
    schema_version: int = SCHEMA_VERSION

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.chapters if c.text)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Chapters":
        _check_schema(data, "chapters.json", None)
        chapters = [Chapter(**{**c, "pieces": [Piece(**p) for p in c["pieces"]],
                               "gaps": [Gap(**g) for g in c.get("gaps", [])]}) for c in data["chapters"]]
        return cls(**{**data, "chapters": chapters})

    @classmethod
    def load(cls, path: str | Path) -> "Chapters":
        return cls.from_json(fsutil.read_json(path))

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())


def load_chapters(path: str | Path) -> Chapters:
    """Read a chapters.json; a missing or unreadable file raises PipelineError naming it."""
    return load_artifact(path, Chapters.from_json, "chapters.json", "chapters")
