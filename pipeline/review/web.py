"""Shared web plumbing of the review app: templates, CSRF, access token, responses.

Other pages (e.g. the search page) import `templates` and `page_context` from here so they share
the layout (base.html), the navigation and the security rules.
"""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from pipeline.core.timecode import format_clock
from pipeline.review import i18n

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
TOKEN_COOKIE = "review_token"


hms = format_clock


templates.env.filters["hms"] = hms
templates.env.filters["why"] = i18n.rejection_text  # r.reasons|map("why", _): a rejection reason, translated


class Refusal(str):
    """An HTTPException's message that names its msgid and values: the English text, which the app's
    error handler shows in the editor's language (for routes that have no request to translate with)."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> "Refusal":
        refusal = super().__new__(cls, msgid % values if values else msgid)
        refusal.msgid, refusal.values = msgid, values
        return refusal


def new_secret() -> str:
    """A random secret for the CSRF token."""
    return secrets.token_urlsafe(32)


def ui_language(request: Request) -> str:
    """The editor's interface language (cookie), Dutch by default."""
    return i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE))


def translate(request: Request):
    """`_` in the editor's interface language, for messages the routes send back."""
    return i18n.translator(ui_language(request))


def language_context(request: Request) -> dict[str, Any]:
    """`_`, the interface language and the script's strings: every page's text comes from the catalogue."""
    lang = ui_language(request)
    return {"_": i18n.translator(lang), "ui_lang": lang, "ui_languages": i18n.LANGUAGES,
            "script_strings": i18n.script_strings(lang)}


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """What every page template needs: the CSRF token, the language, which optional pages exist."""
    state = request.app.state
    store = getattr(state, "store", None)
    problem = getattr(store, "error", None)  # a damaged review database (editorial.store.DamagedStore)
    return {"request": request, "csrf": state.csrf, "has_search": state.has_search,
            "review_problem": i18n.error_text(problem, translate(request)) if problem else "",
            **language_context(request), **extra}


def check_csrf(request: Request, form_token: str | None) -> None:
    """Refuse state changes without this app's CSRF token or from another origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "request from another site refused")
    given = form_token or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(given.encode(), request.app.state.csrf.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def token_ok(request: Request) -> bool:
    """True when no access token is configured or the request carries it (cookie, header or ?token=)."""
    token = request.app.state.token
    if not token:
        return True
    given = (request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token")
             or request.headers.get("authorization", "").removeprefix("Bearer ").strip())
    return hmac.compare_digest(given.encode(), token.encode())


def wants_json(request: Request) -> bool:
    """True when the caller (the page's script, a test) asked for JSON rather than HTML."""
    return "application/json" in request.headers.get("accept", "")


def done(request: Request, url: str, payload: dict[str, Any]) -> Response:
    """Answer a successful change: JSON for the page's script, a redirect for a plain form post."""
    if wants_json(request):
        return JSONResponse({"ok": True, **payload})
    return RedirectResponse(url, status_code=303)


def error_response(request: Request, status: int, message: str, extra: dict[str, Any] | None = None) -> Response:
    """An error as JSON ({error}) or as a small HTML page; never a stack trace."""
    if wants_json(request) or request.url.path.endswith(".json"):
        return JSONResponse({"ok": False, "error": message, **(extra or {})}, status_code=status)
    try:
        csrf = request.app.state.csrf
    except AttributeError:
        csrf = ""
    context = {"request": request, "status": status, "message": message, "csrf": csrf, "has_search": False,
               **language_context(request)}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def html(request: Request, name: str, **context: Any) -> HTMLResponse:
    """Render a page template with the shared context."""
    return templates.TemplateResponse(request, name, page_context(request, **context))
