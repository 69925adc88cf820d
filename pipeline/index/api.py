"""Search the transcript index (data/index.sqlite): ranked moments with chapter, speaker, a
highlighted snippet with one sentence of context either side, and links to the moment.

The SQL is built by pure functions (`search_sql`, `recording_filter_sql`) and run by `search`;
user text reaches SQLite only as bound parameters. Filters become tag terms inside the FTS5
MATCH expression, so the ranked top-N comes out of one index lookup.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from pipeline.core.config import DataPaths, data_paths
from pipeline.core.errors import ConfigError, QueryError
from pipeline.core.stemming import fold, stemmer, word_spans, words
from pipeline.core.timecode import format_hms
from pipeline.index.query import Node, match_expression, parse_query, positive_terms
from pipeline.index.stage import connect

log = logging.getLogger(__name__)

REVIEW_URL = "http://127.0.0.1:8765"  # where `make review` serves the review app
MAX_LIMIT = 1000
COLUMNS = ["recording", "title", "date", "language", "chapter_index", "chapter", "speaker", "start",
           "end", "text", "snippet", "context_before", "context_after", "score", "sentence_id",
           "review_url", "media_url"]


@dataclass(frozen=True)
class SearchFilters:
    """Which rows may match. Empty fields do not filter.

    recording: recording slugs (any of them); speaker: part of a speaker's name (case and accents
    ignored); language: 'nl', 'en', ...; since/until: ISO dates (inclusive) of the recording;
    chapter: words of the chapter title (any form); limit: how many ranked results (1-1000).
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
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
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


