"""Chapter lists as people paste them, read strictly: every problem is reported with its line number.

Accepted forms (one chapter per line, blank lines and surrounding prose allowed):

    00:10:05 - Inventariseren uitdagingen        (the seed page: HH:MM:SS, dash)
    0:10:05 Inventariseren uitdagingen           (H:MM:SS, no separator)
    10:05 – Inventariseren uitdagingen           (MM:SS, en/em dash, colon or '|')
    - [10:05] Inventariseren uitdagingen         (bullets, bracketed times: YouTube descriptions)
    Inventariseren uitdagingen (10:05)           (time last, only in brackets or after a dash)

plus WebVTT chapter files and the `chapters:` list of recording.yaml. Nothing is guessed: a line
that starts with something time-like but is not a valid chapter line is an error; a prose line
with a time inside it is ignored with a warning that names the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from pipeline.errors import ChapterListError
from pipeline.recording import ListedChapter, format_hms, parse_hms

LEAD_IN_TITLE = "untitled"
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
TIME_INSIDE = re.compile(rf"(?<![\d:]){TIME}(?![\d:])")
VTT_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")


@dataclass(frozen=True)
class ChapterEntry:
    """One listed chapter and where it was listed (line 0: no line, e.g. implicit)."""

    start: float
    title: str
    line: int = 0
    implicit: bool = False


@dataclass(frozen=True)
class ChapterList:
    """A parsed chapter list: entries in listed order, the source's name, and warnings for editors."""

    entries: tuple[ChapterEntry, ...]
    source: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def chapters(self) -> list[ListedChapter]:
        return [ListedChapter(e.start, e.title) for e in self.entries]


def parse_chapter_text(text: str, name: str = "chapter list", first_line: int = 1) -> ChapterList:
    """Parse pasted chapter lines (page section, YouTube description, text file) strictly."""
    return parse_chapter_lines(enumerate(text.split("\n"), start=first_line), name)


def parse_chapter_lines(lines: Iterable[tuple[int, str]], name: str = "chapter list") -> ChapterList:
    """Parse (line number, text) pairs; raise ChapterListError naming every bad line."""
    entries: list[ChapterEntry] = []
    errors: list[str] = []
    warnings: list[str] = []
    for number, raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            entry = parse_chapter_line(line, number)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if entry is not None:
            entries.append(entry)
        elif TIME_INSIDE.search(line):
            warnings.append(f"line {number}: ignored {_short(line)!r}: a time inside text is not a chapter "
                            "(put the time first to make it one)")
    errors += order_errors(entries)
    if errors:
        raise ChapterListError(f"{name}: " + "; ".join(errors))
    return ChapterList(tuple(entries), name, tuple(warnings))


def parse_chapter_line(line: str, number: int = 0) -> ChapterEntry | None:
    """One line -> ChapterEntry, None for prose; ValueError for a broken chapter line."""
    match = TIME_FIRST.match(line)
    if match and (match.group("open") == "[") == (match.group("close") == "]") and \
            (match.group("open") == "(") == (match.group("close") == ")"):
        return ChapterEntry(_seconds(match.group("time")), _title(match.group("title")), number)
    if TIME_LIKE_START.match(line):
        raise ValueError(f"cannot read {_short(line)!r}: write it as 'HH:MM:SS - title' "
                         "(hours optional, minutes and seconds 00-59, a title after the time)")
    match = TIME_LAST.match(line)
    if match:
        time = match.group("t1") or match.group("t2") or match.group("t3")
        return ChapterEntry(_seconds(time), _title(match.group("title")), number)
    return None


def order_errors(entries: list[ChapterEntry]) -> list[str]:
    """Times out of order and duplicate times, each naming both lines."""
    errors = []
    for prev, entry in zip(entries, entries[1:]):
        where = f"line {entry.line}" if entry.line else f"chapter {entry.title!r}"
        before = f"line {prev.line}" if prev.line else repr(prev.title)
        if entry.start == prev.start:
            errors.append(f"{where}: duplicate time {_hms(entry.start)} (also {before}); give each chapter its own start")
        elif entry.start < prev.start:
            errors.append(f"{where}: {_hms(entry.start)} comes before {_hms(prev.start)} of {before}; "
                          "list chapters in time order")
    return errors


