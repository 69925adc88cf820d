"""speakers.json: who speaks when (the speakers stage), and the one rule for giving a time span a speaker.

`turns` cover the speech of the recording (the transcript's segments), one speaker at a time except
where two voices speak at once: overlapped speech found by the segmentation model (a second speaker's
turn), and the stereo path (one microphone per channel). `speakers` has
one entry per speaker found: its id ('SPEAKER_00' talks most), the name (None when nobody could name
it), seconds of speech, where the name came from (`name_source`: introduction, chapter_title,
page_order, only_speaker, audience, editor = named in the review app; None when unnamed) and its role
(presenter | audience).
Later stages give a sentence or segment the speaker with the most overlap (`Speakers.speaker_of`).
"""
from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, load_artifact
from pipeline.core import fsutil
from pipeline.core.errors import PipelineError

AUDIENCE = {"nl": "Publiek", "en": "Audience"}
UNNAMED = {"nl": "Spreker", "en": "Speaker"}
NAME_SOURCES = ("introduction", "chapter_title", "page_order", "only_speaker", "audience", "editor")


@dataclass(frozen=True)
class Turn:
    """A stretch of speech by one speaker (seconds)."""

    start: float
    end: float
    speaker: str


@dataclass
class SpeakerEntry:
    """One speaker found in the audio."""

    id: str
    name: str | None = None
    seconds: float = 0.0
    name_source: str | None = None
    role: str = "presenter"  # "presenter" (or another main voice) | "audience"
    label: str = ""          # what the review app shows: the name, 'Publiek', or 'Spreker 2'


@dataclass
class Speakers:
    """data/work/<slug>/speakers.json."""

    language: str
    duration: float
    method: str
    parameters: dict[str, Any]
    turns: list[Turn]
    speakers: list[SpeakerEntry]
    warnings: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["turns"] = [[t.start, t.end, t.speaker] for t in self.turns]  # compact: 2 h has ~2000 turns
        return {"schema_version": data.pop("schema_version"), **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Speakers":
        version = data.get("schema_version", SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise PipelineError(f"speakers.json has schema {version}, newer than this pipeline; upgrade it")
        turns = [Turn(float(t[0]), float(t[1]), str(t[2])) if isinstance(t, list) else Turn(**t)
                 for t in data["turns"]]
        speakers = [SpeakerEntry(**s) for s in data["speakers"]]
        return cls(**{**data, "turns": turns, "speakers": speakers, "schema_version": version})

    @classmethod
    def load(cls, path: str | Path) -> "Speakers":
        return load_speakers(path)

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())

    def names(self) -> dict[str, str]:
        """Speaker id -> the name later artifacts carry ('' for a speaker nobody could name)."""
        return {s.id: s.name or "" for s in self.speakers}

    def speaker_of(self, start: float, end: float) -> str:
        """The name of the speaker with the most overlap with [start, end] ('' when none or unnamed);
        a span with no overlap at all (a word-less moment) takes the nearest turn within 1 s."""
        return self.names().get(self.speaker_id_of(start, end), "")

    def speaker_id_of(self, start: float, end: float) -> str:
        index = self._index()
        starts, turns = index
        hi = bisect.bisect_right(starts, end)
        overlap: dict[str, float] = {}
        for t in turns[max(0, hi - 64):hi]:  # turns are short; 64 back covers any overlap
            o = min(end, t.end) - max(start, t.start)
            if o > 0:
                overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
        if overlap:
            return max(sorted(overlap), key=lambda k: overlap[k])
        near = [(min(abs(t.start - end), abs(start - t.end)), t.speaker) for t in turns[max(0, hi - 2):hi + 1]]
        near = [n for n in near if n[0] <= 1.0]
        return min(near)[1] if near else ""

    def _index(self) -> tuple[list[float], list[Turn]]:
        cached = self.__dict__.get("_cache")
        if cached is None or cached[2] is not self.turns or cached[3] != len(self.turns):
            turns = sorted(self.turns, key=lambda t: (t.start, t.end))
            cached = ([t.start for t in turns], turns, self.turns, len(self.turns))
            self.__dict__["_cache"] = cached
        return cached[0], cached[1]


def load_speakers(path: str | Path) -> Speakers:
    """Read speakers.json; a missing or unreadable file raises PipelineError naming it."""
    return load_artifact(path, Speakers.from_json, "speakers.json", "speakers")


def optional_speakers(path: str | Path) -> Speakers | None:
    """speakers.json when the speakers stage has written it, else None (stages work without it)."""
    return load_speakers(path) if Path(path).is_file() else None
