"""The `index` stage: every recording's sentences in one SQLite FTS5 database (data/index.sqlite).

Rows are sentences (sentences.json), or Whisper segments (segments.parquet) where a recording has
no sentences yet, with the editors' corrected text. Each row is stored twice for matching:
`stems` (folded Snowball stems in the recording's language, for word queries) and `text` (the
words as spoken, folded by the unicode61 tokenizer, for "exact phrases" and prefix*). Filters are
tokens in a third column, `tags` (rec<id> lang<xx> chap<id> spk<id>), so a filtered search is one
FTS5 query instead of a join that scans every match.

A recording's rows are replaced in one transaction. The database carries a generation id in
the stage's params: if the file is deleted or its schema changes, every recording re-indexes.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pipeline.artifacts.manifest import Recording
from pipeline.artifacts.sentences import load_sentences
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.dbutil import immediate_transaction
from pipeline.core.errors import PipelineError
from pipeline.core.stemming import fold, stemmer
from pipeline.editorial.corrections import corrections_digest, load_corrections
from pipeline.runner.stage import Stage, StageContext

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


@dataclass(frozen=True)
class IndexRow:
    """One searchable row: a sentence (or a segment) with its time span and corrected text."""

    sentence_id: str
    chapter_index: int
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


# --- the database -----------------------------------------------------------------------------

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


def _schema_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0]) if row else None


def index_generation(path: Path) -> str:
    """The generation id of an up-to-date index, read-only; 'absent' when it must be (re)built."""
    if not path.is_file():
        return "absent"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if _schema_version(conn) != INDEX_SCHEMA:
                return "absent"
            return conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
    except (sqlite3.Error, TypeError):
        return "absent"


def ensure_index(path: Path) -> str:
    """Create (or re-create, on a schema change) the index database; returns its generation id.

    Only writes when the database is missing or outdated, so reading the generation of an
    up-to-date index leaves the file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(connect(path)) as conn:
        if _schema_version(conn) != INDEX_SCHEMA:
            # WAL (persistent): searches keep reading while a stage replaces a recording.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _schema_version(conn) != INDEX_SCHEMA:  # another process may have won the race
                    _create_schema(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]


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


@contextlib.contextmanager
def open_index(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the up-to-date index database (created when missing)."""
    ensure_index(path)
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()


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
    ids = {}
    for name in names:
        ids[name] = conn.execute("SELECT speaker_id FROM speakers WHERE name = ?", (name,)).fetchone()[0]
    return ids


def remove_recordings(conn: sqlite3.Connection, keep: set[str]) -> list[str]:
    """Drop the rows of recordings whose slug is not in `keep` (deleted from the data folder)."""
    gone = [(rid, slug) for rid, slug in conn.execute("SELECT recording_id, slug FROM recordings")
            if slug not in keep]
    with immediate_transaction(conn):
        for recording_id, _slug in gone:
            _delete_rows(conn, recording_id)
            conn.execute("DELETE FROM recordings WHERE recording_id = ?", (recording_id,))
    return [slug for _rid, slug in gone]


# --- reading a recording's artifacts ----------------------------------------------------------

def load_document(paths: DataPaths, recording: Recording) -> RecordingDoc:
    """The rows of one recording, from sentences.json (else segments.parquet), with corrected text."""
    work = paths.work_dir(recording.slug)
    chapters = _chapter_titles(work / "chapters.json")
    corrections = load_corrections(paths, recording.slug)
    if (work / "sentences.json").is_file():
        sentence_set = load_sentences(work / "sentences.json")
        language, source = sentence_set.language or recording.language, "sentences"
        rows = [IndexRow(s.id, s.chapter_index, s.start, s.end, s.text, s.speaker)
                for s in sentence_set.sentences]
    else:
        language, source = recording.language, "segments"
        rows, table_titles = _segment_rows(work / "segments.parquet")
        chapters = {**table_titles, **chapters}
    only_speaker = recording.speakers[0].name if len(recording.speakers) == 1 else ""
    rows = [IndexRow(r.sentence_id, r.chapter_index, r.start, r.end,
                     corrections.sentence_text(r.sentence_id, r.text).strip(), r.speaker or only_speaker)
            for r in rows]
    return RecordingDoc(
        slug=recording.slug, title=recording.title, date=recording.date, language=language,
        media=recording.media, source=source, chapters=chapters, rows=[r for r in rows if r.text])


def _chapter_titles(path: Path) -> dict[int, str]:
    if not path.is_file():
        return {}
    try:
        return {int(c["index"]): str(c.get("title") or "") for c in fsutil.read_json(path)["chapters"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{path}: not a valid chapters.json ({exc}); re-run the chapters stage") from exc


def _segment_rows(path: Path) -> tuple[list[IndexRow], dict[int, str]]:
    import pandas as pd

    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{path}: cannot read the segments table ({exc}); re-run the chapters stage") from exc
    missing = {"start", "end", "text"} - set(table.columns)
    if missing:
        raise PipelineError(f"{path}: segments table lacks {', '.join(sorted(missing))}; re-run the chapters stage")
    ids = table["segment_id"] if "segment_id" in table else table.get("id", pd.Series(range(len(table))))
    chapter = table["chapter_index"] if "chapter_index" in table else pd.Series([0] * len(table))
    # A segment split at a chapter boundary has parts 0, 1, ...: (segment_id, part) is the key.
    part = table["part"] if "part" in table else pd.Series([0] * len(table))
    rows = [IndexRow(f"seg{int(i)}" + (f".{int(p)}" if p else ""), int(c), float(s), float(e), str(t))
            for i, p, c, s, e, t in zip(ids, part, chapter, table["start"], table["end"], table["text"])]
    titles = {}
    if "chapter_title" in table:
        titles = {int(c): str(t) for c, t in zip(chapter, table["chapter_title"])}
    return rows, titles


# --- the stage --------------------------------------------------------------------------------

def _inputs(ctx: StageContext) -> list[Path]:
    work = ctx.work_dir
    rows = work / "sentences.json"
    if not rows.is_file() and (work / "segments.parquet").is_file():
        rows = work / "segments.parquet"
    extra = [work / "chapters.json"] if (work / "chapters.json").is_file() else []
    return [ctx.recording_dir / "recording.yaml", rows, *extra]


def _params(ctx: StageContext) -> dict[str, Any]:
    return {
        "schema": INDEX_SCHEMA,
        "index_generation": index_generation(ctx.paths.index_db),
        "corrections": corrections_digest(ctx.paths, ctx.slug),
    }


def _build(ctx: StageContext) -> dict[str, Any]:
    doc = load_document(ctx.paths, ctx.recording)
    started = time.perf_counter()
    with open_index(ctx.paths.index_db) as conn:
        count = replace_recording(conn, doc)
        removed = remove_recordings(conn, set(ctx.paths.slugs()))
    seconds = time.perf_counter() - started
    log.info("indexed %d %s of %s in %.2f s", count, doc.source, ctx.slug, seconds)
    return {"rows": count, "source": doc.source, "removed_recordings": removed}


STAGE = Stage(
    name="index",
    description="add the recording's sentences (editor-corrected) to the full-text search index",
    inputs=_inputs,
    params=_params,
    prepare=lambda ctx: ensure_index(ctx.paths.index_db),
    outputs=lambda ctx: [ctx.paths.index_db],
    build=_build,
    packages=("nltk",),
)
