"""Editors' chapter changes in the review app: rename a chapter, move its start to a transcript sentence.

Stored in review.sqlite as items of kind 'chapter', id 'chapter-<index>' (the index in chapters.json),
status 'edited', text the title and data {title, start, sentence}: through the store's versioned
set_item, so conflicts, history and undo work as for every other edit. The pipeline reads them
read-only (editorial/corrections.chapter_edits) and the chapters stage applies them on its next run;
until then the app shows the edit as waiting for that run.
"""
from __future__ import annotations

from typing import Any

from pipeline.editorial.corrections import CHAPTER_KIND, chapter_item_id
from pipeline.editorial.records import ItemState, refused
from pipeline.editorial.store import ReviewStore

NEAR = 6  # sentences either side of a chapter's start offered as its new start
MAX_TITLE = 200


def chapter_edit(decisions: dict[tuple[str, str], ItemState], index: int) -> ItemState | None:
    """The stored chapter edit in force (an undone one is back to 'open': None)."""
    stored = decisions.get((CHAPTER_KIND, chapter_item_id(index)))
    return stored if stored and stored.status == "edited" else None


def pending(edit: ItemState | None, title: str, start: float) -> bool:
    """Does the edit still wait for the pipeline (the chapters shown do not have it yet)?"""
    if edit is None:
        return False
    want = edit.data.get("start")
    return edit.data.get("title") != title or (want is not None and abs(float(want) - start) > 0.0015)


def start_choices(view, index: int) -> list[Any]:
    """Sentences near chapter `index`'s start that it may start at: the previous chapter's last ones
    and this chapter's first ones (none for chapter 0, which starts the recording)."""
    if index <= 0:
        return []
    chapters = {ch.index: ch for ch in view.chapters}
    here, before = chapters.get(index), chapters.get(index - 1)
    if here is None:
        return []
    return (before.sentences[-NEAR:] if before else []) + here.sentences[:NEAR]


def edit_chapter(store: ReviewStore, view, index: int, *, title: str, start_sentence: str, editor: str,
                 version: int) -> ItemState:
    """Store the editor's title and (optionally) new start sentence of chapter `index`.

    `version` is the edit's version the editor saw (0: none); a later save by someone else is refused
    with ConflictError. The start must lie after the previous chapter's start and before the next's."""
    chapters = {ch.index: ch for ch in view.chapters}
    chapter = chapters.get(index)
    if chapter is None:
        raise refused("no chapter %(n)s in this recording; reload the page", n=index + 1)
    title = " ".join((title or "").split())
    if not title:
        raise refused("a chapter needs a title")
    if len(title) > MAX_TITLE:
        raise refused("a chapter title is at most %(n)s characters", n=MAX_TITLE)
    stored = store.item(view.recording.slug, CHAPTER_KIND, chapter_item_id(index))
    current = stored.data if stored and stored.status == "edited" else {}
    start, sentence_id = current.get("start"), current.get("sentence")
    if start_sentence and start_sentence != sentence_id:
        sentence = view.sentence(start_sentence)
        if sentence is None:
            raise refused("that sentence is not in this recording; reload the page")
        if index == 0:
            raise refused("the first chapter always starts at the beginning of the recording")
        after = chapters.get(index - 1)
        upto = chapters.get(index + 1)
        if (after and sentence.start <= after.start) or (upto and sentence.start >= upto.start):
            raise refused("a chapter must start after the previous chapter's start and before the next one's")
        start, sentence_id = round(sentence.start, 3), sentence.id
    if title == chapter.title and (start is None or abs(start - chapter.start) < 0.0015) and not current:
        raise refused("nothing changed: type a new title or choose another start")
    data = {"title": title, "start": start, "sentence": sentence_id}
    return store.set_item(view.recording.slug, CHAPTER_KIND, chapter_item_id(index), "edit",
                          source_text=f"{chapter.title} @ {chapter.start:.3f}", editor=editor,
                          expected_version=version, text=title, data=data)
