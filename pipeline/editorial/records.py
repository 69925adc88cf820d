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


class Msg(str):
    """A value of a message that is itself a catalogue msgid ('someone', 'glossary term'): the review
    app translates it along with the message."""


def _with_msgid(exc: ReviewError, msgid: str, values: dict[str, Any]) -> ReviewError:
    # The message is English (logs, CLI); the app shows `msgid % values` from its catalogue instead.
    exc.msgid, exc.values = msgid, values
    return exc


def refused(msgid: str, **values: Any) -> ReviewError:
    """A ReviewError whose message is the catalogue msgid `msgid` with `values` filled in."""
    return _with_msgid(ReviewError(msgid % values if values else msgid), msgid, values)


def conflict(msgid: str, current: dict[str, Any] | None, **values: Any) -> ConflictError:
    """A ConflictError (409, `current` shown) whose message is the catalogue msgid `msgid`."""
    return _with_msgid(ConflictError(msgid % values if values else msgid, current), msgid, values)


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
        raise refused("enter your name in the 'Editor' field first; every change records who made it")
    if len(name) > MAX_EDITOR:
        raise refused("editor name is longer than %(n)s characters", n=MAX_EDITOR)
    return name


def check_text(text: str | None, what: str = "the text") -> str:
    """Non-empty text of reasonable length, whitespace-trimmed (`what` is a catalogue msgid)."""
    value = (text or "").strip()
    if not value:
        raise refused("%(what)s is empty", what=Msg(what))
    if len(value) > MAX_TEXT:
        raise refused("%(what)s is longer than %(n)s characters", what=Msg(what), n=MAX_TEXT)
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
