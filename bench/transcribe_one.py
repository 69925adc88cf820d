"""One transcription measurement in its own process (so peak RSS is that run's alone).

Usage: python -m bench.transcribe_one NAME WAV LANGUAGE REFERENCE_FILE -- key=value ...
Prints one JSON object: {name, engine, model, audio_seconds, wall_seconds, rtf, peak_rss_mb, wer,
text, coverage}; the caller scores deletions against the reference and the other runs.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

from pipeline.core.textnorm import word_error_rate
from pipeline.transcribe.audio import audio_duration
from pipeline.transcribe.stage import TranscribeOptions, transcribe_audio


def bare_faster_whisper(wav: Path, language: str) -> str:
    """faster-whisper exactly as its README shows it: default settings, bundled base int8."""
    from faster_whisper import WhisperModel

    from pipeline.transcribe.models import resolve_model

    model = WhisperModel(resolve_model("base"), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(str(wav), language=language)
    return " ".join(s.text.strip() for s in segments)


def whole_pipeline(media: Path, language: str):
    """Every stage on a fresh data folder, as `pipeline add` + `pipeline run` would do it."""
    import tempfile

    from pipeline.artifacts.transcript import Transcript
    from pipeline.core.config import DataPaths
    from pipeline.ingest.add import add_recording
    from pipeline.runner.run import run_recording
    from pipeline.stages import all_stages

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp))
        add_recording(paths, "bench", media, language=language)
        results = run_recording(paths, "bench", all_stages())
        failed = [r for r in results if r.status == "failed"]
        if failed:
            raise SystemExit(f"{failed[0].stage}: {failed[0].error}")
        return Transcript.load(paths.work_dir("bench") / "transcript.json")


def media_seconds(path: Path) -> float:
    from pipeline.extract.stage import probe

    return probe(path).duration


def main(argv: list[str]) -> None:
    name, wav, language, reference = argv[0], Path(argv[1]), argv[2], argv[3]
    options = dict(a.split("=", 1) for a in argv[4:])
    audio = audio_duration(wav) if wav.suffix == ".wav" else media_seconds(wav)
    started = time.perf_counter()
    coverage = None
    if options.get("engine") == "pipeline":
        transcript = whole_pipeline(Path(options["media"]), language)
        text, engine, model, coverage = transcript.text, "faster-whisper", "base", asdict(transcript.coverage)
    elif options.get("engine") == "bare":
        text, engine, model = bare_faster_whisper(wav, language), "faster-whisper", "base"
    else:
        typed = {k: _typed(k, v) for k, v in options.items()}
        opts = TranscribeOptions(language=language, **typed)
        transcript = transcribe_audio(wav, opts)
        text, engine, model, coverage = transcript.text, opts.engine, opts.model, asdict(transcript.coverage)
    wall = time.perf_counter() - started
    ref = Path(reference).read_text(encoding="utf-8") if reference != "-" else ""
    print(json.dumps({
        "name": name, "engine": engine, "model": model, "audio_seconds": round(audio, 2),
        "wall_seconds": round(wall, 2), "rtf": round(wall / audio, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "wer": round(word_error_rate(ref, text), 4) if ref else None, "options": options,
        "coverage": coverage, "text": text,
    }))


def _typed(key: str, value: str):
    if key in ("beam_size", "batch_size"):
        return int(value)
    if key in ("window_seconds", "min_gap"):
        return float(value)
    if key in ("repair", "vad", "fallback"):
        return value == "1"
    if key == "chunk_seconds":
        return int(value)
    if key == "glossary":
        return tuple(t for t in value.split("|") if t)
    return value


if __name__ == "__main__":
    main(sys.argv[1:])
