"""Reading human captions (SRT, WebVTT): the one captions reader, strict.

Every cue keeps the line it came from, and every defect is an error naming that line: minutes or
seconds out of range, a malformed '-->' line, a cue that ends before it starts, a block that is
not a cue, a cue past the end of the media. Nothing is dropped silently: a caption file is what
an editor or a subtitling company delivered, and a lost cue is lost speech.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.errors import ManifestError

TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
TIMING = re.compile(rf"^\s*{TIME}\s*-->\s*{TIME}(?:\s+(?P<settings>.*))?\s*$")
# A line someone meant as a timing line: two time-like things with an arrow-ish thing between.
TIMING_LIKE = re.compile(r"\d+:\d+\S*\s*(?:-+>|=+>|—>|–>|->|-- >|- ->|-->)|-->|\d+:\d+[,.]\d+\s+\S{1,4}\s+\d+:\d+")
VTT_BLOCKS = ("NOTE", "STYLE", "REGION")
TAG = re.compile(r"<[^>]+>")
# Cues may run a little past the audio: encoders pad the last frame and captioners round up.
END_TOLERANCE = 1.0


@dataclass(frozen=True)
class CaptionCue:
    """One cue as delivered: times in seconds, its text without markup, and its timing line."""

    start: float
    end: float
    text: str
    line: int


def _seconds(groups: tuple[str | None, ...], line: int, name: str) -> float:
    hours, minutes, seconds, millis = groups
    if int(minutes) > 59 or int(seconds) > 59:
        raise ManifestError(f"{name}: line {line}: minutes and seconds must be 00-59 "
                            f"(got {minutes}:{seconds})")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000


def parse_captions(text: str, name: str = "captions") -> list[CaptionCue]:
    """Read SRT or WebVTT text into cues, in time order; ManifestError on the first defect."""
    lines = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    vtt = bool(lines) and lines[0].strip().startswith("WEBVTT")
    cues: list[CaptionCue] = []
    for first, block in _blocks(lines):
        if vtt and (first == 1 or block[0].strip().split(" ")[0] in VTT_BLOCKS):
            continue  # the header block, comments, styles and regions
        cue = _cue(first, block, name, vtt)
        if cue is not None:
            cues.append(cue)
    if not cues:
        raise ManifestError(f"{name}: no subtitle cues found (expected SRT or WebVTT)")
    return sorted(cues, key=lambda c: (c.start, c.line))


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    blocks, current, first = [], [], 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _cue(first: int, block: list[str], name: str, vtt: bool) -> CaptionCue | None:
    # SRT: counter, timing, text. WebVTT: optional identifier, timing, text.
    for offset in range(min(2, len(block))):
        number, line = first + offset, block[offset]
        match = TIMING.match(line)
        if match:
            start = _seconds(match.groups()[0:4], number, name)
            end = _seconds(match.groups()[4:8], number, name)
            if end < start:
                raise ManifestError(f"{name}: line {number}: cue ends before it starts ({line.strip()})")
            body = " ".join(TAG.sub("", x).strip() for x in block[offset + 1:])
            return CaptionCue(start, end, " ".join(body.split()), number)
        if TIMING_LIKE.search(line):
            raise ManifestError(f"{name}: line {number}: malformed cue timing {line.strip()[:60]!r}; "
                                "write 'HH:MM:SS,mmm --> HH:MM:SS,mmm'")
        if offset == 0 and not vtt and not line.strip().isdigit():
            break
    raise ManifestError(f"{name}: line {first}: not a subtitle cue ({block[0].strip()[:60]!r}); "
                        "each block needs a 'start --> end' line")


def check_within(cues: list[CaptionCue], duration: float, name: str = "captions") -> None:
    """Refuse cues past the end of the media (a cue at 01:00:00 in 40 s of audio is a typo)."""
    if duration <= 0:
        return
    for cue in cues:
        if cue.end > duration + END_TOLERANCE:
            raise ManifestError(f"{name}: line {cue.line}: cue ends at {cue.end:.1f} s, past the end of the "
                                f"media ({duration:.1f} s)")
