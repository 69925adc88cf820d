"""Export a reviewed recording: the page (Markdown, HTML) with only approved items in corrected
text, and subtitles (SRT, WebVTT) from the corrected transcript.

The page is rendered by pipeline/publish.py, the same renderer the drafts stage uses for the
machine draft. Reads review.sqlite (read-only when it exists); never writes it.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pipeline.artifacts.manifest import Speaker
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError, PipelineError
from pipeline.editorial.reviewed import load_view
from pipeline.editorial.store import ReadOnlyStore
from pipeline.publish.page import (
    PageChapter,
    PageDraft,
    PageQuestion,
    PageQuote,
    moment_link,
    render_html,
    render_markdown,
)
from pipeline.publish.subtitles import Cue, format_srt, format_vtt

log = logging.getLogger(__name__)

FORMATS = ("md", "html", "srt", "vtt")
MAX_CUE_CHARS = 84  # two subtitle lines of 42 characters


def review_view(paths: DataPaths, slug: str):
    """The recording's review view; an absent review database means nothing is approved yet."""

    return load_view(paths, ReadOnlyStore(paths.review_db), slug)


def build_page(paths: DataPaths, slug: str) -> PageDraft:
    """The reviewed page: title, chapter table, and only the approved items (an edit needs approval too)."""
    view = review_view(paths, slug)
    rec = view.recording
    chapters = [PageChapter(ch.start, ch.title, moment_link(rec.media, ch.start)) for ch in view.chapters
                if ch.title.strip()]
    summary = [view.summary.text] if view.summary and view.summary.accepted else []
    for ch in view.chapters:
        sentences = [i.text for i in ch.summary if i.accepted]
        if sentences:
            summary.append(" ".join(sentences))
    quotes = [PageQuote(q.text, q.extra.get("speaker", "")) for ch in view.chapters for q in ch.quotes if q.accepted]
    questions = [
        PageQuestion(q.text, a.text if a and a.accepted else "", (a.extra.get("speaker", "") if a else ""))
        for q, a in view.questions if q.accepted
    ]
    return PageDraft(
        language=view.language, title=rec.title,
        introduction=view.introduction.text if view.introduction and view.introduction.accepted else "",
        chapters=chapters, summary="\n\n".join(summary), quotes=quotes, questions=questions,
        speakers=[_speaker(i.text) for i in view.speakers if i.accepted],
    )


def _speaker(text: str) -> Speaker:
    lines = [line.strip() for line in text.split("\n")] + ["", ""]
    return Speaker(lines[0], lines[1], " ".join(x for x in lines[2:] if x))


def subtitle_cues(paths: DataPaths, slug: str) -> list[Cue]:
    """Cues from the corrected transcript sentences, long sentences split at word boundaries."""
    view = review_view(paths, slug)
    if not view.has_transcript:
        raise PipelineError(f"{slug}: no transcript yet; run 'pipeline run {slug}' first")
    cues: list[Cue] = []
    for ch in view.chapters:
        for s in ch.sentences:
            cues.extend(split_cue(Cue(s.start, s.end, s.text)))
    return sorted(cues, key=lambda c: c.start)


def split_cue(cue: Cue, limit: int = MAX_CUE_CHARS) -> list[Cue]:
    """Split a long cue into pieces of at most `limit` characters (a longer single word stays whole),
    dividing its time in proportion to the characters."""
    words = cue.text.split()
    pieces: list[str] = []
    for word in words:
        if pieces and len(pieces[-1]) + 1 + len(word) <= limit:
            pieces[-1] += " " + word
        else:
            pieces.append(word)
    total = sum(len(p) for p in pieces) or 1
    out, t = [], cue.start
    for piece in pieces:
        end = t + (cue.end - cue.start) * len(piece) / total
        out.append(Cue(round(t, 3), round(end, 3), piece))
        t = end
    return out


def export_text(paths: DataPaths, slug: str, fmt: str) -> str:
    """The export of one recording in one format, as text."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("md", "html"):
        page = build_page(paths, slug)
        return render_markdown(page) if fmt == "md" else render_html(page)
    cues = subtitle_cues(paths, slug)
    return format_srt(cues) if fmt == "srt" else format_vtt(cues)


def default_export_path(paths: DataPaths, slug: str, fmt: str) -> Path:
    """data/work/<slug>/export/page.md|html or transcript.srt|vtt."""
    name = f"page.{fmt}" if fmt in ("md", "html") else f"transcript.{fmt}"
    return paths.work_dir(slug) / "export" / name


class EmptySectionsError(PipelineError):
    """A page export would leave out whole sections because nothing in them is approved."""

    def __init__(self, slug: str, sections: list[str]):
        super().__init__(f"{slug}: nothing approved in " + "; ".join(sections)
                         + ". Nothing was written: approve items in `pipeline review`, or pass --allow-empty")
        self.sections = sections


SECTION_NAMES = {"introduction": "Introductie", "summary": "Samenvatting", "quotes": "Citaten",
                 "questions": "Vragen", "speakers": "Sprekers"}


def empty_sections(paths: DataPaths, slug: str) -> list[str]:
    """Page sections that have draft items but none approved, e.g. "Citaten (0 of 3 approved)".

    A section without any draft items is not listed: there was nothing to approve.
    """
    view = review_view(paths, slug)
    sections = {
        "introduction": [view.introduction] if view.introduction else [],
        "summary": ([view.summary] if view.summary else []) + [i for ch in view.chapters for i in ch.summary],
        "quotes": [q for ch in view.chapters for q in ch.quotes],
        "questions": [q for q, _ in view.questions],
        "speakers": view.speakers,
    }
    return [f"{SECTION_NAMES[name]} (0 of {len(items)} approved)" for name, items in sections.items()
            if items and not any(i.accepted for i in items)]


def export(paths: DataPaths, slug: str, fmt: str, out: str | Path | None = None, *,
           allow_empty: bool = False) -> Path:
    """Write the export atomically to `out` (default: data/work/<slug>/export/) and return its path.

    A page (md, html) with a section where nothing is approved raises EmptySectionsError unless
    `allow_empty`: a near-empty page published by accident looks like a finished one.
    """
    if fmt in ("md", "html") and not allow_empty:
        missing = empty_sections(paths, slug)
        if missing:
            raise EmptySectionsError(slug, missing)
    text = export_text(paths, slug, fmt)
    target = Path(out) if out else default_export_path(paths, slug, fmt)
    log.info("exported %s as %s -> %s", slug, fmt, target)
    return fsutil.write_text(target, text)
