"""The stage registry, in run order. Each stage module exposes STAGE (a runner.Stage)."""
from __future__ import annotations

from pipeline.chapters import stage as chapters
from pipeline.core.errors import ConfigError
from pipeline.drafts import stage as drafts
from pipeline.extract import stage as extract
from pipeline.index import stage as index
from pipeline.runner.stage import STAGE_ORDER, Stage
from pipeline.speakers import stage as speakers
from pipeline.transcribe import stage as transcribe


def all_stages() -> list[Stage]:
    """Every stage in the order the runner runs them."""
    stages = [extract.STAGE, transcribe.STAGE, speakers.STAGE, chapters.STAGE, drafts.STAGE, index.STAGE]
    assert tuple(s.name for s in stages) == STAGE_ORDER
    return stages


def select_stages(names: list[str] | None) -> list[Stage]:
    """The named stages (in run order), or all of them; unknown names raise ConfigError."""
    stages = all_stages()
    if not names:
        return stages
    known = {s.name for s in stages}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(s.name for s in stages)}")
    return [s for s in stages if s.name in names]
