"""The CLI end to end on the bundled sample: add, run, status, incremental re-run, one-line errors."""
import os
import subprocess
import sys

import pytest
from conftest import SAMPLE, make_video_without_audio

from pipeline.cli import build_parser

pytestmark = pytest.mark.slow


def cli(*args, data):
    env = {**os.environ, "PIPELINE_DATA": str(data.root), "CI": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env)


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert sub._name_parser_map[name].format_help()
        assert any(c.dest == name and c.help for c in sub._choices_actions), name


def test_add_run_status_and_rerun(data, tmp_path):
    out = cli("add", "demo", "--media", str(SAMPLE / "open-college-demo.ogg"), "--page", str(SAMPLE / "page.txt"), data=data)
    assert out.returncode == 0, out.stderr
    assert "4 chapters, 2 speakers" in out.stdout and "recording.yaml" in out.stdout
    bad = make_video_without_audio(tmp_path / "novideo.mp4")
    assert cli("add", "broken", "--media", str(bad), data=data).returncode == 0

    run = cli("run", "--stages", "extract", "transcribe", data=data)
    assert run.returncode == 1  # the broken recording fails, the batch goes on
    assert "[demo] transcribe: done" in run.stdout and "transcript.json" in run.stdout
    errors = [l for l in run.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1 and "novideo.mp4: has no audio stream" in errors[0]
    assert "Traceback" not in run.stderr

    status = cli("status", data=data)
    assert status.returncode == 0
    demo_row = next(l for l in status.stdout.splitlines() if l.startswith("demo "))
    broken_row = next(l for l in status.stdout.splitlines() if l.startswith("broken "))
    assert demo_row.split()[1:3] == ["done", "done"] and broken_row.split()[1] == "failed"
    assert "no audio stream" in status.stdout

    again = cli("run", "demo", "--stages", "extract", "transcribe", data=data)
    assert again.returncode == 0 and again.stdout.count("up to date") == 2
    transcript = (data.work_dir("demo") / "transcript.txt").read_text(encoding="utf-8").lower()
    assert "aardappel" in transcript and "timer" in transcript and "voordeur" in transcript


def test_errors_are_one_line(data):
    for args in (["run", "nope"], ["add", "x", "--media", "/nonexistent.mp4"], ["run", "--stages", "bogus"],
                 ["add", "../up", "--media", "/etc/hostname"]):
        out = cli(*args, data=data)
        assert out.returncode == 1, args
        assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("error:"), (args, out.stderr)
