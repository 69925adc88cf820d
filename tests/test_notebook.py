"""notebooks/explore_transcripts.ipynb runs top to bottom (nbclient, a real kernel) on a small data
folder made by the real chapters, drafts and index stages, so the notebook can never rot."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.artifacts.manifest import save_recording
from pipeline.chapters import stage as chapters
from pipeline.core.config import DataPaths
from pipeline.drafts import stage as drafts
from pipeline.index import stage as index
from pipeline.runner.run import run_recording

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore_transcripts.ipynb"
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "drafts"))
import drafts_fixture  # noqa: E402  (the drafts tests' lecture builder: Whisper-like transcripts from text)


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> DataPaths:
    """Two lectures (nl, en) taken through chapters -> drafts -> index."""
    paths = DataPaths(tmp_path_factory.mktemp("notebook") / "data")
    for name in ("nl", "en"):
        transcript, _spans, recording = drafts_fixture.build(drafts_fixture.lecture(name))
        paths.recording_dir(recording.slug).mkdir(parents=True)
        (paths.recording_dir(recording.slug) / recording.media).write_bytes(b"")
        save_recording(paths, recording)
        transcript.save(paths.work_dir(recording.slug) / "transcript.json")
        results = run_recording(paths, recording.slug, [chapters.STAGE, drafts.STAGE, index.STAGE])
        assert [r.status for r in results] == ["ran", "ran", "ran"], [r.error for r in results]
    return paths


def outputs(cell) -> str:
    texts = []
    for out in cell.get("outputs", []):
        texts.append(out.get("text", ""))
        texts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(texts)


def test_notebook_runs_on_a_processed_data_folder(processed, monkeypatch):
    monkeypatch.setenv("PIPELINE_DATA", str(processed.root))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    # No logic of its own: every code cell is a few lines calling pipeline.
    assert all(len(c.source.splitlines()) <= 6 and "def " not in c.source for c in code)
    assert "segments in 2 recordings" in outputs(code[1])
    assert "Floris Bakermans" in outputs(code[2])              # talk time per speaker
    assert "open-college-nl" in outputs(code[3])               # distinctive terms per chapter
    assert "open-college-nl" in outputs(code[4]) and "8765/r/open-college-" in outputs(code[4])
    assert any("image/png" in out.get("data", {}) for out in code[5].outputs)  # the plot
