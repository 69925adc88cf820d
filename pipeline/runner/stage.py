"""The stage contract: what a stage declares (inputs, parameters, outputs, work) and what it is given."""
from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pipeline.artifacts.manifest import Recording
from pipeline.core.config import DataPaths
from pipeline.core.version import __version__


@dataclass(frozen=True)
class StageContext:
    """What a stage gets: the data layout and the recording's manifest."""

    paths: DataPaths
    recording: Recording
    force: bool = False  # `pipeline run --force`: redo on purpose, with today's settings

    @property
    def slug(self) -> str:
        return self.recording.slug

    @property
    def work_dir(self) -> Path:
        return self.paths.work_dir(self.slug)

    @property
    def recording_dir(self) -> Path:
        return self.paths.recording_dir(self.slug)


@dataclass(frozen=True)
class Stage:
    """A pipeline stage: which files it reads, its parameters, what it writes, and the work itself."""

    name: str
    description: str
    inputs: Callable[[StageContext], list[Path]]
    params: Callable[[StageContext], dict[str, Any]]
    outputs: Callable[[StageContext], list[Path]]
    build: Callable[[StageContext], dict[str, Any] | None]
    packages: tuple[str, ...] = ()
    # Run before the fingerprint when the stage is about to run (never by read-only commands
    # such as `pipeline status`): e.g. create a shared database the parameters refer to.
    prepare: Callable[[StageContext], None] | None = None
    # Once per batch, before its recordings (`pipeline run`): upkeep of what the stage shares across
    # recordings, e.g. rebuild a damaged index, drop recordings that left the data folder. Returns
    # one line per thing it did, for the user.
    sweep: Callable[[DataPaths], list[str]] | None = None
    # Read-only check of what the stage shares (`pipeline status` and `pipeline run`): one line per
    # problem, each saying what is wrong and how to fix it.
    health: Callable[[DataPaths], list[str]] | None = None


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of the given distributions (plus this pipeline's)."""
    versions = {"lecture-pipeline": __version__}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# The run order; pipeline/stages.py holds the stages themselves and checks it matches.
STAGE_ORDER = ("extract", "transcribe", "speakers", "chapters", "drafts", "index")
