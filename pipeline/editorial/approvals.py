"""Decisions that mean what they say: an approval names the exact text the editor saw.

The page sends the shown text with every approval ('seen'). If the pipeline re-ran, a rule
changed the wording, or another editor edited the item after the page was loaded, the text now
differs and the approval is refused (TextChangedError, 409) with both texts, instead of being
recorded against words nobody read. Bulk approval of a chapter works the same way: the page
sends a fingerprint of each item as shown, and only items still unchanged are approved.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pipeline.editorial.corrections import normalize
from pipeline.editorial.records import ConflictError, ItemState, refused
from pipeline.editorial.reviewed import RecordingView, ReviewItem
from pipeline.editorial.store import ReviewStore

APPROVAL_REFUSED = ("Not approved: the text changed since you loaded the page. You saw: \u201c%(seen)s\u201d. "
                    "It now reads: \u201c%(now)s\u201d. Read the new text and approve again.")


class TextChangedError(ConflictError):
    """The item's text is no longer what the editor saw: `seen` and `current['text']` differ."""

    def __init__(self, item: ReviewItem, seen: str):
        values = {"seen": normalize(seen), "now": normalize(item.text)}
        super().__init__(APPROVAL_REFUSED % values, {"text": item.text, "state": item.state, "version": item.version})
        self.seen = seen
        self.msgid, self.values = APPROVAL_REFUSED, values


def fingerprint(item: ReviewItem) -> str:
    """'kind/id/version/digest' of an item as shown; what a bulk approval is made on."""
    digest = hashlib.sha256(normalize(item.text).encode()).hexdigest()[:16]
    return f"{item.kind}/{item.item_id}/{item.version}/{digest}"


def decision_source(view: RecordingView, item: ReviewItem) -> str:
    """The machine text a decision is recorded on.

    On a stale item that is the machine text as it is now (the editor decides on the new text);
    on an editor-added or orphaned item, the text it was stored with (there is no machine text).
    """
    if item.stored and (item.extra.get("added") or any(o is item for o in view.orphans)):
        return item.stored.source_text
    return item.machine_text


def decide(store: ReviewStore, view: RecordingView, item: ReviewItem, action: str, *, editor: str,
           version: int, seen: str | None = None, text: str | None = None) -> ItemState:
    """Approve, edit, reject or reopen one item; an approval must carry the text the editor saw."""
    if action == "approve":
        if seen is None:
            raise refused("an approval must include the text you saw (field 'seen'); reload the page")
        # Checked before the version, so the refusal can show both texts whatever changed them.
        if normalize(seen) != normalize(item.text):
            raise TextChangedError(item, seen)
    return store.set_item(view.recording.slug, item.kind, item.item_id, action,
                          source_text=decision_source(view, item), editor=editor, expected_version=version,
                          text=text)


def chapter_items(view: RecordingView, chapter_index: int) -> list[ReviewItem]:
    """A chapter's draft items: summary sentences, keyphrases, quotes, and its questions and answers."""
    chapter = next((ch for ch in view.chapters if ch.index == chapter_index), None)
    if chapter is None:
        raise refused("no chapter %(n)s in this recording; reload the page", n=chapter_index)
    items = chapter.summary + ([chapter.keyphrases] if chapter.keyphrases else []) + chapter.quotes
    for question, answer in view.questions:
        if question.chapter_index == chapter_index:
            items += [question] + ([answer] if answer else [])
    return items


@dataclass
class BulkResult:
    """What a bulk approval did: approved items and skipped ones with the reason."""

    approved: list[ItemState] = field(default_factory=list)
    skipped: list[tuple[ReviewItem, str]] = field(default_factory=list)


def approve_chapter(store: ReviewStore, view: RecordingView, chapter_index: int, seen: list[str],
                    editor: str) -> BulkResult:
    """Approve the chapter's pending items (open or edited) that are unchanged since the page showed them.

    `seen` holds fingerprint() of each item as the page showed it. Stale items are never bulk
    approved (their source changed: someone must read the diff), nor items the page did not show.
    """
    shown = set(seen)
    shown_keys = {value.rsplit("/", 2)[0] for value in shown}
    result = BulkResult()
    for item in chapter_items(view, chapter_index):
        was_shown = f"{item.kind}/{item.item_id}" in shown_keys
        if not item.pending:
            if was_shown and item.state == "stale":  # went stale since: reading the diff comes first
                result.skipped.append((item, "its source changed since you loaded the page"))
            continue
        if fingerprint(item) not in shown:
            result.skipped.append((item, "changed since you loaded the page"))
            continue
        try:
            result.approved.append(decide(store, view, item, "approve", editor=editor, version=item.version,
                                          seen=item.text))
        except ConflictError:  # another editor saved it a moment ago
            result.skipped.append((item, "changed by another editor just now"))
    return result
