"""Read-only view of the editors' transcript corrections for the pipeline.

The review app (pipeline/review/store.py) owns data/review.sqlite; stages only read it, through
this module, with SQLite's read-only URI mode. A missing database means no corrections.

Three kinds of correction change transcript text:
- a sentence edit: the editor's text for one sentence id, valid while the machine text it was made
  on is unchanged (after re-processing, a changed sentence falls back to the machine text and the
  app shows the edit as stale);
- find-and-replace rules of one recording (e.g. 'krattenbundeling' -> 'Krachtenbundeling');
- the project glossary: names and terms whose spelling (case) is fixed wherever they occur.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.core.config import DataPaths

log = logging.getLogger(__name__)

SENTENCE_KIND = "sentence"
MIN_SUBSTITUTION_WORDS = 4


@dataclass(frozen=True)
class Rule:
    """A find-and-replace rule of one recording."""

    find: str
    replace: str
    whole_word: bool = True
    case_sensitive: bool = False

    def pattern(self) -> re.Pattern[str]:
        body = re.escape(self.find)
        if self.whole_word:
            body = rf"(?<!\w){body}(?!\w)"
        return re.compile(body, 0 if self.case_sensitive else re.IGNORECASE)


def normalize(text: str) -> str:
    """Collapse whitespace, so an edit still matches a sentence that only changed spacing."""
    return " ".join(text.split())


def glossary_pattern(term: str) -> re.Pattern[str]:
    """Case-insensitive whole-word pattern of a glossary term."""
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


@dataclass
class Corrections:
    """All corrections of one recording, applied to machine text."""

    sentence_edits: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (source, text)
    rules: list[Rule] = field(default_factory=list)
    glossary: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rules = [(r.pattern(), r.replace) for r in self.rules]
        # Longest terms first, so 'Krachtenbundeling Smart Mobility' wins over 'Krachtenbundeling'.
        terms = sorted({t for t in self.glossary if len(t.strip()) >= 2}, key=len, reverse=True)
        self._terms = [(glossary_pattern(t), t) for t in terms]

    def apply(self, text: str) -> str:
        """Free machine text (summary, answers) with corrected sentences, rules and glossary applied.

        A corrected sentence is substituted where its machine text occurs verbatim (summaries are
        made of transcript sentences); short sentences are left out, as 'Ja.' occurs everywhere.
        """
        for source, edited in self.sentence_edits.values():
            source = normalize(source)
            if len(source.split()) >= MIN_SUBSTITUTION_WORDS and source in text:
                text = text.replace(source, edited)
        return self._apply_rules(text)

    def _apply_rules(self, text: str) -> str:
        """Find-and-replace rules, then glossary spelling."""
        for pattern, replacement in self._rules:
            text = pattern.sub(lambda _m, r=replacement: r, text)
        for pattern, term in self._terms:
            text = pattern.sub(term, text)
        return text

    def sentence_text(self, sentence_id: str, machine_text: str) -> str:
        """The editor's text for the sentence while its source still matches, else apply(machine_text)."""
        edit = self.sentence_edits.get(sentence_id)
        if edit and normalize(edit[0]) == normalize(machine_text):
            return edit[1]
        return self._apply_rules(machine_text)

    def is_empty(self) -> bool:
        return not (self.sentence_edits or self.rules or self.glossary)


@contextlib.contextmanager
def _read_only(db: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection, or None when the database does not exist yet."""
    if not db.is_file():
        yield None
        return
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def _rows(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with _read_only(db) as conn:
        if conn is None:
            return []
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            # A database from another app version without this table: no corrections of this kind.
            log.warning("%s: cannot read corrections (%s); using machine text", db, exc)
            return []


def glossary_terms(paths: DataPaths) -> list[str]:
    """The project glossary (names and terms), sorted case-insensitively; [] without a database."""
    rows = _rows(paths.review_db, "SELECT term FROM glossary WHERE active = 1 ORDER BY term COLLATE NOCASE")
    return [r[0] for r in rows]


def load_corrections(paths: DataPaths, slug: str) -> Corrections:
    """Sentence edits, find-and-replace rules and glossary that apply to one recording."""
    edits = _rows(
        paths.review_db,
        "SELECT item_id, source_text, text FROM items WHERE slug = ? AND kind = ? "
        "AND status = 'edited' AND text IS NOT NULL ORDER BY item_id",
        (slug, SENTENCE_KIND),
    )
    rules = _rows(
        paths.review_db,
        "SELECT find, replace, whole_word, case_sensitive FROM rules "
        "WHERE slug = ? AND active = 1 ORDER BY id",
        (slug,),
    )
    return Corrections(
        sentence_edits={r[0]: (r[1], r[2]) for r in edits},
        rules=[Rule(r[0], r[1], bool(r[2]), bool(r[3])) for r in rules],
        glossary=glossary_terms(paths),
    )


def corrections_digest(paths: DataPaths, slug: str) -> str:
    """sha256 of everything that changes the corrected text of a recording (stable when unchanged)."""
    c = load_corrections(paths, slug)
    payload = {
        "sentences": sorted([k, *v] for k, v in c.sentence_edits.items()),
        "rules": [[r.find, r.replace, r.whole_word, r.case_sensitive] for r in c.rules],
        "glossary": c.glossary,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
