"""The review app's search page (/search): the researcher search over the index, in the browser.

Included by pipeline.review.app.create_app (OPTIONAL_ROUTERS). Read-only: GET with the query and
filters in the URL, so a search can be bookmarked and shared. Each result links to the recording
page at that moment (/r/<slug>?t=seconds) and to the media file (#t=seconds).
"""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from markupsafe import Markup

from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError, QueryError
from pipeline.index.api import SearchFilters, search
from pipeline.index.backend import backend_for
from pipeline.review import web

log = logging.getLogger(__name__)
router = APIRouter()
FIELDS = ("recording", "speaker", "language", "since", "until", "chapter")


def _choices(paths: DataPaths) -> tuple[list[tuple[str, str]], list[str]]:
    """(slug, title) of indexed recordings and their languages, for the filter menus."""
    backend = backend_for(paths)
    try:
        return backend.recordings(), backend.languages()
    except QueryError as exc:  # a damaged index: the page says so once, with the search error
        log.warning("%s", exc)
        return [], []


def _results(paths: DataPaths, form: dict[str, str], limit: int) -> tuple[list[dict], str]:
    filters = SearchFilters(limit=limit, **{k: form[k] for k in FIELDS})
    hits = search(paths, form["q"], filters, review_url="")  # links on this page are relative to the app
    rows = []
    for hit in hits:
        seconds = f"{max(hit.start, 0.0):.1f}"
        rows.append({**hit.to_dict(), "sentence_html": Markup(hit.sentence_html()),
                     # search.html shows `chapter_index + 1`: give it the 0-based index of chapter_number
                     "chapter_index": hit.chapter_number - 1 if hit.chapter_number else None,
                     "moment_url": f"/r/{hit.recording}?t={seconds}", "media_link": f"/r/{hit.recording}/media#t={seconds}"})
    return rows, hits.note


@router.get("/search")
def search_page(request: Request, q: str = "", recording: str = "", speaker: str = "", language: str = "",
                since: str = "", until: str = "", chapter: str = "", limit: int = 50):
    """The search form and, when a query is given, its ranked results (JSON when asked for)."""
    paths: DataPaths = request.app.state.paths
    form = {"q": q, "recording": recording, "speaker": speaker, "language": language, "since": since,
            "until": until, "chapter": chapter}
    results, error, note = [], "", ""
    if q.strip():
        try:
            results, note = _results(paths, form, limit)
        except (QueryError, ConfigError) as exc:
            error = str(exc)
    headers = {"X-Search-Note": note.encode("ascii", "replace").decode()} if note else {}
    if web.wants_json(request):
        if error:
            return JSONResponse({"error": error}, status_code=422)
        rows = [{k: v for k, v in r.items() if k not in ("sentence_html", "chapter_index")} for r in results]
        return JSONResponse(rows, headers=headers)
    recordings, languages = _choices(paths)
    response = web.html(request, "search.html", form=form, results=results, error=error, note=note,
                        recordings=recordings, languages=languages, searched=bool(q.strip()))
    response.headers.update(headers)
    if error:
        response.status_code = 422
    return response
