"""One listed chapter line, 'HH:MM:SS - title' and its variants: the grammar shared by pages,
chapter files and the `chapters:` list of recording.yaml."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.timecode import parse_hms

TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"


SEP = r"[-–—:|]"


BULLET = r"(?:[-*•·]\s*|\d{1,3}[.)]\s+)?"


TIME_FIRST = re.compile(
    rf"^\s*{BULLET}(?P<open>[\[(]?)(?P<time>{TIME})(?![:.,]?\d)(?P<close>[\])]?)(?:\s*{SEP}\s*|\s+)(?P<title>[^\s\-–—:|].*?)\s*$"
)


TIME_LAST = re.compile(
    rf"^\s*{BULLET}(?P<title>.*?[^\W\d_].*?)\s*(?:\((?P<t1>{TIME})\)|\[(?P<t2>{TIME})\]|\s{SEP}\s*(?P<t3>{TIME}))\s*$"
)


# Something that starts like a time ('10:05', '1.30', '[0:00') but may not be a valid chapter line.
TIME_LIKE_START = re.compile(rf"^\s*{BULLET}[\[(]?\d{{1,2}}[:.h]\d{{2}}(?!\d)")


@dataclass(frozen=True)
class ChapterEntry:
    """One listed chapter and where it was listed (line 0: no line, e.g. implicit)."""

    start: float
    title: str
    line: int = 0
    implicit: bool = False


def parse_chapter_line(line: str, number: int = 0) -> ChapterEntry | None:
    """One line -> ChapterEntry, None for prose; ValueError for a broken chapter line."""
    match = TIME_FIRST.match(line)
    if match and (match.group("open") == "[") == (match.group("close") == "]") and \
            (match.group("open") == "(") == (match.group("close") == ")"):
        return ChapterEntry(chapter_seconds(match.group("time")), chapter_title(match.group("title")), number)
    if TIME_LIKE_START.match(line):
        raise ValueError(f"cannot read {shorten(line)!r}: write it as 'HH:MM:SS - title' "
                         "(hours optional, minutes and seconds 00-59, a title after the time)")
    match = TIME_LAST.match(line)
    if match:
        time = match.group("t1") or match.group("t2") or match.group("t3")
        return ChapterEntry(chapter_seconds(time), chapter_title(match.group("title")), number)
    return None


def chapter_seconds(text: str) -> float:
    try:
        return parse_hms(text.replace(",", "."))
    except ValueError as exc:
        raise ValueError(f"bad time {text!r} ({exc})") from None


def chapter_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise ValueError("a chapter needs a title after its time")
    return title


def shorten(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
