"""Write the chapters stage's artifacts: chapters.json, per-chapter SRT/VTT/TXT and the segments table.

Everything is rendered in memory first; files are then written atomically, chapters.json last, and
the chapters/ folder is swapped in whole so stale files of renamed chapters never linger. The segments
table has each piece's speaker (the name of the voice with most overlap in speakers.json; '' when the
speakers stage has not run or could not name the voice).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path

import pandas as pd

from pipeline.artifacts.chapters import Chapter, Chapters
from pipeline.artifacts.speakers import Speakers, optional_speakers
from pipeline.artifacts.transcript import Transcript
from pipeline.core import fsutil
from pipeline.core.timecode import format_hms
from pipeline.publish.subtitles import (
    Cue,
    Token,
    caption_cue,
    format_srt,
    format_vtt,
    layout_cues,
    timed_tokens,
    words_as_tokens,
)

SEGMENT_COLUMNS = ["recording", "chapter_index", "chapter_title", "segment_id", "part",
                   "start", "end", "speaker", "text", "flags"]


def title_slug(title: str, limit: int = 50) -> str:
    """'Wie is wie in het programma?' -> 'wie-is-wie-in-het-programma' (ASCII, for file names)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "chapter"


def chapter_stem(chapter: Chapter) -> str:
    """File name stem of a chapter's files: NN-<slug of title>, NN = the chapter number from 1 (two digits)."""
    return f"{chapter.index + 1:02d}-{title_slug(chapter.title)}"  # numbered from 1, as people count


def chapter_cues(chapter: Chapter, transcript: Transcript | None = None,
                 speakers: Speakers | None = None) -> list[Cue]:
    """A chapter's subtitles laid out to publish (publish/subtitles.layout_cues: at most two lines of 42
    characters, 1-7 s, cut at phrase boundaries) from its words' times; human captions (engine
    'subtitles') keep their own cues. Without the transcript, one cue per piece, as laid out as it goes."""
    if transcript is not None and transcript.engine == "subtitles":
        return [caption_cue(p.start, p.end, p.text) for p in chapter.pieces if p.text.strip()]
    segments = {s.id: s for s in (transcript.segments if transcript else [])}
    tokens: list[Token] = []
    for piece in chapter.pieces:
        speaker = speakers.speaker_of(piece.start, piece.end) if speakers else ""
        segment = segments.get(piece.segment_id)
        words = segment.words[piece.word_start:piece.word_end] if segment else []
        if words:
            tokens += words_as_tokens(((w.word, w.start, w.end) for w in words), speaker)
        else:  # a segment without word times: its words spread over the piece
            tokens += [replace(t, speaker=speaker) for t in timed_tokens(piece.text, piece.start, piece.end, [])]
    return layout_cues(tokens)


def render_chapter_files(chapter: Chapter, transcript: Transcript | None = None,
                         speakers: Speakers | None = None) -> dict[str, str]:
    """{file name: content} for one chapter: SRT and WebVTT (recording times) and plain text."""
    cues = chapter_cues(chapter, transcript, speakers)
    stem = chapter_stem(chapter)
    heading = f"{chapter.title}\n{format_hms(chapter.start)} - {format_hms(chapter.end)}\n\n"
    return {
        f"{stem}.srt": format_srt(cues),
        f"{stem}.vtt": format_vtt(cues),
        f"{stem}.txt": heading + (chapter.text + "\n" if chapter.text else ""),
    }


def segments_table(chapters: Chapters, speakers: Speakers | None = None) -> pd.DataFrame:
    """One row per segment piece (a split segment gives one row per part), with its speaker."""
    speaker = speakers.speaker_of if speakers else (lambda start, end: "")
    rows = [
        {"recording": chapters.recording, "chapter_index": c.index, "chapter_title": c.title,
         "segment_id": p.segment_id, "part": p.part, "start": p.start, "end": p.end,
         "speaker": speaker(p.start, p.end), "text": p.text, "flags": ",".join(p.flags)}
        for c in chapters.chapters for p in c.pieces
    ]
    table = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    return table.astype({"chapter_index": "int64", "segment_id": "int64", "part": "int64",
                         "start": "float64", "end": "float64"})


def write_chapter_artifacts(work_dir: Path, chapters: Chapters, transcript: Transcript | None = None) -> Chapters:
    """Write all artifacts of the stage into work_dir; returns chapters with their file names filled in.
    The subtitles are timed by the words of `transcript` (default: work_dir/transcript.json, the stage's input)."""
    if transcript is None and (work_dir / "transcript.json").is_file():
        transcript = Transcript.load(work_dir / "transcript.json")
    speakers = optional_speakers(work_dir / "speakers.json")
    rendered = {}
    named = []
    for chapter in chapters.chapters:
        files = render_chapter_files(chapter, transcript, speakers)
        rendered.update(files)
        named.append(replace(chapter, files={name.rsplit(".", 1)[1]: f"chapters/{name}" for name in files}))
    chapters = replace(chapters, chapters=named)
    table = segments_table(chapters, speakers)
    _replace_folder(work_dir / "chapters", rendered)
    with fsutil.atomic_path(work_dir / "segments.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    with fsutil.atomic_path(work_dir / "segments.csv") as tmp:
        table.to_csv(tmp, index=False)
    chapters.save(work_dir / "chapters.json")
    return chapters


def _replace_folder(folder: Path, files: dict[str, str]) -> None:
    """Fill a fresh temporary folder, then swap it in for `folder` (old one removed afterwards)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new.", dir=folder.parent))
    old = folder.parent / f".{folder.name}.old"
    try:
        for name, content in files.items():
            fsutil.write_text(fresh / name, content)
        if old.exists():
            shutil.rmtree(old)
        if folder.exists():
            os.replace(folder, old)
        os.replace(fresh, folder)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh)
        if old.exists():
            shutil.rmtree(old)
