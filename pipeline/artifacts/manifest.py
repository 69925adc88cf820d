"""A recording and its manifest, data/recordings/<slug>/recording.yaml (editor/media-team owned)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.artifacts.chapter_line import (
    chapter_seconds,
    chapter_title,
    parse_chapter_line,
    shorten,
)
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import ChapterListError, ManifestError
from pipeline.core.timecode import format_hms

MANIFEST_NAME = "recording.yaml"
PAGE_NAME = "page.txt"  # the page text as handed in, kept beside the manifest (never inside it)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_FIELDS = ("title", "media", "language", "date", "captions", "page", "chapters_file")


@dataclass(frozen=True)
class Speaker:
    """A speaker as listed on the page."""

    name: str
    organisation: str = ""
    role: str = ""


@dataclass(frozen=True)
class ListedChapter:
    """A chapter as listed on the page: start in seconds and title."""

    start: float
    title: str


@dataclass
class Recording:
    """The manifest of one recording."""

    slug: str
    title: str
    media: str
    language: str = "nl"
    date: str = ""
    speakers: list[Speaker] = field(default_factory=list)
    chapters: list[ListedChapter] = field(default_factory=list)
    captions: str = ""
    # The page text's file in the recording folder ("page.txt", or "" when none). Its texts
    # (introduction, summary) stay in that file: a 10 MB page must not make every load slow.
    page: str = ""
    # A chapter file in the recording folder (WebVTT or 'HH:MM:SS - title' lines); use it or `chapters`.
    chapters_file: str = ""
    # `pipeline add --accept-damaged`: extract keeps what decodes of a damaged file and flags it.
    accept_damaged: bool = False

    def to_yaml_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chapters"] = [
            {"start": format_hms(c.start), "title": c.title} for c in self.chapters
        ]
        return {k: v for k, v in data.items() if v not in ("", [], None, False) or k in ("title", "media")}

    @classmethod
    def from_yaml_dict(cls, data: dict[str, Any], slug: str) -> Recording:
        if not isinstance(data, dict):
            raise ManifestError(f"recording.yaml of {slug!r} is not a mapping")
        missing = [k for k in ("title", "media") if not data.get(k)]
        if missing:
            raise ManifestError(f"recording.yaml of {slug!r} lacks {', '.join(missing)}")
        try:
            speakers = [Speaker(**s) for s in data.get("speakers") or []]
            chapters = manifest_chapters(data.get("chapters"), f"recording.yaml of {slug!r}")
        except (TypeError, KeyError, ValueError) as exc:
            raise ManifestError(f"recording.yaml of {slug!r}: bad speakers/chapters entry ({exc})") from exc
        # Unknown keys (e.g. `introduction`/`summary` of older manifests) are ignored.
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k in known and k not in ("speakers", "chapters", "slug")}
        for key in TEXT_FIELDS:
            if extra.get(key) is None:
                extra.pop(key, None)  # absent or empty (`language:`) keeps the default (language: nl)
            else:
                extra[key] = _text(extra[key], key, slug)
        if extra.get("date") and not is_iso_date(extra["date"]):
            # A date like '17 juni' would sort and filter wrongly in search (--since/--until).
            raise ManifestError(f"recording.yaml of {slug!r}: date {extra['date']!r} is not YYYY-MM-DD; "
                                f"write it like 2024-06-14 (or: pipeline add {slug} --page page.txt --date YYYY-MM-DD)")
        return cls(slug=slug, speakers=speakers, chapters=chapters, **extra)


def _text(value: Any, key: str, slug: str) -> str:
    """A manifest value that must be text; YAML gives dates and numbers their own types."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        raise ManifestError(f"recording.yaml of {slug!r}: {key} must be a single value, not a list or mapping")
    return str(value)


def is_iso_date(text: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD (how recording.yaml stores dates)."""
    if not ISO_DATE.fullmatch(text):
        return False  # fromisoformat alone would also take '20240614' and week dates
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def manifest_path(paths: DataPaths, slug: str) -> Path:
    """data/recordings/<slug>/recording.yaml."""
    return paths.recording_dir(slug) / MANIFEST_NAME


def read_manifest_data(paths: DataPaths, slug: str) -> Any:
    """The parsed YAML of a recording's manifest, before any checks (ManifestError if unreadable)."""
    path = manifest_path(paths, slug)
    if not path.is_file():
        raise ManifestError(f"no recording {slug!r}: {path} does not exist (add it with 'pipeline add')")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:  # ValueError: `date: 2022-06-31`
        raise ManifestError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc


def load_recording(paths: DataPaths, slug: str) -> Recording:
    """Read data/recordings/<slug>/recording.yaml (only that file: the page text is not read)."""
    recording = Recording.from_yaml_dict(read_manifest_data(paths, slug), slug)
    # Refused here, not only where used: a captions or page path outside the folder is never valid.
    captions_path(paths, recording)
    page_path(paths, recording)
    return recording


def save_recording(paths: DataPaths, recording: Recording) -> Path:
    """Write recording.yaml atomically."""
    return write_manifest(paths.recording_dir(recording.slug), recording)


def write_manifest(folder: Path, recording: Recording) -> Path:
    """Write recording.yaml atomically into `folder` (`pipeline add` builds a new folder aside first)."""
    text = yaml.safe_dump(recording.to_yaml_dict(), allow_unicode=True, sort_keys=False, width=100)
    return fsutil.write_text(Path(folder) / MANIFEST_NAME, text)


def _inside(paths: DataPaths, recording: Recording, what: str, name: str) -> Path:
    folder = paths.recording_dir(recording.slug).resolve()
    path = (folder / name).resolve()
    if folder not in path.parents:
        raise ManifestError(f"recording.yaml of {recording.slug!r}: {what} {name!r} is outside its folder "
                            f"{folder}; copy the file there and give just its name")
    return path


def media_path(paths: DataPaths, recording: Recording) -> Path:
    """The recording's media file, which must stay inside its recording folder."""
    return _inside(paths, recording, "media", recording.media)


def captions_path(paths: DataPaths, recording: Recording) -> Path | None:
    """The recording's captions file inside its recording folder, or None when it has none."""
    return _inside(paths, recording, "captions", recording.captions) if recording.captions else None


def page_path(paths: DataPaths, recording: Recording) -> Path | None:
    """The recording's page text inside its recording folder, or None when it has none."""
    return _inside(paths, recording, "page", recording.page) if recording.page else None


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
            raise ValueError(f"{shorten(item)!r} is not 'HH:MM:SS - title'")
        return ListedChapter(entry.start, entry.title)
    if not isinstance(item, dict) or "start" not in item or "title" not in item:
        raise ValueError("needs start and title")
    start = item["start"]
    seconds = float(start) if isinstance(start, (int, float)) else chapter_seconds(str(start))
    return ListedChapter(seconds, chapter_title(str(item["title"])))
