"""The review database, data/review.sqlite: editors' decisions, corrections, glossary, history.

Owned by the review app; the pipeline only reads it (pipeline/corrections.py, read-only mode).

Every row carries a version. A change names the version it was made on; when another editor
saved in between, the change is refused with ConflictError carrying the current row, so nothing
is silently overwritten. Every change writes a history row with the full row before and after,
which is what undo restores. Decisions are keyed by (recording, kind, stable item id) and keep
the machine text they were made on (source_text), so after re-processing the app can tell a
carried-over decision from a stale one; rows are never deleted.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

from pipeline.core.dbutil import immediate_transaction
from pipeline.editorial.corrections import SENTENCE_KIND, ReviewDatabaseError, is_damage
from pipeline.editorial.records import (  # noqa: F401  (re-exported: the store's public types)
    MAX_TEXT,
    ConflictError,
    HistoryEntry,
    ItemState,
    Msg,
    RuleState,
    TermState,
    check_editor,
    check_text,
    clock,
    conflict,
    history_entry,
    now,
    refused,
    rule_state,
)

SCHEMA_VERSION = 1
ACTIONS = {"approve": "approved", "edit": "edited", "reject": "rejected", "reopen": "open"}
GLOBAL = ""  # history slug of project-wide changes (glossary)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
    slug TEXT NOT NULL, kind TEXT NOT NULL, item_id TEXT NOT NULL,
    status TEXT NOT NULL,            -- open | approved | edited | rejected
    source_text TEXT NOT NULL,       -- the machine text the decision was made on
    text TEXT,                       -- the editor's text, NULL when not edited
    data TEXT NOT NULL DEFAULT '{}', -- JSON: times etc. of items an editor added
    version INTEGER NOT NULL, editor TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY(slug, kind, item_id));
CREATE TABLE IF NOT EXISTS rules(
    id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL,
    find TEXT NOT NULL, replace TEXT NOT NULL,
    whole_word INTEGER NOT NULL DEFAULT 1, case_sensitive INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL, editor TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS glossary(
    term TEXT PRIMARY KEY COLLATE NOCASE, note TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL, editor TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history(
    id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL,
    tbl TEXT NOT NULL, key TEXT NOT NULL, action TEXT NOT NULL,
    editor TEXT NOT NULL, at TEXT NOT NULL,
    before TEXT, after TEXT, undone_by INTEGER);
CREATE INDEX IF NOT EXISTS history_slug ON history(slug, id);
"""
KEYS = {"items": ("slug", "kind", "item_id"), "rules": ("id",), "glossary": ("term",)}


