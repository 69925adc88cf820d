"""The speaker lane of the recording page: who speaks when, and the editors' rename, merge and split.

Changes are POST with the CSRF token like every other change (pipeline/review/actions.py), stored by
pipeline/editorial/speaker_edits.py and shown at once (applied at read time) until the speakers stage
applies them on the pipeline's next run. The lane template (_speaker_lane.html) gets its data from the
`speaker_lane` template function registered here, so the recording page needs only its include line.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from pipeline.core.errors import ReviewError
from pipeline.core.timecode import format_clock, parse_hms
from pipeline.editorial import speaker_edits
from pipeline.editorial.records import check_editor
from pipeline.editorial.speaker_edits import SpeakerView, speaker_view
from pipeline.editorial.store import ConflictError
from pipeline.review import web
from pipeline.review.pages import known_slug

router = APIRouter()

# Colour-blind-safe (Okabe-Ito, darkened for contrast on white); audience voices are grey.
PALETTE = ("#0072b2", "#c85200", "#007a5a", "#a9478a", "#8f6a00", "#3a86c8", "#5e3c99", "#b8336a")
AUDIENCE_COLOUR = "#7b8794"
WIDTH = 1000  # the lane's viewBox width, as the chapter timeline's

RENAMED = "speaker renamed: the pipeline applies it on its next run (nothing is re-transcribed)"
MERGED = "speakers merged: the pipeline applies it on its next run (nothing is re-transcribed)"
SPLIT = "time range given to another speaker: the pipeline applies it on its next run (nothing is re-transcribed)"
UNDONE = "speaker change undone"
MESSAGES = (RENAMED, MERGED, SPLIT, UNDONE, "not a time: use seconds or M:SS") + speaker_edits.REFUSALS


@dataclass
class LaneSpeaker:
    """One speaker in the legend: its entry, colour, speech time and first turn."""

    id: str
    label: str
    colour: str
    seconds: float
    first: float
    editor_named: bool
    audience: bool


@dataclass
class Lane:
    """What _speaker_lane.html draws."""

    speakers: list[LaneSpeaker] = field(default_factory=list)
    # x, w, start, end, colour, label, y, height: a voice heard over another one's turn (overlapped speech,
    # or the other channel of a stereo recording) is drawn in the lower half of the lane
    turns: list[tuple[float, float, float, float, str, str, int, int]] = field(default_factory=list)
    view: SpeakerView | None = None
    summary: str = ""
    not_applied: set[str] = field(default_factory=set)  # edits whose voice is gone (after re-processing)


def build_lane(view: SpeakerView, duration: float) -> Lane:
    """Legend and rectangles of the lane (x and width in viewBox units of WIDTH)."""
    lane = Lane(view=view)
    if view.speakers is None:
        return lane
    duration = max(duration, view.speakers.duration, max((t.end for t in view.speakers.turns), default=0.0), 1e-6)
    firsts: dict[str, float] = {}
    for t in view.speakers.turns:
        firsts.setdefault(t.speaker, t.start)
    presenters = 0
    for entry in view.speakers.speakers:
        audience = entry.role == "audience"
        colour = AUDIENCE_COLOUR if audience else PALETTE[presenters % len(PALETTE)]
        presenters += not audience
        lane.speakers.append(LaneSpeaker(entry.id, entry.label or entry.name or entry.id, colour, entry.seconds,
                                         firsts.get(entry.id, 0.0), entry.name_source == "editor", audience))
    by_id = {s.id: s for s in lane.speakers}
    scale = WIDTH / duration
    covered = -1.0  # end of the full-height turns drawn so far
    for t in sorted(view.speakers.turns, key=lambda t: (t.start, -t.end)):
        s = by_id.get(t.speaker)
        if s is None:
            continue
        over = t.start < covered - 1e-6
        if not over:
            covered = t.end
        lane.turns.append((round(t.start * scale, 2), round(max((t.end - t.start) * scale, 1.0), 2),
                           t.start, t.end, s.colour, s.label, 7 if over else 1, 6 if over else 12))
    layer = view.speakers.info.get("editor")
    lane.not_applied = set(layer.get("not_applied", [])) if isinstance(layer, dict) else set()
    lane.summary = ", ".join(f"{s.label} {format_clock(s.seconds)}" for s in lane.speakers)
    return lane


def speaker_lane(request: Request, slug: str, duration: float = 0.0) -> Lane:
    """The lane of one recording, for the recording page's template."""
    paths = request.app.state.paths
    return build_lane(speaker_view(paths, request.app.state.store, slug), duration)


