"""`pipeline add`: a new recording folder with its media, page text and manifest."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from pipeline.artifacts.manifest import Recording, save_recording
from pipeline.core import fsutil
from pipeline.core.config import DataPaths, check_slug
from pipeline.core.errors import ManifestError, MediaError
from pipeline.core.languages import LANGUAGES
from pipeline.ingest.page import read_page


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