class ReviewStore:
    """Read and change data/review.sqlite. One short connection per call (safe across threads)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as conn:
            conn.executescript(SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            stored = int(conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
            if stored > SCHEMA_VERSION:
                raise refused("%(path)s has schema %(schema)s, newer than this app; upgrade the pipeline",
                              path=str(self.path), schema=stored)

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock first, so read-check-write is atomic."""
        with self._conn() as conn, immediate_transaction(conn):
            yield conn

    # -- generic rows and history -------------------------------------------------------------

    @staticmethod
    def _row(conn: sqlite3.Connection, tbl: str, key: list[Any]) -> dict[str, Any] | None:
        where = " AND ".join(f"{k} = ?" for k in KEYS[tbl])
        row = conn.execute(f"SELECT * FROM {tbl} WHERE {where}", key).fetchone()
        return dict(row) if row else None

    @staticmethod
    def _put(conn: sqlite3.Connection, tbl: str, row: dict[str, Any]) -> None:
        cols = list(row)
        conn.execute(
            f"INSERT OR REPLACE INTO {tbl} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )

    @staticmethod
    def _log(conn: sqlite3.Connection, slug: str, tbl: str, key: list[Any], action: str,
             editor: str, before: dict | None, after: dict | None) -> int:
        cur = conn.execute(
            "INSERT INTO history (slug, tbl, key, action, editor, at, before, after) VALUES (?,?,?,?,?,?,?,?)",
            (slug, tbl, json.dumps(key), action, editor, now(),
             json.dumps(before, ensure_ascii=False) if before else None,
             json.dumps(after, ensure_ascii=False) if after else None),
        )
        return int(cur.lastrowid)

    # -- items: draft items and transcript sentences -------------------------------------------

    def items(self, slug: str) -> dict[tuple[str, str], ItemState]:
        """Every stored decision of a recording, by (kind, item_id)."""
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM items WHERE slug = ?", (slug,)).fetchall()
        return {(r["kind"], r["item_id"]): ItemState.from_row(dict(r)) for r in rows}

    def item(self, slug: str, kind: str, item_id: str) -> ItemState | None:
        """One stored decision, or None when the item was never touched."""
        with self._conn() as conn:
            row = self._row(conn, "items", [slug, kind, item_id])
        return ItemState.from_row(row) if row else None

    def set_item(self, slug: str, kind: str, item_id: str, action: str, *, source_text: str,
                 editor: str, expected_version: int, text: str | None = None,
                 data: dict[str, Any] | None = None) -> ItemState:
        """Approve, edit, reject or reopen an item, made on `expected_version` (0: never stored)."""
        if action not in ACTIONS:
            raise refused("unknown action \u201c%(action)s\u201d; use one of %(actions)s", action=action,
                          actions=", ".join(ACTIONS))
        editor = check_editor(editor)
        if action == "edit":
            text = check_text(text)
        with self._tx() as conn:
            before = self._row(conn, "items", [slug, kind, item_id])
            version = before["version"] if before else 0
            if expected_version != version:
                who, when = (before["editor"], clock(before["updated_at"])) if before else (Msg("someone"), "?")
                raise conflict("Not saved: %(who)s changed this item at %(when)s. The current version is shown; "
                               "apply your change again if it is still needed.", before, who=who, when=when)
            after = {
                "slug": slug, "kind": kind, "item_id": item_id, "status": ACTIONS[action],
                "source_text": source_text,
                "text": text if action == "edit" else (before or {}).get("text"),
                "data": json.dumps(data if data is not None else json.loads((before or {}).get("data") or "{}"),
                                   ensure_ascii=False),
                "version": version + 1, "editor": editor, "updated_at": now(),
            }
            self._put(conn, "items", after)
            self._log(conn, slug, "items", [slug, kind, item_id], action, editor, before, after)
        return ItemState.from_row(after)

    def add_item(self, slug: str, kind: str, text: str, data: dict[str, Any], editor: str) -> ItemState:
        """Store an item an editor added (e.g. a quote selected in the transcript), approved."""
        editor = check_editor(editor)
        text = check_text(text)
        with self._tx() as conn:
            n = conn.execute("SELECT COUNT(*) FROM items WHERE slug = ? AND kind = ? AND item_id LIKE 'added-%'",
                             (slug, kind)).fetchone()[0]
            item_id = f"added-{n + 1}"
            while self._row(conn, "items", [slug, kind, item_id]):
                n += 1
                item_id = f"added-{n + 1}"
            after = {"slug": slug, "kind": kind, "item_id": item_id, "status": "approved",
                     "source_text": text, "text": None,
                     "data": json.dumps({**data, "added": True}, ensure_ascii=False),
                     "version": 1, "editor": editor, "updated_at": now()}
            self._put(conn, "items", after)
            self._log(conn, slug, "items", [slug, kind, item_id], "add", editor, None, after)
        return ItemState.from_row(after)

    def correct_sentence(self, slug: str, sentence_id: str, *, source_text: str, text: str,
                         editor: str, expected_version: int) -> ItemState:
        """Store an editor's text for one transcript sentence (a correction layer item)."""
        return self.set_item(slug, SENTENCE_KIND, sentence_id, "edit", source_text=source_text,
                             editor=editor, expected_version=expected_version, text=text)

    # -- find-and-replace rules ----------------------------------------------------------------

    def rules(self, slug: str, active_only: bool = True) -> list[RuleState]:
        """The recording's find-and-replace rules in the order they are applied."""
        sql = "SELECT * FROM rules WHERE slug = ?" + (" AND active = 1" if active_only else "") + " ORDER BY id"
        with self._conn() as conn:
            rows = conn.execute(sql, (slug,)).fetchall()
        return [rule_state(dict(r)) for r in rows]

    def add_rule(self, slug: str, find: str, replace: str, editor: str, *,
                 whole_word: bool = True, case_sensitive: bool = False) -> RuleState:
        """Add a find-and-replace rule for one recording."""
        editor = check_editor(editor)
        find = check_text(find, "the text to find")
        replace = (replace or "").strip()
        if len(replace) > MAX_TEXT:
            raise refused("%(what)s is longer than %(n)s characters", what=Msg("the replacement"), n=MAX_TEXT)
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT INTO rules (slug, find, replace, whole_word, case_sensitive, active, version, editor, "
                "updated_at) VALUES (?,?,?,?,?,1,1,?,?)",
                (slug, find, replace, int(whole_word), int(case_sensitive), editor, now()))
            after = self._row(conn, "rules", [cur.lastrowid])
            self._log(conn, slug, "rules", [cur.lastrowid], "add rule", editor, None, after)
        return rule_state(after)

    def remove_rule(self, slug: str, rule_id: int, editor: str, expected_version: int) -> None:
        """Switch a rule off (kept for the history and undo)."""
        editor = check_editor(editor)
        with self._tx() as conn:
            before = self._row(conn, "rules", [rule_id])
            if not before or before["slug"] != slug:
                raise refused("no rule %(id)s for %(slug)s; reload the page", id=rule_id, slug=slug)
            if before["version"] != expected_version:
                raise conflict("Not removed: the rule was changed by someone else.", before)
            after = {**before, "active": 0, "version": before["version"] + 1, "editor": editor, "updated_at": now()}
            self._put(conn, "rules", after)
            self._log(conn, slug, "rules", [rule_id], "remove rule", editor, before, after)

    # -- glossary ------------------------------------------------------------------------------

    def glossary(self) -> list[TermState]:
        """Active glossary terms, sorted case-insensitively."""
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM glossary WHERE active = 1 ORDER BY term COLLATE NOCASE").fetchall()
        return [TermState(**{**dict(r), "active": bool(r["active"])}) for r in rows]

    def add_term(self, term: str, editor: str, note: str = "") -> TermState:
        """Add a name or term to the project glossary (its spelling is what counts)."""
        editor = check_editor(editor)
        term = " ".join(check_text(term, "the glossary term").split())
        if len(term) > 100:
            raise refused("a glossary term is at most %(n)s characters", n=100)
        with self._tx() as conn:
            before = self._row(conn, "glossary", [term])
            if before and before["active"] and before["term"] == term:
                raise refused("\u201c%(term)s\u201d is already in the glossary", term=term)
            after = {"term": term, "note": note.strip()[:500], "active": 1,
                     "version": (before["version"] if before else 0) + 1, "editor": editor, "updated_at": now()}
            if before:  # a respelling replaces the row (the key is case-insensitive)
                conn.execute("DELETE FROM glossary WHERE term = ?", (term,))
            self._put(conn, "glossary", after)
            self._log(conn, GLOBAL, "glossary", [term], "add term", editor, before, after)
        return TermState(**{**after, "active": True})

    def remove_term(self, term: str, editor: str) -> None:
        """Switch a glossary term off (kept for the history and undo)."""
        editor = check_editor(editor)
        with self._tx() as conn:
            before = self._row(conn, "glossary", [term])
            if not before or not before["active"]:
                raise refused("\u201c%(term)s\u201d is not in the glossary", term=term)
            after = {**before, "active": 0, "version": before["version"] + 1, "editor": editor, "updated_at": now()}
            self._put(conn, "glossary", after)
            self._log(conn, GLOBAL, "glossary", [before["term"]], "remove term", editor, before, after)

    # -- history and undo ----------------------------------------------------------------------

    def last_change(self) -> int:
        """The id of the latest history entry (0: none): every change writes one, so it names the state."""
        with self._conn() as conn:
            return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0])

    def history(self, slug: str, limit: int = 100) -> list[HistoryEntry]:
        """Latest changes of a recording and of the glossary, newest first."""
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM history WHERE slug IN (?, ?) ORDER BY id DESC LIMIT ?",
                                (slug, GLOBAL, limit)).fetchall()
        return [history_entry(r) for r in rows]

    def undo(self, slug: str, entry_id: int, editor: str) -> HistoryEntry:
        """Restore the row as it was before change `entry_id`; refused if it changed since."""
        editor = check_editor(editor)
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM history WHERE id = ? AND slug IN (?, ?)",
                               (entry_id, slug, GLOBAL)).fetchone()
            if not row:
                raise refused("no change %(id)s in the history of %(slug)s; reload the page", id=entry_id, slug=slug)
            entry = history_entry(row)
            if entry.undone_by:
                raise refused("change %(id)s was already undone", id=entry_id)
            current = self._row(conn, entry.tbl, entry.key)
            if current != entry.after:
                raise conflict("Cannot undo: this was changed again later; undo the later change first.", current)
            restored = _restore(entry, current, editor)
            if entry.tbl == "glossary":
                conn.execute("DELETE FROM glossary WHERE term = ?", (entry.key[0],))
            self._put(conn, entry.tbl, restored)
            new_id = self._log(conn, entry.slug, entry.tbl, entry.key, f"undo {entry.action}", editor,
                               current, restored)
            conn.execute("UPDATE history SET undone_by = ? WHERE id = ?", (new_id, entry_id))
        return self.history_entry(new_id)

    def history_entry(self, entry_id: int) -> HistoryEntry:
        """One history entry by id."""
        with self._conn() as conn:
            return history_entry(conn.execute("SELECT * FROM history WHERE id = ?", (entry_id,)).fetchone())


