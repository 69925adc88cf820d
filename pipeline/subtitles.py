"""Subtitle cues: SRT and WebVTT writers (one iterator, two formats) and a caption reader."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from pipeline.errors import ManifestError


@dataclass(frozen=True)
class Cue:
    """A timed piece of text (seconds)."""

    start: float
    end: float
    text: str


def format_timestamp(seconds: float, decimal: str = ",", always_hours: bool = True) -> str:
    """12.5 -> '00:00:12,500' (SRT) or '00:00:12.500' (VTT)."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    head = f"{hours:02d}:" if always_hours or hours else ""
    return f"{head}{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


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


TIME_LINE = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)


def parse_time(text: str) -> float:
    parts = text.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def parse_captions(text: str, name: str = "captions") -> list[Cue]:
    """Read SRT or WebVTT text into cues (tags like <i> and VTT cue settings are dropped)."""
    cues: list[Cue] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\ufeff", "").strip())
    for block in blocks:
        lines = block.split("\n")
        for i, line in enumerate(lines):
            match = TIME_LINE.match(line)
            if match:
                body = " ".join(l.strip() for l in lines[i + 1:] if l.strip())
                body = re.sub(r"<[^>]+>", "", body).strip()
                start, end = parse_time(match.group(1)), parse_time(match.group(2))
                if end < start:
                    raise ManifestError(f"{name}: cue ends before it starts at {match.group(1)}")
                if body:
                    cues.append(Cue(start, end, body))
                break
    if not cues:
        raise ManifestError(f"{name}: no subtitle cues found (expected SRT or WebVTT)")
    return sorted(cues, key=lambda c: c.start)
