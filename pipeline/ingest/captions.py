"""Reading human captions (SRT, WebVTT): the one captions reader."""
from __future__ import annotations

import re

from pipeline.core.errors import ManifestError
from pipeline.publish.subtitles import Cue


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


TIME_LINE = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
