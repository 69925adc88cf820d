"""No speech lost: coverage against Silero VAD, repair of what the decoder dropped, and gaps that stay
visible. The real-audio tests run the bundled Whisper on 50 s of joined real Dutch clips (pauses, noise
and level changes between them), built by bench/longform/build.py from ../shared/testdata."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import TESTDATA

from pipeline.artifacts.transcript import Word
from pipeline.core.textnorm import score
from pipeline.transcribe import coverage
from pipeline.transcribe.engines import faster
from pipeline.transcribe.models import resolve_model
from pipeline.transcribe.segmenting import cut_segments
from pipeline.transcribe.stage import TranscribeOptions, transcribe_audio
from pipeline.transcribe.windows import iter_windows

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.longform import build as longform  # noqa: E402

pytestmark = pytest.mark.skipif(not TESTDATA.is_dir(), reason="needs ../shared/testdata")


def w(start: float, end: float, text: str = " x") -> Word:
    return Word(start, end, text, 0.9)


# --- interval arithmetic -------------------------------------------------------------------------

def test_uncovered_speech_is_what_no_word_is_near():
    regions = [(0.0, 10.0), (12.0, 20.0)]
    words = [w(0.5, 1.0), w(1.2, 2.0), w(6.0, 6.5), w(12.5, 13.0)]
    holes = coverage.uncovered(words, regions)
    assert holes == [(0.0, 0.2), (2.3, 5.7), (6.8, 10.0), (12.0, 12.2), (13.3, 20.0)]
    measured = coverage.measure(words, regions, min_gap=1.0)
    assert [(g.start, g.end) for g in measured.gaps] == [(2.3, 5.7), (6.8, 10.0), (13.3, 20.0)]
    assert measured.speech_seconds == 18.0 and measured.covered_seconds == pytest.approx(18.0 - 0.2 - 3.4 - 3.2 - 0.2 - 6.7)


def test_a_word_stretched_over_seconds_covers_only_its_ends():
    # decoders sometimes stretch one word over speech they never wrote down
    holes = coverage.uncovered([w(0.0, 0.3), w(0.5, 6.0)], [(0.0, 6.0)])
    assert holes and holes[0][0] == pytest.approx(1.1) and holes[0][1] == pytest.approx(5.4)


def test_segments_from_words_keep_every_word_once_and_fit_a_subtitle():
    rng = np.random.default_rng(3)
    words, t = [], 0.0
    for i in range(2000):
        d = float(rng.uniform(0.1, 0.6))
        token = rng.choice([" de", " plant", " is", " giftig,", " zee-engte.", " Waarom?", " dialoog"])
        words.append(Word(round(t, 3), round(t + d, 3), str(token), 0.9))
        t += d + float(rng.choice([0.0, 0.05, 0.3, 1.2])) * (rng.random() < 0.3)
    segments = cut_segments(words)
    assert [x for s in segments for x in s] == words
    for s in segments:
        text = "".join(x.word for x in s).strip()
        assert len(s) == 1 or (s[-1].end - s[0].start <= 7.0 and len(text) <= 84)
        assert all(b.start - a.end <= 0.8 for a, b in zip(s, s[1:]))
        assert not any(x.word.rstrip().endswith((".", "?")) for x in s[:-1])


# --- real speech ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def joined(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("longform")
    wav = longform.build("nl-test", folder)
    return wav, (folder / "reference.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def default_run(joined):
    return transcribe_audio(joined[0], TranscribeOptions(language="nl"))


@pytest.mark.slow
def test_default_path_leaves_no_speech_of_two_seconds_uncovered(joined, default_run):
    cov = default_run.coverage
    assert cov.measured and cov.speech_seconds > 20
    assert not [g for g in cov.gaps if g.end - g.start >= 2.0]
    assert cov.covered_seconds / cov.speech_seconds > 0.97
    result = score(joined[1], default_run.text, "nl")
    assert result["longest_deleted_run"] < 5, result["missed_runs"]


@pytest.mark.slow
def test_repair_brings_back_words_the_decoder_dropped(joined, default_run):
    """Simulate a decoder that stopped early: drop every word of a 6 s stretch, then let coverage
    find the hole and repair re-decode it with the real model."""
    window = next(iter_windows(joined[0], 600.0))
    words = default_run.words()
    # the 6 s stretch with the most words: what a decoder stopping early in a chunk loses
    middle = max((x.start for x in words), key=lambda t: sum(1 for y in words if t <= y.start < t + 6.0))
    dropped = [x for x in words if middle <= x.start < middle + 6.0]
    kept = [x for x in words if x not in dropped]
    regions = coverage.speech_regions(window.samples, window.offset)
    holes = [h for h in coverage.uncovered(kept, regions) if h[1] - h[0] >= 0.5]
    found = sum(max(0.0, min(b, middle + 6.0) - max(a, middle)) for a, b in holes)
    assert found >= 3.0, f"the dropped stretch is not found: {holes}"
    options = TranscribeOptions(language="nl")
    model = faster.load_model(resolve_model("base"), "cpu", "int8", 0)
    repaired, fixed = coverage.repair(window.samples, window.offset, kept, holes,
                                      lambda samples: faster.decode_alone(model, options, samples))
    assert fixed and coverage.uncovered(repaired, regions) != holes
    back = {x.word.strip(".,?!").lower() for x in repaired} & {x.word.strip(".,?!").lower() for x in dropped}
    assert len(back) >= 0.6 * len({x.word.strip(".,?!").lower() for x in dropped})
    assert all(a.start <= b.start for a, b in zip(repaired, repaired[1:]))
    assert set(kept) <= set(repaired)  # repair never removes or moves a word


@pytest.mark.slow
def test_a_glossary_prompt_does_not_cost_covered_speech(joined, default_run):
    terms = ("Krachtenbundeling", "iVRI", "Floris Alkemade", "verkeersdata", "wegbeheerder",
             "Rijkswaterstaat", "mobiliteitstransitie", "Talking Traffic", "deelmobiliteit", "Hanneke Zijlstra")
    with_glossary = transcribe_audio(joined[0], TranscribeOptions(language="nl", glossary_prompt=True, glossary=terms))
    base, other = default_run.coverage.covered_seconds, with_glossary.coverage.covered_seconds
    # The < 1 % target is measured on 10.5 min in the bench (bench/results.json: at most 0.12 %); on 28 s
    # of speech one short word is 1.5 %, so this guards against the old loss (a whole sentence, 27 s).
    assert base - other < 1.5
    assert not [g for g in with_glossary.coverage.gaps if g.end - g.start >= 2.0]
