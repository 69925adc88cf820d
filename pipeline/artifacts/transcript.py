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
        return cls(**{**data, "segments": segments})

    @classmethod
    def load(cls, path: str | Path) -> "Transcript":
        return cls.from_json(fsutil.read_json(path))

    def save(self, path: str | Path) -> Path:
        return fsutil.write_json(path, self.to_json())
