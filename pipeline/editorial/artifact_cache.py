"""Parsed artifacts kept in memory while their file is unchanged (the review app reads the same
transcript.json on every page; a two-hour lecture's takes tens of milliseconds to parse).

A file is the same when its size, mtime and inode are: the pipeline writes by rename
(core/fsutil), so a new artifact is always a new inode. Callers must not change what they get.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pipeline.core import fsutil

KEEP = 24  # parsed files kept (a few recordings' transcript, sentences, drafts and media)
_parsed: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def read_json(path: Path) -> Any:
    """fsutil.read_json(path), parsed once per version of the file; raises as it does."""
    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    with _lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            return _parsed[key]
    data = fsutil.read_json(path)
    with _lock:
        _parsed[key] = data
        while len(_parsed) > KEEP:
            _parsed.popitem(last=False)
    return data
