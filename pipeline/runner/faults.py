"""What a batch does with the unexpected, so one bad recording never ends the whole batch.

- `error_line`: any exception as one line, its type first ("OperationalError: database is locked");
- `log_traceback`: the full traceback, appended to data/work/<slug>/pipeline.log (kept under 1 MB);
- `clean_stale_temporaries`: removes what killed writes left in a recording's work folder.

The runner records the line in run.json (with the type) and prints it; the traceback is only in
the log file. KeyboardInterrupt and SystemExit are not Exceptions and still stop the batch.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
import traceback
from pathlib import Path

log = logging.getLogger(__name__)

LOG_NAME = "pipeline.log"
MAX_LOG_BYTES = 1 << 20
MAX_LINE = 300
KEEP = {".lock"}  # the one hidden file of a work folder that is not a temporary
# Stages write the work folder itself only under the recording's lock, so its temporaries are all
# stale; in subfolders (export/, written by `pipeline export` without the lock) a temporary younger
# than this may belong to a live writer and is left for a later run.
STALE_AFTER_S = 120.0
LOCKLESS = {"export"}


def error_line(exc: BaseException) -> str:
    """'Type: first line of the message', at most MAX_LINE characters."""
    message = " ".join(str(exc).split("\n", 1)[0].split())
    line = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"


def log_traceback(work_dir: Path, what: str, exc: BaseException) -> Path | None:
    """Append `exc`'s traceback to work_dir/pipeline.log; None when even that cannot be written."""
    path = work_dir / LOG_NAME
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        work_dir.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))  # one old generation is kept
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S%z')} pid {os.getpid()} {what}\n{text}\n")
    except OSError as err:  # a full disk: the one line in run.json / on screen must do
        log.debug("cannot write %s: %s", path, err)
        return None
    return path


def is_temporary(name: str) -> bool:
    """Names the pipeline's writers use for work in progress.

    fsutil.atomic_path: '.<name>.<random><suffix>'; the chapters folder swap: '.chapters.new.<random>'
    and '.chapters.old'; anything else hidden ('.tmp*', '.*.tmp'): a work folder holds no other
    hidden files than its lock.
    """
    return name.startswith(".") and name not in KEEP


def clean_stale_temporaries(work_dir: Path) -> list[str]:
    """Remove temporaries left by killed writes (call with the recording's lock held); returns their names."""
    if not work_dir.is_dir():
        return []
    removed = []
    now = time.time()
    for folder in [work_dir, *(p for p in work_dir.iterdir() if p.is_dir() and not p.name.startswith("."))]:
        for entry in folder.iterdir():
            if folder == work_dir and entry.name in KEEP or not is_temporary(entry.name):
                continue
            try:
                if folder.name in LOCKLESS and folder != work_dir and now - entry.lstat().st_mtime < STALE_AFTER_S:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except OSError as exc:
                log.warning("cannot remove stale temporary %s: %s", entry, exc)
                continue
            removed.append(str(entry.relative_to(work_dir)))
    if removed:
        log.warning("%s: removed %d stale temporary file(s) left by an interrupted run: %s",
                    work_dir.name, len(removed), ", ".join(sorted(removed)[:5]) + (" ..." if len(removed) > 5 else ""))
    return sorted(removed)
