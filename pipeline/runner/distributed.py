"""Run a batch on Dask (dask.distributed): `pipeline run --workers N` or `--scheduler tcp://host:8786`.

Recordings are the unit of work. Each task runs every selected stage except index for one recording
(`run_one`, so the per-recording flock in the shared data folder still holds) in a long-lived worker
process, whose lru_cached Whisper model stays loaded between recordings. The client streams results
as tasks finish (recordings done / total, hours of audio per hour of wall time), then runs the index
stage itself for every recording that got through: one writer, once, at the end.

A task that raises or whose worker dies is retried once (retries=1, and the scheduler's
allowed-failures set to 1 at run time, whatever the cluster: `retry_dead_worker_once`), then
marked failed; the batch goes on either way.

The per-recording lock holds across machines: besides the flock in the work folder (one machine,
and shared filesystems only where they pass flock on: NFS does; Lustre without `-o flock`, BeeGFS
by default and SMB do not), each task holds a Dask Lock named after the recording on the scheduler
(`cluster_lock`). The lease of a worker that died is freed by the scheduler after its lease-timeout,
so a retried task waits that long for it before it calls the recording busy.

Workers of a LocalCluster get threads_per_worker=1 and max(1, cores // N) math threads each
(OMP/MKL/OpenBLAS and PIPELINE_CPU_THREADS for CTranslate2), so N workers do not oversubscribe.
"""
from __future__ import annotations

import contextlib
import logging
import os
import resource
import time
from pathlib import Path
from typing import Any, Callable

from pipeline.core.config import DataPaths
from pipeline.core.errors import LockError
from pipeline.runner import faults
from pipeline.runner.run import BatchReport, StageResult, run_one, upkeep
from pipeline.runner.stage import Stage

log = logging.getLogger(__name__)
INDEX = "index"  # the one shared writer: never on a worker
LOCK_PREFIX = "lecture-pipeline/recording/"  # + slug: the Dask Lock of one recording
# A LocalCluster's leases: a killed worker's lock is free within 7 s (defaults: 30 s + 10 s).
LOCAL_LEASES = {"distributed.scheduler.locks.lease-timeout": "6s",
                "distributed.scheduler.locks.lease-validation-interval": "1s"}


