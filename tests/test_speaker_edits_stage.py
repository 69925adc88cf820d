"""Issue 13 item 3 through the real runner: an editor's speaker name (review.sqlite) is applied by the
speakers stage with the real encoder on real voices, reaches the later artifacts (sentences, WebVTT
voice tags), survives re-processing from scratch, and undoing it brings the machine's name back."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "speakers"))
from lecture_fixture import SHORT_SCHEDULE, build_lecture
from test_speakers_stage import add

from pipeline.artifacts.sentences import load_sentences
from pipeline.artifacts.speakers import load_speakers
from pipeline.chapters import stage as chapters_stage
from pipeline.core import fsutil
from pipeline.core.config import DataPaths
from pipeline.drafts import stage as drafts_stage
from pipeline.editorial import speaker_edits
from pipeline.editorial.store import ReviewStore
from pipeline.publish.export import export_text
from pipeline.runner.run import run_recording
from pipeline.speakers import stage as speakers_stage

STAGES = [speakers_stage.STAGE, chapters_stage.STAGE, drafts_stage.STAGE]
SLUG = "college"


def statuses(paths: DataPaths, force: bool = False) -> list[str]:
    results = run_recording(paths, SLUG, STAGES, force=force)
    assert not [r.error for r in results if r.error]
    return [r.status for r in results]


@pytest.mark.slow
def test_an_editor_name_reaches_later_artifacts_and_survives_reprocessing(tmp_path):
    lecture = build_lecture("nl", seed=2, schedule=SHORT_SCHEDULE)
    _, reference, _ = lecture
    paths = DataPaths(tmp_path)
    add(paths, lecture, ["Bram Jansen", "Anna de Vries"])
    assert statuses(paths) == ["ran"] * 3
    work = paths.work_dir(SLUG)
    b_turns = [(s, e) for s, e, k in reference if k.startswith("B:")]
    moment = (b_turns[0][0] + b_turns[0][1]) / 2
    machine = load_speakers(work / "speakers.json")
    assert machine.speaker_of(moment - 0.1, moment + 0.1) == "Bram Jansen"

    store = ReviewStore(paths.review_db)
    view = speaker_edits.speaker_view(paths, store, SLUG)
    voice = view.speakers.speaker_id_of(moment - 0.1, moment + 0.1)
    speaker_edits.rename(store, view, SLUG, voice, "Bram van Dijk", "Anne")
    waiting = speaker_edits.speaker_view(paths, store, SLUG)
    assert waiting.pending and waiting.speakers.speaker_of(moment - 0.1, moment + 0.1) == "Bram van Dijk"

    assert statuses(paths) == ["ran"] * 3  # the edit re-runs speakers and what reads speakers.json
    edited = load_speakers(work / "speakers.json")
    (entry,) = [e for e in edited.speakers if e.name == "Bram van Dijk"]
    assert entry.name_source == "editor" and "Bram Jansen" not in edited.names().values()
    assert fsutil.read_json(work / "run.json")["stages"]["speakers"]["params"]["editor_speakers"]

    def spoken_by_b(sentences) -> list[str]:
        return [s.speaker for s in sentences
                if any(min(e, s.end) - max(b, s.start) > 0.5 * (s.end - s.start) for b, e in b_turns)]

    said = spoken_by_b(load_sentences(work / "sentences.json").sentences)
    assert said and said.count("Bram van Dijk") / len(said) >= 0.9
    assert "<v Bram van Dijk>" in export_text(paths, SLUG, "vtt")
    assert not speaker_edits.speaker_view(paths, store, SLUG).pending
    assert statuses(paths) == ["skipped"] * 3

    # re-processing from scratch diarizes again; the name is the editor's input, so it comes back
    assert statuses(paths, force=True) == ["ran"] * 3
    assert load_speakers(work / "speakers.json").speaker_of(moment - 0.1, moment + 0.1) == "Bram van Dijk"

    speaker_edits.undo(store, SLUG, "edit-0001", "Anne")
    assert statuses(paths)[0] == "ran"
    assert load_speakers(work / "speakers.json").speaker_of(moment - 0.1, moment + 0.1) == "Bram Jansen"
    assert "editor_speakers" not in fsutil.read_json(work / "run.json")["stages"]["speakers"]["params"]


def test_an_edit_reapplies_on_the_kept_diarization_and_force_diarizes_again(tmp_path, monkeypatch):
    lecture = build_lecture("nl", seed=2, schedule=SHORT_SCHEDULE)
    paths = DataPaths(tmp_path)
    add(paths, lecture, ["Bram Jansen", "Anna de Vries"])
    calls = []
    real = speakers_stage.diarize

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(speakers_stage, "diarize", counted)
    assert statuses(paths)[0] == "ran" and len(calls) == 1
    work = paths.work_dir(SLUG)
    cached = fsutil.read_json(work / speakers_stage.MACHINE_FILE)
    assert cached["key"] and cached["speakers"]["turns"] == fsutil.read_json(work / "speakers.json")["turns"]

    store = ReviewStore(paths.review_db)
    view = speaker_edits.speaker_view(paths, store, SLUG)
    speaker_edits.rename(store, view, SLUG, view.speakers.speakers[0].id, "Iemand Anders", "Anne")
    assert statuses(paths)[0] == "ran" and len(calls) == 1  # the edit alone: no new diarization
    assert "Iemand Anders" in load_speakers(work / "speakers.json").names().values()

    assert statuses(paths, force=True)[0] == "ran" and len(calls) == 2  # --force diarizes again
    (work / speakers_stage.MACHINE_FILE).write_text("{not json", encoding="utf-8")
    speaker_edits.undo(store, SLUG, "edit-0001", "Anne")
    assert statuses(paths)[0] == "ran" and len(calls) == 3  # an unreadable cache is made again, not trusted
    assert "Iemand Anders" not in load_speakers(work / "speakers.json").names().values()
