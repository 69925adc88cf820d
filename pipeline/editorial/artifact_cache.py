"""Parsed artifacts kept in memory while their file is unchanged (the review app reads the same
transcript.json on every page; a two-hour lecture's takes tens of milliseconds to parse).

A file is the same when its size, mtime and inode are: the pipeline writes by rename
(core/fsutil), so a new artifact is always a new inode. Callers must not change what they get.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline.core import fsutil

KEEP = 24  # parsed files kept (a few recordings' transcript, sentences, drafts and media)
_parsed: OrderedDict[tuple, Any] = OrderedDict()
_derived: OrderedDict[Any, tuple[tuple, Any]] = OrderedDict()
_lock = threading.Lock()
T = TypeVar("T")


def read_json(path: Path) -> Any:
    """fsutil.read_json(path), parsed once per version of the file; raises as it does."""
    return load(path, fsutil.read_json)


def load(path: Path, loader: Callable[[Path], T]) -> T:
    """loader(path), run once per version of the file at `path`; errors are not kept.
    A missing file is left to the loader, which says what is wrong."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return loader(path)
    version = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, getattr(loader, "__qualname__", ""))
    with _lock:
        if version in _parsed:
            _parsed.move_to_end(version)
            return _parsed[version]
    data = loader(path)
    with _lock:
        _parsed[version] = data
        while len(_parsed) > KEEP:
            _parsed.popitem(last=False)
    return data


def remember(key: Any, sources: tuple, make: Callable[[], T]) -> T:
    """make(), kept under `key` while `sources` are the very same objects (what read_json returned):
    data derived from artifacts is then rebuilt only when one of them is re-read."""
    with _lock:
        kept = _derived.get(key)
        if kept is not None and len(kept[0]) == len(sources) and all(a is b for a, b in zip(kept[0], sources)):
            _derived.move_to_end(key)
            return kept[1]
    value = make()
    with _lock:
        _derived[key] = (sources, value)
        while len(_derived) > KEEP:
            _derived.popitem(last=False)
    return value
