"""`pipeline run --workers N` on Dask: the same artifacts as a sequential run, also when a worker is killed
mid-recording (retried once on another worker; a second death marks the recording failed), a bad recording
fails alone, the recording lock holds across the cluster, and the index (written once, on the client, at
the end) holds every recording."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_tone

from pipeline.core.config import DataPaths
from pipeline.ingest.add import add_recording
from pipeline.runner.distributed import progress_line, worker_env

pytest.importorskip("distributed")

SRT = "1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag, welkom bij dit college.\n\n" \
      "2\n00:00:02,500 --> 00:00:05,000\nWe praten over samenwerking in de regio.\n"
SLUGS = ("a-een", "b-twee", "c-drie")


def _batch(root, tmp_path, slugs=SLUGS) -> DataPaths:
    media, captions = tmp_path / "talk.mp3", tmp_path / "talk.srt"
    if not media.exists():
        make_tone(media, 6.0)
        captions.write_text(SRT, encoding="utf-8")
    paths = DataPaths(root)
    root.mkdir(exist_ok=True)
    for slug in slugs:
        add_recording(paths, slug, media, captions=captions, language="nl")
    return paths


def _pipeline(paths: DataPaths, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def _search(paths: DataPaths, words: str) -> list[str]:
    found = _pipeline(paths, "search", words, "--json", timeout=120)
    return sorted({h["recording"] for h in json.loads(found.stdout)})


def test_worker_env_shares_the_cores():
    assert worker_env(2, cores=2)["PIPELINE_CPU_THREADS"] == "1"
    assert worker_env(4, cores=16)["OMP_NUM_THREADS"] == "4"
    assert worker_env(8, cores=2)["PIPELINE_CPU_THREADS"] == "1"
    assert progress_line(2, 8, 7200, 360) == "progress: 2/8 recordings, 2.00 h audio in 0.10 h: 20.0 h audio per hour"


EIGHT = tuple(f"talk-{i}" for i in range(1, 9))
# Files of a work folder whose bytes say where and when, not what: left out of the comparison.
#   run.json  : run times ("at", "seconds") and the hash cache (absolute paths, file mtimes);
#   .lock     : the pid of the process that last held the recording's lock.
# Everything else (transcripts, speakers.json, chapters and their files, segments, sentences, drafts,
# pages, media.json, audio.wav) must be byte-identical.
NOT_COMPARED = {"run.json", ".lock"}


def _artifacts(paths: DataPaths, slug: str) -> dict[str, bytes]:
    work = paths.work_dir(slug)
    found = {str(p.relative_to(work)): p.read_bytes() for p in sorted(work.rglob("*"))
             if p.is_file() and p.name not in NOT_COMPARED}
    return found


def _index_rows(paths: DataPaths) -> list[tuple]:
    """The index's rows, in order, without `indexed_at` (a wall time). The file's bytes are not compared:
    it holds those wall times and a random generation id (meta)."""
    import sqlite3

    with sqlite3.connect(paths.index_db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE '%fts%' AND name != 'meta' ORDER BY name")]
        found = []
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1")
            names = [c[0] for c in cursor.description]
            found.append((table, [{k: v for k, v in zip(names, row) if k != "indexed_at"} for row in cursor]))
        return found


def _held_by(paths: DataPaths, slugs) -> tuple[str, int] | None:
    """(slug, pid) of a recording whose flock a worker holds right now: it is mid-run.

    Read from /proc/locks, never by trying the lock: a test holding it even briefly could make a
    worker refuse the recording."""
    held = {line.split()[5].rsplit(":", 1)[1] for line in Path("/proc/locks").read_text().splitlines()
            if " FLOCK " in line and " -> " not in line}
    for slug in slugs:
        lock = paths.work_dir(slug) / ".lock"
        try:
            if str(lock.stat().st_ino) in held and (pid := lock.read_text().strip()).isdigit():
                return slug, int(pid)
        except OSError:
            continue
    return None


def _kill_worker_mid_recording(paths: DataPaths, slugs, run: subprocess.Popen, killed=()) -> tuple[str, int]:
    """SIGKILL a worker process while it holds the lock of one of `slugs` (not one already `killed`,
    whose lock may show a moment longer); (slug, pid)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        held = _held_by(paths, slugs)
        if held and held[1] not in (run.pid, *killed):
            os.kill(held[1], signal.SIGKILL)
            return held
        time.sleep(0.005)
    raise AssertionError("no worker was ever seen mid-recording")


