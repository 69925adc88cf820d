"""Read-only routes of the review app: recording list, recording page, media, exports, JSON state."""
from __future__ import annotations

import logging
import mimetypes

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from markupsafe import Markup

from pipeline.artifacts.manifest import load_recording, media_path
from pipeline.core import fsutil
from pipeline.core.config import SLUG_RE, DataPaths
from pipeline.core.errors import PipelineError
from pipeline.editorial.approvals import chapter_items, fingerprint
from pipeline.editorial.chapter_changes import pending as edit_waiting
from pipeline.editorial.chapter_changes import start_choices
from pipeline.editorial.reviewed import RecordingView, describe_change, load_view
from pipeline.editorial.transcript_view import FLAG_LABELS
from pipeline.publish.export import export_text, gap_problems, section_problems
from pipeline.review import i18n, web
from pipeline.review.pagecache import PageCache, chapter_signature
from pipeline.review.pagecache import fingerprint as fingerprint_of
from pipeline.runner.stage import STAGE_ORDER

log = logging.getLogger(__name__)
router = APIRouter()

EXPORT_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
                "srt": "application/x-subrip; charset=utf-8", "vtt": "text/vtt; charset=utf-8"}
# Parts of recording pages kept: a few recordings' transcript chapters (~60 kB each for a two-hour
# lecture) and draft cards (~3 kB), in two interface languages, and a few versions of each.
KEEP_CHAPTERS, KEEP_CARDS = 160, 2048


def known_slug(paths: DataPaths, slug: str) -> str:
    """The slug when it names an existing recording, else 404 (also for '..' and other odd names)."""
    if not SLUG_RE.match(slug) or not (paths.recordings / slug / "recording.yaml").is_file():
        raise HTTPException(404, web.Refusal("no recording %(slug)s", slug=repr(slug)))
    return slug


def view_of(request: Request, slug: str) -> RecordingView:
    paths = request.app.state.paths
    return load_view(paths, request.app.state.store, known_slug(paths, slug))


def stage_progress(paths: DataPaths, slug: str) -> list[tuple[str, str]]:
    """(stage, status) in run order from run.json: done, failed, or pending when never run."""
    run = paths.work_dir(slug) / "run.json"
    stages = {}
    if run.is_file():
        try:
            stages = fsutil.read_json(run).get("stages", {})
        except (ValueError, OSError):
            log.warning("%s unreadable", run)

    names = list(STAGE_ORDER) + [n for n in stages if n not in STAGE_ORDER]
    return [(n, stages.get(n, {}).get("status", "pending")) for n in names]


@router.get("/")
def recordings(request: Request):
    paths: DataPaths = request.app.state.paths
    rows = []
    for slug in paths.slugs():
        try:
            view = load_view(paths, request.app.state.store, slug)
            gaps_open = len(view.unchecked_gaps)
            # Done is not the same as complete: a stage that left speech out or read a damaged file is
            # shown in warning colour, never the plain green of a clean run.
            warn = {"extract"} if view.damage else set()
            warn |= {"transcribe"} if gaps_open else set()
            rows.append({"slug": slug, "title": view.recording.title, "date": view.recording.date,
                         "language": view.language, "stages": stage_progress(paths, slug), "counts": view.counts(),
                         "error": "", "damage": view.damage, "gaps_open": gaps_open,
                         "gaps_total": len(view.gaps), "warn_stages": warn})
        except PipelineError as exc:
            rows.append({"slug": slug, "title": slug, "date": "", "language": "", "stages": [], "counts": {},
                         "error": str(exc), "damage": "", "gaps_open": 0, "gaps_total": 0, "warn_stages": set()})
    return web.html(request, "index.html", rows=rows, data_root=str(paths.root))