def _restore(entry: HistoryEntry, current: dict[str, Any] | None, editor: str) -> dict[str, Any]:
    """The row to write for an undo: the `before` row, or a blank one where there was none.

    Versions only grow (never restored), so a client holding an old version is still refused.
    """
    version = (current["version"] if current else 0) + 1
    stamp = {"version": version, "editor": editor, "updated_at": now()}
    if entry.before:
        return {**entry.before, **stamp}
    assert current is not None
    if entry.tbl == "items":
        return {**current, "status": "open", "text": None, **stamp}
    return {**current, "active": 0, **stamp}


class ReadOnlyStore:
    """The decisions of review.sqlite opened read-only (export, pipeline): never creates or writes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def items(self, slug: str) -> dict[tuple[str, str], ItemState]:
        """Every stored decision of a recording; {} when there is no database yet."""
        if not self.path.is_file():
            return {}
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT * FROM items WHERE slug = ?", (slug,)).fetchall()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise ReviewDatabaseError(self.path, str(exc)) from None
            raise
        finally:
            conn.close()
        return {(r["kind"], r["item_id"]): ItemState.from_row(dict(r)) for r in rows}


class DamagedStore:
    """What the review app works with when review.sqlite is damaged: nothing to read (the page shows the
    machine drafts and says what is wrong), every change refused with that line; the file is never touched."""

    def __init__(self, path: Path, error: ReviewDatabaseError):
        self.path, self.error, self.problem = path, error, str(error)

    def items(self, slug: str) -> dict:
        return {}

    def item(self, slug: str, kind: str, item_id: str) -> None:
        return None

    def rules(self, slug: str, active_only: bool = True) -> list:
        return []

    def glossary(self) -> list:
        return []

    def history(self, slug: str, limit: int = 100) -> list:
        return []

    def last_change(self) -> int:
        return 0

    def __getattr__(self, name: str):  # set_item, add_rule, undo, ...: every change
        if name.startswith("_"):
            raise AttributeError(name)
        raise self.error


def open_store(path: str | Path) -> ReviewStore | DamagedStore:
    """The review database for the app; a damaged one (not a busy one) is opened as a DamagedStore."""
    try:
        return ReviewStore(path)
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return DamagedStore(Path(path), ReviewDatabaseError(Path(path), str(exc)))