web.templates.env.globals["speaker_lane"] = speaker_lane


def _view(request: Request, slug: str) -> SpeakerView:
    paths = request.app.state.paths
    return speaker_view(paths, request.app.state.store, known_slug(paths, slug))


@contextlib.contextmanager
def _refusals(request: Request) -> Iterator[None]:
    """A refused change as HTTP 422 in the editor's interface language (a conflict stays a 409)."""
    try:
        yield
    except ConflictError:
        raise
    except ReviewError as exc:
        raise HTTPException(422, web.translate(request)(str(exc))) from exc


def _seconds(text: str) -> float:
    try:
        value = parse_hms(text)
    except ValueError as exc:
        raise ReviewError("not a time: use seconds or M:SS") from exc
    if not math.isfinite(value):
        raise ReviewError("not a time: use seconds or M:SS")
    return value


def _done(request: Request, slug: str, message: str, saved: Any) -> Any:
    return web.done(request, f"/r/{slug}#speaker-lane",
                    {"message": web.translate(request)(message), "item": saved.to_json()})


@router.get("/r/{slug}/speakers.json")
def speakers_state(request: Request, slug: str):
    """The speakers as the lane shows them (editors' edits applied), the edits, and whether they wait."""
    view = _view(request, slug)
    speakers = view.speakers
    return JSONResponse({
        "slug": slug, "pending": view.pending,
        "speakers": [{"id": e.id, "name": e.name, "label": e.label, "seconds": e.seconds,
                      "name_source": e.name_source, "role": e.role} for e in (speakers.speakers if speakers else [])],
        "turns": [[t.start, t.end, t.speaker] for t in (speakers.turns if speakers else [])],
        "edits": [{"id": r.item_id, "text": r.text, "status": r.status, "editor": r.editor, "version": r.version,
                   "data": r.data} for r in view.rows]})


def _edit(request: Request, slug: str, editor: str, csrf: str, message: str, change: Callable[..., Any]) -> Any:
    """One speaker change: CSRF and editor checked, `change(store, view)` stored, refusals as 422."""
    web.check_csrf(request, csrf)
    with _refusals(request):
        check_editor(editor)
        saved = change(request.app.state.store, _view(request, slug))
    return _done(request, slug, message, saved)


@router.post("/r/{slug}/speakers/rename")
def rename_speaker(request: Request, slug: str, speaker: str = Form(..., max_length=80),
                   name: str = Form(..., max_length=1000), editor: str = Form(""), csrf: str = Form("")):
    """Give a speaker the editor's name."""
    return _edit(request, slug, editor, csrf, RENAMED,
                 lambda store, view: speaker_edits.rename(store, view, slug, speaker, name, editor))


@router.post("/r/{slug}/speakers/merge")
def merge_speakers(request: Request, slug: str, source: str = Form(..., max_length=80),
                   target: str = Form(..., max_length=80), editor: str = Form(""), csrf: str = Form("")):
    """Merge speaker `source` into `target` (one voice found twice)."""
    return _edit(request, slug, editor, csrf, MERGED,
                 lambda store, view: speaker_edits.merge(store, view, slug, source, target, editor))


@router.post("/r/{slug}/speakers/split")
def split_speaker(request: Request, slug: str, start: str = Form(..., max_length=40), end: str = Form(..., max_length=40),
                  target: str = Form("", max_length=80), name: str = Form("", max_length=1000),
                  editor: str = Form(""), csrf: str = Form("")):
    """Give the speech in [start, end) to another speaker, or to a new one (`target` empty)."""
    return _edit(request, slug, editor, csrf, SPLIT,
                 lambda store, view: speaker_edits.split(store, view, slug, _seconds(start), _seconds(end),
                                                         target, name, editor))


@router.post("/r/{slug}/speakers/undo/{item_id}")
def undo_speaker_edit(request: Request, slug: str, item_id: str = Path(..., pattern=r"^edit-\d{4,9}$"),
                      editor: str = Form(""), csrf: str = Form("")):
    """Undo one speaker change (the speakers stage re-runs without it)."""
    web.check_csrf(request, csrf)
    known_slug(request.app.state.paths, slug)
    with _refusals(request):
        check_editor(editor)
        entry = speaker_edits.undo(request.app.state.store, slug, item_id, editor)
    return web.done(request, f"/r/{slug}#speaker-lane",
                    {"message": web.translate(request)(UNDONE), "entry": entry.to_json()})
