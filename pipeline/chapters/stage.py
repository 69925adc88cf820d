"""The chapters stage: split a transcript by the page's chapter list, boundaries snapped to what was said.

Core: `split_transcript(transcript, chapter_list, options) -> Chapters` (pure). The stage reads
transcript.json and the chapter list (recording.yaml `chapters` or `chapters_file`) and writes
chapters.json, chapters/NN-<title>.{srt,vtt,txt} and segments.parquet/.csv (chapter_files.py).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.artifacts.chapter_line import ChapterEntry
from pipeline.artifacts.chapters import Chapter, Chapters, Piece
from pipeline.artifacts.manifest import manifest_path
from pipeline.artifacts.speakers import Speakers, optional_speakers
from pipeline.artifacts.transcript import Gap, Transcript, Word
from pipeline.chapters.edits import Edits, apply_edits
from pipeline.chapters.files import write_chapter_artifacts
from pipeline.chapters.snap import (
    Boundary,
    ChapterOptions,
    Unit,
    snap_boundaries,
    transcript_units,
    unit_ranges,
)
from pipeline.core.errors import ChapterListError
from pipeline.core.timecode import format_clock, format_hms
from pipeline.editorial.corrections import chapter_edits, chapter_edits_digest
from pipeline.ingest.chapterlist import (
    ChapterList,
    manifest_chapter_list,
    read_chapter_file,
    resolve,
)
from pipeline.runner.stage import Stage, StageContext

log = logging.getLogger(__name__)

__all__ = ["ChapterOptions", "chapter_words", "split_transcript"]

FLAG_TEXT = {
    "short": "shorter than {min_s:g} s ({seconds:.1f} s)",
    "no_speech": "(nearly) no speech ({words} words)",
    "mid_sentence": "starts in the middle of a sentence",
    "unsnapped": "no natural break within ±{window:g} s of the listed time {listed}; kept the listed time",
    "moved_far": "first word {moved:+.1f} s from the listed time {listed} (a long pause starts in the window)",
    "untranscribed_speech": "speech not transcribed: {gaps}",
}


def chapter_words(chapter: Chapter, transcript: Transcript) -> list[Word]:
    """The transcript's words that belong to a chapter, in order."""
    return transcript.words()[chapter.word_start:chapter.word_end]


def split_transcript(transcript: Transcript, chapter_list: ChapterList | None,
                     options: ChapterOptions = ChapterOptions(), *, recording: str = "",
                     title: str = "", edits: Edits | None = None, speakers: Speakers | None = None) -> Chapters:
    """Assign every word of the transcript to exactly one chapter of the (snapped) chapter list.

    `edits` are editors' changes (chapter index -> (title, start)); see chapters/edits.py. With
    `speakers` (speakers.json) a break where the voice changes is preferred (`speaker_weight`)."""
    units = transcript_units(transcript, speakers.speaker_id_of if speakers else None)
    duration = max([transcript.duration, 0.0] + [u.end for u in units])
    if chapter_list and chapter_list.entries:
        listed = resolve(chapter_list, duration)
        entries, warnings = list(listed.entries), list(listed.warnings)
        source = Path(listed.source).name  # 'recording.yaml' or the chapter file, not a machine's path
    else:
        entries = [ChapterEntry(0.0, title or "whole recording")]
        warnings, source = ["no chapter list: one chapter for the whole recording"], "none"
    boundaries = snap_boundaries(units, [e.start for e in entries], duration, options)
    marks: dict[int, list[str]] = {}
    if edits:
        entries, boundaries, marks, notes = apply_edits(entries, boundaries, units, duration, options, edits)
        warnings += notes
    ranges = unit_ranges(boundaries, len(units))
    pieces = _pieces(transcript, units, ranges)
    if entries[0].implicit and ranges[0][0] == ranges[0][1]:
        warnings.append("nothing is said before the first listed chapter; dropped the implicit lead-in")
        entries, boundaries, ranges, pieces = entries[1:], boundaries[1:], ranges[1:], pieces[1:]
        boundaries[0] = Boundary(0, boundaries[0].listed, True, "first listed chapter", sentence_end=True)
    starts = _starts(units, ranges, entries)
    chapters = []
    for k, entry in enumerate(entries):
        end = starts[k + 1] if k + 1 < len(entries) else round(max(duration, starts[k]), 3)
        chapters.append(_chapter(k, entry, boundaries[k], (starts[k], end), ranges[k], pieces[k],
                                 units, options, whole=source == "none"))
    chapters = [_with_gaps(c, transcript.coverage.gaps) for c in chapters]
    chapters = [replace(c, flags=c.flags + marks[c.index]) if c.index in marks else c for c in chapters]
    warnings += [w for c in chapters if (w := _flag_warning(c, options))]
    return Chapters(recording, source, round(duration, 3), chapters, warnings, options.to_json())


