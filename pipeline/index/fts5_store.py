"""The SQLite FTS5 index file: schema, connections, damage detection, and the writer.

Used only by `fts5.Fts5Backend` (see pipeline.index.backend for the seam).
"""
from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from pathlib import Path

from pipeline.core.dbutil import immediate_transaction
from pipeline.core.stemming import fold, stemmer
from pipeline.index.backend import RecordingDoc

log = logging.getLogger(__name__)

INDEX_SCHEMA = 2  # bump on any schema change: old indexes are dropped and rebuilt
RANK = "bm25(1.0, 1.0, 0.0)"  # weights of stems, text, tags: filter tags never score
# FTS5 leaf pages of ~4 KB (default 1 KB) fill SQLite's 4 KB pages: fewer pages per doclist, which
# measured faster indexing and lower query latency on a 300-hour benchmark build.
SCHEMA_SQL = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE recordings(
    recording_id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    date TEXT NOT NULL, language TEXT NOT NULL, media TEXT NOT NULL, source TEXT NOT NULL,
    rows INTEGER NOT NULL, indexed_at TEXT NOT NULL);
CREATE TABLE chapters(
    chapter_id INTEGER PRIMARY KEY, recording_id INTEGER NOT NULL, chapter_index INTEGER NOT NULL,
    title TEXT NOT NULL, title_folded TEXT NOT NULL, title_stems TEXT NOT NULL,
    UNIQUE(recording_id, chapter_index));
CREATE TABLE speakers(speaker_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, name_folded TEXT NOT NULL);
CREATE TABLE sentences(
    row_id INTEGER PRIMARY KEY, recording_id INTEGER NOT NULL, seq INTEGER NOT NULL,
    sentence_id TEXT NOT NULL, chapter_id INTEGER, speaker_id INTEGER,
    start REAL NOT NULL, "end" REAL NOT NULL, text TEXT NOT NULL, stems TEXT NOT NULL, tags TEXT NOT NULL);
