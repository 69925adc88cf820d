"""The staged runner: runs every out-of-date stage of every recording, in order.

A stage is skipped when the content hashes of its inputs, its parameters and the versions of
the packages it uses are unchanged since its last successful run (recorded in run.json).

Faults: any exception a stage raises (not only PipelineError: a SQLite lock timeout, a
CTranslate2 RuntimeError, a full disk, a truncated transcript.json) fails that stage of that
recording alone. run.json records it (`error` one line with the type, `error_type`, `log`), the
traceback goes to data/work/<slug>/pipeline.log, and `run_batch` goes on with the next recording.
KeyboardInterrupt still stops everything. Temporaries left by killed writes are removed when
the recording next runs.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
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
from pipeline.runner import faults
from pipeline.runner.stage import Stage, StageContext, package_versions

log = logging.getLogger(__name__)
NO_FLOCK = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL}  # flock() unsupported here


@dataclass
class StageResult:
    """What happened to one stage of one recording in a run."""

    slug: str
    stage: str
    status: str  # ran | skipped | failed | blocked
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)
    error_type: str = ""  # the exception's class name when failed


@dataclass
class BatchReport:
    """What `run_batch` did: per-recording results, recordings that failed, and notes for the user."""

    results: dict[str, list[StageResult]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class RunLog:
    """data/work/<slug>/run.json: per-stage fingerprints, timings and errors, plus a hash cache."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict[str, Any] = {"stages": {}, "hash_cache": {}}
        if path.is_file():
            try:
                loaded = fsutil.read_json(path)
                if not isinstance(loaded, dict):
                    raise ValueError("not a JSON object")
                for key in ("stages", "hash_cache"):
                    if not isinstance(loaded.get(key, {}), dict):
                        raise ValueError(f"{key} is not an object")
                self.data.update(loaded)
            except (ValueError, OSError) as exc:  # JSONDecodeError and UnicodeDecodeError included
                log.warning("%s is unreadable (%s); all stages will re-run", path, exc)

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
        except OSError as exc:  # a filesystem without flock (Lustre without -o flock, some FUSE/SMB mounts)
            if exc.errno not in NO_FLOCK:
                raise
            log.warning("%s: the filesystem of %s does not support flock (%s): not locked against other runs "
                        "(a Dask run still holds the recording's lock on its scheduler)", slug, work_dir,
                        exc.strerror)
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
        faults.clean_stale_temporaries(ctx.work_dir)  # safe: the lock keeps other writers out
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
    started = time.perf_counter()
    before: dict[str, Any] = {}
    try:
        if stage.prepare:
            stage.prepare(ctx)
        fingerprinted = fingerprint(stage, ctx, runlog)
        if fingerprinted is None:
            missing = [str(p) for p in stage.inputs(ctx) if not p.is_file()]
            raise PipelineError(f"{stage.name}: input missing: {missing[0] if missing else '?'}")
        before = fingerprinted
        if not force and stage_state(stage, ctx, runlog)[0] == "done":
            return StageResult(ctx.slug, stage.name, "skipped")
        summary = stage.build(ctx) or {}
    except PipelineError as exc:
        return _failed(stage, ctx, runlog, exc, str(exc), before, started)
    except Exception as exc:  # anything else fails this stage of this recording alone
        where = faults.log_traceback(ctx.work_dir, f"{ctx.slug} {stage.name}", exc)
        line = faults.error_line(exc)
        if where:
            line += f" (traceback in {_rel(where, ctx.paths.root)})"
        return _failed(stage, ctx, runlog, exc, line, before, started, log=where)
    seconds = time.perf_counter() - started
    outputs = [_rel(p, ctx.paths.root) for p in stage.outputs(ctx)]
    runlog.record(stage.name, {
        "status": "done", "at": _now(), "seconds": round(seconds, 3),
        **before, "outputs": outputs, "summary": summary,
    })
    return StageResult(ctx.slug, stage.name, "ran", seconds, outputs=outputs)


def _failed(stage: Stage, ctx: StageContext, runlog: RunLog, exc: Exception, line: str,
            before: dict[str, Any], started: float, log: Path | None = None) -> StageResult:
    entry = {"status": "failed", "error": line, "error_type": type(exc).__name__, "at": _now(), **before}
    if log:
        entry["log"] = _rel(log, ctx.paths.root)
    runlog.record(stage.name, entry)
    return StageResult(ctx.slug, stage.name, "failed", time.perf_counter() - started, line,
                       error_type=type(exc).__name__)


def run_batch(
    paths: DataPaths,
    slugs: list[str],
    stages: list[Stage],
    *,
    force: bool = False,
    on_event: Callable[[StageResult], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> BatchReport:
    """Run `slugs` one after another; a recording that fails, for whatever reason, never stops the rest.

    Before the recordings, each stage's sweep (shared upkeep) and health check run; their lines go
    to `on_note` and into the report. KeyboardInterrupt stops the batch.
    """
    report = BatchReport()

    def note(line: str) -> None:
        report.notes.append(line)
        if on_note:
            on_note(line)

    upkeep(paths, stages, note)
    for slug in slugs:
        results = run_one(paths, slug, stages, force=force, on_event=on_event)
        report.results[slug] = results
        if any(r.status == "failed" for r in results):
            report.failed.append(slug)
    return report


def upkeep(paths: DataPaths, stages: list[Stage], note: Callable[[str], None]) -> None:
    """Each stage's sweep and health check, once per batch; a failing hook is one note, never fatal."""
    for stage in stages:
        for hook in (stage.sweep, stage.health):
            if hook is None:
                continue
            try:
                for line in hook(paths):
                    note(line)
            except Exception as exc:  # upkeep must not stop the batch either
                note(f"{stage.name}: {faults.error_line(exc)}")


def run_one(paths: DataPaths, slug: str, stages: list[Stage], *, force: bool = False,
            on_event: Callable[[StageResult], None] | None = None) -> list[StageResult]:
    """run_recording, with a failure to even start (manifest, lock, full disk) turned into one failed result."""
    try:
        results = run_recording(paths, slug, stages, force=force, on_event=on_event)
    except PipelineError as exc:
        results = [StageResult(slug, "", "failed", error=str(exc), error_type=type(exc).__name__)]
    except Exception as exc:  # e.g. run.json cannot be written on a full disk
        where = faults.log_traceback(paths.work / slug, f"{slug} runner", exc)
        line = faults.error_line(exc) + (f" (traceback in {_rel(where, paths.root)})" if where else "")
        results = [StageResult(slug, "", "failed", error=line, error_type=type(exc).__name__)]
    if results and not results[-1].stage and on_event:
        on_event(results[-1])
    return results


def health_notes(paths: DataPaths, stages: list[Stage]) -> list[str]:
    """Every stage's read-only health check: one line per problem (for `pipeline status`)."""
    lines = []
    for stage in stages:
        if stage.health:
            try:
                lines += stage.health(paths)
            except Exception as exc:
                lines.append(f"{stage.name}: {faults.error_line(exc)}")
    return lines


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
        except Exception as exc:  # one unreadable recording must not hide the others
            row["error"] = faults.error_line(exc)
        rows.append(row)
    return rows


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
