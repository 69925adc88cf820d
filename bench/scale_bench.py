"""Scale benchmark: the same recordings sequentially, then on a Dask LocalCluster, then with a worker killed.

    .venv/bin/python -m bench.scale_bench            # writes bench/scale.json

The bundled 2-minute Dutch sample is added BENCH_SCALE_N times (default 8) under different slugs (real
audio, real Whisper). Measured: wall time of `pipeline run` (sequential, one process) and of
run_distributed with --workers W (default 2, threads_per_worker=1, cores // W math threads each), the
throughput ratio, each worker's peak RSS (ru_maxrss in the worker), whether the artifacts are
byte-identical (sha256 of every file of every work folder but run.json and .lock, speakers.json without
its wall-time field info.timings), a third run that SIGKILLs one worker mid-transcription (every
recording must still finish) and a fourth that cuts the middle recording's transcript.json short (that
recording alone fails, in one line). The estimate for 1,000 hours of audio is written out as a calculation.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline.core.config import DataPaths
from pipeline.ingest.add import add_recording
from pipeline.runner.distributed import open_client, run_distributed
from pipeline.stages import all_stages, select_stages

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work" / "scale"
SAMPLE = ROOT / "pipeline" / "sample"
NOT_COMPARED = {"run.json", ".lock"}  # run times, hash cache (paths, mtimes); the last holder's pid
N = int(os.environ.get("BENCH_SCALE_N", "8"))
W = int(os.environ.get("BENCH_SCALE_WORKERS", "2"))


def batch(name: str) -> DataPaths:
    import shutil

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    paths = DataPaths(root)
    for i in range(N):
        add_recording(paths, f"talk-{i + 1:02d}", SAMPLE / "open-college-demo.ogg", page=SAMPLE / "page.txt",
                      language="nl")
    return paths


def hashes(paths: DataPaths) -> dict[str, str]:
    """sha256 of every artifact file (see NOT_COMPARED; speakers.json without info.timings, wall seconds)."""
    def digest(path: Path) -> str:
        data = path.read_bytes()
        if path.name == "speakers.json":
            doc = json.loads(data)
            doc.get("info", {}).pop("timings", None)
            data = json.dumps(doc, sort_keys=True).encode()
        return hashlib.sha256(data).hexdigest()
    return {f"{slug}/{p.relative_to(paths.work_dir(slug))}": digest(p)
            for slug in paths.slugs() for p in sorted(paths.work_dir(slug).rglob("*"))
            if p.is_file() and p.name not in NOT_COMPARED}


def compare(reference: DataPaths, other: DataPaths) -> dict:
    exact, got = hashes(reference), hashes(other)
    return {"identical_artifacts": got == exact and all(f"{s}/drafts.json" in exact for s in reference.slugs()),
            "files_compared": len(exact),
            "differing": sorted(k for k in exact.keys() | got.keys() if exact.get(k) != got.get(k))}


def corrupt_transcript(paths: DataPaths) -> dict:
    """Cut the middle recording's transcript.json short, then chapters, drafts and index on W workers."""
    middle = paths.slugs()[N // 2]
    transcript = paths.work_dir(middle) / "transcript.json"
    transcript.write_bytes(transcript.read_bytes()[:200])
    started = time.perf_counter()
    report = run_distributed(paths, paths.slugs(), select_stages(["chapters", "drafts", "index"]), workers=W,
                             force=True)
    errors = [r.error for results in report.results.values() for r in results if r.status == "failed"]
    indexed = [s for s, results in report.results.items() if any(r.stage == "index" and r.status == "ran"
                                                                    for r in results)]
    return {"corrupted": middle, "failed": report.failed, "errors": errors, "indexed": len(indexed),
            "wall_seconds": round(time.perf_counter() - started, 1)}


def sequential(paths: DataPaths) -> dict:
    env = {**os.environ, "PIPELINE_DATA": str(paths.root)}
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pipeline", "run"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    assert run.returncode == 0, run.stderr
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_seconds": round(wall, 1), "peak_rss_mb": round(peak, 1)}


def distributed(paths: DataPaths, kill_after: float | None = None) -> dict:
    tasks, lines, killed = [], [], {}
    client = open_client(W)
    try:
        pids = client.run(os.getpid)  # {worker address: pid}
        if kill_after is not None:
            def kill() -> None:
                while not any(client.processing().values()):
                    time.sleep(0.2)
                time.sleep(kill_after)  # into the first recordings' transcription
                addr = next(a for a, keys in client.processing().items() if keys)
                os.kill(pids[addr], signal.SIGKILL)
                killed.update(worker=addr, pid=pids[addr], at_seconds=round(time.perf_counter() - started, 1))
            threading.Thread(target=kill, daemon=True).start()
        started = time.perf_counter()
        report = run_distributed(paths, paths.slugs(), all_stages(), client=client, on_task=tasks.append,
                                 on_progress=lines.append)
        wall = time.perf_counter() - started
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    per_worker: dict[int, dict] = {}
    for task in tasks:
        entry = per_worker.setdefault(task["pid"], {"recordings": 0, "peak_rss_mb": 0.0, "models_cached": 0})
        entry["recordings"] += 1
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], task["peak_rss_mb"])
        entry["models_cached"] = max(entry["models_cached"], task["models_cached"])
    return {"wall_seconds": round(wall, 1), "failed": report.failed, "workers": W,
            "audio_seconds": round(sum(t["audio_seconds"] for t in tasks), 1),
            "task_seconds": {t["slug"]: round(t["seconds"], 1) for t in tasks},
            "per_worker": {str(pid): v for pid, v in per_worker.items()}, "progress": lines,
            **({"killed": killed} if kill_after is not None else {})}


