"""Import a replay page in the seed's format (Terugkijken: title / Introductie / Inhoudsopgave /
Samenvatting / Openstaande Q&A / Sprekers) into recording metadata.

Only the metadata (title, ISO date, language, speakers, chapters) goes into recording.yaml; the
page itself is kept as page.txt in the recording folder and read with read_recording_page."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.artifacts.manifest import (
    PAGE_NAME,
    ListedChapter,
    Recording,
    Speaker,
    page_path,
)
from pipeline.core.config import DataPaths
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
ENGLISH_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
# Abbreviations people write ("17 okt 2023", "Jun 14, 2024"); 'sept' before 'sep' in the pattern.
SHORT_MONTHS = {"jan": 1, "feb": 2, "mrt": 3, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                "sept": 9, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12}
MONTH_NUMBER = {**SHORT_MONTHS, **MONTHS, **ENGLISH_MONTHS}
_NAMES = "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))
_ENGLISH = "|".join(sorted([*ENGLISH_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep",
                           "oct", "nov", "dec"], key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th|e|ste|de)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4})(?!\d))?"
# The forms a page may give its date in, each matched where a run of digits starts (every date
# has digits; searching every position of a 10 MB introduction with these patterns takes seconds).
DIGIT_FIRST = [
    re.compile(rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month>{_NAMES})\b\.?{_YEAR}", re.I),  # 17 juni 2022
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d|-\d)"),  # 2022-06-17
    re.compile(r"(?<![\d./-])(?P<day>\d{1,2})([-/.])(?P<month>\d{1,2})\2(?P<year>\d{4})(?!\d|[./-]\d)"),  # 17-06-2022
]
# Month first only in English (in Dutch "mei 3" is not a date): June 17, 2022.
MONTH_FIRST = re.compile(rf"\b(?P<month>{_ENGLISH})\b\.?\s+(?P<day>\d{{1,2}})(?!\d){_ORDINAL}\b{_YEAR}", re.I)
MONTH_BEFORE = re.compile(rf"\b(?:{_ENGLISH})\.?\s+\Z", re.I)


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
    # Why `date` is empty although the page names one, with its line: "page.txt: line 5: date
    # '17 juni' has no year". `pipeline add` turns it into a warning (the date is left out).
    date_problem: str = ""
    # Other notes for the editor, e.g. a prose line in the chapter list with a time inside it.
    warnings: list[str] = field(default_factory=list)


def read_page(path: str | Path) -> PageInfo:
    """Read and parse a page text file."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: page file not found")
    return parse_page(decode_text(path.read_bytes(), str(path)), name=str(path))


def read_recording_page(paths: DataPaths, recording: Recording) -> PageInfo | None:
    """The page of a recording (its introduction, summary, questions...), or None when it has none.

    Read on demand only: load_recording never opens the page, however large it is."""
    path = page_path(paths, recording)
    if path is None:
        # Manifests written before the `page` field existed: `pipeline add` always named it page.txt.
        legacy = paths.recording_dir(recording.slug) / PAGE_NAME
        path = legacy if legacy.is_file() else None
    return read_page(path) if path else None


Numbered = list[tuple[int, str]]  # (1-based page line number, line)


def _sections(lines: list[str]) -> dict[str, Numbered]:
    sections: dict[str, Numbered] = {"head": []}
    current = "head"
    for number, line in enumerate(lines, start=1):
        key = HEADINGS.get(line.strip().lower())
        if key:
            current = key
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append((number, line))
    return sections


def parse_page(text: str, name: str = "page") -> PageInfo:
    """Parse the page text; requires a title line."""
    lines = text.split("\n")
    first = next((l.strip() for l in lines if l.strip()), "")
    if not first:
        raise ManifestError(f"{name}: page is empty")
    sections = _sections(lines)
    english = any(l.strip().lower() in ENGLISH_HEADINGS for l in lines)
    chapter_list = parse_chapter_lines(sections.get("chapters", []), name)
    # The introduction names the date ("Op vrijdag 17 juni 2022 gaven ..."), or a line above it does.
    date, date_problem = find_date(sections["head"] + sections.get("intro", []), name)
    return PageInfo(
        title=TITLE_PREFIX.sub("", first).strip(),
        language="en" if english else "nl",
        date=date,
        introduction=_paragraphs(sections.get("intro", [])),
        chapters=chapter_list.chapters,
        summary=_paragraphs(sections.get("summary", [])),
        questions=[l.strip() for _, l in sections.get("qa", []) if l.strip().lower().startswith(("vraag", "question"))],
        speakers=_speakers([l.strip() for _, l in sections.get("speakers", []) if l.strip()]),
        date_problem=date_problem,
        warnings=[f"{name}: {w}" for w in chapter_list.warnings],
    )


def _paragraphs(numbered: Numbered) -> str:
    paragraphs, current = [], []
    for line in [l for _, l in numbered] + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


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


_DIGITS = re.compile(r"(?<!\d)\d")


def _first_date(line: str) -> re.Match | None:
    """The first date in the line, tried only where a run of digits starts."""
    for run in _DIGITS.finditer(line):
        at = run.start()
        # pos/endpos (not slicing) keep \b and look-behinds seeing the whole line
        month = MONTH_BEFORE.search(line, max(0, at - 20), at)
        candidates = [MONTH_FIRST.match(line, month.start())] if month else []
        candidates += [form.match(line, at) for form in DIGIT_FIRST]
        found = [m for m in candidates if m]
        if found:
            return min(found, key=lambda m: m.start())
    return None


def find_date(numbered: Numbered, name: str = "page") -> tuple[str, str]:
    """The first date in the lines as (YYYY-MM-DD, ""), or ("", problem naming the line) when the
    date found cannot be resolved (no year, no such day), or ("", "") when there is none.

    Dutch and English month names (also abbreviated), 2024-06-14 and day-first 14-06-2024."""
    for number, line in numbered:
        match = _first_date(line)
        if not match:
            continue
        text = match.group(0).strip()
        month = match.group("month")
        month = int(month) if month.isdigit() else MONTH_NUMBER[month.lower()]
        if not match.group("year"):
            return "", f"{name}: line {number}: date {text!r} has no year"
        try:
            return dt.date(int(match.group("year")), month, int(match.group("day"))).isoformat(), ""
        except ValueError:
            return "", f"{name}: line {number}: {text!r} is not a real date"
    return "", ""
