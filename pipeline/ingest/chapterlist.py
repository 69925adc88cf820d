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
from typing import Iterable

import yaml

from pipeline.artifacts.chapter_line import (
    TIME,
    ChapterEntry,
    chapter_seconds,
    chapter_title,
    parse_chapter_line,
    shorten,
)
from pipeline.artifacts.manifest import ListedChapter
from pipeline.core.errors import ChapterListError
from pipeline.core.textio import decode_text
from pipeline.core.timecode import format_hms

LEAD_IN_TITLE = "untitled"
TIME_INSIDE = re.compile(rf"(?<![\d:]){TIME}(?![\d:])")
VTT_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")


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
            warnings.append(f"line {number}: ignored {shorten(line)!r}: a time inside text is not a chapter "
                            "(put the time first to make it one)")
    errors += order_errors(entries)
    if errors:
        raise ChapterListError(f"{name}: " + "; ".join(errors))
    return ChapterList(tuple(entries), name, tuple(warnings))


def order_errors(entries: list[ChapterEntry]) -> list[str]:
    """Times out of order and duplicate times, each naming both lines."""
    errors = []
    for prev, entry in zip(entries, entries[1:]):
        where = f"line {entry.line}" if entry.line else f"chapter {entry.title!r}"
        before = f"line {prev.line}" if prev.line else repr(prev.title)
        if entry.start == prev.start:
            errors.append(f"{where}: duplicate time {format_hms(entry.start)} (also {before}); give each chapter its own start")
        elif entry.start < prev.start:
            errors.append(f"{where}: {format_hms(entry.start)} comes before {format_hms(prev.start)} of {before}; "
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
            entries.append(ChapterEntry(chapter_seconds(match.group(1).replace(",", ".")), chapter_title(title), number))
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

    path = Path(path)
    if not path.is_file():
        raise ChapterListError(f"{path}: chapter file not found; fix chapters_file in recording.yaml")
    text = decode_text(path.read_bytes(), str(path))
    if path.suffix.lower() == ".vtt" or text.lstrip("\ufeff").startswith("WEBVTT"):
        return parse_webvtt_chapters(text, str(path))
    return parse_chapter_text(text, str(path))


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
        f"line {e.line}: {format_hms(e.start)} ({e.title!r}) is past the end of the recording ({format_hms(duration)})"
        if e.line else f"chapter {e.title!r} at {format_hms(e.start)} is past the end of the recording ({format_hms(duration)})"
        for e in chapter_list.entries if e.start > duration
    ]
    if errors:
        raise ChapterListError(f"{chapter_list.source}: " + "; ".join(errors) + "; fix the times or the media")
    entries, warnings = list(chapter_list.entries), list(chapter_list.warnings)
    if entries and entries[0].start > 0:
        first = entries[0]
        where = f"line {first.line}: " if first.line else ""
        warnings.append(f"{where}the first chapter starts at {format_hms(first.start)}, not 0; "
                        f"added an implicit {LEAD_IN_TITLE!r} lead-in chapter before it")
        entries.insert(0, ChapterEntry(0.0, LEAD_IN_TITLE, 0, implicit=True))
    return ChapterList(tuple(entries), chapter_list.source, tuple(warnings))



