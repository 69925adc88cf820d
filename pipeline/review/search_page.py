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
from pipeline.index.api import SearchFilters, read_index, search
from pipeline.review import web

log = logging.getLogger(__name__)
router = APIRouter()
FIELDS = ("recording", "speaker", "language", "since", "until", "chapter")


def _choices(paths: DataPaths) -> tuple[list[tuple[str, str]], list[str]]:
    """(slug, title) of indexed recordings and their languages, for the filter menus."""
    if not paths.index_db.is_file():
        return [], []
    with read_index(paths) as conn:
        recordings = conn.execute("SELECT slug, title FROM recordings ORDER BY date DESC, slug").fetchall()
        languages = [r[0] for r in conn.execute("SELECT DISTINCT language FROM recordings ORDER BY 1")]
    return recordings, languages


def _results(paths: DataPaths, form: dict[str, str], limit: int) -> list[dict]:
    filters = SearchFilters(limit=limit, **{k: form[k] for k in FIELDS})
    hits = search(paths, form["q"], filters, review_url="")
    rows = []
    for hit in hits:
        seconds = f"{max(hit.start, 0.0):.1f}"
        rows.append({**hit.to_dict(), "sentence_html": Markup(hit.sentence_html()),
                     "moment_url": f"/r/{hit.recording}?t={seconds}", "media_link": f"/r/{hit.recording}/media#t={seconds}"})
    return rows


@router.get("/search")
def search_page(request: Request, q: str = "", recording: str = "", speaker: str = "", language: str = "",
                since: str = "", until: str = "", chapter: str = "", limit: int = 50):
    """The search form and, when a query is given, its ranked results (JSON when asked for)."""
    paths: DataPaths = request.app.state.paths
    form = {"q": q, "recording": recording, "speaker": speaker, "language": language, "since": since,
            "until": until, "chapter": chapter}
    results, error = [], ""
    if q.strip():
        try:
            results = _results(paths, form, limit)
        except (QueryError, ConfigError) as exc:
            error = str(exc)
    if web.wants_json(request):
        if error:
            return JSONResponse({"error": error}, status_code=422)
        return JSONResponse([{k: v for k, v in r.items() if k != "sentence_html"} for r in results])
    recordings, languages = _choices(paths)
    response = web.html(request, "search.html", form=form, results=results, error=error,
                        recordings=recordings, languages=languages, searched=bool(q.strip()))
    if error:
        response.status_code = 422
    return response
