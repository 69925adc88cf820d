"""Where things live: the data folder (env PIPELINE_DATA) and the model cache."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError

# \A...\Z rather than ^...$: `$` also matches before a final newline, so "talk\n" was accepted.
# check_slug uses fullmatch; the \Z keeps callers that use SLUG_RE.match safe as well.
SLUG_RE = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,79}\Z")


def check_slug(slug: str) -> str:
    """Return slug if it is a safe folder name (lowercase, digits, '-', '_'), else raise."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise ConfigError(
            f"invalid recording slug {slug!r}: use lowercase letters, digits, '-' or '_' (max 80)"
        )
    return slug


@dataclass(frozen=True)
class DataPaths:
    """The layout of one data folder: recordings/ (inputs), work/ (generated), databases."""

    root: Path

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

    @property
    def work(self) -> Path:
        return self.root / "work"

    def recording_dir(self, slug: str) -> Path:
        return self.recordings / check_slug(slug)

    def work_dir(self, slug: str) -> Path:
        return self.work / check_slug(slug)

    @property
    def review_db(self) -> Path:
        """Editor-owned SQLite database; the pipeline reads it, never writes it."""
        return self.root / "review.sqlite"

    @property
    def index_db(self) -> Path:
        """Search index (generated, rebuildable)."""
        return self.root / "index.sqlite"

    @property
    def glossary(self) -> Path:
        return self.root / "glossary.txt"

    def slugs(self) -> list[str]:
        """All recordings that have a manifest, sorted.

        Only folders named like a slug count: `pipeline add` builds a recording in a hidden
        `.tmp-<slug>-*` sibling, which must not show up half-made in `run` or `status`."""
        if not self.recordings.is_dir():
            return []
        return sorted(p.parent.name for p in self.recordings.glob("*/recording.yaml")
                      if SLUG_RE.fullmatch(p.parent.name))


def data_paths(root: str | os.PathLike | None = None) -> DataPaths:
    """The data folder: explicit root, else $PIPELINE_DATA, else ./data."""
    chosen = root or os.environ.get("PIPELINE_DATA") or "data"
    return DataPaths(Path(chosen).expanduser().resolve())


def model_cache_dir() -> Path:
    """Where assembled/converted models live ($PIPELINE_MODELS or ~/.cache/lecture-pipeline)."""
    env = os.environ.get("PIPELINE_MODELS")
    base = Path(env) if env else Path.home() / ".cache" / "lecture-pipeline" / "models"
    return base.expanduser().resolve()
