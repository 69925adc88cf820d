"""State-changing routes of the review app (all POST with a CSRF token, all recorded in history)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request

from pipeline.editorial.approvals import approve_chapter, decide
from pipeline.editorial.changes import VERBS
from pipeline.editorial.chapter_changes import edit_chapter
from pipeline.editorial.corrections import Rule, normalize
from pipeline.editorial.records import check_editor
from pipeline.editorial.store import ReviewStore
from pipeline.review import i18n, web
from pipeline.review.pages import known_slug, view_of
from pipeline.review.selection import selection_times

router = APIRouter()
# SQLite integers are 64-bit: a larger id would crash the query (500) instead of being refused (422).
MAX_ID = 2**63 - 1


def _store(request: Request) -> ReviewStore:
    return request.app.state.store


@router.post("/r/{slug}/items/{kind}/{item_id}")
def change_item(request: Request, slug: str, kind: str, item_id: str, action: str = Form(...),
                version: int = Form(..., ge=0, le=MAX_ID), editor: str = Form(""), text: str | None = Form(None),
                seen: str | None = Form(None), csrf: str = Form("")):
    """Approve, edit, reject or reopen a draft item, made on the version (and for approve, the text) seen."""
    web.check_csrf(request, csrf)
    view = view_of(request, slug)
    item = view.find(kind, item_id)
    _ = web.translate(request)
    if item is None:
        raise HTTPException(404, _("no %(kind)s %(id)s in this recording; reload the page", kind=kind, id=item_id))
    saved = decide(_store(request), view, item, action, editor=editor, version=version, seen=seen, text=text)
    # A gap is listened to, not approved: say what the editor did in those words.
    status = {"approved": "checked", "open": "not checked"}.get(saved.status) if kind == "gap" else saved.status
    return web.done(request, f"/r/{slug}#{item.dom_id}",
                    {"message": _("%(what)s: %(status)s", what=_(item.label), status=_(status or saved.status)),
                     "item": saved.to_json()})


@router.post("/r/{slug}/chapters/{chapter_index}/approve")
def approve_chapter_items(request: Request, slug: str, chapter_index: int = Path(ge=0, le=10_000),
                          seen: Annotated[list[str] | None, Form()] = None, editor: str = Form(""),
                          csrf: str = Form("")):
    """Approve the chapter's open and edited items that are unchanged since the page showed them."""
    web.check_csrf(request, csrf)
    check_editor(editor)  # before anything, so a nameless request changes nothing
    view = view_of(request, slug)
    result = approve_chapter(_store(request), view, chapter_index, seen or [], editor)
    _ = web.translate(request)
    message = _("%(n)s approved", n=len(result.approved))
    if result.skipped:
        message += "; " + _("%(n)s not approved (changed since you loaded the page): read them first",
                            n=len(result.skipped))
    return web.done(request, f"/r/{slug}#drafts", {
        "message": message, "approved": [s.to_json() for s in result.approved],
        "skipped": [{"kind": i.kind, "id": i.item_id, "text": i.text, "reason": _(why)} for i, why in result.skipped]})


@router.post("/r/{slug}/chapters/{chapter_index}/edit")
def change_chapter(request: Request, slug: str, chapter_index: int = Path(ge=0, le=10_000), title: str = Form(""),
                   start: str = Form(""), version: int = Form(..., ge=0, le=MAX_ID), editor: str = Form(""),
                   csrf: str = Form("")):
    """Rename a chapter and/or start it at a transcript sentence (applied by the chapters stage's next run)."""
    web.check_csrf(request, csrf)
    check_editor(editor)
    saved = edit_chapter(_store(request), view_of(request, slug), chapter_index, title=title,
                         start_sentence=start.strip(), editor=editor, version=version)
    return web.done(request, f"/r/{slug}#chapter-{chapter_index}",
                    {"message": web.translate(request)(i18n.CHAPTER_SAVED), "item": saved.to_json()})


@router.post("/r/{slug}/sentences/{sentence_id}")
def correct_sentence(request: Request, slug: str, sentence_id: str, text: str = Form(...),
                     version: int = Form(..., ge=0, le=MAX_ID), editor: str = Form(""), csrf: str = Form("")):
    """Store the editor's text for one transcript sentence."""
    web.check_csrf(request, csrf)
    sentence = view_of(request, slug).sentence(sentence_id)
    if sentence is None:
        raise HTTPException(404, web.translate(request)("no %(kind)s %(id)s in this recording; reload the page",
                                                        kind="sentence", id=sentence_id))
    saved = _store(request).correct_sentence(slug, sentence_id, source_text=sentence.machine_text, text=text,
                                             editor=editor, expected_version=version)
    return web.done(request, f"/r/{slug}#sent-{sentence_id}",
                    {"message": web.translate(request)("sentence corrected"), "item": saved.to_json()})


