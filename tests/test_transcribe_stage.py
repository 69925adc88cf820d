"""The transcribe stage inside the runner: captions instead of Whisper, the glossary as Whisper's prompt."""
import pytest
from conftest import TESTDATA, make_tone

from pipeline.artifacts.transcript import Transcript
from pipeline.editorial.store import ReviewStore
from pipeline.ingest.add import add_recording
from pipeline.runner.run import RunLog, run_recording, status_table
from pipeline.stages import select_stages

pytestmark = pytest.mark.slow


def test_recording_with_captions_is_imported_not_transcribed(data, tmp_path):
    media = make_tone(tmp_path / "talk.mp3", 6.0)
    captions = tmp_path / "talk.srt"
    captions.write_bytes("1\r\n00:00:00,500 --> 00:00:02,000\r\nGoedemiddag, welkom bij dit café.\r\n\r\n"
                         "2\r\n00:00:02,500 --> 00:00:05,000\r\nWe beginnen met de iVRI's.\r\n".encode("cp1252"))
    add_recording(data, "talk", media, captions=captions, language="nl")
    results = run_recording(data, "talk", select_stages(["extract", "transcribe"]))
    assert [r.status for r in results] == ["ran", "ran"]
    transcript = Transcript.load(data.work_dir("talk") / "transcript.json")
    assert transcript.engine == "subtitles" and transcript.text == "Goedemiddag, welkom bij dit café. We beginnen met de iVRI's."
    assert transcript.duration == pytest.approx(6.0, abs=0.1)
    inputs = RunLog(data.work_dir("talk") / "run.json").stage("transcribe")["inputs"]
    assert list(inputs) == ["recordings/talk/talk.srt"]


def test_glossary_stays_out_of_the_decoder_by_default(data):
    """Every prompt form measured cost speech, so by default the glossary only corrects text."""
    add_recording(data, "jfk", TESTDATA / "en_jfk_inaugural_excerpt" / "jfk.flac", language="en")
    ReviewStore(data.review_db).add_term("Americans", "editor")
    run_recording(data, "jfk", select_stages(["extract", "transcribe"]))
    transcript = Transcript.load(data.work_dir("jfk") / "transcript.json")
    assert transcript.options["glossary"] == [] and transcript.options["glossary_prompt"] is False
    assert "ask not what your country can do for you" in transcript.text.lower()


def test_glossary_prompt_is_pinned_and_does_not_make_old_transcripts_stale(data, monkeypatch):
    monkeypatch.setenv("PIPELINE_GLOSSARY_PROMPT", "1")
    add_recording(data, "jfk", TESTDATA / "en_jfk_inaugural_excerpt" / "jfk.flac", language="en")
    store = ReviewStore(data.review_db)
    store.add_term("Americans", "editor")
    store.add_term("Krachtenbundeling", "editor")
    stages = select_stages(["extract", "transcribe"])
    run_recording(data, "jfk", stages)
    transcript = Transcript.load(data.work_dir("jfk") / "transcript.json")
    assert transcript.options["glossary"] == ["Americans", "Krachtenbundeling"]
    assert "ask not what your country can do for you" in transcript.text.lower()
    store.add_term("iVRI", "editor")
    # the glossary is pinned to the transcript: growing it leaves old transcripts done ...
    assert [r.status for r in run_recording(data, "jfk", stages)] == ["skipped", "skipped"]
    # ... until a deliberate --force re-transcribes with today's glossary
    run_recording(data, "jfk", stages, force=True)
    transcript = Transcript.load(data.work_dir("jfk") / "transcript.json")
    assert set(transcript.options["glossary"]) == {"Americans", "Krachtenbundeling", "iVRI"}
    assert [r.status for r in run_recording(data, "jfk", stages)] == ["skipped", "skipped"]


def test_speed_only_settings_leave_transcripts_done(data, monkeypatch):
    add_recording(data, "jfk", TESTDATA / "en_jfk_inaugural_excerpt" / "jfk.flac", language="en")
    stages = select_stages(["extract", "transcribe"])
    run_recording(data, "jfk", stages)
    for compute in ("int8_float32", "int8"):
        monkeypatch.setenv("PIPELINE_COMPUTE_TYPE", compute)
        assert [r.status for r in run_recording(data, "jfk", stages)] == ["skipped", "skipped"]
        assert status_table(data, stages)[0]["transcribe"] == "done"
    monkeypatch.setenv("PIPELINE_BEAM_SIZE", "1")  # changes the text: stale
    assert status_table(data, stages)[0]["transcribe"] != "done"


def test_a_captioned_recording_is_not_transcribed_again(data, tmp_path):
    """The captions import's parameters survive the round trip through run.json: a second run skips it."""
    captions = tmp_path / "talk.srt"
    captions.write_text("1\n00:00:00,500 --> 00:00:02,000\nGoedemiddag.\n", encoding="utf-8")
    add_recording(data, "talk", make_tone(tmp_path / "talk.mp3", 6.0), captions=captions, language="nl")
    stages = select_stages(["extract", "transcribe"])
    assert [r.status for r in run_recording(data, "talk", stages)] == ["ran", "ran"]
    assert [r.status for r in run_recording(data, "talk", stages)] == ["skipped", "skipped"]