def _pieces(transcript: Transcript, units: list[Unit], ranges: list[tuple[int, int]]) -> list[list[Piece]]:
    """Per chapter, its segments and segment parts, in order."""
    spans: list[list[tuple[int, int, int]]] = []  # per chapter: (segment position, first unit, end unit)
    for a, b in ranges:
        runs: list[tuple[int, int, int]] = []
        for i in range(a, b):
            if runs and runs[-1][0] == units[i].segment:
                runs[-1] = (runs[-1][0], runs[-1][1], i + 1)
            else:
                runs.append((units[i].segment, i, i + 1))
        spans.append(runs)
    count: dict[int, int] = {}
    for runs in spans:
        for pos, _, _ in runs:
            count[pos] = count.get(pos, 0) + 1
    seen: dict[int, int] = {}
    result = []
    for runs in spans:
        chapter_pieces = []
        for pos, a, b in runs:
            part = seen.get(pos, 0)
            seen[pos] = part + 1
            chapter_pieces.append(_piece(transcript.segments[pos], units[a:b], part, count[pos]))
        result.append(chapter_pieces)
    return result


def _piece(segment, units: list[Unit], part: int, parts: int) -> Piece:
    if units[0].word < 0:  # a wordless segment is one unit and is never split
        return Piece(segment.id, 0, segment.start, segment.end, segment.text.strip(), 0, 0, list(segment.flags))
    first, last = units[0].word, units[-1].word + 1
    if parts == 1:
        return Piece(segment.id, 0, segment.start, segment.end, segment.text.strip(), first, last,
                     list(segment.flags))
    flags = list(segment.flags) + ["split"]
    if "".join(w.word for w in segment.words).strip() != segment.text.strip():
        flags.append("text_from_words")  # the words do not spell the segment text; the words win
    start = segment.start if part == 0 else units[0].start
    end = segment.end if part == parts - 1 else units[-1].end
    text = "".join(u.text for u in units).strip()
    return Piece(segment.id, part, round(start, 3), round(end, 3), text, first, last, flags)


def _starts(units: list[Unit], ranges: list[tuple[int, int]], entries: list[ChapterEntry]) -> list[float]:
    """A chapter starts at its first word; an empty chapter at its listed time; never before the previous."""
    starts: list[float] = []
    for (a, b), entry in zip(ranges, entries):
        start = units[a].start if a < b else entry.start
        if a == b and a < len(units):
            start = min(start, units[a].start)
        starts.append(round(max([start] + starts[-1:]), 3))
    return starts


def _chapter(k: int, entry: ChapterEntry, boundary: Boundary, span: tuple[float, float],
             unit_range: tuple[int, int], pieces: list[Piece], units: list[Unit],
             options: ChapterOptions, whole: bool) -> Chapter:
    a, b = unit_range
    text = " ".join(p.text for p in pieces if p.text)
    word_start = sum(1 for u in units[:a] if u.word >= 0)
    word_end = word_start + sum(1 for u in units[a:b] if u.word >= 0)
    speech = sum(max(0.0, u.end - u.start) for u in units[a:b])
    flags = _flags(span, len(text.split()), speech, boundary, k, options)
    if k > 0 and abs(span[0] - entry.start) > options.window:
        flags.append("moved_far")  # the break began inside the window but speech resumes beyond it
    flags += ["implicit_lead_in"] * entry.implicit + ["whole_recording"] * whole
    snap = {
        "reason": boundary.reason, "snapped": boundary.snapped, "pause": boundary.pause,
        "sentence_end": boundary.sentence_end, "listed_in_sentence": boundary.listed_in_sentence,
        "moved": round(span[0] - entry.start, 3),
    }
    return Chapter(k, entry.title, entry.start, span[0], span[1], list(dict.fromkeys(p.segment_id for p in pieces)),
                   text, len(text.split()), flags, snap, word_start, word_end, pieces)


def _flags(span: tuple[float, float], words: int, speech: float, boundary: Boundary, k: int,
           options: ChapterOptions) -> list[str]:
    seconds = span[1] - span[0]
    flags = []
    if seconds < options.min_chapter_seconds:
        flags.append("short")
    if words < options.min_words or (seconds > 0 and speech / seconds < options.min_speech_ratio):
        flags.append("no_speech")
    if k > 0 and boundary.mid_sentence:
        flags.append("mid_sentence")
    if not boundary.snapped:
        flags.append("unsnapped")
    return flags