def parse_webvtt_chapters(text: str, name: str = "chapters.vtt") -> ChapterList:
    """A WebVTT chapters file: each cue's start and text; cue end times are ignored (next start ends it)."""
    lines = text.replace("\ufeff", "").split("\n")
    if not lines or not lines[0].strip().startswith("WEBVTT"):
        raise ChapterListError(f"{name}: line 1: a WebVTT file starts with 'WEBVTT'")
    entries, errors = [], []
    i = 1
    while i < len(lines):
        match = VTT_TIMING.match(lines[i])
        if not match:
            i += 1
            continue
        number, body = i + 1, []
        i += 1
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].strip())
            i += 1
        title = re.sub(r"<[^>]+>", "", " ".join(body)).strip()
        try:
            entries.append(ChapterEntry(_seconds(match.group(1).replace(",", ".")), _title(title), number))
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
    errors += order_errors(entries)
    if errors:
        raise ChapterListError(f"{name}: " + "; ".join(errors))
    if not entries:
        raise ChapterListError(f"{name}: no cues found; add lines like '00:00:00.000 --> 00:02:00.000' and a title")
    return ChapterList(tuple(entries), name)


def read_chapter_file(path: str | Path) -> ChapterList:
    """Read a chapter file: WebVTT (by suffix or 'WEBVTT' header) or pasted text lines."""
    from pipeline.page import decode_text

    path = Path(path)
    if not path.is_file():
        raise ChapterListError(f"{path}: chapter file not found; fix chapters_file in recording.yaml")
    text = decode_text(path.read_bytes(), str(path))
    if path.suffix.lower() == ".vtt" or text.lstrip("\ufeff").startswith("WEBVTT"):
        return parse_webvtt_chapters(text, str(path))
    return parse_chapter_text(text, str(path))


def manifest_chapters(items: Any, name: str = "recording.yaml") -> list[ListedChapter]:
    """The `chapters:` list of recording.yaml: mappings {start, title} or 'HH:MM:SS - title' strings."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ChapterListError(f"{name}: chapters must be a list of {{start, title}} entries")
    chapters, errors = [], []
    for n, item in enumerate(items, start=1):
        try:
            chapters.append(_manifest_item(item))
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(f"chapters item {n}: {exc}")
    if errors:
        raise ChapterListError(f"{name}: " + "; ".join(errors))
    return chapters


def _manifest_item(item: Any) -> ListedChapter:
    if isinstance(item, str):
        entry = parse_chapter_line(item.strip())
        if entry is None:
            raise ValueError(f"{_short(item)!r} is not 'HH:MM:SS - title'")
        return ListedChapter(entry.start, entry.title)
    if not isinstance(item, dict) or "start" not in item or "title" not in item:
        raise ValueError("needs start and title")
    start = item["start"]
    seconds = float(start) if isinstance(start, (int, float)) else _seconds(str(start))
    return ListedChapter(seconds, _title(str(item["title"])))


def manifest_chapter_list(chapters: list[ListedChapter], manifest: Path | None = None) -> ChapterList:
    """recording.yaml's chapters with their YAML line numbers, checked for order and duplicates."""
    lines = yaml_chapter_lines(manifest.read_text(encoding="utf-8")) if manifest and manifest.is_file() else []
    if len(lines) != len(chapters):
        lines = [0] * len(chapters)
    entries = [ChapterEntry(c.start, c.title, line) for c, line in zip(chapters, lines)]
    name = str(manifest) if manifest else "recording.yaml"
    errors = order_errors(entries)
    if errors:
        raise ChapterListError(f"{name}: " + "; ".join(errors))
    return ChapterList(tuple(entries), name)


def yaml_chapter_lines(text: str) -> list[int]:
    """1-based line of each item of the top-level `chapters:` list in a YAML text ([] if none)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "chapters" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def resolve(chapter_list: ChapterList, duration: float) -> ChapterList:
    """Check the list against the recording's length; add an implicit lead-in when it starts after 0."""
    errors = [
        f"line {e.line}: {_hms(e.start)} ({e.title!r}) is past the end of the recording ({_hms(duration)})"
        if e.line else f"chapter {e.title!r} at {_hms(e.start)} is past the end of the recording ({_hms(duration)})"
        for e in chapter_list.entries if e.start > duration
    ]
    if errors:
        raise ChapterListError(f"{chapter_list.source}: " + "; ".join(errors) + "; fix the times or the media")
    entries, warnings = list(chapter_list.entries), list(chapter_list.warnings)
    if entries and entries[0].start > 0:
        first = entries[0]
        where = f"line {first.line}: " if first.line else ""
        warnings.append(f"{where}the first chapter starts at {_hms(first.start)}, not 0; "
                        f"added an implicit {LEAD_IN_TITLE!r} lead-in chapter before it")
        entries.insert(0, ChapterEntry(0.0, LEAD_IN_TITLE, 0, implicit=True))
    return ChapterList(tuple(entries), chapter_list.source, tuple(warnings))


def _seconds(text: str) -> float:
    try:
        return parse_hms(text.replace(",", "."))
    except ValueError as exc:
        raise ValueError(f"bad time {text!r} ({exc})") from None


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise ValueError("a chapter needs a title after its time")
    return title


def _hms(seconds: float) -> str:
    return format_hms(seconds)


def _short(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
