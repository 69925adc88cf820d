"""`pipeline run --workers N` on Dask: the same artifacts as a sequential run, a bad recording fails alone,
and the index (written once, on the client, at the end) holds every recording."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import make_tone

from pipeline.core.config import DataPaths
from pipeline.ingest.add import add_recording
from pipeline.runner.distributed import progress_line, worker_env

pytest.importorskip("distributed")

SRT = "1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag, welkom bij dit college.\n\n" \
      "2\n00:00:02,500 --> 00:00:05,000\nWe praten over samenwerking in de regio.\n"
SLUGS = ("a-een", "b-twee", "c-drie")
ARTIFACTS = ("transcript.json", "chapters.json", "drafts.json", "sentences.json")


def _batch(root, tmp_path) -> DataPaths:
    media, captions = tmp_path / "talk.mp3", tmp_path / "talk.srt"
    if not media.exists():
        make_tone(media, 6.0)
        captions.write_text(SRT, encoding="utf-8")
    paths = DataPaths(root)
    root.mkdir(exist_ok=True)
    for slug in SLUGS:
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


@pytest.mark.slow
def test_workers_write_the_same_artifacts_as_a_sequential_run(tmp_path):
    seq, dist = _batch(tmp_path / "seq", tmp_path), _batch(tmp_path / "dist", tmp_path)
    one = _pipeline(seq, "run")
    assert one.returncode == 0, one.stderr
    two = _pipeline(dist, "run", "--workers", "2")
    assert two.returncode == 0, two.stderr
    assert "Traceback" not in two.stderr + two.stdout
    assert "progress: 3/3 recordings" in two.stderr
    for slug in SLUGS:
        assert f"[{slug}] index: done" in two.stdout
        for name in ARTIFACTS:
            a, b = seq.work_dir(slug) / name, dist.work_dir(slug) / name
            assert a.read_bytes() == b.read_bytes(), f"{slug}/{name} differs"
    assert _search(dist, "samenwerking") == sorted(SLUGS)


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