@router.get("/lang/{code}")
def switch_language(code: str, back: str = "/"):
    """Remember the editor's interface language in a cookie and go back to the page they were on."""
    if code not in i18n.LANGUAGES:
        raise HTTPException(404, web.Refusal("no interface language %(code)s; use %(choices)s", code=repr(code),
                                             choices=", ".join(i18n.LANGUAGES)))
    # Only a path on this app: an absolute or protocol-relative URL would make this an open redirect.
    target = back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(i18n.LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/r/{slug}")
def recording_page(request: Request, slug: str):
    """The recording page; served from the page cache while nothing it shows has changed."""
    paths, store = request.app.state.paths, request.app.state.store
    key = (known_slug(paths, slug), web.ui_language(request), fingerprint_of(paths, slug, store.last_change()))
    pages = getattr(request.app.state, "pages", None)
    if pages is None:  # one cache per app: a page holds that app's CSRF token
        pages = request.app.state.pages = PageCache()
    cached = pages.get(key)
    if cached is None:
        cached = bytes(render_recording(request, slug).body)
        pages.put(key, cached)
    return HTMLResponse(cached)


def render_recording(request: Request, slug: str) -> HTMLResponse:
    view = view_of(request, slug)
    store = request.app.state.store
    pending = {ch.index: [i for i in chapter_items(view, ch.index) if i.pending] for ch in view.chapters}
    return web.html(request, "recording.html", view=view, slug=slug, chapter_pending=pending, lang=view.language,
                    fingerprint=fingerprint, transcript=transcript_chapters(request, view, slug),
                    card=card_maker(request, view, slug),
                    stages=stage_progress(request.app.state.paths, slug), counts=view.counts(),
                    rules=store.rules(slug), glossary=store.glossary(),
                    history=[(e, *describe_change(e)) for e in store.history(slug, 60)])


def fragments(request: Request, name: str, keep: int) -> PageCache:
    """Rendered parts of recording pages; one cache per app, like the pages: a part holds its CSRF token."""
    kept = getattr(request.app.state, name, None)
    if kept is None:
        kept = PageCache(keep)
        setattr(request.app.state, name, kept)
    return kept


def card_maker(request: Request, view: RecordingView, slug: str):
    """`card(item)` for the template: a draft item's card (_macros.item_card), rendered only when the
    item changed; an editor's action changes one or two of a long lecture's hundreds of cards."""
    kept, language, macros = fragments(request, "cards", KEEP_CARDS), web.ui_language(request), None

    def card(item) -> Markup:
        nonlocal macros
        key = (slug, language, view.language, repr(item))  # the repr holds every field the card shows
        html = kept.get(key)
        if html is None:
            if macros is None:
                context = web.page_context(request, slug=slug, lang=view.language)
                macros = web.templates.get_template("_macros.html").make_module(context)
            html = str(macros.item_card(item, slug, request.app.state.csrf, view.language))
            kept.put(key, html)
        return Markup(html)
    return card


def transcript_chapters(request: Request, view: RecordingView, slug: str) -> dict[int, Markup]:
    """Each chapter's part of the transcript column, rendered only when something in it changed: an
    editor's action touches one chapter at most, and the column is most of a long lecture's page."""
    kept, language = fragments(request, "chapters", KEEP_CHAPTERS), web.ui_language(request)
    context, found = None, {}
    for ch in view.chapters:
        key = (slug, language, view.language, chapter_signature(ch, start_choices(view, ch.index)))
        html = kept.get(key)
        if html is None:
            context = context or web.page_context(request, view=view, slug=slug, lang=view.language,
                                                  flag_labels=FLAG_LABELS, start_choices=start_choices,
                                                  edit_waiting=edit_waiting)
            html = web.templates.get_template("_transcript_chapter.html").render({**context, "ch": ch})
            kept.put(key, html)
        found[ch.index] = Markup(html)
    return found


@router.get("/r/{slug}/media")
def media(request: Request, slug: str):

    paths = request.app.state.paths
    return media_response(paths, known_slug(paths, slug))


@router.get("/r/{slug}/export.{fmt}")
def export_file(request: Request, slug: str, fmt: str, allow: str = ""):
    """The reviewed page or subtitles as a download; refused, like `pipeline export`, while a chapter has
    unchecked untranscribed speech or a page section has nothing approved (`?allow=1`: export anyway)."""
    if fmt not in EXPORT_TYPES:
        raise HTTPException(404, web.Refusal("no export format %(fmt)s; use md, html, srt or vtt", fmt=repr(fmt)))
    view = view_of(request, slug)
    if allow != "1":
        gaps = gap_problems(view)
        empty = section_problems(view) if fmt in ("md", "html") else []
        if gaps or empty:
            response = web.html(request, "export_refused.html", slug=slug, fmt=fmt, gaps=gaps, empty=empty,
                                lang=view.language, title=view.recording.title)
            response.status_code = 409
            return response
    text = export_text(request.app.state.paths, slug, fmt)
    name = f"{slug}.{fmt}"
    return Response(text, media_type=EXPORT_TYPES[fmt],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/r/{slug}/state.json")
def state(request: Request, slug: str):
    """The recording's review state as data: every draft item and every corrected sentence."""
    view = view_of(request, slug)
    items = [{"kind": i.kind, "id": i.item_id, "state": i.state, "text": i.text, "machine_text": i.machine_text,
              "version": i.version, "start": i.start, "end": i.end,
              "editor": i.stored.editor if i.stored else "", "updated_at": i.stored.updated_at if i.stored else ""}
             for i in view.items()]
    sentences = [{"id": s.id, "text": s.text, "machine_text": s.machine_text, "corrected": s.corrected,
                  "stale": s.stale_edit is not None, "version": s.version, "start": s.start, "end": s.end,
                  "flags": s.flags, "unsure": [t.strip() for t, p in s.parts or [] if p is not None]}
                 for ch in view.chapters for s in ch.sentences]
    gaps = [{"id": g.item_id, "start": g.start, "end": g.end, "text": g.text, "state": g.state, "checked": g.accepted,
             "version": g.version, "reason": g.extra.get("reason", ""),
             "chapters": [ch.index for ch in view.chapters if g in ch.gaps]} for g in view.gaps]
    return JSONResponse({"slug": slug, "counts": view.counts(), "items": items, "sentences": sentences,
                         "gaps": gaps, "damage": view.damage})


MEDIA_TYPES = ("audio/", "video/")
# Containers the pipeline extracts from, where the platform's table may not know them.
for _suffix, _kind in {".m4a": "audio/mp4", ".opus": "audio/ogg", ".oga": "audio/ogg", ".flac": "audio/flac",
                       ".wav": "audio/wav", ".mkv": "video/x-matroska", ".webm": "video/webm", ".mp3": "audio/mpeg",
                       ".ogg": "audio/ogg", ".mp4": "video/mp4", ".mov": "video/quicktime", ".aac": "audio/aac",
                       ".wma": "audio/x-ms-wma", ".avi": "video/x-msvideo"}.items():
    mimetypes.add_type(_kind, _suffix)


def media_response(paths: DataPaths, slug: str) -> Response:
    """The recording's media with HTTP range support: only audio/video files inside the data folder.

    Anything else is refused: served inline from the app's origin, an HTML or JS "media" file
    would run as the app itself.
    """
    recording = load_recording(paths, slug)
    path = media_path(paths, recording)
    root = paths.root.resolve()
    if root not in path.parents or not path.is_file():
        return PlainTextResponse("media file not found", status_code=404)
    kind = mimetypes.guess_type(path.name)[0] or ""
    if not kind.startswith(MEDIA_TYPES):
        return PlainTextResponse("not an audio or video file", status_code=415)
    return FileResponse(path, media_type=kind, filename=path.name, content_disposition_type="inline",
                        headers={"X-Content-Type-Options": "nosniff"})
