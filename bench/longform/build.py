"""Long-form real-speech test inputs with reference text, built deterministically from ../shared/testdata.

The test clips are short (2-11 s); a lecture is long. A long input is made by joining real clips
(repeated, in a varied order) with pauses of varied length (0.3-4 s), level changes between clips
(-12..+6 dB), a slight speed change (so repeats are not bit-identical) and a little background
noise (brown-ish noise plus a mains hum). Nothing is synthesised speech.

Each build writes into out_dir:
    <name>.wav        16 kHz mono, 16-bit PCM
    reference.txt     the clip texts in order, one clip per line
    clips.json        {"name", "seed", "sample_rate", "duration", "clips": [{start, end, text, source, gain_db, speed, pause_before}]}

Inputs:
    nl-long   Dutch, >= 10 min (Flemish read sentences + voice-command clips; oov_* clips without text skipped)
    nl-3min   Dutch, 3 min, other seed
    en-jfk    English, ~3 min, JFK inaugural excerpt (11 s) repeated with variation

CLI:  python -m bench.longform.build OUT_DIR [NAME ...]     (default: all inputs, each in OUT_DIR/NAME/)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
TESTDATA = Path(os.environ.get("PIPELINE_TESTDATA", Path(__file__).resolve().parents[3] / "shared" / "testdata"))


@dataclass(frozen=True)
class Spec:
    language: str
    sources: tuple[str, ...]  # which clip sets
    target_seconds: float
    seed: int


SPECS = {
    "nl-long": Spec("nl", ("flemish", "commands"), 630.0, 20240611),
    "nl-3min": Spec("nl", ("flemish", "commands"), 180.0, 31337),
    "en-jfk": Spec("en", ("jfk",), 180.0, 1961),
    "en-long": Spec("en", ("jfk",), 180.0, 1961),  # the same input under the bench's name
    "nl-test": Spec("nl", ("flemish", "commands"), 50.0, 7),  # short enough for the test suite
}


# ---------------------------------------------------------------- clips
def _decode(path: Path) -> np.ndarray:
    """Any audio file -> float32 mono 16 kHz, through the ffmpeg shipped with imageio-ffmpeg (deterministic)."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path),
           "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(RATE), "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).copy()


def _read_tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        name, _, text = line.partition("\t")
        if text.strip():  # oov_* clips have no text: skipped
            rows.append((name.strip(), text.strip()))
    return rows


def _clip_set(which: str) -> list[tuple[str, str, Path]]:
    """[(source id, reference text, audio path)] for one clip set."""
    if which == "flemish":
        base = TESTDATA / "nl_flemish_dutch_vl_tts_samples"
        return [(f"vl/{n}", t, base / n) for n, t in _read_tsv(base / "transcripts.tsv")]
    if which == "commands":
        base = TESTDATA / "nl_speech_to_phrase_commands"
        return [(f"cmd/{Path(n).name}", t, base / n) for n, t in _read_tsv(base / "transcripts.tsv")]
    if which == "jfk":
        base = TESTDATA / "en_jfk_inaugural_excerpt"
        return [("jfk/jfk.flac", (base / "jfk.txt").read_text(encoding="utf-8").strip(), base / "jfk.flac")]
    raise ValueError(which)


def _trim(samples: np.ndarray, margin: float = 0.2) -> np.ndarray:
    """Cut leading/trailing non-speech (frames under 2x the clip's noise floor), keeping `margin` seconds."""
    size = RATE // 100
    count = len(samples) // size
    if count < 10:
        return samples
    energy = np.sqrt((samples[: count * size].reshape(count, size) ** 2).mean(axis=1))
    floor = max(np.percentile(energy, 10), 1e-4)
    loud = np.flatnonzero(energy > 2.0 * floor)
    if len(loud) == 0:
        return samples
    start = max(0, loud[0] * size - int(margin * RATE))
    end = min(len(samples), (loud[-1] + 1) * size + int(margin * RATE))
    return samples[start:end]


