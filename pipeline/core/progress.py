"""Progress reporting without printing from library code: the CLI installs a reporter."""
from __future__ import annotations

from typing import Callable

Reporter = Callable[[str, float, float], None]
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    """Install (or remove) the callback that receives (task, done, total)."""
    global _reporter
    _reporter = reporter


def report(task: str, done: float, total: float) -> None:
    """Tell the installed reporter how far a long task is (e.g. seconds of audio transcribed)."""
    if _reporter is not None:
        _reporter(task, done, total)
