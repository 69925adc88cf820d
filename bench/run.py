"""`make bench`: transcription speed, accuracy and memory, measured side by side in one run.

Writes bench/results.json: a list of runs {name, engine, model, audio_seconds, wall_seconds, rtf,
peak_rss_mb, wer}. Each run is its own process so its peak RSS is its own. Inputs: the bundled
Dutch sample (119 s, reference text in pipeline/sample/reference.txt) and, when ../shared is
there, the JFK excerpt (11 s, English). With ../shared, the five Flemish clips
(joined, 24 s) are a third input. BENCH_LONG_MINUTES=120 adds a whole-pipeline run on a
2-hour recording (the sample looped) for the memory target; BENCH_SKIP_OPENAI=1 skips openai-whisper.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.core import fsutil
from pipeline.extract.ffmpeg import ffmpeg_exe
from pipeline.extract.stage import extract_audio

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
SAMPLE = ROOT / "pipeline" / "sample"
JFK = ROOT.parent / "shared" / "testdata" / "en_jfk_inaugural_excerpt"
FLEMISH = ROOT.parent / "shared" / "testdata" / "nl_flemish_dutch_vl_tts_samples"

CONFIGS = [
    ("faster-whisper batched beam 3 (pipeline default)", {}),
    ("faster-whisper batched greedy", {"beam_size": "1"}),
    ("faster-whisper batched beam 5", {"beam_size": "5"}),
    ("faster-whisper sequential beam 5", {"batch_size": "1"}),
    ("faster-whisper bare defaults", {"engine": "bare"}),
    ("openai-whisper beam 5 (same weights)", {"engine": "openai-whisper", "batch_size": "1"}),
    ("openai-whisper greedy (same weights)", {"engine": "openai-whisper", "batch_size": "1", "beam_size": "1"}),
]


def inputs() -> list[tuple[str, Path, str, Path, Path]]:
    """(label, wav, language, reference, media) for each benchmark recording."""
    WORK.mkdir(parents=True, exist_ok=True)
    items = [("nl-sample", SAMPLE / "open-college-demo.ogg", "nl", SAMPLE / "reference.txt")]
    if FLEMISH.is_dir():
        items.append(("nl-flemish", flemish_clips(), "nl", WORK / "nl-flemish.txt"))
    if JFK.is_dir():
        items.append(("en-jfk", JFK / "jfk.flac", "en", JFK / "jfk.txt"))
    out = []
    for label, media, language, reference in items:
        wav = WORK / f"{label}.wav"
        if not wav.exists():
            extract_audio(media, wav)
        out.append((label, wav, language, reference, media))
    return out


def flemish_clips() -> Path:
    """The five Flemish clips joined with a second of silence between them, and their reference."""
    import csv

    from pipeline.extract.ffmpeg import pydub_audio_segment

    target = WORK / "nl-flemish.wav"
    if not target.exists():
        AudioSegment = pydub_audio_segment()
        rows = list(csv.reader((FLEMISH / "transcripts.tsv").open(encoding="utf-8"), delimiter="\t"))
        audio = AudioSegment.silent(duration=500, frame_rate=16000)
        for name, _ in rows:
            audio += AudioSegment.from_wav(FLEMISH / name).set_frame_rate(16000).set_channels(1)
            audio += AudioSegment.silent(duration=1000, frame_rate=16000)
        audio.export(target, format="wav")
        (WORK / "nl-flemish.txt").write_text("\n".join(r[1] for r in rows) + "\n", encoding="utf-8")
    return target


def measure(name: str, *args: str) -> dict:
    cmd = [sys.executable, "-m", "bench.transcribe_one", name, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"name": name, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  {result['name']:<62} rtf {result['rtf']:.3f}  wer {result['wer'] if result['wer'] is not None else '-'}"
          f"  peak {result['peak_rss_mb']:.0f} MB", flush=True)
    return result


def long_recording(minutes: int) -> Path:
    """The sample looped to the given length (Opus), for the memory target."""
    target = WORK / f"long-{minutes}min.ogg"
    if not target.exists():
        loops = int(minutes * 60 / 119) + 1
        subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-stream_loop", str(loops),
                        "-i", str(SAMPLE / "open-college-demo.ogg"), "-t", str(minutes * 60), "-c", "copy",
                        str(target)], check=True)
    return target


def main() -> None:
    runs = []
    skip_openai = os.environ.get("BENCH_SKIP_OPENAI")
    for label, wav, language, reference, media in inputs():
        print(f"{label}:")
        for name, options in CONFIGS:
            if skip_openai and options.get("engine") == "openai-whisper":
                continue
            args = [f"{k}={v}" for k, v in options.items()]
            runs.append(measure(f"{label}: {name}", str(wav), language, str(reference), *args))
        runs.append(measure(f"{label}: whole pipeline (all stages)", str(wav), language, str(reference),
                            "engine=pipeline", f"media={media}"))
    minutes = int(os.environ.get("BENCH_LONG_MINUTES", "0"))
    if minutes:
        media = long_recording(minutes)
        wav = WORK / f"long-{minutes}min.wav"
        if not wav.exists():
            extract_audio(media, wav)
        print(f"long-{minutes}min:")
        runs.append(measure(f"long-{minutes}min: faster-whisper batched beam 3 (pipeline default)", str(wav), "nl", "-"))
        runs.append(measure(f"long-{minutes}min: whole pipeline (all stages)", str(media), "nl", "-",
                            "engine=pipeline", f"media={media}"))
    fsutil.write_json(ROOT / "bench" / "results.json", runs)
    print_ratios(runs)
    print(f"results written to {ROOT / 'bench' / 'results.json'}")
    for extra in ("drafts_bench", "search_bench"):
        if (ROOT / "bench" / f"{extra}.py").exists() and not os.environ.get("BENCH_ONLY_TRANSCRIBE"):
            subprocess.run([sys.executable, "-m", f"bench.{extra}"], cwd=ROOT, check=False)


def print_ratios(runs: list[dict]) -> None:
    by = {r["name"]: r for r in runs if "rtf" in r}
    labels = sorted({r["name"].split(":")[0] for r in runs if "rtf" in r})
    for label in labels:
        fw, ow = by.get(f"{label}: faster-whisper sequential beam 5"), by.get(f"{label}: openai-whisper beam 5 (same weights)")
        default, whole = by.get(f"{label}: faster-whisper batched beam 3 (pipeline default)"), by.get(f"{label}: whole pipeline (all stages)")
        if fw and ow:
            print(f"{label}: openai-whisper / faster-whisper (both beam 5) = {ow['wall_seconds'] / fw['wall_seconds']:.1f}x")
        if default and whole:
            print(f"{label}: whole pipeline / its transcription = {whole['wall_seconds'] / default['wall_seconds']:.2f}")


if __name__ == "__main__":
    main()
