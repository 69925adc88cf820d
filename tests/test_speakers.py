"""Speaker diarization on real voices: a short lecture-like recording, the stereo test clip, naming."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "speakers"))
from lecture_fixture import SHORT_SCHEDULE, build_lecture  # noqa: E402

from pipeline.artifacts.speakers import SpeakerEntry, Speakers, Turn, load_speakers  # noqa: E402
from pipeline.artifacts.transcript import Segment, Word  # noqa: E402
from pipeline.extract.ffmpeg import ffmpeg_exe  # noqa: E402
from pipeline.speakers.diarize import diarize, speech_regions  # noqa: E402
from pipeline.speakers.embed import default_embedder  # noqa: E402
from pipeline.speakers.naming import match_listed, name_speakers  # noqa: E402
from pipeline.speakers.stereo import read_channels, stereo_split  # noqa: E402

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
STEREO = TESTDATA / "en_faster_whisper_stereo_two_channels" / "stereo_diarization.wav"


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def role_accuracy(reference, turns, entries) -> dict[str, float]:
    """Per reference speaker: the share of their speech given to the right voice (presenters: the voice
    that has most of their time, used for one presenter only; audience: any audience voice)."""
    roles = {e.id: e.role for e in entries}
    result, used = {}, set()
    for who in sorted({r[2] for r in reference}, key=lambda w: w.startswith("Q:")):
        mine = [r for r in reference if r[2] == who]
        total = sum(e - s for s, e, _ in mine)
        by_voice: dict[str, float] = {}
        for s, e, _ in mine:
            for ts, te, voice in turns:
                by_voice[voice] = by_voice.get(voice, 0.0) + overlap((s, e), (ts, te))
        if who.startswith("Q:"):
            right = sum(v for k, v in by_voice.items() if roles.get(k) == "audience")
        else:
            voice = max((k for k in by_voice if k not in used), key=lambda k: by_voice[k])
            used.add(voice)
            right = by_voice[voice]
        result[who] = right / total
    return result


@pytest.fixture(scope="module")
def lecture():
    return build_lecture("nl", seed=2, schedule=SHORT_SCHEDULE)


@pytest.mark.slow
def test_lecture_presenters_apart_and_audience_found_with_the_real_encoder(lecture):
    audio, reference, meta = lecture
    assert 80 < len(audio) / 16000 < 130 and default_embedder() is not None
    turns, info = diarize(audio, speech_regions(audio), max_speakers=6)
    assert info["method"] == "embedding" and info["embedder"] == "resemblyzer"
    entries, _ = name_speakers([Turn(*t) for t in turns], [], ["Anna de Vries", "Bram Jansen"], [], "nl",
                               len(audio) / 16000)
    accuracy = role_accuracy(reference, turns, entries)
    presenters = [v for k, v in accuracy.items() if not k.startswith("Q:")]
    assert min(presenters) >= 0.95, accuracy
    speech = {w: sum(e - s for s, e, k in reference if k == w) for w in accuracy}
    assert sum(accuracy[w] * speech[w] for w in accuracy) / sum(speech.values()) >= 0.9, accuracy
    assert [e.name for e in entries if e.role == "presenter"] == ["Anna de Vries", "Bram Jansen"]  # page order


@pytest.mark.slow
def test_one_voice_is_one_speaker(lecture):
    audio, reference, _ = lecture
    first_b = next(i for i, r in enumerate(reference) if r[2].startswith("B:"))
    end = reference[first_b - 1][1]  # presenter A's opening turn alone (about 20 s)
    turns, _ = diarize(audio[: int(end * 16000)], speech_regions(audio[: int(end * 16000)]))
    assert {t[2] for t in turns} == {"SPEAKER_00"}


def test_stereo_clip_is_split_per_channel():
    stereo = read_channels(STEREO, ffmpeg_exe())
    assert stereo.shape[0] == 2 and stereo.dtype == np.int16
    info: dict = {}
    turns = stereo_split(stereo, info=info)
    assert turns is not None, info
    assert info["decision"] == "split (separate sources)"
    for channel in (0, 1):  # each channel's turns cover that channel's own speech (Silero per channel)
        speech = speech_regions(stereo[channel], 0.5)  # strict: at 0.1 the other channel's bleed counts
        mine = [(s, e) for s, e, k in turns if k == f"CH{channel}"]
        other = [(s, e) for s, e, k in turns if k != f"CH{channel}"]
        total = sum(e - s for s, e in speech)
        covered = sum(overlap(a, b) for a in speech for b in mine)
        assert covered / total >= 0.8, (channel, speech, mine)
        assert sum(overlap(a, b) for a in speech for b in other) < sum(overlap(a, b) for a in speech for b in mine)
    assert any(s < e2 and s2 < e for s, e, k in turns if k == "CH0" for s2, e2, k2 in turns if k2 == "CH1")  # overlap kept


def test_mono_copied_to_both_channels_is_not_split():
    left = read_channels(STEREO, ffmpeg_exe())[0]
    for right in (left, (left * 0.7).astype(np.int16), np.zeros_like(left)):
        info: dict = {}
        assert stereo_split(np.stack([left, right]), info=info) is None, info


# --- names -------------------------------------------------------------------------------------------

def segment(i: int, start: float, end: float, text: str) -> Segment:
    words, t = [], start
    step = (end - start) / max(1, len(text.split()))
    for w in text.split():
        words.append(Word(round(t, 3), round(t + step * 0.9, 3), " " + w))
        t += step
    return Segment(i, start, end, text, words)


TURNS = [Turn(0.0, 40.0, "SPEAKER_00"), Turn(41.0, 70.0, "SPEAKER_01"), Turn(71.0, 76.0, "SPEAKER_02"),
         Turn(77.0, 100.0, "SPEAKER_01")]


def test_names_from_a_self_introduction_and_the_page():
    segments = [segment(0, 0.5, 6.0, "Goedemiddag. Mijn naam is Anna de Vries en ik werk bij het lab."),
                segment(1, 41.5, 45.0, "Dank je wel, Anna."),
                segment(2, 71.5, 75.0, "Ik heb een vraag over de kosten?")]
    entries, warnings = name_speakers(TURNS, segments, ["Bram Jansen", "Anna de Vries"], [], "nl", 100.0)
    by_id = {e.id: e for e in entries}
    assert (by_id["SPEAKER_00"].name, by_id["SPEAKER_00"].name_source) == ("Anna de Vries", "introduction")
    assert (by_id["SPEAKER_01"].name, by_id["SPEAKER_01"].name_source) == ("Bram Jansen", "page_order")
    assert (by_id["SPEAKER_02"].name, by_id["SPEAKER_02"].role) == ("Publiek", "audience")
    assert by_id["SPEAKER_00"].seconds == 40.0 and warnings == []


def test_names_from_a_chapter_title_and_english_introductions():
    segments = [segment(0, 41.2, 44.0, "Hi, I'm Bram and I work on roads.")]
    chapters = [(0.0, "Uitleg van het programma (Anna)"), (40.5, "Vragen")]
    entries, warnings = name_speakers(TURNS, segments, ["Anna de Vries", "Bram Jansen"], chapters, "en", 100.0)
    by_id = {e.id: e for e in entries}
    assert (by_id["SPEAKER_00"].name, by_id["SPEAKER_00"].name_source) == ("Anna de Vries", "chapter_title")
    assert (by_id["SPEAKER_01"].name, by_id["SPEAKER_01"].name_source) == ("Bram Jansen", "introduction")
    assert by_id["SPEAKER_02"].name == "Audience" and not warnings


@pytest.mark.parametrize("said, index", [("Anna de Vries", 0), ("Ana", 0), ("Bram", 1), ("Brahm Jansen", 1),
                                         ("Karel", -1), ("Blij", -1)])
def test_first_names_match_as_whisper_spells_them(said, index):
    assert match_listed(said, ["Anna de Vries", "Bram Jansen"]) == index


def test_a_wrong_or_missing_speaker_list_is_a_warning_not_a_crash():
    segments = [segment(0, 0.5, 6.0, "Mijn naam is Anna de Vries."), segment(1, 42.0, 44.0, "Ik ben blij dat u er bent.")]
    entries, warnings = name_speakers(TURNS, segments, ["Karel Appel"], [], "nl", 100.0)
    anna = next(e for e in entries if e.id == "SPEAKER_00")
    assert anna.name == "Anna de Vries" and anna.name_source == "introduction"
    assert any("'Anna de Vries', who is not in recording.yaml's speakers (Karel Appel)" in w for w in warnings)
    assert entries[0].id == "SPEAKER_01" and entries[0].name == "Karel Appel"  # the weak prior names the other voice
    entries, warnings = name_speakers(TURNS, segments[1:], [], [], "nl", 100.0)
    assert [e.name for e in entries] == [None, None, "Publiek"] and [e.label for e in entries][:2] == ["Spreker 1", "Spreker 2"]
    assert any("lists no speakers" in w for w in warnings)
    assert name_speakers([], [], ["Anna de Vries"], [], "nl", 0.0)[0] == []


def test_artifact_round_trip_and_majority_overlap(tmp_path):
    speakers = Speakers("nl", 100.0, "test", {}, TURNS,
                        [SpeakerEntry("SPEAKER_00", "Anna de Vries", 40.0, "introduction", "presenter", "Anna de Vries"),
                         SpeakerEntry("SPEAKER_01", None, 52.0, None, "presenter", "Spreker 1"),
                         SpeakerEntry("SPEAKER_02", "Publiek", 5.0, "audience", "audience", "Publiek")])
    speakers.save(tmp_path / "speakers.json")
    loaded = load_speakers(tmp_path / "speakers.json")
    assert loaded.to_json() == speakers.to_json()
    assert loaded.speaker_of(38.0, 45.0) == ""          # mostly the unnamed voice
    assert loaded.speaker_of(35.0, 42.0) == "Anna de Vries"
    assert loaded.speaker_of(71.5, 76.5) == "Publiek"
    assert loaded.speaker_of(40.2, 40.8) == "Anna de Vries"  # in a pause: the nearest turn
    assert loaded.speaker_of(200.0, 201.0) == ""


def test_names_from_chapter_titles_not_on_the_page_warn():
    chapters = [(0.0, "Uitleg van het programma (Floris)"), (40.5, "Discussie (Vervolg)")]
    entries, warnings = name_speakers(TURNS, [], [], chapters, "nl", 100.0)
    by_id = {e.id: e for e in entries}
    assert (by_id["SPEAKER_00"].name, by_id["SPEAKER_00"].name_source) == ("Floris", "chapter_title")
    assert by_id["SPEAKER_01"].name is None  # "(Vervolg)" names nobody
    assert any("named in a chapter title as 'Floris'" in w and "lists no speakers" in w for w in warnings)
    entries, warnings = name_speakers(TURNS, [], ["Karel Appel"], [chapters[0], (40.5, "Vragen")], "nl", 100.0)
    assert [(e.id, e.name) for e in entries][:2] == [("SPEAKER_01", "Karel Appel"), ("SPEAKER_00", "Floris")]
    assert any("'Floris', who is not in recording.yaml's speakers (Karel Appel)" in w for w in warnings)


def test_the_stage_reads_speaker_names_from_the_chapters_file(tmp_path):
    from pipeline.artifacts.manifest import Recording, Speaker, save_recording
    from pipeline.core.config import DataPaths
    from pipeline.runner.stage import StageContext
    from pipeline.speakers.stage import listed_chapters

    paths = DataPaths(tmp_path)
    recording = Recording(slug="college", title="College", media="college.wav", language="nl",
                          speakers=[Speaker("Anna de Vries"), Speaker("Floris Bakker")], chapters_file="chapters.txt")
    save_recording(paths, recording)
    (paths.recording_dir("college") / "chapters.txt").write_text(
        "00:00 - Inleiding (Anna)\n00:41 - Het programma (Floris)\n", encoding="utf-8")
    warnings: list[str] = []
    chapters = listed_chapters(StageContext(paths, recording), warnings)
    assert chapters == [(0.0, "Inleiding (Anna)"), (41.0, "Het programma (Floris)")] and not warnings
    entries, name_warnings = name_speakers(TURNS, [], ["Anna de Vries", "Floris Bakker"], chapters, "nl", 100.0)
    assert {e.id: (e.name, e.name_source) for e in entries}["SPEAKER_01"] == ("Floris Bakker", "chapter_title")
    (paths.recording_dir("college") / "chapters.txt").write_text("00:30 - Inleiding\n00:10 - Terug in de tijd\n", encoding="utf-8")
    assert listed_chapters(StageContext(paths, recording), warnings) == []
    assert len(warnings) == 1 and warnings[0].startswith("chapter titles not used to name speakers:")