def estimate(audio_s: float, seq_wall: float, dist_wall: float) -> dict:
    rate_seq = audio_s / seq_wall  # hours of audio per wall hour, one process on all cores
    rate_dist = audio_s / dist_wall
    per_worker = rate_dist / W  # one worker with cores // W threads (here: 1 core)
    rows = {}
    for n in (2, 8, 32, 100):
        rows[f"{n} workers"] = {
            "wall_hours": round(1000 / (n * per_worker), 1),
            "calculation": f"1000 h / ({n} x {per_worker:.2f} h audio per hour per worker) = "
                           f"{1000 / (n * per_worker):.1f} h",
        }
    return {
        "rate_sequential": f"{audio_s:.0f} s audio / {seq_wall:.1f} s wall = {rate_seq:.2f} h audio per hour",
        "rate_distributed": f"{audio_s:.0f} s audio / {dist_wall:.1f} s wall = {rate_dist:.2f} h audio per hour "
                            f"on {W} workers",
        "rate_per_worker": f"{rate_dist:.2f} / {W} = {per_worker:.2f} h audio per hour per 1-core worker",
        "sequential_here": f"1000 h / {rate_seq:.2f} = {1000 / rate_seq:.0f} h on this machine alone",
        "assumes": "linear scaling, one core per worker as here, a shared filesystem that keeps up, "
                   "index at the end (seconds per recording, not included)",
        "per_1000_hours": rows,
    }


def main() -> None:
    seq_paths, dist_paths, kill_paths = batch("sequential"), batch("workers"), batch("killed")
    seq = sequential(seq_paths)
    dist = distributed(dist_paths)
    kill = distributed(kill_paths, kill_after=float(os.environ.get("BENCH_SCALE_KILL_AFTER", "5")))
    dist.update(compare(seq_paths, dist_paths))
    kill.update(compare(seq_paths, kill_paths))
    kill["all_finished"] = not kill["failed"] and all(
        (kill_paths.work_dir(s) / "drafts.json").is_file() for s in kill_paths.slugs())
    out = {
        "machine": f"{os.cpu_count()} cores", "load_average_1min_after": round(os.getloadavg()[0], 1),
        "recordings": N, "audio_seconds": dist["audio_seconds"],
        "sequential": seq, "distributed": dist, "killed_worker": kill,
        "corrupt_transcript": corrupt_transcript(kill_paths),
        "throughput_ratio": round(seq["wall_seconds"] / dist["wall_seconds"], 2),
        "estimate": estimate(dist["audio_seconds"], seq["wall_seconds"], dist["wall_seconds"]),
    }
    (ROOT / "bench" / "scale.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("throughput_ratio", "estimate")}, indent=2))


if __name__ == "__main__":
    main()
