"""The search backend seam: everything that stores and queries the index goes through `SearchBackend`.

    index stage (stage.py) --RecordingDoc--> SearchBackend.replace_recording / remove_recordings
    pipeline search, pipeline.search(), the review app's /search, notebooks (api.py, explore.py)
        --query tree + SearchFilters--> SearchBackend.search -> Matches (rows + a note)

Only a backend module knows its engine. Today there is one, `fts5.Fts5Backend` (SQLite FTS5 in
data/index.sqlite): its writer (schema, one transaction per recording, damage detection and
rebuild) and its query builder (`query.match_expression`, filter tags, the cap on rows scored).
The query language is parsed once, engine-neutrally, by `query.parse_query` into a tree of
`Term`s and `Operation`s; a backend translates that tree into its own syntax.

To add a server engine (PostgreSQL full-text, OpenSearch): write `pipeline/index/<engine>.py`
with a class that satisfies `SearchBackend` (rows in, the same `MatchRow`s out; `generation()`
must change when the store is lost or re-created, so the index stage re-indexes every
recording), add it to `BACKENDS`, and select it with PIPELINE_SEARCH_BACKEND=<name>. The CLI,
`api.py`, `explore.py` and the review app's search page do not change.

Errors: a backend raises QueryError for what the user typed and for a store it cannot read
(one line that says how to fix it; e.g. a damaged index: "rebuild it with 'make all'").
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError

MAX_LIMIT = 1000
# name -> "module:class"; a backend module is imported only when chosen.
BACKENDS = {"sqlite": "pipeline.index.fts5:Fts5Backend"}


@dataclass(frozen=True)
class IndexRow:
    """One searchable row: a sentence (or a segment) with its time span and corrected text."""

    sentence_id: str
    chapter_index: int  # 0-based, as in chapters.json; shown to people as chapter_index + 1
    start: float
    end: float
    text: str
    speaker: str = ""


@dataclass(frozen=True)
class RecordingDoc:
    """What one recording contributes to the index."""

    slug: str
    title: str
    date: str
    language: str
    media: str
    source: str  # sentences | segments
    chapters: dict[int, str] = field(default_factory=dict)
    rows: list[IndexRow] = field(default_factory=list)


@dataclass(frozen=True)
class SearchFilters:
    """Which rows may match. Empty fields do not filter.

    recording: recording slugs (any of them); speaker: part of a speaker's name (case and accents
    ignored); language: 'nl', 'en', ...; since/until: ISO dates (inclusive) of the recording;
    chapter: a chapter number (from 1: '3' is every recording's third chapter) or words of the
    chapter title (any form); limit: how many ranked results (1-1000).
    """

    recording: tuple[str, ...] = ()
    speaker: str = ""
    language: str = ""
    since: str = ""
    until: str = ""
    chapter: str = ""
    limit: int = 20

    def __post_init__(self) -> None:
        if isinstance(self.recording, str):
            object.__setattr__(self, "recording", (self.recording,) if self.recording else ())
        else:
            object.__setattr__(self, "recording", tuple(self.recording or ()))
        if isinstance(self.chapter, int) and not isinstance(self.chapter, bool):
            object.__setattr__(self, "chapter", str(self.chapter))
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or not 1 <= self.limit <= MAX_LIMIT:
            raise ConfigError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {self.limit!r}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                try:
                    dt.date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise ConfigError(f"{name} must be a date like 2022-06-17, not {value!r}") from None
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"since ({self.since}) is after until ({self.until}); swap them")
        number = self.chapter_number()
        if number is not None and number < 1:
            raise ConfigError(f"chapters are numbered from 1, not {self.chapter!r}")

    def chapter_number(self) -> int | None:
        """The chapter filter as a number (from 1), or None when it is title words."""
        text = self.chapter.strip() if isinstance(self.chapter, str) else ""
        return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None


@dataclass
class MatchRow:
    """One ranked row as a backend returns it (api.py adds links and highlighting)."""

    recording: str
    title: str
    date: str
    language: str
    media: str
    chapter_index: int | None  # 0-based (chapters.json); None when the row has no chapter
    chapter: str
    speaker: str
    start: float
    end: float
    text: str
    score: float  # lower is better
    sentence_id: str
    context_before: str = ""
    context_after: str = ""


@dataclass
class Matches:
    """A backend's answer: the rows, best first, and a note when the plan was limited (else '')."""

    rows: list[MatchRow]
    note: str = ""


class SearchBackend(Protocol):
    """What the index stage and every search interface need from a search engine."""

    location: str  # where the index lives, for messages (a path or a URL)

    def generation(self) -> str:
        """Id of the current store, read-only; 'absent' when it must be (re)built. Changes when it is re-created."""
        ...

    def ensure(self) -> tuple[str, list[str]]:
        """Create the store if missing, rebuild it if damaged or outdated: (generation, lines for the user)."""
        ...

    def problem(self) -> str:
        """'' when the store is readable, else one line: what is wrong and how to fix it."""
        ...

    def replace_recording(self, doc: RecordingDoc) -> int:
        """Replace every row of doc.slug with doc's, atomically; returns the row count."""
        ...

    def remove_recordings(self, keep: set[str]) -> list[str]:
        """Drop recordings whose slug is not in `keep`; returns the slugs dropped."""
        ...

    def search(self, tree: Any, filters: SearchFilters) -> Matches:
        """Ranked rows for a query tree (query.parse_query) within the filters."""
        ...

    def recordings(self) -> list[tuple[str, str]]:
        """(slug, title) of every indexed recording, newest first."""
        ...

    def languages(self) -> list[str]:
        """Languages of the indexed recordings, sorted."""
        ...

    def rows(self) -> list[dict[str, Any]]:
        """Every indexed row (recording, title, date, language, chapter_index, chapter, speaker,
        sentence_id, start, end, text), in recording and time order, for notebooks."""
        ...


def backend_for(paths: DataPaths) -> SearchBackend:
    """The configured backend (PIPELINE_SEARCH_BACKEND, default 'sqlite') for a data folder."""
    name = os.environ.get("PIPELINE_SEARCH_BACKEND", "").strip() or "sqlite"
    if name not in BACKENDS:
        raise ConfigError(f"PIPELINE_SEARCH_BACKEND={name!r} is not a search backend; choose from "
                          f"{', '.join(sorted(BACKENDS))}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)(paths)
