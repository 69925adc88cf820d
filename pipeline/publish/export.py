"""Export a reviewed recording: the page (Markdown, HTML) with only approved items in corrected
text, and subtitles (SRT, WebVTT) from the corrected transcript, laid out to publish (see
publish/subtitles.py); human captions keep their own cues.

Nothing is exported while a chapter has speech the transcript lacks (a gap) that no editor has
listened to and marked checked, unless the caller allows it (`--allow-gaps`).

The page is rendered by pipeline/publish.py, the same renderer the drafts stage uses for the
machine draft. Reads review.sqlite (read-only when it exists); never writes it.
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import replace
from pathlib import Path

from pipeline.artifacts.manifest import Speaker
from pipeline.artifacts.transcript import Transcript
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import ConfigError, PipelineError
from pipeline.editorial.corrections import load_corrections
from pipeline.editorial.reviewed import RecordingView, load_view
from pipeline.editorial.store import ReadOnlyStore
from pipeline.publish.page import (
    PageChapter,
    PageDraft,
    PageQuestion,
    PageQuote,
    media_location,
    moment_link,
    render_html,
    render_markdown,
    site_media_url,
)
from pipeline.publish.subtitles import (
    Cue,
    Token,
    caption_cue,
    format_srt,
    format_vtt,
    layout_cues,
    timed_tokens,
)

log = logging.getLogger(__name__)

FORMATS = ("md", "html", "srt", "vtt")


def review_view(paths: DataPaths, slug: str):
    """The recording's review view; an absent review database means nothing is approved yet."""

    return load_view(paths, ReadOnlyStore(paths.review_db), slug)