CREATE INDEX sentences_by_recording ON sentences(recording_id, seq);
CREATE VIRTUAL TABLE sentences_fts USING fts5(
    stems, text, tags, content='sentences', content_rowid='row_id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO sentences_fts(sentences_fts, rank) VALUES('rank', '{RANK}');
INSERT INTO sentences_fts(sentences_fts, rank) VALUES('pgsz', 4050);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the settings every user of the index needs (WAL, busy timeout)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    # With WAL, NORMAL cannot corrupt the database; at worst a power cut loses the last
    # recording's commit, which the runner re-indexes (the index is rebuildable).
    conn.execute("PRAGMA synchronous = NORMAL")
    # FTS5 merges its segment b-trees while rows are added; a 64 MB page cache (default 2 MB)
    # keeps those merges in memory and speeds indexing of a large archive up by a third.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's 'not a database' and 'corrupt' errors (not for locks or missing tables)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return True
    text = str(exc).lower()
    return any(w in text for w in ("malformed", "not a database", "corrupt", "encrypted"))


def _schema_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError as exc:
        if is_damage(exc):
            raise
        return None
    return int(row[0]) if row else None


def _create_schema(conn: sqlite3.Connection) -> None:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'sentences_fts_%'")]
    for name in names:  # the index is generated: an old schema is dropped, not migrated
        conn.execute(f'DROP TABLE IF EXISTS "{name}"')
    for statement in SCHEMA_SQL.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany("INSERT INTO meta(key, value) VALUES(?, ?)",
                     [("schema", str(INDEX_SCHEMA)), ("generation", uuid.uuid4().hex)])
    log.info("created search index schema %d", INDEX_SCHEMA)


# --- the writer -------------------------------------------------------------------------------

def replace_recording(conn: sqlite3.Connection, doc: RecordingDoc) -> int:
    """Replace every row of one recording with `doc`'s, in one transaction; returns the row count."""
    with immediate_transaction(conn):
        recording_id = _upsert_recording(conn, doc)
        _delete_rows(conn, recording_id)
        chapter_ids = _insert_chapters(conn, recording_id, doc)
        speaker_ids = _speaker_ids(conn, {r.speaker for r in doc.rows if r.speaker})
        stem_text = stemmer(doc.language).stem_text
        common = f"rec{recording_id} lang{fold(doc.language)}"
        values = []
        for seq, row in enumerate(doc.rows):
            chapter_id = chapter_ids.get(row.chapter_index)
            speaker_id = speaker_ids.get(row.speaker)
            tags = common + (f" chap{chapter_id}" if chapter_id else "") + (f" spk{speaker_id}" if speaker_id else "")
            values.append((recording_id, seq, row.sentence_id, chapter_id, speaker_id,
                           row.start, row.end, row.text, stem_text(row.text), tags))
        conn.executemany(
            'INSERT INTO sentences(recording_id, seq, sentence_id, chapter_id, speaker_id, start, "end", '
            "text, stems, tags) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        conn.execute("INSERT INTO sentences_fts(rowid, stems, text, tags) "
                     "SELECT row_id, stems, text, tags FROM sentences WHERE recording_id = ?", (recording_id,))
    return len(values)


def _upsert_recording(conn: sqlite3.Connection, doc: RecordingDoc) -> int:
    # Keep the recording's id across re-indexing: its rec<id> tag stays stable.
    conn.execute(
        "INSERT INTO recordings(slug, title, date, language, media, source, rows, indexed_at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO UPDATE SET title = excluded.title, "
        "date = excluded.date, language = excluded.language, media = excluded.media, "
        "source = excluded.source, rows = excluded.rows, indexed_at = excluded.indexed_at",
        (doc.slug, doc.title, doc.date, doc.language, doc.media, doc.source, len(doc.rows),
         time.strftime("%Y-%m-%dT%H:%M:%S%z")))
    return conn.execute("SELECT recording_id FROM recordings WHERE slug = ?", (doc.slug,)).fetchone()[0]


def _delete_rows(conn: sqlite3.Connection, recording_id: int) -> None:
    # External-content FTS5: the index entries are removed by replaying the old values.
    conn.execute("INSERT INTO sentences_fts(sentences_fts, rowid, stems, text, tags) "
                 "SELECT 'delete', row_id, stems, text, tags FROM sentences WHERE recording_id = ?",
                 (recording_id,))
    conn.execute("DELETE FROM sentences WHERE recording_id = ?", (recording_id,))
    conn.execute("DELETE FROM chapters WHERE recording_id = ?", (recording_id,))


def _insert_chapters(conn: sqlite3.Connection, recording_id: int, doc: RecordingDoc) -> dict[int, int]:
    stem_text = stemmer(doc.language).stem_text
    conn.executemany(
        "INSERT INTO chapters(recording_id, chapter_index, title, title_folded, title_stems) "
        "VALUES(?, ?, ?, ?, ?)",
        [(recording_id, i, t, fold(t), stem_text(t)) for i, t in sorted(doc.chapters.items())])
    rows = conn.execute("SELECT chapter_index, chapter_id FROM chapters WHERE recording_id = ?", (recording_id,))
    return dict(rows.fetchall())


def _speaker_ids(conn: sqlite3.Connection, names: set[str]) -> dict[str, int]:
    conn.executemany("INSERT OR IGNORE INTO speakers(name, name_folded) VALUES(?, ?)",
                     [(n, fold(n)) for n in sorted(names)])
    return {name: conn.execute("SELECT speaker_id FROM speakers WHERE name = ?", (name,)).fetchone()[0]
            for name in names}


def remove_recordings(conn: sqlite3.Connection, keep: set[str]) -> list[str]:
    """Drop the rows of recordings whose slug is not in `keep` (deleted or renamed in the data folder)."""
    gone = [(rid, slug) for rid, slug in conn.execute("SELECT recording_id, slug FROM recordings")
            if slug not in keep]
    if not gone:
        return []
    with immediate_transaction(conn):
        for recording_id, _slug in gone:
            _delete_rows(conn, recording_id)
            conn.execute("DELETE FROM recordings WHERE recording_id = ?", (recording_id,))
    return sorted(slug for _rid, slug in gone)
