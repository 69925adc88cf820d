"""The speakers stage through the real runner on real voices, and what later stages do with its turns."""
from __future__ import annotations

import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "speakers"))
from lecture_fixture import SHORT_SCHEDULE, build_lecture  # noqa: E402

from pipeline.artifacts.drafts import load_drafts  # noqa: E402
from pipeline.artifacts.manifest import (  # noqa: E402
    ListedChapter,
    Recording,
    Speaker,
    save_recording,
)
from pipeline.artifacts.media import AudioStream, MediaInfo  # noqa: E402
from pipeline.artifacts.sentences import load_sentences  # noqa: E402
from pipeline.artifacts.speakers import load_speakers  # noqa: E402
from pipeline.artifacts.transcript import Segment, Transcript, Word  # noqa: E402
from pipeline.chapters import stage as chapters_stage  # noqa: E402
from pipeline.core import fsutil  # noqa: E402
from pipeline.core.config import DataPaths  # noqa: E402
from pipeline.drafts import stage as drafts_stage  # noqa: E402
from pipeline.runner.run import run_recording  # noqa: E402
from pipeline.speakers import stage as speakers_stage  # noqa: E402
from pipeline.speakers.segmentation import segmentation_model  # noqa: E402
from pipeline.stages import all_stages  # noqa: E402

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
FILLER = ["We kijken vandaag naar het verkeer in de regio.", "Dat is een belangrijk punt voor de provincie.",
          "De data laten zien dat het drukker wordt.", "Samen met de gemeenten pakken we dat aan."]
OPENING = {"A": "Goedemiddag, mijn naam is Anna de Vries.", "B": "Dank je wel, ik ben Bram Jansen."}
QUESTION = "Ik heb een vraag: hoe lang duurt het project nog?"


