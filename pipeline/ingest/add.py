"""`pipeline add`: a new recording folder with its media, page text and manifest; or, for an
existing recording, a corrected page re-imported (title, date, speakers, chapters, page.txt).

A new folder is built in a hidden sibling (data/recordings/.tmp-<slug>-xxxx) and renamed into
place, after every input has been checked: a refused or interrupted add leaves nothing behind.
"""
from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.artifacts.manifest import (
    MANIFEST_NAME,
    PAGE_NAME,
    Recording,
    captions_path,
    is_iso_date,
    load_recording,
    manifest_path,
    page_path,
    read_manifest_data,
    save_recording,
    write_manifest,
)
from pipeline.core import fsutil
from pipeline.core.config import DataPaths, check_slug
from pipeline.core.errors import ConfigError, ManifestError, MediaError
from pipeline.core.languages import LANGUAGES
from pipeline.core.textio import decode_text
from pipeline.ingest.captions import parse_captions
from pipeline.ingest.page import read_page

log = logging.getLogger(__name__)

Warn = Callable[[str], None]
DATE_HINT = "give it with --date YYYY-MM-DD"


def add_recording(
    paths: DataPaths,
    slug: str,
    media: str | Path,
    *,
    page: str | Path | None = None,
    language: str | None = None,
    captions: str | Path | None = None,
    title: str | None = None,
    date: str | None = None,
    accept_damaged: bool = False,
    on_warning: Warn | None = None,
) -> Recording:
    """Create data/recordings/<slug>/ with a copy of the media (captions, page) and its recording.yaml.

    `date` (YYYY-MM-DD) overrides the page's date. Notes for the user (a page date without a year,
    left out) go to `on_warning` (default: the log) once the recording exists."""
    check_slug(slug)
    # Everything is checked before anything is created, so a refused add leaves no trace.
    media = Path(media)
    if not media.is_file():
        raise MediaError(f"{media}: media file not found")
    captions = Path(captions) if captions else None
    if captions and not captions.is_file():
        raise ManifestError(f"{captions}: captions file not found")
    check_file_names(media.name, captions.name if captions else "")
    folder = paths.recording_dir(slug)
    if (folder / MANIFEST_NAME).exists():
        raise ManifestError(f"recording {slug!r} already exists in {folder}; pick another slug "
                            f"(or leave out --media to re-import its page)")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ManifestError(f"{folder} exists but has no {MANIFEST_NAME} (left by an interrupted add?); "
                            "move it away and add the recording again")
    language, date = _check_language(language), _check_date(date)
    if captions:
        # Read now, not at the transcribe stage hours later: a bad file is refused while the user is here.
        parse_captions(decode_text(captions.read_bytes(), str(captions)), str(captions))
    info = read_page(page) if page else None
    recording = Recording(
        slug=slug,
        title=title or (info.title if info else "") or slug,
        media=media.name,
        language=language or (info.language if info else "nl"),
        date=date or (info.date if info else ""),
        speakers=info.speakers if info else [],
        chapters=info.chapters if info else [],
        captions=captions.name if captions else "",
        page=PAGE_NAME if page else "",
        accept_damaged=accept_damaged,
    )
    files = [(media, media.name)] + ([(captions, captions.name)] if captions else [])
    _build_folder(paths, recording, files + ([(Path(page), PAGE_NAME)] if page else []))
    notes = list(info.warnings) if info else []
    if info and info.date_problem and not date:
        notes.append(f"{info.date_problem}, so it was left out ({DATE_HINT})")
    _emit(notes, on_warning)
    return recording


@dataclass(frozen=True)
class PageUpdate:
    """A page re-imported into an existing recording: its manifest before and after."""

    before: Recording
    after: Recording
    page_changed: bool

    def describe(self) -> str:
        """What changed, e.g. "8 chapters (was 7), 2 speakers, page.txt replaced"."""
        b, a = self.before, self.after
        parts = [_count(a.chapters, b.chapters, "chapters"), _count(a.speakers, b.speakers, "speakers")]
        if a.title != b.title:
            parts.append(f"title {a.title!r} (was {b.title!r})")
        for name in ("date", "language"):
            old, new = getattr(b, name), getattr(a, name)
            if old != new:
                parts.append(f"{name} {new or 'none'} (was {old or 'none'})")
        parts.append(f"{PAGE_NAME} {'replaced' if self.page_changed else 'unchanged'}")
        return ", ".join(parts)


