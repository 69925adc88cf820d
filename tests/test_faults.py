"""A batch that survives faults: an unexpected exception in a stage (not a PipelineError) fails that
recording alone, is recorded in run.json with its type and printed as one line (the traceback goes
to data/work/<slug>/pipeline.log), and the batch goes on; KeyboardInterrupt still stops it.
Temporaries left by killed writes are removed at the recording's next run."""
from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import make_tone

from pipeline.artifacts.manifest import Recording, save_recording
from pipeline.core import fsutil
from pipeline.ingest.add import add_recording
from pipeline.runner.run import RunLog, run_batch, run_recording, status_table
from pipeline.runner.stage import Stage
from pipeline.stages import select_stages


def _recording(data, slug):
    folder = data.recording_dir(slug)
    folder.mkdir(parents=True)
    (folder / "in.txt").write_text(slug, encoding="utf-8")
    save_recording(data, Recording(slug=slug, title=slug, media="in.txt"))


def _stages(raise_for: dict[str, BaseException]):
    """Two stages; `copy` raises raise_for[slug] for the named recordings."""
    def copy(ctx):
        if ctx.slug in raise_for:
            raise raise_for[ctx.slug]
        fsutil.write_text(ctx.work_dir / "copy.txt", (ctx.recording_dir / "in.txt").read_text())

    def shout(ctx):
        fsutil.write_text(ctx.work_dir / "shout.txt", (ctx.work_dir / "copy.txt").read_text().upper())

    return [
        Stage("copy", "copy", lambda c: [c.recording_dir / "in.txt"], lambda c: {},
              lambda c: [c.work_dir / "copy.txt"], copy),
        Stage("shout", "shout", lambda c: [c.work_dir / "copy.txt"], lambda c: {},
              lambda c: [c.work_dir / "shout.txt"], shout),
    ]


@pytest.mark.parametrize("exc, kind", [
    (RuntimeError("CTranslate2: unsupported device cuda\nsecond line"), "RuntimeError"),
    (sqlite3.OperationalError("database is locked"), "OperationalError"),
    (OSError(errno.ENOSPC, "No space left on device"), "OSError"),
    (KeyError("segments"), "KeyError"),
])
def test_unexpected_error_fails_one_recording_and_the_batch_goes_on(data, exc, kind):
    for slug in ("a", "b", "c"):
        _recording(data, slug)
    events = []
    report = run_batch(data, ["a", "b", "c"], _stages({"b": exc}), on_event=events.append)
    assert report.failed == ["b"]
    assert [r.status for r in report.results["a"]] == ["ran", "ran"] == [r.status for r in report.results["c"]]
    failed = report.results["b"][-1]
    assert (failed.stage, failed.status, failed.error_type) == ("copy", "failed", kind)
    assert failed.error.startswith(f"{kind}: ") and "\n" not in failed.error
    assert "traceback in work/b/pipeline.log" in failed.error
    entry = RunLog(data.work_dir("b") / "run.json").stage("copy")
    assert entry["status"] == "failed" and entry["error_type"] == kind and entry["log"] == "work/b/pipeline.log"
    log_text = (data.work_dir("b") / "pipeline.log").read_text()
    assert "Traceback (most recent call last)" in log_text and f"{kind}" in log_text
    assert status_table(data, _stages({}))[1]["copy"].startswith(f"failed: {kind}: ")
    assert len(report.results["b"]) == 1  # its later stages did not run
    # Fixed: the next run redoes it.
    assert [r.status for r in run_batch(data, ["b"], _stages({})).results["b"]] == ["ran", "ran"]


def test_keyboard_interrupt_still_stops_the_batch(data):
    for slug in ("a", "b", "c"):
        _recording(data, slug)
    with pytest.raises(KeyboardInterrupt):
        run_batch(data, ["a", "b", "c"], _stages({"b": KeyboardInterrupt()}))
    assert (data.work_dir("a") / "shout.txt").is_file() and not (data.work_dir("c") / "copy.txt").exists()


