"""Word-level differences between two texts, for showing how a stale item's source changed."""
from __future__ import annotations

import difflib


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Runs of ('same' | 'del' | 'ins', words) that turn `old` into `new`.

    Words, not characters: an editor reads "dialog → dialoog", not a scatter of single letters.
    A replaced run is given as its deletion followed by its insertion.
    """
    a, b = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", " ".join(b[j1:j2])))
    return runs
