"""Editors' speaker edits in review.sqlite: rename a speaker, merge two, split a time range off.

Each edit is one row of `items` (kind 'speaker_edit', id 'edit-0001', … in the order made, status
'edited', data = SpeakerEdit.to_data()) written through the store's versioned set_item, so history
and undo work as for every other edit (an undone edit is back to 'open' and no longer counts). The
rows live under the store key '<slug>#speakers' (a slug can never contain '#'): they are a layer on
speakers.json, not draft items, so the drafts column and its "kept from earlier versions" list never
show them. The pipeline reads them read-only (speaker_edits, speaker_edits_digest) and the speakers
stage applies them (speaker_apply.apply_speaker_edits); until it has, the app applies them at read
time. Edits are anchored by time, so they survive re-processing that renumbers the voices.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.artifacts.speakers import Speakers, optional_speakers
from pipeline.core.config import DataPaths
from pipeline.core.errors import ReviewError
from pipeline.core.timecode import format_clock
from pipeline.editorial.records import ItemState
from pipeline.editorial.speaker_apply import (  # noqa: F401  (re-exported: the edits' public API)
    SpeakerEdit,
    anchors_of,
    apply_speaker_edits,
    edit_pending,
    edits_digest,
    machine_speakers,
)
from pipeline.editorial.store import ConflictError, ReadOnlyStore, ReviewStore

log = logging.getLogger(__name__)

SPEAKER_EDIT_KIND = "speaker_edit"
MAX_NAME = 100
TRIES = 5  # a new edit's id is taken by another editor at the same moment: take the next one
# Refusals (HTTP 422 in the app), fixed texts so the app can translate them (review catalogue).
NO_SPEAKER = "that speaker is not in this recording; reload the page"
NO_NAME = "a speaker needs a name"
LONG_NAME = f"a speaker's name is at most {MAX_NAME} characters"
SAME_NAME = "nothing changed: type another name"
NOT_YET = "no speakers yet: run the pipeline's speakers stage first"
SAME_SPEAKER = "choose two different speakers to merge"
BAD_RANGE = "a split needs a time range inside the recording, its start before its end"
NOTHING_TO_SPLIT = "nothing to split: no other speaker speaks in that time range"
NO_EDIT = "that speaker change is not in the list; reload the page"
REFUSALS = (NO_SPEAKER, NO_NAME, LONG_NAME, SAME_NAME, NOT_YET, SAME_SPEAKER, BAD_RANGE, NOTHING_TO_SPLIT, NO_EDIT)


def store_key(slug: str) -> str:
    """The review store's slug for a recording's speaker edits."""
    return f"{slug}#speakers"


def edits_in_force(rows: dict[tuple[str, str], ItemState]) -> list[SpeakerEdit]:
    """The stored edits that count (not undone), in the order they were made."""
    edits = []
    for (kind, item_id), row in sorted(rows.items()):
        if kind != SPEAKER_EDIT_KIND or row.status != "edited":
            continue
        try:
            edits.append(SpeakerEdit.from_data(row.data, item_id))
        except (ValueError, TypeError) as exc:
            log.warning("%s: speaker edit %s unreadable (%s); ignored", row.slug, item_id, exc)
    return edits


def speaker_edits(paths: DataPaths, slug: str) -> list[SpeakerEdit]:
    """A recording's speaker edits, read-only ([] without a review database)."""
    return edits_in_force(ReadOnlyStore(paths.review_db).items(store_key(slug)))


def speaker_edits_digest(paths: DataPaths, slug: str) -> str:
    """sha256 of a recording's speaker edits ('' when there are none): the speakers stage's params."""
    return edits_digest(speaker_edits(paths, slug))


@dataclass
class SpeakerView:
    """What the review app shows: speakers.json with the editors' edits applied."""

    speakers: Speakers | None
    edits: list[SpeakerEdit]
    rows: list[ItemState]  # every edit row, undone ones included, newest first
    pending: bool          # edits the pipeline has not applied to speakers.json yet


def speaker_view(paths: DataPaths, store: ReviewStore, slug: str, work_dir: Path | None = None) -> SpeakerView:
    """speakers.json (if the speakers stage ran) with the stored edits applied at read time."""
    machine = optional_speakers((work_dir or paths.work_dir(slug)) / "speakers.json")
    stored = store.items(store_key(slug))
    edits = edits_in_force(stored)
    rows = sorted((r for (k, _), r in stored.items() if k == SPEAKER_EDIT_KIND), key=lambda r: r.item_id,
                  reverse=True)
    if machine is None:
        return SpeakerView(None, edits, rows, bool(edits))
    return SpeakerView(apply_speaker_edits(machine, edits), edits, rows, edit_pending(machine, edits))


