"""Typed artifacts shared between stages: media info and the transcript.

Stages meet only through these files; each carries a schema version and what produced it.
Later stages (chapters, drafts) define their own artifact types in their modules.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from pipeline import fsutil
from pipeline.errors import PipelineError

SCHEMA_VERSION = 1
T = TypeVar("T")


def load_artifact(path: str | Path, parse: Callable[[Any], T], kind: str, stage: str) -> T:
    """Read a stage's JSON artifact; a missing or unreadable file is a PipelineError naming it and the fix."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path} does not exist; run the {stage} stage ('pipeline run --stages {stage}')")
    try:
        return parse(fsutil.read_json(path))
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{path}: not a valid {kind} ({exc}); re-run the {stage} stage") from exc


def _check_schema(data: dict, kind: str, path: Path | None) -> None:
    version = data.get("schema_version", SCHEMA_VERSION)
    if version > SCHEMA_VERSION:
        where = f" in {path}" if path else ""
        raise PipelineError(f"{kind}{where} has schema {version}, newer than this pipeline; upgrade it")


@dataclass(frozen=True)
class AudioStream:
    """One audio stream of the source media."""

    index: int
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class MediaInfo:
    """What the extract stage learnt about the source (data/work/<slug>/media.json)."""

    source: str
    source_sha256: str
    source_bytes: int
    duration: float
    format: str
    audio_streams: list[AudioStream]
    video_streams: int
    audio: str = "audio.wav"
    sample_rate: int = 16000
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "MediaInfo":
        _check_schema(data, "media.json", None)
        streams = [AudioStream(**s) for s in data.get("audio_streams", [])]
        return cls(**{**data, "audio_streams": streams})

    @classmethod
    def load(cls, path: str | Path) -> "MediaInfo":
        return cls.from_json(fsutil.read_json(path))


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