def worker_env(workers: int, cores: int | None = None) -> dict[str, str]:
    """Environment for each of `workers` local worker processes: a fair share of the cores each."""
    share = str(max(1, (cores or os.cpu_count() or 1) // max(1, workers)))
    return {"PIPELINE_CPU_THREADS": share, "OMP_NUM_THREADS": share, "MKL_NUM_THREADS": share,
            "OPENBLAS_NUM_THREADS": share}


def process_recording(root: str, slug: str, stage_names: list[str], force: bool) -> dict[str, Any]:
    """The task, run in a worker: the recording's stages (never index), and what the client reports."""
    from pipeline.stages import select_stages

    paths = DataPaths(Path(root))
    stages = [s for s in select_stages(stage_names) if s.name != INDEX]
    started = time.perf_counter()
    try:
        with cluster_lock(slug):
            results = run_one(paths, slug, stages, force=force)
    except LockError as exc:
        results = [StageResult(slug, "", "failed", error=str(exc), error_type=type(exc).__name__)]
    return {
        "slug": slug, "results": results, "seconds": time.perf_counter() - started,
        "audio_seconds": _audio_seconds(paths, slug), "pid": os.getpid(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "models_cached": _models_cached(),
    }


@contextlib.contextmanager
def cluster_lock(slug: str, wait: float | None = None):
    """Hold the recording's Dask Lock on the scheduler (call in a task); LockError if another run keeps it.

    `wait` defaults to the lease-timeout plus the validation interval (and 2 s): long enough for the
    scheduler to free the lease of a worker that died holding it, as when a task is retried.
    """
    from distributed import Lock

    lock = Lock(LOCK_PREFIX + slug)
    if not lock.acquire(timeout=lock_wait() if wait is None else wait):
        raise LockError(f"recording {slug!r} is being processed by another run on this Dask cluster "
                        f"(lock {lock.name!r}); wait for it to finish")
    try:
        yield
    finally:
        lock.release()


def lock_wait() -> float:
    """Seconds after which a dead holder's lease is surely freed: lease-timeout + validation interval + 2."""
    import dask
    from dask.utils import parse_timedelta

    timeout = dask.config.get("distributed.scheduler.locks.lease-timeout")
    if timeout == "inf":  # leases never expire: only a live holder can hold it, no point in waiting
        return 2.0
    interval = dask.config.get("distributed.scheduler.locks.lease-validation-interval")
    return parse_timedelta(timeout, "s") + parse_timedelta(interval, "s") + 2.0


def _audio_seconds(paths: DataPaths, slug: str) -> float:
    try:
        from pipeline.artifacts.media import MediaInfo

        return float(MediaInfo.load(paths.work_dir(slug) / "media.json").duration)
    except Exception:  # not extracted (failed before extract, or extract not selected)
        return 0.0


def _models_cached() -> int:
    """How many Whisper models this worker process holds loaded (the lru_cache of load_model)."""
    try:
        from pipeline.transcribe.engines.faster import load_model

        return load_model.cache_info().currsize
    except Exception:
        return 0


def open_client(workers: int | None = None, scheduler: str | None = None):
    """A dask Client: on a new LocalCluster of `workers` processes, or on the cluster at `scheduler`."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        from pipeline.core.errors import ConfigError

        raise ConfigError("--workers/--scheduler need Dask: pip install -e '.[dask]'") from None
    logging.getLogger("distributed").setLevel(logging.WARNING)  # the client's own lines are the progress
    if scheduler:
        return Client(scheduler)
    dask.config.set({"distributed.scheduler.allowed-failures": 1,  # a dead worker: retried once, then failed
                     "distributed.worker.daemon": False, "logging.distributed": "warning", **LOCAL_LEASES})
    env = worker_env(workers or 1)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, env=env,
                           dashboard_address=None, memory_limit=0)
    return Client(cluster)


def retry_dead_worker_once(client) -> None:
    """Have the client's scheduler retry a task whose worker died once, then fail it (its default: 3)."""
    def allow_one(dask_scheduler=None) -> None:
        dask_scheduler.allowed_failures = 1

    try:
        client.run_on_scheduler(allow_one)
    except Exception as exc:  # e.g. a scheduler that refuses pickled functions
        log.warning("cannot set the scheduler's allowed-failures to 1 (%s); start it with "
                    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1", faults.error_line(exc))


def run_distributed(
    paths: DataPaths,
    slugs: list[str],
    stages: list[Stage],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    client=None,
    on_event: Callable[[StageResult], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
    on_task: Callable[[dict[str, Any]], None] | None = None,
) -> BatchReport:
    """run_batch on Dask: the same report, the same artifacts; index on the client, at the end."""
    report = BatchReport()

    def note(line: str) -> None:
        report.notes.append(line)
        if on_note:
            on_note(line)

    upkeep(paths, stages, note)
    remote = [s.name for s in stages if s.name != INDEX]
    index = [s for s in stages if s.name == INDEX]
    ok = list(slugs)
    if remote and slugs:
        own = client is None
        client = client or open_client(workers, scheduler)
        try:
            retry_dead_worker_once(client)
            ok = _distribute(client, paths, slugs, remote, force, report, on_event, on_progress, on_task)
        finally:
            if own:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None:
                    cluster.close()
    for slug in slugs:  # the one writer: the client, in the batch's order
        results = report.results.setdefault(slug, [])
        if slug in ok and index:
            results += run_one(paths, slug, index, force=force, on_event=on_event)
        if any(r.status == "failed" for r in results) and slug not in report.failed:
            report.failed.append(slug)
    report.failed.sort(key=slugs.index)
    return report


def _distribute(client, paths: DataPaths, slugs: list[str], stage_names: list[str], force: bool,
                report: BatchReport, on_event, on_progress, on_task) -> list[str]:
    """Submit one task per recording, stream results as they finish; the slugs whose stages all got through."""
    from dask.distributed import as_completed

    futures = {client.submit(process_recording, str(paths.root), slug, stage_names, force, retries=1,
                             pure=False, key=f"recording-{slug}-{time.time_ns()}"): slug for slug in slugs}
    started, audio, done, ok = time.perf_counter(), 0.0, 0, []
    for future in as_completed(futures):
        slug = futures[future]
        if future.status == "finished":
            task = future.result()
            results, audio = task["results"], audio + task["audio_seconds"]
            if on_task:
                on_task(task)
        else:  # raised twice, or its worker died twice (KilledWorker)
            exc = future.exception()
            line = f"{faults.error_line(exc)} (task retried once)"
            results = [StageResult(slug, "", "failed", error=line, error_type=type(exc).__name__)]
        future.release()
        for result in results:
            if on_event:
                on_event(result)
        report.results[slug] = list(results)
        if not any(r.status == "failed" for r in results):
            ok.append(slug)
        done += 1
        if on_progress:
            on_progress(progress_line(done, len(slugs), audio, time.perf_counter() - started))
    return ok


def progress_line(done: int, total: int, audio_seconds: float, wall_seconds: float) -> str:
    """'3/8 recordings, 0.25 h audio in 0.02 h: 12.5 h audio per hour'."""
    rate = audio_seconds / wall_seconds if wall_seconds > 0 else 0.0
    return (f"progress: {done}/{total} recordings, {audio_seconds / 3600:.2f} h audio in "
            f"{wall_seconds / 3600:.2f} h: {rate:.1f} h audio per hour")
