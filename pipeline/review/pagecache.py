"""The recording page, rendered once per state of everything it shows.

A two-hour lecture's page is about a megabyte of HTML built from five artifacts and the review
database; rendering it takes a few hundred milliseconds, while an editor's browser fetches it again
after every change. The key is what the page is made of, so a hit is always the page as it would
be rendered now: each file of the recording's folder and work folder (name, size, mtime, inode: the
pipeline writes by rename, so a new artifact is a new inode), the review database file and its last
history id (every change writes one), and the interface language. Nothing is ever invalidated by
hand; a changed input is simply another key.

A miss (every editor action) re-renders only what changed: pages.py keeps each chapter of the
transcript column under `chapter_signature` and each draft card under its item, so an approval
renders one card and a sentence correction one chapter, not the ~1,500 sentences of a long lecture.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from pipeline.core.config import DataPaths

KEEP = 16  # pages kept (a few recordings in two languages)


def _files(folder: Path) -> tuple:
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    found.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
    except FileNotFoundError:
        pass
    return tuple(sorted(found))


def fingerprint(paths: DataPaths, slug: str, last_change: int) -> tuple:
    """What the recording page of `slug` is made of, as a hashable value."""
    db = paths.review_db
    try:
        st = db.stat()
        db_state = (st.st_size, st.st_mtime_ns, st.st_ino, last_change)
    except FileNotFoundError:
        db_state = None
    return (_files(paths.recording_dir(slug)), _files(paths.work_dir(slug)), db_state)


class PageCache:
    """Rendered pages (or parts of pages) by key, the least recently used dropped first (thread-safe)."""

    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._pages: OrderedDict[tuple, bytes | str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: bytes | str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.keep:
                self._pages.popitem(last=False)


def chapter_signature(chapter, choices: list) -> tuple:
    """Everything the transcript column shows of one chapter (reviewed.ChapterView): its fragment of the
    page is rendered again only when this changes, e.g. after a correction of one of its sentences."""
    sentences = tuple((s.id, s.start, s.end, s.version, s.text, s.machine_text, s.corrected,
                       s.stale_edit.text if s.stale_edit else None, s.stale_edit is not None,
                       tuple(s.parts) if s.parts else None, tuple(s.flags)) for s in chapter.sentences)
    gaps = tuple((g.item_id, g.start, g.end, g.text, g.state, g.version, g.stored.editor if g.stored else None,
                  str(g.extra.get("reason") or ""), g.extra.get("home")) for g in chapter.gaps)
    return (chapter.index, chapter.title, chapter.start, repr(chapter.edit_row),
            tuple((s.id, s.start, s.text) for s in choices), sentences, gaps)
