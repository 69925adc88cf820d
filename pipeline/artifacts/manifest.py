"""A recording and its manifest, data/recordings/<slug>/recording.yaml (editor/media-team owned)."""
from __future__ import annotations

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
    introduction: str = ""
    summary: str = ""
    captions: str = ""
    # A chapter file in the recording folder (WebVTT or 'HH:MM:SS - title' lines); use it or `chapters`.
    chapters_file: str = ""

    def to_yaml_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chapters"] = [
            {"start": format_hms(c.start), "title": c.title} for c in self.chapters
        ]
        return {k: v for k, v in data.items() if v not in ("", [], None) or k in ("title", "media")}

    @classmethod
    def from_yaml_dict(cls, data: dict[str, Any], slug: str) -> "Recording":
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
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k in known and k not in ("speakers", "chapters", "slug")}
        extra["date"] = str(extra.get("date") or "")
        return cls(slug=slug, speakers=speakers, chapters=chapters, **extra)


def manifest_path(paths: DataPaths, slug: str) -> Path:
    return paths.recording_dir(slug) / "recording.yaml"


def load_recording(paths: DataPaths, slug: str) -> Recording:
    """Read data/recordings/<slug>/recording.yaml."""
    path = manifest_path(paths, slug)
    if not path.is_file():
        raise ManifestError(f"no recording {slug!r}: {path} does not exist (add it with 'pipeline add')")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    return Recording.from_yaml_dict(data, slug)


def save_recording(paths: DataPaths, recording: Recording) -> Path:
    """Write recording.yaml atomically."""
    text = yaml.safe_dump(recording.to_yaml_dict(), allow_unicode=True, sort_keys=False, width=100)
    return fsutil.write_text(manifest_path(paths, recording.slug), text)


def media_path(paths: DataPaths, recording: Recording) -> Path:
    """The recording's media file, which must stay inside its recording folder."""
    folder = paths.recording_dir(recording.slug).resolve()
    path = (folder / recording.media).resolve()
    if folder not in path.parents:
        raise ManifestError(f"media {recording.media!r} of {recording.slug!r} is outside its folder")
    return path


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
