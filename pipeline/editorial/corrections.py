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
import difflib
import hashlib
import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.core.config import DataPaths
from pipeline.core.errors import ReviewError

log = logging.getLogger(__name__)

SENTENCE_KIND = "sentence"
CHAPTER_KIND = "chapter"  # an editor's chapter title and start: item id 'chapter-<index>', data {title, start}
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

    def derived_text(self, text: str, machine: dict[str, str], sentence_ids: list[str] | None = None) -> str:
        """Text drafted from transcript sentences (a summary sentence, quote, answer, the recording
        summary) with those sentences' corrections carried in, then rules and glossary.

        `machine` maps sentence id -> the sentence's machine text now (an edit made on other text is
        stale and left out); `sentence_ids` are the sentences the text was made from, or None when
        it may come from any sentence (the recording summary): then a changed word is only carried
        over where its neighbouring words match too, so a fix cannot land in an unrelated sentence.
        Drafts are cleaned (fillers removed, a capital first, a full stop added), so the sentence
        rarely occurs verbatim: the edit is carried over word run by word run (see edit_hunks).
        """
        ids = self.sentence_edits if sentence_ids is None else sentence_ids
        for sid in dict.fromkeys(ids):  # once each: an anchored insertion applied twice would insert twice
            edit = self.sentence_edits.get(sid)
            if not edit or sid not in machine or normalize(edit[0]) != normalize(machine[sid]):
                continue
            source, edited = normalize(edit[0]), normalize(edit[1])
            if source in text:
                text = text.replace(source, edited)
                continue
            for hunk in edit_hunks(source, edited):
                text = hunk.apply(text, strict=sentence_ids is None)
        return self._apply_rules(text)

    def is_empty(self) -> bool:
        return not (self.sentence_edits or self.rules or self.glossary)


_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def _key(token: str) -> str:
    """A word as compared across texts: case and surrounding punctuation aside."""
    return _EDGE.match(token).group(2).lower()


@dataclass(frozen=True)
class Hunk:
    """One changed run of words of a sentence edit, with the word before and after it (context)."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    before: str = ""
    after: str = ""

    def apply(self, text: str, strict: bool = False) -> str:
        """Replace the old run in `text` (matched case- and punctuation-blind) by the new words.

        Needs the context words to match when `strict` or when the run occurs more than once; the
        text's own capital and edge punctuation are kept when the editor did not change them."""
        tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
        keys = [_key(t[2]) for t in tokens]
        old = [_key(t) for t in self.old]
        n = len(old)
        hits = [i for i in range(len(keys) - n + 1) if keys[i:i + n] == old]
        if len(hits) > 1 or strict:
            hits = [i for i in hits if self._context_ok(keys, i, n)]
        if len(hits) != 1:
            return text
        i = hits[0]
        start, end = tokens[i][0], tokens[i + n - 1][1]
        return text[:start] + self._replacement(tokens[i][2], tokens[i + n - 1][2]) + text[end:]

    def _context_ok(self, keys: list[str], i: int, n: int) -> bool:
        before = not self.before or (i > 0 and keys[i - 1] == _key(self.before))
        after = not self.after or (i + n < len(keys) and keys[i + n] == _key(self.after))
        return before and after and bool(self.before or self.after)

    def _replacement(self, first: str, last: str) -> str:
        new = list(self.new)
        if not new:
            return ""
        lead_old, lead_new = _EDGE.match(self.old[0]).group(1), _EDGE.match(new[0]).group(1)
        trail_old, trail_new = _EDGE.match(self.old[-1]).group(3), _EDGE.match(new[-1]).group(3)
        if lead_old == lead_new:  # punctuation the editor left alone: keep the draft's own
            new[0] = _EDGE.match(first).group(1) + new[0][len(lead_new):]
        if trail_old == trail_new:
            new[-1] = new[-1][:len(new[-1]) - len(trail_new)] + _EDGE.match(last).group(3)
        body = _EDGE.match(first).group(2)
        if body[:1].isupper() and self.old[0][len(lead_old):][:1].islower():
            new[0] = new[0][:1].upper() + new[0][1:]  # the draft capitalised its first word
        return " ".join(new)


def edit_hunks(source: str, edited: str) -> list[Hunk]:
    """The word runs a sentence edit changed. A pure insertion or deletion takes in the word before
    (or after) it, so every hunk has words to find in a draft."""
    old, new = source.split(), edited.split()
    hunks = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if i1 == i2 or j1 == j2:  # insertion or deletion: anchor it on a neighbouring word
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            elif i2 < len(old):
                i2, j2 = i2 + 1, j2 + 1
            else:
                continue
        hunks.append(Hunk(tuple(old[i1:i2]), tuple(new[j1:j2]), old[i1 - 1] if i1 > 0 else "",
                          old[i2] if i2 < len(old) else ""))
    return hunks


DAMAGED = ("%(db)s is damaged (%(reason)s): the editors' work in it cannot be read, and the pipeline and the "
           "review app never overwrite it; stop 'pipeline review' and copy your latest backup over it (or salvage "
           "it: sqlite3 %(db)s .recover | sqlite3 %(recovered)s, then move that into place)")


class ReviewDatabaseError(ReviewError, sqlite3.DatabaseError):
    """review.sqlite cannot be read (garbage bytes, a truncated file): one line saying how to restore it.

    Also a sqlite3.DatabaseError, so callers that guard their SQLite reads catch it as before."""

    def __init__(self, db: Path, reason: str):
        self.values = {"db": str(db), "reason": reason, "recovered": str(db.with_name("review-recovered.sqlite"))}
        self.msgid = DAMAGED
        super().__init__(DAMAGED % self.values)


def is_damage(exc: sqlite3.Error) -> bool:
    """A DatabaseError that means the file is not (or no longer) a readable database; a busy or locked
    database, or one from another app version without a table, is not damage."""
    if isinstance(exc, ReviewDatabaseError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return "disk i/o" in str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError)


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
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):  # never machine text in silence: the editors' corrections would be lost
                raise ReviewDatabaseError(db, str(exc)) from None
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


def chapter_item_id(index: int) -> str:
    """The review item id of chapter `index` (0-based, as in chapters.json)."""
    return f"chapter-{index}"


def chapter_edits(paths: DataPaths, slug: str) -> dict[int, tuple[str | None, float | None]]:
    """The editors' chapter changes of a recording: index -> (title or None, start in s or None).

    Read-only; an undone edit (status back to 'open') no longer counts. A start names the first
    word of a transcript sentence (the sentence's start time); chapter 0 always starts the recording.
    """
    rows = _rows(paths.review_db, "SELECT item_id, data FROM items WHERE slug = ? AND kind = ? "
                 "AND status = 'edited' ORDER BY item_id", (slug, CHAPTER_KIND))
    edits: dict[int, tuple[str | None, float | None]] = {}
    for item_id, raw in rows:
        match = re.fullmatch(r"chapter-(\d{1,6})", item_id)
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = None
        if not match or not isinstance(data, dict):
            log.warning("%s: chapter edit %r unreadable; ignored", slug, item_id)
            continue
        title = " ".join(str(data.get("title") or "").split()) or None
        start = data.get("start")
        start = round(float(start), 3) if isinstance(start, (int, float)) and start >= 0 else None
        if title or start is not None:
            edits[int(match.group(1))] = (title, start)
    return edits


def chapter_edits_digest(paths: DataPaths, slug: str) -> str:
    """sha256 of a recording's chapter edits ('' when there are none, so params stay as they were)."""
    edits = chapter_edits(paths, slug)
    if not edits:
        return ""
    payload = sorted([k, *v] for k, v in edits.items())
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