def _entry(speakers: Speakers, speaker_id: str):
    entry = next((e for e in speakers.speakers if e.id == speaker_id), None)
    if entry is None:
        raise ReviewError(NO_SPEAKER)
    return entry


def clean_name(name: str) -> str:
    """A speaker's name as typed, whitespace collapsed; refused when empty or too long."""
    name = " ".join("".join(c if c.isprintable() else " " for c in (name or "")).split())
    if not name:
        raise ReviewError(NO_NAME)
    if len(name) > MAX_NAME:
        raise ReviewError(LONG_NAME)
    return name


def _shown(view: SpeakerView) -> Speakers:
    if view.speakers is None:
        raise ReviewError(NOT_YET)
    return view.speakers


def rename(store: ReviewStore, view: SpeakerView, slug: str, speaker_id: str, name: str, editor: str) -> ItemState:
    """Store 'speaker `speaker_id` is called `name`' (anchored at its longest turns)."""
    speakers = _shown(view)
    entry, name = _entry(speakers, speaker_id), clean_name(name)
    if entry.name == name:
        raise ReviewError(SAME_NAME)
    edit = SpeakerEdit("rename", at=anchors_of(speakers, speaker_id), name=name, speaker=speaker_id)
    return _save(store, slug, edit, f"{entry.label} \u2192 {name}", editor)


def merge(store: ReviewStore, view: SpeakerView, slug: str, source: str, target: str, editor: str) -> ItemState:
    """Store 'speaker `source` is the same voice as `target`' (source's turns go to target)."""
    speakers = _shown(view)
    gone, kept = _entry(speakers, source), _entry(speakers, target)
    if source == target:
        raise ReviewError(SAME_SPEAKER)
    edit = SpeakerEdit("merge", at=anchors_of(speakers, source), into=anchors_of(speakers, target),
                       speaker=source, target=target)
    return _save(store, slug, edit, f"{gone.label} + {kept.label} \u2192 {kept.label}", editor)


def split(store: ReviewStore, view: SpeakerView, slug: str, start: float, end: float, target: str, name: str,
          editor: str) -> ItemState:
    """Store 'the speech in [start, end) is `target`'s' (target '' = a new speaker, called `name` if given)."""
    speakers = _shown(view)
    if not (math.isfinite(start) and math.isfinite(end)) or not 0 <= start < end <= speakers.duration + 0.5:
        raise ReviewError(BAD_RANGE)
    start, end = round(start, 3), round(end, 3)
    into = _entry(speakers, target) if target else None
    name = clean_name(name) if name and name.strip() and into is None else ""
    if not any(t.end > start and t.start < end and t.speaker != target for t in speakers.turns):
        raise ReviewError(NOTHING_TO_SPLIT)
    edit = SpeakerEdit("split", into=anchors_of(speakers, target) if target else (), name=name, start=start, end=end,
                       target=target)
    after = apply_speaker_edits(speakers, view.edits + [edit])
    label = into.label if into else next((e.label for e in after.speakers if e.id not in
                                          {s.id for s in speakers.speakers}), name or "?")
    return _save(store, slug, edit, f"{format_clock(start)}\u2013{format_clock(end)} \u2192 {label}", editor)


def _save(store: ReviewStore, slug: str, edit: SpeakerEdit, description: str, editor: str) -> ItemState:
    key = store_key(slug)
    taken = [item_id for kind, item_id in store.items(key) if kind == SPEAKER_EDIT_KIND]
    number = 1 + max((int(i.rsplit("-", 1)[-1]) for i in taken if i.rsplit("-", 1)[-1].isdigit()), default=0)
    for attempt in range(TRIES):
        try:
            return store.set_item(key, SPEAKER_EDIT_KIND, f"edit-{number + attempt:04d}", "edit",
                                  source_text=description, editor=editor, expected_version=0, text=description,
                                  data=edit.to_data())
        except ConflictError:
            if attempt == TRIES - 1:
                raise
    raise AssertionError("unreachable")


def undo(store: ReviewStore, slug: str, item_id: str, editor: str):
    """Undo one speaker edit (its latest change in the history)."""
    key = store_key(slug)
    entry = next((e for e in store.history(key, 500) if e.slug == key and e.key == [key, SPEAKER_EDIT_KIND, item_id]
                  and not e.undone_by and not e.action.startswith("undo")), None)
    if entry is None:
        raise ReviewError(NO_EDIT)
    return store.undo(key, entry.id, editor)