def _with_gaps(chapter: Chapter, gaps: list[Gap]) -> Chapter:
    """The chapter with the untranscribed stretches of speech that overlap it (clipped to it)."""
    mine = [Gap(max(g.start, chapter.start), min(g.end, chapter.end), g.reason)
            for g in gaps if g.start < chapter.end and g.end > chapter.start]
    if not mine:
        return chapter
    return replace(chapter, gaps=mine, flags=chapter.flags + ["untranscribed_speech"])


def _flag_warning(chapter: Chapter, options: ChapterOptions) -> str:
    values = {"gaps": ", ".join(f"{format_clock(g.start)}–{format_clock(g.end)}" for g in chapter.gaps),"min_s": options.min_chapter_seconds, "seconds": chapter.end - chapter.start,
              "words": chapter.word_count, "window": options.window, "listed": format_hms(chapter.listed_start),
              "moved": chapter.start - chapter.listed_start}
    notes = [FLAG_TEXT[f].format(**values) for f in chapter.flags if f in FLAG_TEXT]
    if not notes:
        return ""
    # people count chapters from 1 (the page's table, search, exports); chapters.json's index is 0-based
    return f"chapter {chapter.index + 1} {chapter.title!r} at {format_hms(chapter.start)}: {'; '.join(notes)}"


# --- the stage -------------------------------------------------------------------------------------

OPTIONS = ChapterOptions()


def listed_chapters(ctx: StageContext) -> ChapterList | None:
    """The recording's chapter list: its chapters_file or recording.yaml `chapters` (None if neither)."""
    recording = ctx.recording
    if recording.chapters_file and recording.chapters:
        raise ChapterListError(f"{manifest_path(ctx.paths, ctx.slug)}: has both chapters and chapters_file; "
                               "keep one of them")
    if recording.chapters_file:
        return read_chapter_file(_chapter_file(ctx))
    if recording.chapters:
        return manifest_chapter_list(recording.chapters, manifest_path(ctx.paths, ctx.slug))
    return None


def _chapter_file(ctx: StageContext) -> Path:
    folder = ctx.recording_dir.resolve()
    path = (folder / ctx.recording.chapters_file).resolve()
    if folder not in path.parents:
        raise ChapterListError(f"chapters_file {ctx.recording.chapters_file!r} of {ctx.slug!r} is outside its folder")
    return path


def _inputs(ctx: StageContext) -> list[Path]:
    inputs = [ctx.work_dir / "transcript.json"]
    if (ctx.work_dir / "speakers.json").is_file():  # the segments table names each segment's speaker
        inputs.append(ctx.work_dir / "speakers.json")
    if ctx.recording.chapters_file:
        inputs.append(ctx.recording_dir / ctx.recording.chapters_file)
    return inputs


def _params(ctx: StageContext) -> dict[str, Any]:
    # Only what shapes the chapters: editing the title or speakers in recording.yaml does not re-run this.
    recording = ctx.recording
    return {
        "options": OPTIONS.to_json(),
        "chapters": [[c.start, c.title] for c in recording.chapters],
        "chapters_file": recording.chapters_file,
        "fallback_title": "" if recording.chapters or recording.chapters_file else recording.title,
        # Editors' chapter titles and starts (review.sqlite, read-only): only present once there are some.
        **({"editor_chapters": digest} if (digest := chapter_edits_digest(ctx.paths, ctx.slug)) else {}),
    }


def _outputs(ctx: StageContext) -> list[Path]:
    return [ctx.work_dir / name for name in ("chapters.json", "segments.parquet", "segments.csv", "chapters")]


def _build(ctx: StageContext) -> dict[str, Any]:

    transcript = Transcript.load(ctx.work_dir / "transcript.json")
    chapters = split_transcript(transcript, listed_chapters(ctx), OPTIONS, recording=ctx.slug,
                                title=ctx.recording.title, edits=chapter_edits(ctx.paths, ctx.slug),
                                speakers=optional_speakers(ctx.work_dir / "speakers.json"))
    write_chapter_artifacts(ctx.work_dir, chapters)
    for warning in chapters.warnings:
        log.warning("%s: %s", ctx.slug, warning)
    return {"chapters": len(chapters.chapters), "source": chapters.source, "warnings": chapters.warnings}


STAGE = Stage(
    name="chapters",
    description="split the transcript by the chapter list, boundaries snapped to pauses and sentence ends",
    inputs=_inputs,
    params=_params,
    outputs=_outputs,
    build=_build,
    packages=("pandas", "pyarrow"),
)
