"""`make demo` end to end: the bundled sample through every stage, then a second run that does nothing."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_every_stage_then_is_up_to_date(data):
    env = {**os.environ, "PIPELINE_DATA": str(data.root), "CI": "1"}
    first = subprocess.run([sys.executable, "-m", "pipeline.demo"], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    for stage in ("extract", "transcribe", "chapters", "drafts", "index"):
        assert f"[demo-open-college] {stage}: done" in first.stdout
    work = data.work_dir("demo-open-college")
    page = (work / "page.md").read_text(encoding="utf-8")
    assert "## Inhoudsopgave" in page and "Lampen en deuren in huis" in page and "## Sprekers" in page
    assert str(work / "page.md") in first.stdout  # outputs say where they were written
    second = subprocess.run([sys.executable, "-m", "pipeline.demo"], capture_output=True, text=True, env=env)
    assert second.returncode == 0 and second.stdout.count("up to date") == 6
