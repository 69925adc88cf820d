"""media.json: what extract found in the source media and wrote to audio.wav."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.artifacts.base import SCHEMA_VERSION, _check_schema
from pipeline.core import fsutil


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
    # The length the container states (0 when it states none), and, for a file kept with
    # `pipeline add --accept-damaged`, what was wrong with it: shown to editors, never hidden.
    stated_duration: float = 0.0
    damage: str = ""
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
