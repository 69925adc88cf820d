"""The `index` stage: every recording's sentences in the search index (data/index.sqlite).

Rows are sentences (sentences.json), or Whisper segments (segments.parquet) where a recording has
no sentences yet, with the editors' corrected text. The stage only reads artifacts and hands a
`RecordingDoc` to the search backend (`pipeline.index.backend`; SQLite FTS5 in `fts5.py`), which
replaces the recording's rows in one transaction. The backend's generation id is in the stage's
params: if the index is deleted, damaged (rebuilt with a warning) or its schema changes, every
recording re-indexes. Once per `pipeline run`, the sweep drops recordings that were deleted or
renamed in data/recordings, even when every other recording is up to date.

A damaged data/review.sqlite (the editors' database; the pipeline only reads it and never
overwrites it) FAILS this stage with one line that says what is wrong and how to restore it,
rather than indexing machine text: indexing without the corrections would replace the corrected
text of every recording that re-indexes. The rows already indexed (corrected) stay searchable;
`pipeline status` and `pipeline run` print the same line until the file is restored.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from pipeline.artifacts.manifest import Recording
from pipeline.artifacts.sentences import load_sentences
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import PipelineError
from pipeline.editorial.corrections import ReviewDatabaseError, corrections_digest, load_corrections
from pipeline.index.backend import IndexRow, RecordingDoc, backend_for
from pipeline.runner.stage import Stage, StageContext

log = logging.getLogger(__name__)

__all__ = ["IndexRow", "RecordingDoc", "STAGE", "load_document", "review_problem"]


# --- the editors' database, read-only ---------------------------------------------------------

def review_problem(paths: DataPaths) -> str:
    """'' when data/review.sqlite is absent or readable; else one line: what is wrong, how to restore it."""
    db = paths.review_db
    if not db.is_file():
        return ""
    try:
        with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as conn:
            result = conn.execute("PRAGMA quick_check(1)").fetchone()
            if result and result[0] != "ok":
                raise sqlite3.DatabaseError(str(result[0]))
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return ""  # the review app is writing: not damage
        return _review_message(db, str(exc))
    except sqlite3.DatabaseError as exc:
        return _review_message(db, str(exc))
    return ""


def _review_message(db: Path, reason: str) -> str:
    return f"{ReviewDatabaseError(db, reason)}; until then the index keeps the text indexed before"


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
    # The speaker column (speakers.json's voice of each piece; absent in tables from before the speakers stage).
    speaker = table["speaker"].fillna("").astype(str) if "speaker" in table else pd.Series([""] * len(table))
    rows = [IndexRow(f"seg{int(i)}" + (f".{int(p)}" if p else ""), int(c), float(s), float(e), str(t), k)
            for i, p, c, s, e, t, k in zip(ids, part, chapter, table["start"], table["end"], table["text"], speaker)]
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
    try:
        digest = corrections_digest(ctx.paths, ctx.slug)
    except sqlite3.DatabaseError:  # damaged review.sqlite: stale until restored, see the docstring
        digest = "unreadable"
    return {"schema": 2, "index_generation": backend_for(ctx.paths).generation(), "corrections": digest}


def _build(ctx: StageContext) -> dict[str, Any]:
    try:
        doc = load_document(ctx.paths, ctx.recording)
    except sqlite3.DatabaseError as exc:
        raise PipelineError(review_problem(ctx.paths) or _review_message(ctx.paths.review_db, str(exc))) from None
    started = time.perf_counter()
    backend = backend_for(ctx.paths)
    count = backend.replace_recording(doc)
    removed = backend.remove_recordings(set(ctx.paths.slugs()))
    seconds = time.perf_counter() - started
    log.info("indexed %d %s of %s in %.2f s", count, doc.source, ctx.slug, seconds)
    return {"rows": count, "source": doc.source, "removed_recordings": removed}


def _prepare(ctx: StageContext) -> None:
    """Before the fingerprint: create the index (or rebuild a damaged one), so its generation is known."""
    backend_for(ctx.paths).ensure()


def _sweep(paths: DataPaths) -> list[str]:
    """Once per batch: rebuild a damaged index, drop recordings no longer in data/recordings."""
    backend = backend_for(paths)
    lines = []
    if backend.generation() != "absent" or backend.problem():  # a missing index is made by the first recording
        _generation, lines = backend.ensure()
    removed = backend.remove_recordings(set(paths.slugs()))
    return lines + [f"index: removed {slug!r} from search: it is no longer in {paths.recordings}" for slug in removed]


def _health(paths: DataPaths) -> list[str]:
    """The index's and the review database's problems, one line each."""
    return [line for line in (backend_for(paths).problem(), review_problem(paths)) if line]


STAGE = Stage(
    name="index",
    description="add the recording's sentences (editor-corrected) to the full-text search index",
    inputs=_inputs,
    params=_params,
    prepare=_prepare,
    outputs=lambda ctx: [ctx.paths.index_db],
    build=_build,
    packages=("nltk",),
    sweep=_sweep,
    health=_health,
)
