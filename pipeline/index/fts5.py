"""The SQLite FTS5 search backend (data/index.sqlite): the writer and the query builder.

Rows are stored twice for matching: `stems` (folded Snowball stems in the recording's language,
for word queries) and `text` (the words as spoken, folded by the unicode61 tokenizer, for
"exact phrases" and prefix*). Filters are tokens in a third column, `tags` (rec<id> lang<xx>
chap<id> spk<id>), so a filtered search is one FTS5 query instead of a join that scans every match.

Damage: the index is generated, so a file SQLite cannot read ("file is not a database",
"database disk image is malformed") is moved out of the way and rebuilt by `ensure` (the index
stage's batch sweep and prepare) with a warning; readers get one QueryError line saying so.

Common words: ranking by bm25 scores every match, and a word in most sentences has hundreds of
thousands. When a query matches more than SCORED_ROWS_CAP rows, only the most recently indexed
SCORED_ROWS_CAP matches are ranked, and the answer carries a note saying so.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from typing import Any, Iterator, Sequence

from pipeline.core.config import DataPaths
from pipeline.core.dbutil import immediate_transaction
from pipeline.core.errors import QueryError
from pipeline.core.stemming import fold, stemmer, words
from pipeline.index.backend import Matches, MatchRow, RecordingDoc, SearchFilters
from pipeline.index.fts5_store import (
    INDEX_SCHEMA,
    _create_schema,
    _schema_version,
    connect,
    is_damage,
    remove_recordings,
    replace_recording,
)
from pipeline.index.query import Node, match_expression

log = logging.getLogger(__name__)

SCORED_ROWS_CAP = 20_000  # most matches ranked by bm25 for one query (see the module docstring)


# --- pure SQL builders ------------------------------------------------------------------------

def search_sql() -> str:
    """Ranked top-N: the FTS5 lookup (rows from :floor on) runs first in a materialized CTE, then N rows are joined."""
    return (
        "WITH hits AS MATERIALIZED ("
        " SELECT rowid AS row_id, rank AS score FROM sentences_fts"
        " WHERE sentences_fts MATCH :match AND rowid >= :floor ORDER BY rank LIMIT :limit) "
        'SELECT r.slug, r.title, r.date, r.language, r.media, c.chapter_index, c.title, p.name, s.start, s."end", '
        "s.text, hits.score, s.sentence_id, s.recording_id, s.seq "
        "FROM hits JOIN sentences s ON s.row_id = hits.row_id "
        "JOIN recordings r ON r.recording_id = s.recording_id "
        "LEFT JOIN chapters c ON c.chapter_id = s.chapter_id "
        "LEFT JOIN speakers p ON p.speaker_id = s.speaker_id "
        "ORDER BY hits.score, s.row_id"
    )


def cap_sql() -> str:
    """The rowid of the (cap+1)-th newest match, if there is one: the rows above it are the ones ranked."""
    return ("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :cap")


def recording_filter_sql(filters: SearchFilters) -> tuple[str, list[Any]]:
    """SQL and parameters selecting the recording ids allowed by slug, language and date."""
    clauses, params = [], []
    if filters.recording:
        clauses.append(f"slug IN ({', '.join('?' for _ in filters.recording)})")
        params.extend(filters.recording)
    if filters.language:
        clauses.append("language = ?")
        params.append(filters.language.lower())
    if filters.since:
        clauses.append("date != '' AND date >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("date != '' AND date <= ?")
        params.append(filters.until)
    where = " AND ".join(clauses) or "1"
    return f"SELECT recording_id FROM recordings WHERE {where} ORDER BY recording_id", params


def filter_tags(conn: sqlite3.Connection, filters: SearchFilters) -> list[list[str]] | None:
    """Tag groups for match_expression; None when the filters exclude every row."""
    groups: list[list[str]] = []
    recording_ids = None
    if filters.recording or filters.language or filters.since or filters.until:
        _check_slugs(conn, filters.recording)
        sql, params = recording_filter_sql(filters)
        recording_ids = [r[0] for r in conn.execute(sql, params)]
        if not recording_ids:
            return None
        total = conn.execute("SELECT count(*) FROM recordings").fetchone()[0]
        if len(recording_ids) < total:  # a filter that keeps everything costs nothing
            groups.append([f"rec{i}" for i in recording_ids])
    if filters.speaker.strip():
        needle = fold(filters.speaker.strip())
        ids = [r[0] for r in conn.execute(
            "SELECT speaker_id FROM speakers WHERE instr(name_folded, ?) > 0 ORDER BY speaker_id", (needle,))]
        if not ids:
            return None
        groups.append([f"spk{i}" for i in ids])
    if filters.chapter.strip():
        ids = _chapter_ids(conn, filters, recording_ids)
        if not ids:
            return None
        groups.append([f"chap{i}" for i in ids])
    return groups


def _check_slugs(conn: sqlite3.Connection, slugs: Sequence[str]) -> None:
    known = {r[0] for r in conn.execute("SELECT slug FROM recordings")}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        hint = ", ".join(sorted(known)[:8]) or "none indexed yet"
        raise QueryError(f"no recording {unknown[0][:80]!r} in the search index (recordings: {hint})")


def _chapter_ids(conn: sqlite3.Connection, filters: SearchFilters, recording_ids: list[int] | None) -> list[int]:
    """Chapters with that number (from 1), or whose title holds every filter word (substring or any form)."""
    allowed = set(recording_ids) if recording_ids is not None else None
    number = filters.chapter_number()
    if number is not None:
        rows = conn.execute("SELECT chapter_id, recording_id FROM chapters WHERE chapter_index = ?", (number - 1,))
        return [cid for cid, rid in rows if allowed is None or rid in allowed]
    wanted = words(filters.chapter)
    rows = conn.execute("SELECT c.chapter_id, c.recording_id, c.title_folded, c.title_stems, r.language "
                        "FROM chapters c JOIN recordings r USING(recording_id)").fetchall()
    ids = []
    for chapter_id, recording_id, folded, stems, language in rows:
        if allowed is not None and recording_id not in allowed:
            continue
        title_stems = set(stems.split())
        stem = stemmer(language).stem
        if all(w in folded or stem(w) in title_stems for w in wanted):
            ids.append(chapter_id)
    return ids


# --- the backend ------------------------------------------------------------------------------

class Fts5Backend:
    """SearchBackend over data/index.sqlite (see pipeline.index.backend for the contract)."""

    def __init__(self, paths: DataPaths):
        self.path = paths.index_db
        self.location = str(self.path)

    # the store

    def damage(self) -> str:
        """Why SQLite cannot read the index ('' when it can, or when there is none)."""
        if not self.path.is_file():
            return ""
        try:
            with contextlib.closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                _schema_version(conn)
                conn.execute("SELECT count(*) FROM recordings").fetchone()
        except sqlite3.DatabaseError as exc:
            return str(exc) if is_damage(exc) else ""
        return ""

    def problem(self) -> str:
        """One line when the index is damaged: what is wrong and that 'make all' rebuilds it."""
        reason = self.damage()
        return (f"search index {self.path} is damaged ({reason}); it is generated: 'make all' "
                "(or 'pipeline run') rebuilds it from the artifacts") if reason else ""

    def generation(self) -> str:
        """The generation id of an up-to-date index, read-only; 'absent' when it must be (re)built."""
        if not self.path.is_file():
            return "absent"
        try:
            with contextlib.closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                if _schema_version(conn) != INDEX_SCHEMA:
                    return "absent"
                return conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        except (sqlite3.Error, TypeError):
            return "absent"

    def ensure(self) -> tuple[str, list[str]]:
        """Create, re-create (schema change) or rebuild (damage) the index; (generation, warnings)."""
        lines = []
        reason = self.damage()
        if reason:
            self._discard()
            lines.append(f"search index {self.path} was damaged ({reason}); started a new one: every "
                         "recording is re-indexed from its artifacts")
            log.warning("%s", lines[-1])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(connect(self.path)) as conn:
            if _schema_version(conn) != INDEX_SCHEMA:
                conn.execute("PRAGMA journal_mode = WAL")  # searches keep reading while a stage writes
                with immediate_transaction(conn):
                    if _schema_version(conn) != INDEX_SCHEMA:  # another process may have won the race
                        _create_schema(conn)
            return conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0], lines

    def _discard(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.path.replace(self.path.with_name(f"{self.path.name}.damaged-{stamp}"))  # kept for inspection
        for suffix in ("-wal", "-shm", "-journal"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        for old in sorted(self.path.parent.glob(f"{self.path.name}.damaged-*"))[:-1]:
            old.unlink(missing_ok=True)  # one damaged copy is enough

    @contextlib.contextmanager
    def _writer(self) -> Iterator[sqlite3.Connection]:
        self.ensure()
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def replace_recording(self, doc: RecordingDoc) -> int:
        """Replace every row of one recording in one transaction (a damaged index is rebuilt once)."""
        try:
            with self._writer() as conn:
                return replace_recording(conn, doc)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            log.warning("search index damaged while indexing %s (%s); rebuilding it", doc.slug, exc)
            self._discard()
            with self._writer() as conn:
                return replace_recording(conn, doc)

    def remove_recordings(self, keep: set[str]) -> list[str]:
        """Drop recordings that are no longer in the data folder."""
        if not self.path.is_file():
            return []
        with self._writer() as conn:
            return remove_recordings(conn, keep)

    # reading

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        if not self.path.is_file():
            raise QueryError(f"no search index at {self.path}; build it with 'make all' "
                             "(or 'pipeline run --stages index')")
        conn = None
        try:
            conn = connect(self.path)
            conn.execute("PRAGMA query_only = ON")
            yield conn
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise QueryError(self.problem() or f"search index {self.path} is damaged ({exc}); "
                                 "'make all' rebuilds it from the artifacts") from None
            if "no such table" in str(exc):
                raise QueryError(f"search index {self.path} is from another version or empty; "
                                 "'make all' rebuilds it") from None
            raise
        finally:
            if conn is not None:
                conn.close()

    def search(self, tree: Node, filters: SearchFilters) -> Matches:
        """Ranked rows; more than SCORED_ROWS_CAP matches: the newest cap of them ranked, with a note."""
        with self._reader() as conn:
            languages = [r[0] for r in conn.execute("SELECT DISTINCT language FROM recordings")]
            groups = filter_tags(conn, filters)
            if groups is None:
                return Matches([])
            match = match_expression(tree, languages, groups)
            log.debug("MATCH %s", match)
            try:
                beyond = conn.execute(cap_sql(), {"match": match, "cap": SCORED_ROWS_CAP}).fetchone()
                floor = beyond[0] + 1 if beyond else 0
                rows = conn.execute(search_sql(), {"match": match, "limit": filters.limit, "floor": floor}).fetchall()
            except sqlite3.OperationalError as exc:
                if is_damage(exc):
                    raise
                raise QueryError(f"cannot run this search ({exc}); simplify the query") from exc
            matches = [self._match(conn, row) for row in rows]
        note = ""
        if beyond:
            note = (f"more than {SCORED_ROWS_CAP:,} sentences match, so only the {SCORED_ROWS_CAP:,} most "
                    "recently indexed were ranked; add a rarer word, a \"phrase\" or a filter to rank the whole archive")
        return Matches(matches, note)

    @staticmethod
    def _match(conn: sqlite3.Connection, row: tuple) -> MatchRow:
        (slug, title, date, language, media, chapter_index, chapter, speaker, start, end, text, score,
         sentence_id, recording_id, seq) = row
        around = dict(conn.execute("SELECT seq, text FROM sentences WHERE recording_id = ? AND seq IN (?, ?)",
                                   (recording_id, seq - 1, seq + 1)).fetchall())
        return MatchRow(slug, title, date, language, media, chapter_index, chapter or "", speaker or "",
                        start, end, text, score, sentence_id, around.get(seq - 1, ""), around.get(seq + 1, ""))

    def recordings(self) -> list[tuple[str, str]]:
        """(slug, title) of the indexed recordings, newest first; [] without an index."""
        if not self.path.is_file():
            return []
        with self._reader() as conn:
            return conn.execute("SELECT slug, title FROM recordings ORDER BY date DESC, slug").fetchall()

    def languages(self) -> list[str]:
        """Languages of the indexed recordings; [] without an index."""
        if not self.path.is_file():
            return []
        with self._reader() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT language FROM recordings ORDER BY 1")]

    def rows(self) -> list[dict[str, Any]]:
        """Every indexed row, by recording and time."""
        with self._reader() as conn:
            cursor = conn.execute(
                "SELECT r.slug AS recording, r.title, r.date, r.language, c.chapter_index, c.title AS chapter, "
                "coalesce(p.name, '') AS speaker, s.sentence_id, s.start, s.\"end\", s.text "
                "FROM sentences s JOIN recordings r USING(recording_id) "
                "LEFT JOIN chapters c USING(chapter_id) LEFT JOIN speakers p USING(speaker_id) "
                "ORDER BY r.slug, s.seq")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


