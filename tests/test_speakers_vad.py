"""Speech regions for diarization (pipeline/speakers/vad.py) on real far-field meeting audio."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.speakers.vad import FRAME, SR, missed_speech, regions_from_probabilities, speech_regions

AMI = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "en_ami_meeting_excerpts"
pytestmark = pytest.mark.skipif(not AMI.is_dir(), reason="../shared/testdata is not here")


def reference(name: str) -> list[tuple[float, float]]:
    spans = sorted((float(p[3]), float(p[3]) + float(p[4])) for p in
                   (line.split() for line in (AMI / "reference.rttm").read_text().splitlines()) if p[1] == name)
    merged: list[list[float]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def covered(regions, spans) -> float:
    return sum(max(0.0, min(e, b) - max(s, a)) for s, e in regions for a, b in spans)


def audio(name: str) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(AMI / f"{name}.wav"), sampling_rate=SR)


def test_far_field_speech_is_heard_that_silero_at_its_default_threshold_misses():
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    samples, truth = audio("trn07"), reference("trn07")
    speech = sum(e - s for s, e in truth)
    default = [(t["start"] / SR, t["end"] / SR) for t in get_speech_timestamps(samples, VadOptions(threshold=0.5))]
    regions = speech_regions(samples)
    assert covered(regions, truth) / speech >= 0.4 > covered(default, truth) / speech + 0.1
    assert sum(e - s for s, e in regions) - covered(regions, truth) < 1.0  # few seconds of false alarm
    assert regions == sorted(regions) and all(0 <= s < e <= len(samples) / SR for s, e in regions)


def test_missed_speech_looks_only_where_the_transcript_has_nothing():
    samples, truth = audio("dev00"), reference("dev00")
    given = [(s, min(e, 15.0)) for s, e in truth if s < 15.0]  # a transcript of the first half only
    rest = [(max(s, 15.0), e) for s, e in truth if e > 15.0]
    added = missed_speech(samples.astype(np.float32), given)
    assert added and covered(added, given) == 0.0
    assert covered(added, rest) / sum(e - s for s, e in added) > 0.8


def test_short_pauses_are_closed_short_bursts_dropped_and_padding_clipped():
    frames = np.zeros(100, np.float32)
    frames[0:20] = 0.9    # speech at the start: padding stops at 0
    frames[25:40] = 0.9   # after a 0.16 s pause: joined to the first
    frames[60:62] = 0.9   # a 64 ms burst: dropped
    frames[80:100] = 0.2  # quiet far-field speech above the threshold, up to the end
    step = FRAME / SR
    assert regions_from_probabilities(frames, duration=100 * step) == [
        (0.0, pytest.approx(40 * step + 0.1)), (pytest.approx(80 * step - 0.1), pytest.approx(100 * step))]
