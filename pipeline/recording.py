"""A recording and its manifest, data/recordings/<slug>/recording.yaml (editor/media-team owned)."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline import fsutil
from pipeline.config import DataPaths, check_slug
from pipeline.errors import ManifestError, MediaError

LANGUAGES = {"nl", "en", "de", "fr"}


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
            from pipeline.chapterlist import manifest_chapters

            chapters = manifest_chapters(data.get("chapters"), f"recording.yaml of {slug!r}")
        except (TypeError, KeyError, ValueError) as exc:
            raise ManifestError(f"recording.yaml of {slug!r}: bad speakers/chapters entry ({exc})") from exc
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k in known and k not in ("speakers", "chapters", "slug")}
        extra["date"] = str(extra.get("date") or "")
        return cls(slug=slug, speakers=speakers, chapters=chapters, **extra)


def parse_hms(text: str) -> float:
    """'HH:MM:SS', 'H:MM:SS', 'MM:SS' (optionally with .fff) or plain seconds -> seconds."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(p.strip() == "" for p in parts):
        raise ValueError(f"not a time: {text!r}")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if len(parts) > 1 and any(float(p) >= 60 for p in parts[1:]):
        raise ValueError(f"minutes/seconds over 59 in {text!r}")
    return seconds


def format_hms(seconds: float) -> str:
    """Seconds -> 'HH:MM:SS' (rounded down to whole seconds, as pages list them)."""
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


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


def add_recording(
    paths: DataPaths,
    slug: str,
    media: str | Path,
    *,
    page: str | Path | None = None,
    language: str | None = None,
    captions: str | Path | None = None,
    title: str | None = None,
) -> Recording:
    """Create data/recordings/<slug>/ with a copy of the media (and captions) and its recording.yaml."""
    from pipeline.page import read_page

    check_slug(slug)
    media = Path(media)
    if not media.is_file():
        raise MediaError(f"{media}: media file not found")
    folder = paths.recording_dir(slug)
    if (folder / "recording.yaml").exists():
        raise ManifestError(f"recording {slug!r} already exists in {folder}; pick another slug")
    info = read_page(page) if page else None
    if language and language not in LANGUAGES:
        raise ManifestError(f"language {language!r} not supported; use one of {sorted(LANGUAGES)}")
    recording = Recording(
        slug=slug,
        title=title or (info.title if info else slug),
        media=media.name,
        language=language or (info.language if info else "nl"),
        date=info.date if info else "",
        speakers=info.speakers if info else [],
        chapters=info.chapters if info else [],
        introduction=info.introduction if info else "",
        summary=info.summary if info else "",
        captions=Path(captions).name if captions else "",
    )
    folder.mkdir(parents=True, exist_ok=True)
    _copy_into(media, folder)
    if captions:
        if not Path(captions).is_file():
            raise ManifestError(f"{captions}: captions file not found")
        _copy_into(Path(captions), folder)
    if page:
        _copy_into(Path(page), folder, name="page.txt")
    save_recording(paths, recording)
    return recording


def _copy_into(src: Path, folder: Path, name: str | None = None) -> None:
    with fsutil.atomic_path(folder / (name or src.name)) as tmp:
        shutil.copyfile(src, tmp)


def today() -> str:
    return dt.date.today().isoformat()