@dataclass
class SearchHit:
    """One ranked moment. score is bm25 (lower is better); times in seconds."""

    recording: str
    title: str
    date: str
    language: str
    chapter_index: int | None
    chapter: str
    speaker: str
    start: float
    end: float
    text: str
    score: float
    sentence_id: str
    snippet: str = ""
    context_before: str = ""
    context_after: str = ""
    review_url: str = ""
    media_url: str = ""
    fragments: list[tuple[str, bool]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON/CSV/DataFrame (without the highlight fragments)."""
        data = asdict(self)
        data.pop("fragments")
        return data

    def sentence_html(self) -> str:
        """The hit's sentence as escaped HTML with <mark> around the matched words."""
        return "".join(f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in self.fragments)

    def snippet_html(self) -> str:
        """The snippet (context, marked sentence, context) as escaped HTML."""
        parts = [html.escape(self.context_before), self.sentence_html(), html.escape(self.context_after)]
        return " ".join(p for p in parts if p)


# --- pure SQL builders ------------------------------------------------------------------------

def search_sql() -> str:
    """Ranked top-N: the FTS5 lookup runs first in a materialized CTE, then N rows are joined."""
    return (
        "WITH hits AS MATERIALIZED ("
        " SELECT rowid AS row_id, rank AS score FROM sentences_fts"
        " WHERE sentences_fts MATCH :match ORDER BY rank LIMIT :limit) "
        'SELECT r.slug, r.title, r.date, r.language, r.media, c.chapter_index, c.title, p.name, s.start, s."end", '
        "s.text, hits.score, s.sentence_id, s.recording_id, s.seq "
        "FROM hits JOIN sentences s ON s.row_id = hits.row_id "
        "JOIN recordings r ON r.recording_id = s.recording_id "
        "LEFT JOIN chapters c ON c.chapter_id = s.chapter_id "
        "LEFT JOIN speakers p ON p.speaker_id = s.speaker_id "
        "ORDER BY hits.score, s.row_id"
    )


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


# --- filters -> tag groups --------------------------------------------------------------------

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
    if filters.speaker:
        needle = fold(filters.speaker.strip())
        ids = [r[0] for r in conn.execute(
            "SELECT speaker_id FROM speakers WHERE instr(name_folded, ?) > 0 ORDER BY speaker_id", (needle,))]
        if not ids:
            return None
        groups.append([f"spk{i}" for i in ids])
    if filters.chapter:
        ids = _chapter_ids(conn, filters.chapter, recording_ids)
        if not ids:
            return None
        groups.append([f"chap{i}" for i in ids])
    return groups


def _check_slugs(conn: sqlite3.Connection, slugs: Sequence[str]) -> None:
    known = {r[0] for r in conn.execute("SELECT slug FROM recordings")}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        hint = ", ".join(sorted(known)[:8]) or "none indexed yet"
        raise QueryError(f"no recording {unknown[0]!r} in the search index (recordings: {hint})")


def _chapter_ids(conn: sqlite3.Connection, text: str, recording_ids: list[int] | None) -> list[int]:
    """Chapters whose title holds every filter word, as a substring or in any stemmed form."""
    wanted = words(text)
    rows = conn.execute("SELECT c.chapter_id, c.recording_id, c.title_folded, c.title_stems, r.language "
                        "FROM chapters c JOIN recordings r USING(recording_id)").fetchall()
    allowed = set(recording_ids) if recording_ids is not None else None
    ids = []
    for chapter_id, recording_id, folded, stems, language in rows:
        if allowed is not None and recording_id not in allowed:
            continue
        title_stems = set(stems.split())
        stem = stemmer(language).stem
        if all(w in folded or stem(w) in title_stems for w in wanted):
            ids.append(chapter_id)
    return ids


# --- running a search -------------------------------------------------------------------------

@contextlib.contextmanager
def read_index(paths: DataPaths) -> Iterator[sqlite3.Connection]:
    """A connection to an existing index; a missing one is a QueryError that says how to build it."""
    path = paths.index_db
    if not path.is_file():
        raise QueryError(f"no search index at {path}; build it with 'make all' (or 'pipeline run --stages index')")
    conn = connect(path)
    try:
        conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        conn.close()


def search(paths: DataPaths, query: str, filters: SearchFilters = SearchFilters(),
           review_url: str = REVIEW_URL) -> list[SearchHit]:
    """Ranked hits of a query (see pipeline.index.query for the syntax) within the filters."""
    tree = parse_query(query)
    with read_index(paths) as conn:
        languages = [r[0] for r in conn.execute("SELECT DISTINCT language FROM recordings")]
        groups = filter_tags(conn, filters)
        if groups is None:
            return []
        match = match_expression(tree, languages, groups)
        log.debug("MATCH %s", match)
        try:
            rows = conn.execute(search_sql(), {"match": match, "limit": filters.limit}).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryError(f"cannot search for {query!r}: {exc}") from exc
        hits = [_hit(conn, paths, row, review_url) for row in rows]
    highlighter = Highlighter(tree)
    for hit in hits:
        hit.fragments = highlighter.fragments(hit.text, hit.language)
        hit.snippet = " ".join(p for p in (hit.context_before, render_marked(hit.fragments), hit.context_after) if p)
    return hits


def _hit(conn: sqlite3.Connection, paths: DataPaths, row: tuple, review_url: str) -> SearchHit:
    (slug, title, date, language, media, chapter_index, chapter, speaker, start, end, text, score,
     sentence_id, recording_id, seq) = row
    around = dict(conn.execute("SELECT seq, text FROM sentences WHERE recording_id = ? AND seq IN (?, ?)",
                               (recording_id, seq - 1, seq + 1)).fetchall())
    links = moment_links(paths, slug, media, start, review_url)
    return SearchHit(slug, title, date, language, chapter_index, chapter or "", speaker or "", start, end,
                     text, score, sentence_id, context_before=around.get(seq - 1, ""),
                     context_after=around.get(seq + 1, ""), **links)


def moment_links(paths: DataPaths, slug: str, media: str, start: float, review_url: str = REVIEW_URL) -> dict[str, str]:
    """Links to the moment: the review app's recording page at that time, and the media file#t=."""
    seconds = f"{max(start, 0.0):.1f}"
    media_file = paths.recording_dir(slug) / media
    return {"review_url": f"{review_url.rstrip('/')}/r/{slug}?t={seconds}",
            "media_url": f"{media_file.as_uri()}#t={seconds}"}


class Highlighter:
    """Marks the words of a text that the query's positive terms matched."""

    def __init__(self, tree: Node):
        terms = positive_terms(tree)
        self.words = [t.text for t in terms if t.kind == "word"]
        self.prefixes = [words(t.text) for t in terms if t.kind == "prefix"]
        self.phrases = [words(t.text) for t in terms if t.kind == "phrase"]

    def fragments(self, text: str, language: str) -> list[tuple[str, bool]]:
        """The text cut into (piece, matched) fragments."""
        spans = list(word_spans(text))
        row_stemmer = stemmer(language)
        targets = {s for w in self.words for s in row_stemmer.stem_words(w)}
        marked = [row_stemmer.stem(token) in targets for _s, _e, token in spans]
        tokens = [token for _s, _e, token in spans]
        for seq in self.phrases + self.prefixes:
            is_prefix = seq in self.prefixes
            for i in range(len(tokens) - len(seq) + 1):
                window = tokens[i:i + len(seq)]
                if window[:-1] == seq[:-1] and (window[-1].startswith(seq[-1]) if is_prefix else window[-1] == seq[-1]):
                    marked[i:i + len(seq)] = [True] * len(seq)
        return _cut(text, spans, marked)


def _cut(text: str, spans: list[tuple[int, int, str]], marked: list[bool]) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for i, (start, end, _token) in enumerate(spans):
        if not marked[i]:
            continue
        # Join adjacent matched words (a phrase) into one mark, spaces included.
        if pieces and pieces[-1][1] and text[pos:start].strip() == "":
            pieces[-1] = (pieces[-1][0] + text[pos:end], True)
        else:
            if start > pos:
                pieces.append((text[pos:start], False))
            pieces.append((text[start:end], True))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def render_marked(fragments: list[tuple[str, bool]], start: str = "**", end: str = "**") -> str:
    """Fragments as plain text with the matched words between markers (Markdown bold by default)."""
    return "".join(f"{start}{t}{end}" if hit else t for t, hit in fragments)


def format_hits(hits: list[SearchHit], fmt: str = "text") -> str:
    """Hits as 'text' (for people: moment, chapter, speaker, snippet, link), 'json' or 'csv'."""
    if fmt == "json":
        return json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(h.to_dict() for h in hits)
        return buffer.getvalue()
    if not hits:
        return "no results\n"
    blocks = []
    for n, hit in enumerate(hits, 1):
        where = " · ".join(p for p in (f"chapter {hit.chapter_index + 1}: {hit.chapter}" if hit.chapter else "",
                                       hit.speaker) if p)
        blocks.append(f"{n}. {hit.recording}  {format_hms(hit.start)}-{format_hms(hit.end)}  {where}\n"
                      f"   {hit.snippet}\n   {hit.review_url}\n")
    return "\n".join(blocks)


def search_dataframe(query: str, data: str | Path | None = None, **filters: Any):
    """Search all transcripts; a pandas DataFrame with one row per hit, best first (columns: COLUMNS)."""
    import pandas as pd

    hits = search(data_paths(data), query, SearchFilters(**filters))
    return pd.DataFrame([h.to_dict() for h in hits], columns=COLUMNS)