def reimport_page(
    paths: DataPaths,
    slug: str,
    page: str | Path | None,
    *,
    title: str | None = None,
    language: str | None = None,
    date: str | None = None,
    on_warning: Warn | None = None,
) -> PageUpdate:
    """Re-import a corrected page into an existing recording.

    Title, date, speakers, chapters and page.txt are replaced; media and captions stay, and
    data/work and data/review.sqlite (the editors' work) are not touched. The page's date is used
    unless `date` is given; when the page's date cannot be resolved the manifest's date is kept."""
    check_slug(slug)
    if not manifest_path(paths, slug).is_file():
        raise ManifestError(f"no recording {slug!r} yet: give --media FILE to add it")
    if page is None:
        raise ManifestError(f"recording {slug!r} already exists: give --page FILE to re-import its page "
                            "(its media and captions stay), or pick another slug for a new recording")
    before = _load_for_update(paths, slug)
    check_file_names(before.media, before.captions)
    language, date = _check_language(language), _check_date(date)
    info = read_page(page)
    notes = list(info.warnings)
    chapters = info.chapters
    if before.chapters_file and chapters:
        # The chapters stage refuses a manifest with both; the chapter file is the editors' choice.
        chapters = []
        notes.append(f"{slug!r} takes its chapters from {before.chapters_file}; the page's chapter list "
                     "was not imported (remove chapters_file from recording.yaml to use it)")
    if info.date_problem and not date:
        kept = f"recording.yaml keeps {before.date}" if before.date else "it was left out"
        notes.append(f"{info.date_problem}, so {kept} ({DATE_HINT})")
    after = replace(
        before,
        title=title or info.title or before.title,
        language=language or before.language,  # a new language would re-transcribe: only when asked
        date=date or info.date or before.date,
        speakers=info.speakers,
        chapters=chapters,
        page=PAGE_NAME,
    )
    target = paths.recording_dir(slug) / PAGE_NAME
    changed = not target.is_file() or fsutil.sha256_file(target) != fsutil.sha256_file(page)
    if changed:
        with fsutil.atomic_path(target) as tmp:
            shutil.copyfile(page, tmp)
    save_recording(paths, after)  # last: a crash before it leaves the old manifest, still valid
    _emit(notes, on_warning)
    return PageUpdate(before, after, changed)


def check_file_names(media: str, captions: str = "") -> None:
    """Refuse media or captions named like the manifest, the page or each other (one would overwrite
    the other in the recording folder)."""
    # casefold: on case-insensitive file systems 'Page.TXT' is the page.
    reserved = {MANIFEST_NAME: "the manifest", PAGE_NAME: "the page text"}
    for what, name in (("media", media), ("captions", captions)):
        if name.casefold() in reserved:
            raise ManifestError(f"{what} file {name!r} would overwrite {reserved[name.casefold()]} in the recording "
                                "folder; rename the file and add it again")
    if captions and media.casefold() == captions.casefold():
        raise ManifestError(f"media and captions are both named {media!r}; rename one of them and add again")


def _load_for_update(paths: DataPaths, slug: str) -> Recording:
    """The manifest to update; a date that is not YYYY-MM-DD (older imports stored '17 juni') is
    dropped rather than refused, since re-importing the page is how it gets fixed."""
    data = read_manifest_data(paths, slug)
    if isinstance(data, dict) and not is_iso_date(str(data.get("date") or "")):
        data = {k: v for k, v in data.items() if k != "date"}
    recording = Recording.from_yaml_dict(data, slug)
    captions_path(paths, recording)
    page_path(paths, recording)
    return recording


def _build_folder(paths: DataPaths, recording: Recording, files: list[tuple[Path, str]]) -> None:
    """Copy the files and write the manifest in a hidden sibling folder, then rename it into place."""
    folder = paths.recording_dir(recording.slug)
    paths.recordings.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkdtemp: its 0700 mode would stay on the recording folder; mkdir honours the umask.
    tmp = paths.recordings / f".tmp-{recording.slug}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        for src, name in files:
            shutil.copyfile(src, tmp / name)
        write_manifest(tmp, recording)
        try:
            os.rename(tmp, folder)  # atomic; replaces only a missing or empty folder
        except OSError as exc:  # another add of the same slug won the race
            raise ManifestError(f"recording {recording.slug!r} already exists in {folder}; pick another slug") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _check_language(language: str | None) -> str | None:
    if language and language not in LANGUAGES:
        raise ManifestError(f"language {language!r} not supported; use one of {sorted(LANGUAGES)}")
    return language


def _check_date(date: str | None) -> str | None:
    if date and not is_iso_date(date):
        raise ConfigError(f"date {date!r} is not a date written YYYY-MM-DD (e.g. 2024-06-14)")
    return date


def _count(new: list, old: list, what: str) -> str:
    if len(new) != len(old):
        return f"{len(new)} {what} (was {len(old)})"
    return f"{len(new)} {what}" + (" (changed)" if new != old else "")


def _emit(notes: list[str], on_warning: Warn | None) -> None:
    for note in notes:
        (on_warning or log.warning)(note)


def accept_damaged_media(paths: DataPaths, slug: str) -> Recording:
    """Mark an existing recording so extract keeps what decodes of its damaged media (and says so)."""
    recording = load_recording(paths, slug)
    recording = replace(recording, accept_damaged=True)
    save_recording(paths, recording)
    return recording