def _start(paths: DataPaths, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.slow
def test_two_workers_one_killed_write_the_same_artifacts_as_a_sequential_run(tmp_path):
    """8 recordings, `pipeline run` then `pipeline run --workers 2` with one worker SIGKILLed while it
    holds a recording: its task is retried on another worker, all 8 finish, and every artifact
    (and the index's rows) is byte-identical to the sequential run's."""
    seq, dist = _batch(tmp_path / "seq", tmp_path, EIGHT), _batch(tmp_path / "dist", tmp_path, EIGHT)
    one = _pipeline(seq, "run")
    assert one.returncode == 0, one.stderr
    run = _start(dist, "run", "--workers", "2")
    killed_slug, killed_pid = _kill_worker_mid_recording(dist, EIGHT, run)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "Traceback" not in out + err
    assert "progress: 8/8 recordings" in err
    assert int((dist.work_dir(killed_slug) / ".lock").read_text()) != killed_pid  # redone by another process
    for slug in EIGHT:
        assert f"[{slug}] index: done" in out
        a, b = _artifacts(seq, slug), _artifacts(dist, slug)
        assert sorted(a) == sorted(b) and "transcript.json" in a and "drafts.json" in a, slug
        assert [name for name in a if a[name] != b[name]] == [], slug
    assert _index_rows(seq) == _index_rows(dist)
    assert _search(dist, "samenwerking") == sorted(EIGHT)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two nanny-kept workers started as on other machines (`dask scheduler`, `dask worker`),
    with the scheduler's defaults except shorter lock leases; yields the scheduler's address."""
    env = {**os.environ, "PIPELINE_CPU_THREADS": "1", "OMP_NUM_THREADS": "1",
           "DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_TIMEOUT": "6s",
           "DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL": "1s"}
    info = tmp_path / "scheduler.json"
    cli = [sys.executable, "-m", "distributed.cli"]
    procs = [subprocess.Popen([*cli[:2], "distributed.cli.dask_scheduler", "--scheduler-file", str(info),
                               "--no-dashboard", "--host", "127.0.0.1"], env=env, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([*cli[:2], "distributed.cli.dask_worker", "--scheduler-file", str(info),
                                           "--nthreads", "1", "--nanny", "--no-dashboard"],
                                          env=env, stderr=subprocess.DEVNULL))
        assert _wait(lambda: info.is_file(), 60)
        address = json.loads(info.read_text())["address"]
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            yield address
            client.shutdown()  # scheduler and workers, at once
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)
    return bool(predicate())


@pytest.mark.slow
def test_a_worker_that_dies_twice_on_a_recording_marks_it_failed_and_the_rest_finish(tmp_path, cluster):
    """On a running cluster (`--scheduler`, whose own default retries a dead worker's task 3 times): the
    worker running b-twee is killed, the task is retried once in another worker process, that one is
    killed too, and b-twee is marked failed in one line while the others finish."""
    paths = _batch(tmp_path / "data", tmp_path)
    run = _start(paths, "run", "--scheduler", cluster, "--stages", "extract", "transcribe", "speakers", "chapters")
    first = _kill_worker_mid_recording(paths, ["b-twee"], run)
    _kill_worker_mid_recording(paths, ["b-twee"], run, killed=[first[1]])  # the retry
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: b-twee: KilledWorker: "), err
    assert errors[0].endswith("(task retried once)")
    assert "1 of 3 recording(s) failed: b-twee" in err
    assert "[a-een] chapters: done" in out and "[c-drie] chapters: done" in out


def test_the_recording_lock_holds_across_the_cluster(tmp_path):
    """Another run anywhere on the cluster (here: this test's client) holds a recording's Dask Lock: a
    worker refuses that recording in one line and runs the rest; released, it runs."""
    import dask
    from dask.distributed import Client, Lock

    from pipeline.runner.distributed import LOCK_PREFIX, run_distributed
    from pipeline.stages import select_stages

    paths = _batch(tmp_path / "data", tmp_path, ("a-een", "b-twee"))
    leases = {"distributed.scheduler.locks.lease-timeout": "1s",
              "distributed.scheduler.locks.lease-validation-interval": "0.2s"}
    with dask.config.set(leases), Client(processes=False, n_workers=1, threads_per_worker=1,
                                         dashboard_address=None) as client:
        other_run = Lock(LOCK_PREFIX + "a-een")
        assert other_run.acquire(timeout=5)
        started = time.perf_counter()
        report = run_distributed(paths, ["a-een", "b-twee"], select_stages(["extract"]), client=client)
        assert time.perf_counter() - started > 3  # it waited out a dead holder's lease (1 + 0.2 + 2 s)
        assert report.failed == ["a-een"]
        line = report.results["a-een"][0].error
        assert line.startswith("recording 'a-een' is being processed by another run on this Dask cluster")
        assert report.results["a-een"][0].error_type == "LockError" and "\n" not in line
        assert [r.status for r in report.results["b-twee"]] == ["ran"]
        assert not (paths.work_dir("a-een") / "audio.wav").exists()
        other_run.release()
        again = run_distributed(paths, ["a-een"], select_stages(["extract"]), client=client)
        assert again.failed == [] and [r.status for r in again.results["a-een"]] == ["ran"]


@pytest.mark.slow
def test_a_truncated_transcript_fails_that_recording_alone(tmp_path):
    paths = _batch(tmp_path / "data", tmp_path)
    first = _pipeline(paths, "run", "--stages", "extract", "transcribe")
    assert first.returncode == 0, first.stderr
    transcript = paths.work_dir("b-twee") / "transcript.json"
    transcript.write_bytes(transcript.read_bytes()[:200])
    run = _pipeline(paths, "run", "--workers", "2", "--stages", "chapters", "drafts", "index")
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: b-twee: chapters: JSONDecodeError: "), run.stderr
    assert "1 of 3 recording(s) failed: b-twee" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "[a-een] index: done" in run.stdout and "[c-drie] index: done" in run.stdout
    assert _search(paths, "samenwerking") == ["a-een", "c-drie"]
    # Repaired: the next distributed run redoes it, and the index holds all three.
    transcript.unlink()
    again = _pipeline(paths, "run", "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert _search(paths, "samenwerking") == sorted(SLUGS)
    # Deleted: the next `pipeline run` (what `make all` runs) takes it out of search.
    import shutil

    shutil.rmtree(paths.recording_dir("c-drie"))
    after = _pipeline(paths, "run")
    assert after.returncode == 0 and "removed 'c-drie' from search" in after.stderr, after.stderr
    assert _search(paths, "samenwerking") == ["a-een", "b-twee"]