def _speech_rms(samples: np.ndarray) -> float:
    """RMS over the louder half of 20 ms frames (speech level, not diluted by pauses or noise)."""
    size = RATE // 50
    count = max(1, len(samples) // size)
    frames = samples[: count * size].reshape(count, -1)
    energy = np.sqrt((frames ** 2).mean(axis=1))
    return float(np.sqrt(np.mean(np.sort(energy)[count // 2:] ** 2))) or 1e-4


def _speed(samples: np.ndarray, factor: float) -> np.ndarray:
    """Play `factor` times faster (linear interpolation; pitch moves too, as on a tape)."""
    if abs(factor - 1.0) < 1e-9:
        return samples
    n = int(round(len(samples) / factor))
    return np.interp(np.arange(n) * factor, np.arange(len(samples)), samples).astype(np.float32)


def _noise(n: int, rng: np.random.Generator, rms: float) -> np.ndarray:
    """Brown-ish noise (leaky integrated white noise) plus a faint 50 Hz hum, scaled to `rms`."""
    white = rng.standard_normal(n).astype(np.float64)
    brown = np.empty(n)
    acc = 0.0
    # leaky integrator, vectorised in blocks would be nicer; n is ~10^7 at most, a loop in numpy:
    # y[i] = 0.98*y[i-1] + x[i]  ==  lfilter; implemented with cumulative trick per block.
    alpha = 0.98
    block = 4096
    powers = alpha ** np.arange(block)
    for s in range(0, n, block):
        x = white[s:s + block]
        k = len(x)
        # y_j = alpha^j*acc + sum_{i<=j} alpha^(j-i) x_i
        scaled = x / powers[:k]
        y = powers[:k] * (acc + np.cumsum(scaled))
        brown[s:s + k] = y
        acc = y[-1]
    brown = brown / (np.sqrt(np.mean(brown ** 2)) or 1.0)
    t = np.arange(n) / RATE
    hum = 0.3 * np.sin(2 * np.pi * 50 * t) + 0.1 * np.sin(2 * np.pi * 150 * t)
    mix = 0.9 * brown + hum
    return (mix / np.sqrt(np.mean(mix ** 2)) * rms).astype(np.float32)


def _pause(rng: np.random.Generator) -> float:
    """Pause before a clip: mostly short (0.3-0.8 s), sometimes medium (0.8-2 s), now and then long (2-4 s)."""
    r = rng.random()
    if r < 0.5:
        return float(rng.uniform(0.3, 0.8))
    if r < 0.85:
        return float(rng.uniform(0.8, 2.0))
    return float(rng.uniform(2.0, 4.0))


# ---------------------------------------------------------------- build
def build(name: str, out_dir: Path | str) -> Path:
    """Build input `name` into out_dir (created); returns the path of the WAV. Same name -> same bytes."""
    spec = SPECS[name]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)

    clips = [c for which in spec.sources for c in _clip_set(which)]
    audio = {}
    for source, _text, path in clips:
        samples = _trim(_decode(path))
        audio[source] = samples * (0.05 / _speech_rms(samples))  # all clips to one nominal speech level

    pieces: list[np.ndarray] = []
    records = []
    pos = 0
    lead = int(rng.uniform(0.5, 1.5) * RATE)  # a little silence before the first word
    pieces.append(np.zeros(lead, np.float32))
    pos += lead
    target = int(spec.target_seconds * RATE)
    while pos < target:
        order = rng.permutation(len(clips))  # each round: every clip once, in a new order
        for idx in order:
            if pos >= target:
                break
            source, text, _path = clips[idx]
            gain_db = float(rng.uniform(-12.0, 6.0))
            speed = float(rng.uniform(0.96, 1.04))
            samples = _speed(audio[source], speed) * (10 ** (gain_db / 20))
            if records:
                gap = int(_pause(rng) * RATE)
                pieces.append(np.zeros(gap, np.float32))
                pos += gap
            else:
                gap = 0
            records.append({"start": round(pos / RATE, 3), "end": round((pos + len(samples)) / RATE, 3),
                            "text": text, "source": source, "gain_db": round(gain_db, 2),
                            "speed": round(speed, 4), "pause_before": round(gap / RATE, 3)})
            pieces.append(samples.astype(np.float32))
            pos += len(samples)
    tail = int(rng.uniform(0.8, 1.6) * RATE)
    pieces.append(np.zeros(tail, np.float32))

    signal = np.concatenate(pieces)
    signal = signal + _noise(len(signal), rng, rms=0.0025)  # about -52 dBFS: audible but small
    peak = float(np.abs(signal).max())
    if peak > 0.98:  # keep the loudest clips from clipping, all at once (relative levels stay)
        signal = signal * (0.98 / peak)

    wav_path = out_dir / f"{name}.wav"
    pcm = np.clip(np.round(signal * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(wav_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    (out_dir / "reference.txt").write_text("\n".join(r["text"] for r in records) + "\n", encoding="utf-8")
    meta = {"name": name, "language": spec.language, "seed": spec.seed, "sample_rate": RATE,
            "duration": round(len(signal) / RATE, 3), "clips": records}
    (out_dir / "clips.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return wav_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("names", nargs="*", help=f"inputs to build (default all): {', '.join(SPECS)}")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in SPECS]
    if unknown:
        parser.error(f"unknown input(s) {', '.join(unknown)}; choose from {', '.join(SPECS)}")
    for name in args.names or list(SPECS):
        path = build(name, args.out_dir / name)
        meta = json.loads((path.parent / "clips.json").read_text(encoding="utf-8"))
        print(f"{path}  {meta['duration']:.1f} s  {len(meta['clips'])} clips  language {meta['language']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