def build_page(paths: DataPaths, slug: str, page_dir: str | Path | None = None) -> PageDraft:
    """The reviewed page: title, chapter table, and only the approved items (an edit needs approval too).
    Chapter links go to PIPELINE_MEDIA_URL/<slug>/<media> when set, else to the media file as seen from
    `page_dir`, the folder the page is written to (default: data/work/<slug>/export)."""
    view = review_view(paths, slug)
    rec = view.recording
    media = media_location(paths.recording_dir(slug) / rec.media, page_dir or paths.work_dir(slug) / "export",
                           slug, site_media_url())
    chapters = [PageChapter(ch.start, ch.title, moment_link(media, ch.start)) for ch in view.chapters
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


def subtitle_cues(paths: DataPaths, slug: str, name_turns: bool = False) -> list[Cue]:
    """Cues from the corrected transcript: sentences cut into publishable cues, timed by their words.
    A cue never spans two speakers; each carries its speaker (WebVTT writes a <v Name> tag), and with
    `name_turns` (SRT, which has no voice tags) the first cue of each speaker's turn starts "Name:".

    Human captions (engine 'subtitles') keep their own cues and times; only their text is corrected."""
    view = review_view(paths, slug)
    if not view.has_transcript:
        raise PipelineError(f"{slug}: no transcript yet; run 'pipeline run {slug}' first")
    transcript = Transcript.load(paths.work_dir(slug) / "transcript.json")
    unique = {s.id: s for ch in view.chapters for s in ch.sentences}  # each sentence once
    sentences = sorted(unique.values(), key=lambda s: s.start)
    if transcript.engine == "subtitles":
        return _caption_cues(paths, slug, transcript, sentences)
    words = sorted(((w.word.strip(), w.start, w.end) for w in transcript.words()), key=lambda w: w[1])
    mids = [(w[1] + w[2]) / 2 for w in words]
    tokens: list[Token] = []
    for s in sentences:
        lo, hi = bisect.bisect_left(mids, s.start - 0.05), bisect.bisect_right(mids, s.end + 0.05)
        timed = [replace(t, speaker=s.speaker) for t in timed_tokens(s.text, s.start, s.end, words[lo:hi])]
        if name_turns and timed and s.speaker and (not tokens or tokens[-1].speaker != s.speaker):
            timed.insert(0, Token(f"{s.speaker}:", timed[0].start, timed[0].start, speaker=s.speaker))
        tokens += timed
    return layout_cues(tokens)


def _caption_cues(paths: DataPaths, slug: str, transcript: Transcript, sentences) -> list[Cue]:
    """A human caption file's own cues, each with the corrections of the sentences inside it."""
    corrections = load_corrections(paths, slug)
    machine = {s.id: s.machine_text for s in sentences}
    cues = []
    for seg in transcript.segments:
        inside = [s.id for s in sentences if seg.start - 0.05 <= s.start and s.end <= seg.end + 0.05]
        text = corrections.derived_text(" ".join(seg.text.split()), machine, inside)
        cues.append(caption_cue(seg.start, seg.end, text))
    return cues


def export_text(paths: DataPaths, slug: str, fmt: str, page_dir: str | Path | None = None) -> str:
    """The export of one recording in one format, as text (a page's media links as seen from `page_dir`)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("md", "html"):
        page = build_page(paths, slug, page_dir)
        return render_markdown(page) if fmt == "md" else render_html(page)
    cues = subtitle_cues(paths, slug, name_turns=fmt == "srt")
    return format_srt(cues) if fmt == "srt" else format_vtt(cues)


def default_export_path(paths: DataPaths, slug: str, fmt: str) -> Path:
    """data/work/<slug>/export/page.md|html or transcript.srt|vtt."""
    name = f"page.{fmt}" if fmt in ("md", "html") else f"transcript.{fmt}"
    return paths.work_dir(slug) / "export" / name


class UncheckedGapsError(PipelineError):
    """A chapter has speech the transcript lacks that no editor has marked checked: one line each."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def gap_problems(view: RecordingView) -> list[tuple[int, str, list[str]]]:
    """(chapter number from 1, title, spans) of each chapter with speech not transcribed that no editor
    has marked checked; the one rule behind the CLI's refusal and the review app's."""
    return [(ch.index + 1, ch.title, spans) for ch in view.chapters
            if (spans := [g.text for g in ch.gaps if not g.accepted])]


def unchecked_gaps(paths: DataPaths, slug: str, view: RecordingView | None = None) -> list[str]:
    """One line per chapter with unchecked gaps, e.g. "demo: chapter 3 “Timers”: speech not
    transcribed 0:41–1:12 not checked; ...". Empty when every gap was listened to."""
    view = view or review_view(paths, slug)
    return [f"{slug}: chapter {number} \u201c{title}\u201d: speech not transcribed {', '.join(spans)} not "
            "checked; listen in `pipeline review` and mark it checked, or pass --allow-gaps"
            for number, title, spans in gap_problems(view)]


class EmptySectionsError(PipelineError):
    """A page export would leave out whole sections because nothing in them is approved."""

    def __init__(self, slug: str, sections: list[str]):
        super().__init__(f"{slug}: nothing approved in " + "; ".join(sections)
                         + ". Nothing was written: approve items in `pipeline review`, or pass --allow-empty")
        self.sections = sections


SECTION_NAMES = {"introduction": "Introductie", "summary": "Samenvatting", "quotes": "Citaten",
                 "questions": "Vragen", "speakers": "Sprekers"}


def section_problems(view: RecordingView) -> list[tuple[str, int]]:
    """(section, number of draft items) of each page section with draft items but none approved.

    A section without any draft items is not listed: there was nothing to approve.
    """
    sections = {
        "introduction": [view.introduction] if view.introduction else [],
        "summary": ([view.summary] if view.summary else []) + [i for ch in view.chapters for i in ch.summary],
        "quotes": [q for ch in view.chapters for q in ch.quotes],
        "questions": [q for q, _ in view.questions],
        "speakers": view.speakers,
    }
    return [(name, len(items)) for name, items in sections.items() if items and not any(i.accepted for i in items)]


def empty_sections(paths: DataPaths, slug: str) -> list[str]:
    """Page sections that have draft items but none approved, e.g. "Citaten (0 of 3 approved)"."""
    return [f"{SECTION_NAMES[name]} (0 of {n} approved)" for name, n in section_problems(review_view(paths, slug))]


def export(paths: DataPaths, slug: str, fmt: str, out: str | Path | None = None, *,
           allow_empty: bool = False, allow_gaps: bool = False) -> Path:
    """Write the export atomically to `out` (default: data/work/<slug>/export/) and return its path.

    A chapter with an unchecked gap raises UncheckedGapsError unless `allow_gaps` (any format: a page
    or subtitles missing speech must not pass for complete). A page (md, html) with a section where
    nothing is approved raises EmptySectionsError unless `allow_empty`: a near-empty page published
    by accident looks like a finished one.
    """
    if fmt in FORMATS and not allow_gaps:
        gaps = unchecked_gaps(paths, slug)
        if gaps:
            raise UncheckedGapsError(gaps)
    if fmt in ("md", "html") and not allow_empty:
        missing = empty_sections(paths, slug)
        if missing:
            raise EmptySectionsError(slug, missing)
    target = Path(out) if out else default_export_path(paths, slug, fmt)
    text = export_text(paths, slug, fmt, target.parent)
    log.info("exported %s as %s -> %s", slug, fmt, target)
    return fsutil.write_text(target, text)
