"""Transcribe with the real bundled Whisper base weights (no mocks): text, timing invariants, formats."""
import csv

import pytest
import srt
import webvtt
from conftest import TESTDATA, make_silence, make_tone, wer

from pipeline.artifacts.transcript import Transcript
from pipeline.core.errors import ConfigError, MediaError
from pipeline.extract.stage import extract_audio
from pipeline.transcribe.stage import (
    TranscribeOptions,
    transcribe_audio,
    transcribe_captions,
    write_transcript,
)

pytestmark = pytest.mark.slow
JFK = TESTDATA / "en_jfk_inaugural_excerpt" / "jfk.flac"
FLEMISH = TESTDATA / "nl_flemish_dutch_vl_tts_samples"


@pytest.fixture(scope="module")
def jfk_wav(tmp_path_factory):
    out = tmp_path_factory.mktemp("jfk") / "audio.wav"
    extract_audio(JFK, out)
    return out


@pytest.fixture(scope="module")
def jfk(jfk_wav):
    return transcribe_audio(jfk_wav, TranscribeOptions(language="en"))


def assert_invariants(transcript: Transcript):
    assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
    last = 0.0
    for seg in transcript.segments:
        assert seg.start >= last - 1e-6 and seg.end >= seg.start
        last = seg.start
        for word in seg.words:
            assert seg.start - 1e-6 <= word.start <= word.end <= seg.end + 1e-6
    assert transcript.segments[-1].end <= transcript.duration + 0.5


def test_jfk_default_engine(jfk):
    text = jfk.text.lower()
    assert "ask not what your country can do for you" in text
    assert jfk.engine == "faster-whisper" and jfk.model == "base" and jfk.language == "en"
    assert jfk.options["beam_size"] == 5 and jfk.options["batch_size"] == 1 and jfk.versions["faster-whisper"]
    assert sum(len(s.words) for s in jfk.segments) >= 20
    assert_invariants(jfk)


def test_flemish_clips_word_error_rate(tmp_path):
    refs, hyps = [], []
    rows = list(csv.reader((FLEMISH / "transcripts.tsv").open(encoding="utf-8"), delimiter="\t"))
    for name, reference in rows:
        wav = tmp_path / f"{name}.16k.wav"
        extract_audio(FLEMISH / name, wav)
        refs.append(reference)
        hyps.append(transcribe_audio(wav, TranscribeOptions(language="nl")).text)
    assert len(rows) == 5
    assert wer(" ".join(refs), " ".join(hyps)) < 0.25


def test_openai_engine_same_weights_same_format(jfk_wav, jfk):
    other = transcribe_audio(jfk_wav, TranscribeOptions(language="en", engine="openai-whisper", batch_size=1))
    assert other.engine == "openai-whisper"
    assert "ask not what your country can do for you" in other.text.lower()
    assert wer(jfk.text, other.text) < 0.1
    assert_invariants(other)
    assert type(other.segments[0].words[0].start) is float
    assert Transcript.from_json(other.to_json()) == other


def test_outputs_parse_with_srt_and_webvtt(jfk, tmp_path):
    write_transcript(jfk, tmp_path)
    subs = list(srt.parse((tmp_path / "transcript.srt").read_text(encoding="utf-8")))
    assert "country" in subs[-1].content
    # publishable cues: every word once, at most 2 lines of 42 characters, 1-7 s each
    assert " ".join(" ".join(s.content.split()) for s in subs) == jfk.text
    for sub in subs:
        lines = sub.content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
        assert 1.0 <= (sub.end - sub.start).total_seconds() <= 7.0
    cues = webvtt.read(str(tmp_path / "transcript.vtt"))
    assert [c.text for c in cues] == [s.content for s in subs]
    assert Transcript.load(tmp_path / "transcript.json") == jfk
    assert "ask not" in (tmp_path / "transcript.txt").read_text(encoding="utf-8").lower()


def test_silence_and_tone_are_a_clear_error(tmp_path):
    for src in (make_silence(tmp_path / "silence.wav", 4.0), make_tone(tmp_path / "tone.wav", 4.0)):
        wav = tmp_path / f"{src.stem}.16k.wav"
        extract_audio(src, wav)
        with pytest.raises(MediaError, match="no speech found"):
            transcribe_audio(wav, TranscribeOptions(language="nl"))


def test_captions_import_same_format(tmp_path):
    captions = tmp_path / "talk.vtt"
    captions.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGoedemiddag allemaal, welkom.\n\n"
                        "00:00:04.500 --> 00:00:07.000\n<i>Vandaag</i> gaat het over iVRI's.\n", encoding="utf-8")
    transcript = transcribe_captions(captions, "nl", 8.0)
    assert transcript.engine == "subtitles" and transcript.text == "Goedemiddag allemaal, welkom. Vandaag gaat het over iVRI's."
    words = transcript.segments[1].words
    assert words[0].start == 4.5 and abs(words[-1].end - 7.0) < 1e-6 and [w.word.strip() for w in words][-1] == "iVRI's."
    assert_invariants(transcript)


def test_beam_size_follows_batching_unless_given():
    assert TranscribeOptions().beam_size == 5 and TranscribeOptions().batch_size == 1
    assert TranscribeOptions(batch_size=8).beam_size == 3
    assert TranscribeOptions(beam_size=3).beam_size == 3


def test_invalid_option_combinations_name_the_fields():
    with pytest.raises(ConfigError, match="batch_size"):
        TranscribeOptions(engine="openai-whisper", batch_size=8)
    with pytest.raises(ConfigError, match="engine"):
        TranscribeOptions(engine="whisperx")
    with pytest.raises(ConfigError, match="compute_type"):
        TranscribeOptions(compute_type="float16")
