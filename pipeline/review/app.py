"""The editor review app (`pipeline review`): FastAPI with server-rendered Jinja2 pages.

Adding pages (for the search helper): a module pipeline/review/search_page.py that defines
`router = fastapi.APIRouter()` is included automatically by create_app (see OPTIONAL_ROUTERS), and
the navigation then shows a 'Search' link to /search. Render with
`pipeline.review.web.html(request, "your_template.html", ...)`, templates extending "base.html";
data paths are on `request.app.state.paths` (a DataPaths), the review store on
`request.app.state.store`. Put templates in pipeline/review/templates/. State-changing routes
must call `pipeline.review.web.check_csrf`.

Security: bind to 127.0.0.1 unless an access token is set (serve() refuses otherwise); every text
is escaped by Jinja's autoescape; changes are POST with a CSRF token; media only from inside the
data folder; unknown ids give 404 and bad bodies 422 with a message, never a stack trace.
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.core.config import DataPaths, data_paths
from pipeline.core.errors import ConfigError, ManifestError, PipelineError, ReviewError
from pipeline.editorial.store import ConflictError, open_store
from pipeline.review import actions, i18n, pages, web

log = logging.getLogger(__name__)

OPTIONAL_ROUTERS = ("pipeline.review.search_page", "pipeline.review.speakers_routes")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def create_app(paths: DataPaths | None = None, *, token: str | None = None) -> FastAPI:
    """The review app over one data folder; `token` (if set) is required on every request."""

    app = FastAPI(title="Lecture review", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_settled)
    app.state.paths = paths or data_paths()
    app.state.store = open_store(app.state.paths.review_db)  # damaged: read-only, and every page says so
    app.state.csrf = web.new_secret()
    app.state.token = check_token(token)
    app.state.has_search = False
    app.mount("/static", StaticFiles(directory=str(web.HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(actions.router)
    for name in OPTIONAL_ROUTERS:
        _include_optional(app, name)
    _install_security(app)
    _install_error_handlers(app)
    return app


@contextlib.asynccontextmanager
async def _settled(app: FastAPI):
    """Served: what is loaded by now lives as long as the server, so the collector's full passes (every
    few page builds) skip it; they otherwise stall a page right after an edit by tens of milliseconds."""
    gc.freeze()
    yield


def _include_optional(app: FastAPI, module_name: str) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            log.warning("%s could not be loaded (%s); its page is left out", module_name, exc)
        return
    app.include_router(module.router)
    app.state.has_search = app.state.has_search or module_name.endswith("search_page")


def _install_security(app: FastAPI) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not request.app.state.token and request.url.hostname not in LOCAL_HOSTS:
            # Without a token the app is for this machine only; a foreign Host header means a page
            # elsewhere reached it through DNS rebinding.
            return web.error_response(request, 403, f"this review app answers only to localhost, not "
                                                    f"{request.url.hostname!r}; use --token to share it")
        if not web.token_ok(request):
            return web.error_response(request, 401, "access token required: open the app once with "
                                                    "?token=<the access token set for this app>")
        if request.app.state.token and "token" in request.query_params:
            # Move the token from the URL into a cookie so it does not stay in history or referrers.
            response: Response = RedirectResponse(request.url.path, status_code=303)
            response.set_cookie(web.TOKEN_COOKIE, request.app.state.token, httponly=True, samesite="strict")
            return response
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        _ = web.translate(request)
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if isinstance(message, web.Refusal):
            text = _(message.msgid, **message.values)
        elif exc.status_code == 404 and message == "Not Found":
            text = _("nothing here: %(path)s", path=request.url.path)
        else:  # a fixed message is a catalogue msgid; the routes translate the ones with values themselves
            text = _(message)
        return web.error_response(request, exc.status_code, text)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(x) for x in e.get('loc', [])[1:]) or 'body'}: {e.get('msg', 'invalid')}"
                    for e in exc.errors()]
        return web.error_response(request, 422, "invalid request: " + "; ".join(problems))

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, exc: ConflictError):
        extra = {"current": exc.current}
        if hasattr(exc, "seen"):  # a refused approval: show what the editor saw next to what is there now
            extra["seen"] = exc.seen
        return web.error_response(request, 409, i18n.error_text(exc, web.translate(request)), extra)

    @app.exception_handler(ManifestError)
    async def unknown_recording(request: Request, exc: ManifestError):
        return web.error_response(request, 404, str(exc))

    @app.exception_handler(PipelineError)
    async def refused(request: Request, exc: PipelineError):
        status = 422 if isinstance(exc, (ReviewError, ConfigError)) else 500
        return web.error_response(request, status, i18n.error_text(exc, web.translate(request)))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.exception("review app: unexpected error on %s", request.url.path)
        return web.error_response(request, 500, web.translate(request)("internal error; the details are in the app's log"))


MIN_TOKEN = 16


def check_token(token: str | None) -> str | None:
    """The access token, or None when unset; a set token must be 16+ characters without spaces.

    A short or blank token is refused rather than ignored: an editor who typed one believes the app
    is protected, and a guessable token protects nothing.
    """
    if token is None or token == "":
        return None
    if token != token.strip() or any(c.isspace() for c in token) or len(token) < MIN_TOKEN:
        raise ConfigError(f"the access token must be at least {MIN_TOKEN} characters with no spaces; "
                          "make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
    return token


def check_bind(host: str, token: str | None) -> None:
    """Binding beyond this machine needs an access token: editors' data must not be open to a network."""
    if host not in LOCAL_HOSTS and not token:
        raise ConfigError(f"--host {host} makes the review app reachable from other machines: "
                          "set an access token with --token or $REVIEW_TOKEN")


def serve(paths: DataPaths, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    token = check_token(token if token is not None else os.environ.get("REVIEW_TOKEN"))
    check_bind(host, token)
    app = create_app(paths, token=token)
    # The token is never logged: logs are shared and kept, and a URL with it would be a password
    # in plain text. Editors already know it (they set it); they add ?token=… themselves.
    hint = " (open it with ?token=<your access token> once; a cookie keeps it)" if token else ""
    log.info("review app on http://%s:%d/%s (data: %s)", host, port, hint, paths.root)
    # No access log: it would write every request's query string, ?token=… included.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
