"""transcript.json: segments with word timestamps, the engine and options that made them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, _check_schema
from pipeline.core import fsutil


@dataclass(frozen=True)
class Word:
    """A recognised word with its time span (seconds) and probability. `word` keeps Whisper's leading space."""

    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    """A Whisper segment (or a caption cue). `id` is stable within a transcript: 0..n-1 in time order."""

    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    """Speech the transcript has no words for: start and end (seconds) and why.

    `reason` says what was tried: 'no words after repair' (re-decoded on its own, Whisper heard
    nothing it could write), or 'not repaired' (repair was switched off)."""

    start: float
    end: float
    reason: str


@dataclass
class Coverage:
    """Where speech is (Silero VAD) against where the transcript has words.

    `gaps` lists every uncovered stretch of speech of `min_gap` seconds or more left after
    repair; `repaired` the stretches that were re-decoded and got their words back."""

    speech_seconds: float = 0.0
    covered_seconds: float = 0.0
    min_gap: float = 1.0
    gaps: list[Gap] = field(default_factory=list)
    repaired: list[Gap] = field(default_factory=list)
    measured: bool = False  # False for transcripts made before coverage was measured, or from captions

    @property
    def ratio(self) -> float:
        return self.covered_seconds / self.speech_seconds if self.speech_seconds else 1.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Coverage":
        return cls(**{**data, "gaps": [Gap(**g) for g in data.get("gaps", [])],
                      "repaired": [Gap(**g) for g in data.get("repaired", [])]})


@dataclass
class Transcript:
    """data/work/<slug>/transcript.json: the machine transcript in one engine-independent format."""

    language: str
    duration: float
    engine: str
    model: str
    segments: list[Segment]
    options: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    coverage: Coverage = field(default_factory=Coverage)
    schema_version: int = SCHEMA_VERSION

    @property
    def text(self) -> str:
        """The whole text: segment texts (stripped) joined by single spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Transcript":
        _check_schema(data, "transcript.json", None)
        segments = [
            Segment(**{**s, "words": [Word(**w) for w in s.get("words", [])]})
            for s in data["segments"]
        ]
        coverage = Coverage.from_json(data.get("coverage") or {})
        return cls(**{**data, "segments": segments, "coverage": coverage})

    @classmethod
    def load(cls, path: str | Path) -> "Transcript":
        return cls.from_json(fsutil.read_json(path))

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())
