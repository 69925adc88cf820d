"""Import a replay page in the seed's format (Terugkijken: title / Introductie / Inhoudsopgave /
Samenvatting / Openstaande Q&A / Sprekers) into recording metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.artifacts.manifest import ListedChapter, Speaker
from pipeline.core.errors import ManifestError
from pipeline.core.textio import decode_text
from pipeline.ingest.chapterlist import parse_chapter_lines

HEADINGS = {
    "introductie": "intro", "introduction": "intro",
    "inhoudsopgave": "chapters", "contents": "chapters", "table of contents": "chapters",
    "chapters": "chapters",
    "samenvatting": "summary", "summary": "summary",
    "openstaande q&a": "qa", "open q&a": "qa", "q&a": "qa",
    "sprekers": "speakers", "speakers": "speakers",
    "samenwerkingspartners": "end", "partners": "end",
}
ENGLISH_HEADINGS = {"introduction", "contents", "table of contents", "summary", "speakers", "open q&a"}
TITLE_PREFIX = re.compile(r"^(terugkijken|terugblik|watch again|replay)\s*:\s*", re.I)
MONTHS = {m: i for i, m in enumerate(
    "januari februari maart april mei juni juli augustus september oktober november december".split(), 1)}
DATE_RE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")(?:\s+(\d{4}))?", re.I)


@dataclass
class PageInfo:
    """What a page says about its recording."""

    title: str
    language: str = "nl"
    date: str = ""
    introduction: str = ""
    chapters: list[ListedChapter] = field(default_factory=list)
    summary: str = ""
    questions: list[str] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)


def read_page(path: str | Path) -> PageInfo:
    """Read and parse a page text file."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: page file not found")
    return parse_page(decode_text(path.read_bytes(), str(path)), name=str(path))


def _sections(lines: list[str]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {"head": []}
    current = "head"
    for line in lines:
        key = HEADINGS.get(line.strip().lower())
        if key:
            current = key
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(line)
    return sections


def parse_page(text: str, name: str = "page") -> PageInfo:
    """Parse the page text; requires a title line."""
    lines = text.split("\n")
    nonblank = [l.strip() for l in lines if l.strip()]
    if not nonblank:
        raise ManifestError(f"{name}: page is empty")
    sections = _sections(lines)
    english = any(l.strip().lower() in ENGLISH_HEADINGS for l in lines)
    intro = _paragraphs(sections.get("intro", []))
    info = PageInfo(
        title=TITLE_PREFIX.sub("", nonblank[0]).strip(),
        language="en" if english else "nl",
        introduction=intro,
        chapters=_chapters(lines, name),
        summary=_paragraphs(sections.get("summary", [])),
        questions=[l.strip() for l in sections.get("qa", []) if l.strip().lower().startswith(("vraag", "question"))],
        speakers=_speakers([l.strip() for l in sections.get("speakers", []) if l.strip()]),
    )
    info.date = _date(intro)
    return info


def _paragraphs(lines: list[str]) -> str:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


def _chapters(lines: list[str], name: str) -> list[ListedChapter]:
    """The chapters section, read by the strict chapter-list parser with page line numbers."""

    numbered, current = [], "head"
    for number, line in enumerate(lines, start=1):
        current = HEADINGS.get(line.strip().lower(), current)
        if current == "chapters" and not HEADINGS.get(line.strip().lower()):
            numbered.append((number, line))
    return parse_chapter_lines(numbered, name).chapters


def _speakers(lines: list[str]) -> list[Speaker]:
    """Pages repeat each speaker's name (photo caption + heading): name, name, organisation, role."""
    starts = [i for i in range(len(lines) - 1) if lines[i] == lines[i + 1]]
    if not starts:
        return [Speaker(*(lines[i:i + 3] + ["", ""])[:3]) for i in range(0, len(lines), 3)]
    speakers = []
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        rest = lines[i + 2:end]
        speakers.append(Speaker(lines[i], rest[0] if rest else "", " ".join(rest[1:])))
    return speakers


def _date(intro: str) -> str:
    match = DATE_RE.search(intro)
    if not match:
        return ""
    day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], match.group(3)
    return f"{year}-{month:02d}-{day:02d}" if year else f"{day} {match.group(2).lower()}"
