"""Long audio is cut into windows at the quietest moment: every sample exactly once, in order."""
import wave

import numpy as np

from pipeline.transcribe.windows import iter_windows, quietest_frame


def write_wav(path, samples):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1), wav.setsampwidth(2), wav.setframerate(16000)
        wav.writeframes(samples.astype(np.int16).tobytes())


def test_windows_cover_every_sample_once_and_cut_in_silence(tmp_path):
    rng = np.random.default_rng(0)
    loud = (rng.standard_normal(16000 * 200) * 3000).clip(-32000, 32000)
    loud[16000 * 55: 16000 * 56] = 0  # a one-second pause shortly before the 60 s mark
    loud[16000 * 112: int(16000 * 112.5)] = 0  # inside the next window's search span
    write_wav(tmp_path / "a.wav", loud)
    windows = list(iter_windows(tmp_path / "a.wav", window_seconds=60, search_seconds=10))
    joined = np.concatenate([w.samples for w in windows])
    assert len(joined) == len(loud)
    assert np.allclose(joined * 32768, loud.astype(np.int16))
    offsets = [w.offset for w in windows]
    assert offsets[0] == 0 and 55 <= offsets[1] <= 56 and 112 <= offsets[2] <= 112.5
    assert all(b > a for a, b in zip(offsets, offsets[1:]))


def test_short_audio_is_one_window(tmp_path):
    write_wav(tmp_path / "b.wav", np.ones(16000 * 5) * 100)
    windows = list(iter_windows(tmp_path / "b.wav"))
    assert len(windows) == 1 and len(windows[0].samples) == 16000 * 5


def test_quietest_frame_prefers_the_latest_tie():
    samples = np.concatenate([np.zeros(1600), np.ones(1600) * 500, np.zeros(1600)])
    assert quietest_frame(samples, 16000) == 1600 * 2 + 800