@router.post("/r/{slug}/quotes")
def add_quote(request: Request, slug: str, text: str = Form(...), first: str = Form(...),
              last: str = Form(...), start_offset: int = Form(0, ge=0, le=MAX_ID),
              end_offset: int = Form(-1, ge=-1, le=MAX_ID),
              editor: str = Form(""), csrf: str = Form("")):
    """Add a quote selected in the transcript: verbatim, with the selection's timestamps."""
    web.check_csrf(request, csrf)
    view = view_of(request, slug)
    sentences = [s for ch in view.chapters for s in ch.sentences]
    ids = [s.id for s in sentences]
    if first not in ids or last not in ids or ids.index(last) < ids.index(first):
        raise HTTPException(404, "the selection's sentences are not in this recording; reload the page")
    span = sentences[ids.index(first):ids.index(last) + 1]
    quote = normalize(text)
    if not quote or quote not in normalize(" ".join(s.text for s in span)):
        raise HTTPException(422, "a quote must be verbatim: select the words in the transcript")
    start, end = selection_times(request.app.state.paths, slug, span, start_offset, end_offset)
    data = {"start": start, "end": end, "chapter_index": span[0].chapter_index,
            "sentence_ids": [s.id for s in span]}
    saved = _store(request).add_item(slug, "quote", quote, data, editor)
    return web.done(request, f"/r/{slug}#item-quote-{saved.item_id}",
                    {"message": web.translate(request)("quote added"), "item": saved.to_json()})


@router.post("/r/{slug}/rules")
def add_rule(request: Request, slug: str, find: str = Form(...), replace: str = Form(""),
             whole_word: str = Form(""), editor: str = Form(""), csrf: str = Form("")):
    """Add a find-and-replace rule for the whole recording; reports how many sentences it changes."""
    web.check_csrf(request, csrf)
    view = view_of(request, slug)
    pattern = Rule(find.strip() or " ", replace, whole_word=bool(whole_word)).pattern()
    hits = sum(1 for ch in view.chapters for s in ch.sentences if pattern.search(s.text))
    rule = _store(request).add_rule(slug, find, replace, editor, whole_word=bool(whole_word))
    message = web.translate(request)("replacing \u201c%(find)s\u201d with \u201c%(replace)s\u201d in %(n)s sentence(s)",
                                      find=rule.find, replace=rule.replace, n=hits)
    return web.done(request, f"/r/{slug}#tools", {"message": message, "hits": hits})


@router.post("/r/{slug}/rules/{rule_id}/remove")
def remove_rule(request: Request, slug: str, rule_id: int = Path(ge=1, le=MAX_ID),
                version: int = Form(..., ge=0, le=MAX_ID), editor: str = Form(""),
                csrf: str = Form("")):
    web.check_csrf(request, csrf)
    known_slug(request.app.state.paths, slug)
    _store(request).remove_rule(slug, rule_id, editor, version)
    return web.done(request, f"/r/{slug}#tools", {"message": web.translate(request)("rule removed")})


@router.post("/glossary")
def add_term(request: Request, term: str = Form(...), note: str = Form(""), editor: str = Form(""),
             back: str = Form(""), csrf: str = Form("")):
    """Add a name or term to the project glossary (also handed to Whisper for new recordings)."""
    web.check_csrf(request, csrf)
    saved = _store(request).add_term(term, editor, note)
    return web.done(request, _back(request, back),
                    {"message": web.translate(request)("\u201c%(term)s\u201d added to the glossary", term=saved.term)})


@router.post("/glossary/remove")
def remove_term(request: Request, term: str = Form(...), editor: str = Form(""), back: str = Form(""),
                csrf: str = Form("")):
    web.check_csrf(request, csrf)
    _store(request).remove_term(term, editor)
    return web.done(request, _back(request, back),
                    {"message": web.translate(request)("\u201c%(term)s\u201d removed from the glossary", term=term)})


@router.post("/r/{slug}/undo/{entry_id}")
def undo(request: Request, slug: str, entry_id: int = Path(ge=1, le=MAX_ID), editor: str = Form(""), csrf: str = Form("")):
    """Undo one change of the history (refused when the same thing changed again since)."""
    web.check_csrf(request, csrf)
    known_slug(request.app.state.paths, slug)
    entry = _store(request).undo(slug, entry_id, editor)
    _ = web.translate(request)
    return web.done(request, f"/r/{slug}#history", {"message": _("undone: %(what)s", what=_(VERBS.get(entry.action[5:], entry.action[5:])))})


def _back(request: Request, slug: str) -> str:
    """Where a plain form post returns: the recording page it came from, else the list."""
    try:
        return f"/r/{known_slug(request.app.state.paths, slug)}#tools"
    except HTTPException:
        return "/"
