"""`make bench`: transcription speed, accuracy, completeness and memory, side by side in one run.

Writes bench/results.json: a list of runs {name, engine, model, audio_seconds, wall_seconds, rtf,
peak_rss_mb, wer, deletions, longest_deleted_run, missed_runs, coverage}, and a `checks` summary of
the "no speech lost" targets. Each run is its own process so its peak RSS is its own.

Inputs: the bundled Dutch sample (119 s) and, when ../shared is there, long-form real speech built
by bench/longform/build.py (nl-long: 10.5 min of joined Dutch clips with pauses, noise and level
changes; nl-3min; en-long: 3 min of the JFK excerpt with variation) plus the short clips. Short
clips hide lost sentences; the long inputs are what the targets are judged on.
BENCH_LONG_MINUTES=120 adds a whole-pipeline run on a 2-hour recording (the sample looped) for the
memory target; BENCH_SKIP_OPENAI=1 skips openai-whisper; BENCH_QUICK=1 skips the glossary runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.longform import build as longform
from pipeline.core import fsutil, textnorm
from pipeline.extract.ffmpeg import ffmpeg_exe
from pipeline.extract.stage import extract_audio

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
SAMPLE = ROOT / "pipeline" / "sample"
JFK = ROOT.parent / "shared" / "testdata" / "en_jfk_inaugural_excerpt"
FLEMISH = ROOT.parent / "shared" / "testdata" / "nl_flemish_dutch_vl_tts_samples"

DEFAULT = "pipeline default (sequential beam 5 + repair)"
SEQUENTIAL = "faster-whisper sequential beam 5"
BATCHED = "batched beam 3 + repair (PIPELINE_BATCH_SIZE=8)"
CONFIGS = [
    (DEFAULT, {}),
    (BATCHED, {"batch_size": "8"}),
    ("batched beam 3 without repair", {"batch_size": "8", "repair": "0"}),
    (SEQUENTIAL, {"repair": "0"}),
    ("faster-whisper bare defaults", {"engine": "bare"}),
    ("openai-whisper beam 5 (same weights)", {"engine": "openai-whisper", "batch_size": "1"}),
]
LONG_INPUTS = ("nl-long", "nl-3min", "en-long")
# Made-up lecture vocabulary: names, acronyms and compounds editors add to the glossary.
GLOSSARY = ("Krachtenbundeling|iVRI|Floris Alkemade|Provincie Utrecht|verkeersdata|wegbeheerder|"
            "Rijkswaterstaat|mobiliteitstransitie|Talking Traffic|smart mobility|Hanneke Zijlstra|"
            "Verkeersonderneming|Wim de Boer|Lightyear|deelmobiliteit|MaaS|CROW|NDW|Breda|Eindhoven|"
            "Jan Pieter Balkenende|fietsstraat|snorfiets|verkeersregelinstallatie|C-ITS|Vialis|Dynniq|"
            "Swarco|Monotch|Goudappel|Arcadis|Sweco|TNO|TU Delft|Stichting Open Colleges|Ilse Vermeulen|"
            "Pieter Jansen|Lotte de Wit|Sanne Bakker|Gemeente Amsterdam|Metropoolregio|Zuidas|A12|A27|"
            "Knooppunt Lunetten|Ring Utrecht|Ruimtelijke Ordening|omgevingswet|kilometerheffing").split("|")


def inputs() -> list[tuple[str, Path, str, Path, Path]]:
    """(label, wav, language, reference, media) for each benchmark recording."""
    WORK.mkdir(parents=True, exist_ok=True)
    items = [("nl-sample", SAMPLE / "open-college-demo.ogg", "nl", SAMPLE / "reference.txt")]
    if FLEMISH.is_dir():
        for name in LONG_INPUTS:
            folder = WORK / name
            if not (folder / f"{name}.wav").exists():
                longform.build(name, folder)
            language = "en" if name.startswith("en") else "nl"
            items.append((name, folder / f"{name}.wav", language, folder / "reference.txt"))
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


def measure(name: str, wav: Path, language: str, reference: Path | str, *args: str) -> dict:
    cmd = [sys.executable, "-m", "bench.transcribe_one", name, str(wav), language, str(reference), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"name": name, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if reference != "-":
        scored = textnorm.score(Path(reference).read_text(encoding="utf-8"), result["text"], language)
        result.update({k: scored[k] for k in ("wer", "substitutions", "deletions", "insertions",
                                               "longest_deleted_run", "missed_runs")})
    cov = result.get("coverage") or {}
    gaps = ", ".join(f"{g['start']:.0f}-{g['end']:.0f}s" for g in cov.get("gaps", [])) or "none"
    print(f"  {result['name']:<70} rtf {result['rtf']:.3f}  wer {result.get('wer', '-')}"
          f"  del {result.get('deletions', '-')} (longest run {result.get('longest_deleted_run', '-')})"
          f"  gaps {gaps if cov else '-'}  peak {result['peak_rss_mb']:.0f} MB", flush=True)
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
            # openai-whisper runs at about 4x real time here: compared on the short inputs only
            if options.get("engine") == "openai-whisper" and (skip_openai or label in LONG_INPUTS):
                continue
            args = [f"{k}={v}" for k, v in options.items()]
            runs.append(measure(f"{label}: {name}", wav, language, reference, *args))
        compare_with_sequential(runs, label, language, reference)
        if label == "nl-long" and not os.environ.get("BENCH_QUICK"):
            for size in (2, 10, 50):
                runs.append(measure(f"{label}: {DEFAULT} + glossary of {size} terms", wav, language, reference,
                                    "glossary=" + "|".join(GLOSSARY[:size])))
        if label == "nl-sample":
            runs.append(measure(f"{label}: whole pipeline (all stages)", wav, language, reference,
                                "engine=pipeline", f"media={media}"))
    minutes = int(os.environ.get("BENCH_LONG_MINUTES", "0"))
    if minutes:
        media = long_recording(minutes)
        wav = WORK / f"long-{minutes}min.wav"
        if not wav.exists():
            extract_audio(media, wav)
        print(f"long-{minutes}min:")
        runs.append(measure(f"long-{minutes}min: {DEFAULT}", wav, "nl", "-"))
        runs.append(measure(f"long-{minutes}min: whole pipeline (all stages)", media, "nl", "-",
                            "engine=pipeline", f"media={media}"))
    for run in runs:
        run.pop("text", None)  # scored above; the texts would make the results file unreadable
    fsutil.write_json(ROOT / "bench" / "results.json", {"runs": runs, "checks": checks(runs)})
    print_ratios(runs)
    print(f"results written to {ROOT / 'bench' / 'results.json'}")
    for extra in ("drafts_bench", "search_bench", "speakers_bench", "review_bench"):
        if (ROOT / "bench" / f"{extra}.py").exists() and not os.environ.get("BENCH_ONLY_TRANSCRIBE"):
            subprocess.run([sys.executable, "-m", f"bench.{extra}"], cwd=ROOT, check=False)


def compare_with_sequential(runs: list[dict], label: str, language: str, reference: Path) -> None:
    """Runs of >= 5 reference words each run misses but sequential beam 5 gets."""
    by = {r["name"]: r for r in runs if "text" in r}
    seq = by.get(f"{label}: {SEQUENTIAL}")
    if not seq:
        return
    ref = Path(reference).read_text(encoding="utf-8")
    for name, run in by.items():
        if name.startswith(f"{label}: ") and run is not seq:
            run["missed_vs_sequential"] = textnorm.missed_runs(ref, run["text"], seq["text"], language)


def checks(runs: list[dict]) -> dict:
    """The issue's targets, per input: gaps >= 2 s left by the default, WER against sequential
    beam 5, runs of >= 5 reference words the default misses but sequential gets, RTF on long
    inputs, and the glossary's effect on covered seconds."""
    by = {r["name"]: r for r in runs if "rtf" in r}
    out = {}
    for label in sorted({r["name"].split(":")[0] for r in runs if "rtf" in r}):
        default, seq = by.get(f"{label}: {DEFAULT}"), by.get(f"{label}: {SEQUENTIAL}")
        if not default or not seq or "wer" not in default:
            continue
        gaps = [g for g in (default.get("coverage") or {}).get("gaps", []) if g["end"] - g["start"] >= 2.0]
        out[label] = {
            "default_gaps_2s_or_more": len(gaps),
            "default_wer": default["wer"], "sequential_beam5_wer": seq["wer"],
            "wer_within_half_point": default["wer"] <= seq["wer"] + 0.005,
            "runs_of_5_missed_that_sequential_gets": len(default.get("missed_vs_sequential", [])),
            "default_rtf": default["rtf"],
        }
        if batched := by.get(f"{label}: {BATCHED}"):  # the cost of the complete path, side by side
            out[label].update(batched_wer=batched.get("wer"), batched_rtf=batched["rtf"],
                              default_time_over_batched=round(default["wall_seconds"] / batched["wall_seconds"], 2))
        glossary = [r for n, r in by.items() if n.startswith(f"{label}: {DEFAULT} + glossary")]
        base = (default.get("coverage") or {}).get("covered_seconds") or 0
        if glossary and base:
            out[label]["glossary_covered_seconds_change"] = {
                r["name"].split("glossary of ")[1]: round((r["coverage"]["covered_seconds"] - base) / base, 4)
                for r in glossary}
    return out


def print_ratios(runs: list[dict]) -> None:
    by = {r["name"]: r for r in runs if "rtf" in r}
    labels = sorted({r["name"].split(":")[0] for r in runs if "rtf" in r})
    for label in labels:
        fw, ow = by.get(f"{label}: faster-whisper sequential beam 5"), by.get(f"{label}: openai-whisper beam 5 (same weights)")
        default, whole = by.get(f"{label}: {DEFAULT}"), by.get(f"{label}: whole pipeline (all stages)")
        if fw and ow:
            print(f"{label}: openai-whisper / faster-whisper (both beam 5) = {ow['wall_seconds'] / fw['wall_seconds']:.1f}x")
        if default and whole:
            print(f"{label}: whole pipeline / its transcription = {whole['wall_seconds'] / default['wall_seconds']:.2f}")


if __name__ == "__main__":
    main()
