"""Editors' chapter changes (review app): a new title, or a start moved to a transcript sentence.

They come from review.sqlite through pipeline/editorial/corrections.chapter_edits, keyed by the
chapter's index in chapters.json (0-based, after an empty implicit lead-in was dropped). A new
title replaces the listed one. A new start is used as-is: the boundary goes before the first word
that starts at (or after) that time, never re-snapped to a pause nearby. Chapter 0 always starts
the recording, so only its title can change. Neighbouring chapters give way: a machine-snapped
boundary that would fall after an edited one moves to it, never the other way round.
"""
from __future__ import annotations

import bisect
from dataclasses import replace

from pipeline.artifacts.chapter_line import ChapterEntry
from pipeline.chapters.snap import Boundary, ChapterOptions, Gaps, Unit

Edits = dict[int, tuple[str | None, float | None]]  # chapter index -> (title or None, start or None)
EDITED_REASON = "start set by an editor"


def apply_edits(entries: list[ChapterEntry], boundaries: list[Boundary], units: list[Unit], duration: float,
                options: ChapterOptions, edits: Edits) -> tuple[list[ChapterEntry], list[Boundary], dict[int, list[str]],
                                                                 list[str]]:
    """Entries and boundaries with the edits applied; also per chapter index its 'edited_*' flags,
    and warnings for edits that cannot apply (a chapter the list no longer has, chapter 0's start)."""
    # An implicit lead-in with nothing in it is dropped later: chapter index k is then entry k + 1.
    lead = int(bool(entries) and entries[0].implicit and len(boundaries) > 1 and boundaries[1].gap == 0)
    entries, boundaries = list(entries), list(boundaries)
    marks: dict[int, list[str]] = {}
    notes: list[str] = []
    forced: set[int] = set()
    gaps = Gaps(units, duration)
    starts = [u.start for u in units]
    for index, (title, start) in sorted(edits.items()):
        k = index + lead
        if k >= len(entries):
            notes.append(f"chapter {index + 1} was edited in the review app, but the chapter list has only "
                         f"{len(entries) - lead} chapter(s); the edit is kept but not used")
            continue
        if title and title != entries[k].title:
            entries[k] = replace(entries[k], title=title)
            marks.setdefault(index, []).append("edited_title")
        if start is None:
            continue
        if k == lead:
            notes.append(f"chapter {index + 1}: the first chapter always starts the recording; "
                         "its edited start is not used")
            continue
        gap = bisect.bisect_left(starts, start - 0.0005)
        entries[k] = replace(entries[k], start=start)
        boundaries[k] = Boundary(gap, start, True, EDITED_REASON, round(gaps.pause(gap), 3), gaps.sentence_end(gap),
                                 False, not gaps.sentence_break(gap, options))
        forced.add(k)
        marks.setdefault(index, []).append("edited_start")
    # Keep the boundaries in order: machine ones give way to edited ones; edited ones out of order
    # with each other (an edit made on an older chapter list) are moved forward, with a warning.
    for k in range(len(boundaries) - 1, 0, -1):
        if k - 1 not in forced and k - 1 > 0 and boundaries[k - 1].gap > boundaries[k].gap:
            boundaries[k - 1] = replace(boundaries[k - 1], gap=boundaries[k].gap)
    for k in range(1, len(boundaries)):
        if boundaries[k].gap < boundaries[k - 1].gap:
            if k in forced:
                notes.append(f"chapter {k - lead + 1}: its edited start lies before the previous chapter's start; "
                             "moved after it")
            boundaries[k] = replace(boundaries[k], gap=boundaries[k - 1].gap)
    return entries, boundaries, marks, notes
