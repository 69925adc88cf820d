"""What every artifact shares: the schema version and the one way to read a stage's JSON file.

Stages meet only through these files (one module each in pipeline/artifacts/); each carries a
schema version and what produced it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

from pipeline.core import fsutil
from pipeline.core.errors import PipelineError

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


