"""The staged runner: runs every out-of-date stage of every recording, in order.

A stage is skipped when the content hashes of its inputs, its parameters and the versions of
the packages it uses are unchanged since its last successful run (recorded in run.json).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline.artifacts.manifest import load_recording
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.core.errors import LockError, PipelineError
from pipeline.runner.stage import Stage, StageContext, package_versions

log = logging.getLogger(__name__)


@dataclass
class StageResult:
    """What happened to one stage of one recording in a run."""

    slug: str
    stage: str
    status: str  # ran | skipped | failed | blocked
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)


class RunLog:
    """data/work/<slug>/run.json: per-stage fingerprints, timings and errors, plus a hash cache."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict[str, Any] = {"stages": {}, "hash_cache": {}}
        if path.is_file():
            try:
                self.data.update(fsutil.read_json(path))
            except (json.JSONDecodeError, OSError):
                log.warning("%s is unreadable; all stages will re-run", path)

    def stage(self, name: str) -> dict[str, Any]:
        return self.data["stages"].get(name, {})

    def record(self, name: str, entry: dict[str, Any]) -> None:
        self.data["stages"][name] = entry
        self.save()

    def save(self) -> None:
        fsutil.write_json(self.path, self.data)

    def file_hash(self, path: Path) -> str:
        """sha256 of a file, cached by (size, mtime) so unchanged multi-GB media is not re-read."""
        stat = path.stat()
        key = str(path)
        cached = self.data["hash_cache"].get(key)
        if cached and cached["size"] == stat.st_size and cached["mtime_ns"] == stat.st_mtime_ns:
            return cached["sha256"]
        digest = fsutil.sha256_file(path)
        self.data["hash_cache"][key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        return digest


def fingerprint(stage: Stage, ctx: StageContext, runlog: RunLog) -> dict[str, Any] | None:
    """What the stage would consume now; None when an input does not exist yet."""
    inputs = {}
    for path in stage.inputs(ctx):
        if not path.is_file():
            return None
        inputs[_rel(path, ctx.paths.root)] = runlog.file_hash(path)
    return {"inputs": inputs, "params": stage.params(ctx), "versions": package_versions(stage.packages)}


def stage_state(stage: Stage, ctx: StageContext, runlog: RunLog) -> tuple[str, str]:
    """(state, detail) with state one of done, stale, failed, pending."""
    entry = runlog.stage(stage.name)
    if entry.get("status") == "failed":
        return "failed", entry.get("error", "")
    if not entry:
        return "pending", ""
    current = fingerprint(stage, ctx, runlog)
    if current is None:
        return "stale", "an input is missing"
    if any(not p.exists() for p in stage.outputs(ctx)):
        return "stale", "an output is missing"
    for key in ("inputs", "params", "versions"):
        if entry.get(key) != current[key]:
            return "stale", f"{key} changed"
    return "done", ""


@contextlib.contextmanager
def recording_lock(work_dir: Path, slug: str) -> Iterator[None]:
    """Hold an exclusive lock on a recording's work folder; refuse if another run holds it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    lock_path = work_dir / ".lock"
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise LockError(
                f"recording {slug!r} is being processed by another run (pid {holder}); wait for it to finish"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def run_recording(
    paths: DataPaths,
    slug: str,
    stages: list[Stage],
    *,
    force: bool = False,
    on_event: Callable[[StageResult], None] | None = None,
) -> list[StageResult]:
    """Run the out-of-date stages of one recording in order; a failure stops its later stages."""
    recording = load_recording(paths, slug)
    ctx = StageContext(paths, recording, force=force)
    results: list[StageResult] = []
    with recording_lock(ctx.work_dir, slug):
        runlog = RunLog(ctx.work_dir / "run.json")
        for stage in stages:
            # A later stage re-runs only when what it reads changed: its inputs are hashed, so a
            # re-run upstream stage that wrote the same bytes leaves it up to date.
            result = _run_stage(stage, ctx, runlog, force)
            results.append(result)
            if on_event:
                on_event(result)
            if result.status == "failed":
                break
    return results


def _run_stage(stage: Stage, ctx: StageContext, runlog: RunLog, force: bool) -> StageResult:
    if stage.prepare:
        stage.prepare(ctx)
    before = fingerprint(stage, ctx, runlog)
    if before is None:
        missing = [str(p) for p in stage.inputs(ctx) if not p.is_file()]
        error = f"{stage.name}: input missing: {missing[0] if missing else '?'}"
        runlog.record(stage.name, {"status": "failed", "error": error, "at": _now()})
        return StageResult(ctx.slug, stage.name, "failed", error=error)
    if not force and stage_state(stage, ctx, runlog)[0] == "done":
        return StageResult(ctx.slug, stage.name, "skipped")
    started = time.perf_counter()
    try:
        summary = stage.build(ctx) or {}
    except PipelineError as exc:
        error = str(exc)
        runlog.record(stage.name, {"status": "failed", "error": error, "at": _now(), **before})
        return StageResult(ctx.slug, stage.name, "failed", time.perf_counter() - started, error)
    seconds = time.perf_counter() - started
    outputs = [_rel(p, ctx.paths.root) for p in stage.outputs(ctx)]
    runlog.record(stage.name, {
        "status": "done", "at": _now(), "seconds": round(seconds, 3),
        **before, "outputs": outputs, "summary": summary,
    })
    return StageResult(ctx.slug, stage.name, "ran", seconds, outputs=outputs)


def status_table(paths: DataPaths, stages: list[Stage]) -> list[dict[str, str]]:
    """One row per recording: stage -> 'done' / 'stale' / 'failed: reason' / 'pending'."""
    rows = []
    for slug in paths.slugs():
        row = {"recording": slug}
        try:
            ctx = StageContext(paths, load_recording(paths, slug))
            runlog = RunLog(ctx.work_dir / "run.json")
            warnings = []
            for stage in stages:
                state, detail = stage_state(stage, ctx, runlog)
                row[stage.name] = f"{state}: {detail}" if state == "failed" else state
                if state == "done":  # editor-facing notes a stage left in its summary (e.g. chapters)
                    summary = runlog.stage(stage.name).get("summary") or {}
                    warnings += [f"{stage.name}: {w}" for w in summary.get("warnings", [])]
            if warnings:
                row["warnings"] = "\n".join(warnings)
        except PipelineError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
