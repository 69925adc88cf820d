"""Search the transcript index: ranked moments with chapter, speaker, a highlighted snippet with
one sentence of context either side, and links to the moment.

This module is engine-neutral: the query is parsed here (pipeline.index.query) and run by the
configured search backend (pipeline.index.backend; SQLite FTS5 by default). Chapters are numbered
from 1 in every result (`chapter_number`). Links use PIPELINE_REVIEW_URL (default
http://127.0.0.1:8765, where `make review` serves the review app).
"""
from __future__ import annotations

import csv
import html
import io
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.config import DataPaths, data_paths
from pipeline.core.errors import ConfigError
from pipeline.core.stemming import stemmer, word_spans, words
from pipeline.core.timecode import format_hms
from pipeline.index.backend import MAX_LIMIT, MatchRow, SearchFilters, backend_for
from pipeline.index.query import Node, parse_query, positive_terms

log = logging.getLogger(__name__)

__all__ = ["COLUMNS", "MAX_LIMIT", "REVIEW_URL", "SearchFilters", "SearchHit", "SearchResults", "format_hits",
           "configured_review_url", "moment_links", "search", "search_dataframe"]

REVIEW_URL = "http://127.0.0.1:8765"  # where `make review` serves the review app
COLUMNS = ["recording", "title", "date", "language", "chapter_number", "chapter", "speaker", "start",
           "end", "text", "snippet", "context_before", "context_after", "score", "sentence_id",
           "review_url", "media_url"]


@dataclass
class SearchHit:
    """One ranked moment. score is bm25 (lower is better); times in seconds; chapter_number from 1."""

    recording: str
    title: str
    date: str
    language: str
    chapter_number: int | None
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


class SearchResults(list):
    """The hits, best first (a list), with `note`: '' or why the ranking was limited (very common words)."""

    def __init__(self, hits: list[SearchHit] = (), note: str = ""):
        super().__init__(hits)
        self.note = note


def configured_review_url() -> str:
    """The review app's address for links: $PIPELINE_REVIEW_URL, else http://127.0.0.1:8765."""
    url = os.environ.get("PIPELINE_REVIEW_URL", "").strip() or REVIEW_URL
    if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise ConfigError(f"PIPELINE_REVIEW_URL must be an http(s) address like {REVIEW_URL}, not {url!r}")
    return url.rstrip("/")


def search(paths: DataPaths, query: str, filters: SearchFilters = SearchFilters(),
           review_url: str | None = None) -> SearchResults:
    """Ranked hits of a query (see pipeline.index.query for the syntax) within the filters.

    Links point at `review_url` (default: PIPELINE_REVIEW_URL, else http://127.0.0.1:8765);
    raises QueryError (one line) for a query it cannot run or an index it cannot read.
    """
    tree = parse_query(query)
    base = configured_review_url() if review_url is None else review_url
    matches = backend_for(paths).search(tree, filters)
    hits = SearchResults([_hit(paths, row, base) for row in matches.rows], matches.note)
    highlighter = Highlighter(tree)
    for hit in hits:
        hit.fragments = highlighter.fragments(hit.text, hit.language)
        hit.snippet = " ".join(p for p in (hit.context_before, render_marked(hit.fragments), hit.context_after) if p)
    return hits


def _hit(paths: DataPaths, row: MatchRow, base: str) -> SearchHit:
    number = row.chapter_index + 1 if row.chapter_index is not None else None
    return SearchHit(row.recording, row.title, row.date, row.language, number, row.chapter, row.speaker,
                     row.start, row.end, row.text, row.score, row.sentence_id,
                     context_before=row.context_before, context_after=row.context_after,
                     **moment_links(paths, row.recording, row.media, row.start, base))


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
        where = " · ".join(p for p in (f"chapter {hit.chapter_number}: {hit.chapter}" if hit.chapter_number else "",
                                       hit.speaker) if p)
        blocks.append(f"{n}. {hit.recording}  {format_hms(hit.start)}-{format_hms(hit.end)}  {where}\n"
                      f"   {hit.snippet}\n   {hit.review_url}\n")
    return "\n".join(blocks)


def search_dataframe(query: str, data: str | Path | None = None, **filters: Any):
    """Search all transcripts; a pandas DataFrame with one row per hit, best first (columns: COLUMNS)."""
    import pandas as pd

    hits = search(data_paths(data), query, SearchFilters(**filters))
    frame = pd.DataFrame([h.to_dict() for h in hits], columns=COLUMNS)
    frame.attrs["note"] = hits.note  # '' unless the ranking was limited (very common words)
    return frame
