"""Rows of the review database as typed records, and the checks every change passes."""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.core.errors import ReviewError

MAX_TEXT = 10_000
MAX_EDITOR = 80


class ConflictError(ReviewError):
    """Someone saved the same thing first; `current` is what is stored now."""

    def __init__(self, message: str, current: dict[str, Any] | None):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class ItemState:
    """An editor's decision on one draft item or transcript sentence."""

    slug: str
    kind: str
    item_id: str
    status: str
    source_text: str
    text: str | None
    data: dict[str, Any]
    version: int
    editor: str
    updated_at: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ItemState":
        return cls(**{**row, "data": json.loads(row["data"] or "{}")})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HistoryEntry:
    """One change: the row before and after, who made it and when."""

    id: int
    slug: str
    tbl: str
    key: list[Any]
    action: str
    editor: str
    at: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undone_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RuleState:
    """A find-and-replace rule of one recording."""

    id: int
    slug: str
    find: str
    replace: str
    whole_word: bool
    case_sensitive: bool
    active: bool
    version: int
    editor: str
    updated_at: str


@dataclass(frozen=True)
class TermState:
    """A glossary term (project-wide)."""

    term: str
    note: str
    active: bool
    version: int
    editor: str
    updated_at: str
    extra: dict[str, Any] = field(default_factory=dict)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def check_editor(editor: str) -> str:
    """The editor's name, trimmed; required so every change in the history has an author."""
    name = " ".join((editor or "").split())
    if not name:
        raise ReviewError("enter your name in the 'Editor' field first; every change records who made it")
    if len(name) > MAX_EDITOR:
        raise ReviewError(f"editor name is longer than {MAX_EDITOR} characters")
    return name


def check_text(text: str | None, what: str = "text") -> str:
    """Non-empty text of reasonable length, whitespace-trimmed."""
    value = (text or "").strip()
    if not value:
        raise ReviewError(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise ReviewError(f"{what} is longer than {MAX_TEXT} characters")
    return value


def clock(stamp: str) -> str:
    """'2026-11-27T12:19:12+0000' -> '12:19:12' (the day is today in practice; the history has it all)."""
    return stamp[11:19] if len(stamp) >= 19 else stamp


def rule_state(row: dict[str, Any]) -> RuleState:
    return RuleState(**{**row, "whole_word": bool(row["whole_word"]),
                        "case_sensitive": bool(row["case_sensitive"]), "active": bool(row["active"])})


def history_entry(row: sqlite3.Row) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"], slug=row["slug"], tbl=row["tbl"], key=json.loads(row["key"]), action=row["action"],
        editor=row["editor"], at=row["at"],
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None, undone_by=row["undone_by"])
