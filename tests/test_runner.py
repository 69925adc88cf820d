"""The staged runner: skip when unchanged, re-run on change, atomic outputs, lock, failures recorded."""
import threading

import pytest

from pipeline.artifacts.manifest import Recording, save_recording
from pipeline.core import fsutil
from pipeline.core.errors import LockError, StageError
from pipeline.runner.run import RunLog, recording_lock, run_recording, status_table
from pipeline.runner.stage import Stage


def _recording(data, slug="talk"):
    folder = data.recording_dir(slug)
    folder.mkdir(parents=True)
    (folder / "in.txt").write_text("hello", encoding="utf-8")
    save_recording(data, Recording(slug=slug, title="T", media="in.txt"))


def _stages(calls, fail=None):
    def upper(ctx):
        calls.append("upper")
        text = (ctx.recording_dir / "in.txt").read_text(encoding="utf-8")
        fsutil.write_text(ctx.work_dir / "upper.txt", text.upper())

    def count(ctx):
        calls.append("count")
        if fail and fail():
            raise StageError("count: refused on purpose")
        fsutil.write_text(ctx.work_dir / "count.txt", str(len((ctx.work_dir / "upper.txt").read_text())))
        return {"warnings": []}

    return [
        Stage("upper", "upper-case", lambda c: [c.recording_dir / "in.txt"], lambda c: {"v": 1},
              lambda c: [c.work_dir / "upper.txt"], upper),
        Stage("count", "count", lambda c: [c.work_dir / "upper.txt"], lambda c: {},
              lambda c: [c.work_dir / "count.txt"], count),
    ]


def test_second_run_skips_and_a_change_reruns(data):
    _recording(data)
    calls = []
    stages = _stages(calls)
    assert [r.status for r in run_recording(data, "talk", stages)] == ["ran", "ran"]
    assert [r.status for r in run_recording(data, "talk", stages)] == ["skipped", "skipped"]
    assert calls == ["upper", "count"]
    (data.recording_dir("talk") / "in.txt").write_text("hello world", encoding="utf-8")
    assert [r.status for r in run_recording(data, "talk", stages)] == ["ran", "ran"]
    assert (data.work_dir("talk") / "count.txt").read_text() == "11"
    entry = RunLog(data.work_dir("talk") / "run.json").stage("upper")
    assert entry["inputs"] == {"recordings/talk/in.txt": fsutil.sha256_text("hello world")}
    assert entry["params"] == {"v": 1} and "lecture-pipeline" in entry["versions"] and entry["seconds"] >= 0


def test_upstream_rerun_with_identical_output_leaves_later_stages_alone(data):
    _recording(data)
    calls = []
    stages = _stages(calls)
    run_recording(data, "talk", stages)
    (data.recording_dir("talk") / "in.txt").write_text("HELLO", encoding="utf-8")  # same upper-case text
    assert [r.status for r in run_recording(data, "talk", stages)] == ["ran", "skipped"]
    assert calls == ["upper", "count", "upper"]


def test_force_reruns_and_missing_output_makes_stale(data):
    _recording(data)
    calls = []
    stages = _stages(calls)
    run_recording(data, "talk", stages)
    run_recording(data, "talk", stages, force=True)
    assert calls.count("upper") == 2
    (data.work_dir("talk") / "count.txt").unlink()
    assert status_table(data, stages)[0]["count"] == "stale"
    assert [r.status for r in run_recording(data, "talk", stages)] == ["skipped", "ran"]


def test_failure_is_recorded_shown_and_keeps_previous_artifact(data):
    _recording(data)
    state = {"fail": False}
    stages = _stages([], fail=lambda: state["fail"])
    run_recording(data, "talk", stages)
    state["fail"] = True
    (data.recording_dir("talk") / "in.txt").write_text("changed", encoding="utf-8")
    results = run_recording(data, "talk", stages)
    assert results[-1].status == "failed" and "refused on purpose" in results[-1].error
    assert (data.work_dir("talk") / "count.txt").read_text() == "5"  # the previous artifact
    assert status_table(data, stages)[0]["count"].startswith("failed: count: refused on purpose")
    state["fail"] = False
    assert run_recording(data, "talk", stages)[-1].status == "ran"


def test_interrupted_write_leaves_previous_file(tmp_path):
    target = tmp_path / "artifact.json"
    fsutil.write_json(target, {"v": 1})
    with pytest.raises(KeyboardInterrupt):
        with fsutil.atomic_path(target) as tmp:
            tmp.write_text('{"v": 2, "trunc', encoding="utf-8")
            raise KeyboardInterrupt
    assert fsutil.read_json(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["artifact.json"]


def test_second_concurrent_run_is_refused(data):
    _recording(data)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with recording_lock(data.work_dir("talk"), "talk"):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    try:
        with pytest.raises(LockError, match="being processed by another run"):
            run_recording(data, "talk", _stages([]))
    finally:
        release.set()
        thread.join()
    assert run_recording(data, "talk", _stages([]))[0].status == "ran"


def test_a_filesystem_without_flock_warns_and_still_runs(data, monkeypatch, caplog):
    """Lustre mounted without -o flock answers flock() with ENOSYS. No such filesystem here, so flock is
    made to answer that; any other error still fails the recording."""
    import errno
    import fcntl

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, "Function not implemented")

    _recording(data)
    monkeypatch.setattr(fcntl, "flock", no_flock)
    with caplog.at_level("WARNING", logger="pipeline.runner.run"):
        assert run_recording(data, "talk", _stages([]))[0].status == "ran"
    assert "does not support flock (Function not implemented)" in caplog.text

    def broken(fd, operation):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fcntl, "flock", broken)
    with pytest.raises(OSError, match="Input/output error"):
        run_recording(data, "talk", _stages([]))