def test_a_recording_that_cannot_even_start_is_one_line(data):
    _recording(data, "a")
    (data.recording_dir("a") / "recording.yaml").write_text("title: [unclosed", encoding="utf-8")
    _recording(data, "b")
    report = run_batch(data, ["a", "b"], _stages({}))
    assert report.failed == ["a"] and "\n" not in report.results["a"][0].error
    assert [r.status for r in report.results["b"]] == ["ran", "ran"]


def test_stale_temporaries_are_removed_at_the_next_run(data):
    _recording(data, "a")
    run_recording(data, "a", _stages({}))
    work = data.work_dir("a")
    leftovers = [work / ".copy.txt.k3j4h5ab.txt", work / ".audio.wav.x8y9z0qq.wav", work / ".tmp-extract",
                 work / "notes.txt.tmp", work / ".chapters.old", work / ".chapters.new.abcd1234"]
    for path in leftovers[:4]:
        path.write_bytes(b"\0" * 1000)
    for path in leftovers[4:]:
        path.mkdir()
        (path / "00-intro.srt").write_text("1")
    (work / "chapters").mkdir()
    (work / "chapters" / ".00-intro.srt.zz11yy22.srt").write_text("partial")
    (work / "export").mkdir()
    (work / "export" / ".page.md.live1234.md").write_text("being written by a live 'pipeline export'")
    (work / "export" / ".page.html.dead1234.html").write_text("left by a killed export")
    old = time.time() - 3600
    os.utime(work / "export" / ".page.html.dead1234.html", (old, old))
    assert [r.status for r in run_recording(data, "a", _stages({}))] == ["skipped", "skipped"]
    assert sorted(p.name for p in work.iterdir()) == [".lock", "chapters", "copy.txt", "export",
                                                      "notes.txt.tmp", "run.json", "shout.txt"]
    assert list((work / "chapters").iterdir()) == []
    assert [p.name for p in (work / "export").iterdir()] == [".page.md.live1234.md"]  # young, not under the lock
    # 'notes.txt.tmp' is not hidden: not a writer's temporary, left alone; '.lock' is the lock.


SRT = "1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag, welkom bij dit college.\n\n" \
      "2\n00:00:02,500 --> 00:00:05,000\nWe praten over samenwerking in de regio.\n"


@pytest.mark.slow
def test_truncated_transcript_in_the_middle_of_a_real_batch(data, tmp_path):
    """Three captioned recordings through every real stage; the middle one's transcript.json is cut off."""
    media = make_tone(tmp_path / "talk.mp3", 6.0)
    captions = tmp_path / "talk.srt"
    captions.write_text(SRT, encoding="utf-8")
    for slug in ("a-een", "b-twee", "c-drie"):  # run in this order
        add_recording(data, slug, media, captions=captions, language="nl")
    run_batch(data, data.slugs(), select_stages(["extract", "transcribe"]))
    transcript = data.work_dir("b-twee") / "transcript.json"
    transcript.write_bytes(transcript.read_bytes()[:200])  # a killed copy, a full disk: cut mid-way
    env = {**os.environ, "PIPELINE_DATA": str(data.root)}
    # (A full run would first re-transcribe it: the transcribe stage reads its previous transcript.)
    run = subprocess.run([sys.executable, "-m", "pipeline", "run", "--stages", "chapters", "drafts", "index"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: b-twee: chapters: JSONDecodeError: "), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "1 of 3 recording(s) failed: b-twee" in run.stderr
    assert "[c-drie] index: done" in run.stdout and "[a-een] index: done" in run.stdout
    assert "Traceback (most recent call last)" in (data.work_dir("b-twee") / "pipeline.log").read_text()
    entry = RunLog(data.work_dir("b-twee") / "run.json").stage("chapters")
    assert entry["error_type"] == "JSONDecodeError"
    status = subprocess.run([sys.executable, "-m", "pipeline", "status"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert status.returncode == 0 and "b-twee chapters: JSONDecodeError" in status.stdout
    found = subprocess.run([sys.executable, "-m", "pipeline", "search", "samenwerking", "--json"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert sorted(h["recording"] for h in json.loads(found.stdout)) == ["a-een", "c-drie"]