def write_wav(path: Path, audio: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def fixture_transcript(reference, duration: float) -> Transcript:
    """Whisper-like segments over the reference speech (at most 6 s each), with words."""
    segments, said = [], set()
    for start, end, who in reference:
        role = who[0]
        t = start
        while t < end - 0.3:
            stop = min(end, t + 6.0)
            if role == "Q":
                text = QUESTION if t == start else "Dat wil ik graag weten."
            elif role not in said:
                text = OPENING[role]
                said.add(role)
            else:
                text = FILLER[len(segments) % len(FILLER)]
            tokens = text.split()
            step = (stop - t) / len(tokens)
            words = [Word(round(t + i * step, 3), round(t + (i + 0.9) * step, 3), " " + w) for i, w in enumerate(tokens)]
            segments.append(Segment(len(segments), round(t, 3), round(stop, 3), text, words))
            t = stop
    return Transcript("nl", duration, "faster-whisper", "test", segments)


@pytest.fixture(scope="module")
def lecture():
    return build_lecture("nl", seed=2, schedule=SHORT_SCHEDULE)


def add(paths: DataPaths, lecture, speakers: list[str], slug: str = "college") -> Recording:
    audio, reference, meta = lecture
    first_b = next(s for s, e, k in reference if k.startswith("B:"))
    recording = Recording(slug=slug, title="College", media="college.wav", language="nl",
                          speakers=[Speaker(n) for n in speakers],
                          chapters=[ListedChapter(0, "Inleiding"), ListedChapter(int(first_b), "Het programma")])
    save_recording(paths, recording)
    work = paths.work_dir(slug)
    write_wav(work / "audio.wav", audio)
    fixture_transcript(reference, len(audio) / 16000).save(work / "transcript.json")
    return recording


@pytest.mark.slow
def test_stage_names_the_voices_and_later_stages_carry_them(tmp_path, lecture):
    paths = DataPaths(tmp_path)
    add(paths, lecture, ["Bram Jansen", "Anna de Vries"])  # not in speaking order: the introductions decide
    stages = [speakers_stage.STAGE, chapters_stage.STAGE, drafts_stage.STAGE]
    results = run_recording(paths, "college", stages)
    assert [r.status for r in results] == ["ran"] * 3, [r.error for r in results]
    work = paths.work_dir("college")
    speakers = load_speakers(work / "speakers.json")
    named = {e.name: e for e in speakers.speakers}
    assert named["Anna de Vries"].name_source == named["Bram Jansen"].name_source == "introduction"
    assert named["Publiek"].role == "audience" and speakers.method.startswith("embedding")
    assert not speakers.warnings
    assert speakers.turns == sorted(speakers.turns, key=lambda t: (t.start, t.end))
    if segmentation_model() is not None:  # speech regions from the segmentation model, not Whisper's segments
        assert speakers.info["regions"] == "segmentation model" and "segmentation" in speakers.info

    _, reference, _ = lecture
    truth = {"A": "Anna de Vries", "B": "Bram Jansen", "Q": "Publiek"}

    def who(start, end):
        best = max(reference, key=lambda r: min(end, r[1]) - max(start, r[0]))
        return truth[best[2][0]]

    table = pd.read_parquet(work / "segments.parquet")
    presenters = [r for r in table.itertuples() if who(r.start, r.end) != "Publiek"]
    assert sum(r.speaker == who(r.start, r.end) for r in presenters) / len(presenters) >= 0.97
    # Overall >= 0.9 here: of the two 6 s audience questions on 110 s, the far-field AMI voice goes to
    # a presenter on this seed. The >= 95 % goal is measured on the 12.5-minute fixture (bench/speakers.json).
    right = sum((r.end - r.start) for r in table.itertuples() if r.speaker == who(r.start, r.end))
    assert right / (table.end - table.start).sum() >= 0.9
    sentences = load_sentences(work / "sentences.json").sentences
    assert sum(s.speaker == who(s.start, s.end) for s in sentences) / len(sentences) >= 0.9
    drafts = load_drafts(work / "drafts.json")
    asked = [q for q in drafts.questions if q.text.startswith("Ik heb een vraag")]
    assert asked and all(q.answer_speaker in ("Anna de Vries", "Bram Jansen") for q in asked if q.answer)
    asker = {s.id: s.speaker for s in sentences}
    assert [asker[q.sentence_id] for q in asked][:2] == ["Publiek", "Publiek"]  # the first question's voice
    assert [q.asker for q in asked][:2] == ["Publiek", "Publiek"]
    quotes = [q for c in drafts.chapters for q in c.quotes]
    assert all(q.speaker == who(q.start, q.end) for q in quotes)

    assert [r.status for r in run_recording(paths, "college", stages)] == ["skipped"] * 3


@pytest.mark.slow
def test_a_missing_list_warns_in_the_summary_and_a_minimal_install_falls_back(tmp_path, lecture, monkeypatch):
    paths = DataPaths(tmp_path)
    add(paths, lecture, [])
    monkeypatch.setattr(speakers_stage, "default_embedder", lambda: None)
    monkeypatch.setattr(speakers_stage, "embedder_problem", lambda: "ImportError: No module named 'torch'")
    monkeypatch.setattr(speakers_stage, "segmentation_model", lambda: None)  # needs torch too
    (result,) = run_recording(paths, "college", [speakers_stage.STAGE])
    assert result.status == "ran", result.error
    summary = fsutil.read_json(paths.work_dir("college") / "run.json")["stages"]["speakers"]["summary"]
    assert any("lists no speakers" in w for w in summary["warnings"])
    assert any("MFCC + pitch only" in w and "torch" in w for w in summary["warnings"])
    speakers = load_speakers(paths.work_dir("college") / "speakers.json")
    assert speakers.method.startswith("mfcc+pitch") and len(speakers.speakers) >= 2
    assert speakers.info["regions"] == "transcript + Silero"
    # "mijn naam is Anna de Vries" names a voice without a list; "ik ben Bram Jansen" only with one
    assert {e.label for e in speakers.speakers if e.role == "presenter"} == {"Anna de Vries", "Spreker 1"}


def test_a_stereo_recording_with_one_microphone_per_channel_is_split(tmp_path):
    paths = DataPaths(tmp_path)
    source = TESTDATA / "en_faster_whisper_stereo_two_channels" / "stereo_diarization.wav"
    recording = Recording(slug="gesprek", title="Gesprek", media="gesprek.wav", language="en",
                          speakers=[Speaker("Left Person"), Speaker("Right Person")])
    save_recording(paths, recording)
    shutil.copy(source, paths.recording_dir("gesprek") / "gesprek.wav")
    work = paths.work_dir("gesprek")
    with wave.open(str(source), "rb") as wav:
        stereo = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2).astype(np.float32) / 32768
        rate = wav.getframerate()
    mono = stereo.mean(1)[:: rate // 16000] if rate % 16000 == 0 else stereo.mean(1)
    write_wav(work / "audio.wav", mono)
    fsutil.write_json(work / "media.json", MediaInfo("gesprek.wav", "x", 1, len(mono) / 16000, "wav",
                                                     [AudioStream(0, "pcm_s16le", rate, 2)], 0).to_json())
    Transcript("en", len(mono) / 16000, "faster-whisper", "test",
               [Segment(0, 0.3, 2.4, "Hello there."), Segment(1, 2.7, 4.5, "Yes, hello.")]).save(work / "transcript.json")
    (result,) = run_recording(paths, "gesprek", [speakers_stage.STAGE])
    assert result.status == "ran", result.error
    speakers = load_speakers(work / "speakers.json")
    assert speakers.method.startswith("stereo") and speakers.info["stereo"]["decision"].startswith("split")
    assert sorted(speakers.info["channels"].values()) == [0, 1] and len(speakers.speakers) == 2
    assert all(e.name for e in speakers.speakers)


def test_the_registry_runs_speakers_after_transcribe():
    names = [s.name for s in all_stages()]
    assert names.index("transcribe") + 1 == names.index("speakers") < names.index("chapters")
