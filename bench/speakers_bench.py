"""Speakers stage: diarization error on AMI meeting excerpts, a lecture-like recording, the stereo clip,
and the cost against transcription. Writes bench/speakers.json.

- AMI: ../shared/testdata/en_ami_meeting_excerpts (nine 30 s excerpts, reference.rttm, annotated.uem).
  DER = (missed + false alarm + confusion) / reference speech, frame-based (10 ms), NO collar, overlapped
  speech scored, optimal one-to-one mapping; with the diarization VAD's regions (vad.py), with the regions
  used before it (Silero at 0.5) and with the reference's regions.
- Lecture: tests/fixtures/speakers/lecture_fixture.py (12.5 min, two presenters in long turns, five
  audience questions, real voices) through the real stage (runner) with a transcript over its speech
  that has the presenters' self-introductions; accuracy = speech time given to the right name
  (audience voices: 'Publiek'). The stage takes its speech regions from the segmentation model when
  it is installed, else from the transcript + Silero.
- Stereo: the two-channel clip, turns per channel against Silero VAD on each channel.
- Cost: what the stage runs (the segmentation model and the diarization core; without that model, the
  VAD over the uncovered stretches and the diarization core) on the fixture tiled to
  BENCH_SPEAKERS_MINUTES (20) minutes, in a fresh process (peak RSS), extrapolated to 2 h (the window
  cap makes the embedding cost flat beyond ~1.5 h of speech); and measured on the fixture tiled to 2 h,
  with the share of its speech given to the right voice.
Run: .venv/bin/python -m bench.speakers_bench
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = ROOT.parent / "shared" / "testdata"
AMI = TESTDATA / "en_ami_meeting_excerpts"
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "speakers"))
sys.path.insert(0, str(ROOT / "tests"))


def read_rttm(path: Path) -> dict[str, list[tuple[float, float, str]]]:
    out: dict[str, list] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        p = line.split()
        if len(p) >= 8 and p[0] == "SPEAKER":
            out.setdefault(p[1], []).append((float(p[3]), float(p[3]) + float(p[4]), p[7]))
    return out


def read_uem(path: Path) -> dict[str, tuple[float, float]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        p = line.split()
        if len(p) >= 4:
            out[p[0]] = (float(p[2]), float(p[3]))
    return out


def der(reference, hypothesis, uem: tuple[float, float], step: float = 0.01) -> dict:
    """Frame-based DER, no collar, overlap scored, optimal one-to-one speaker mapping (Hungarian)."""
    from scipy.optimize import linear_sum_assignment

    t0, t1 = uem
    n = int(round((t1 - t0) / step))

    def activity(turns):
        labels = sorted({t[2] for t in turns})
        m = np.zeros((len(labels), n), dtype=bool)
        for s, e, lab in turns:
            a, b = max(0, int(round((s - t0) / step))), min(n, int(round((e - t0) / step)))
            if b > a:
                m[labels.index(lab), a:b] = True
        return labels, m

    rl, r = activity(reference)
    hl, h = activity(hypothesis)
    nref, nhyp = r.sum(0), h.sum(0)
    correct = np.zeros(n, int)
    mapping = {}
    if rl and hl:
        co = r.astype(np.float32) @ h.T.astype(np.float32)
        for a, b in zip(*linear_sum_assignment(-co)):
            if co[a, b] > 0:
                mapping[hl[b]] = rl[a]
                correct += r[a] & h[b]
    total = nref.sum() * step
    miss, fa = np.maximum(0, nref - nhyp).sum() * step, np.maximum(0, nhyp - nref).sum() * step
    conf = (np.minimum(nref, nhyp) - correct).sum() * step
    return {"der": round(float((miss + fa + conf) / total), 4), "missed_s": round(float(miss), 2),
            "false_alarm_s": round(float(fa), 2), "confusion_s": round(float(conf), 2),
            "reference_speech_s": round(float(total), 2), "speakers_ref": len(rl), "speakers_hyp": len(hl),
            "accuracy": round(float(correct.sum() * step / total), 4), "mapping": mapping}


def decode(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=16000).astype(np.float32)


def silero_default(audio: np.ndarray) -> list[tuple[float, float]]:
    """The regions used before vad.py: faster-whisper's Silero at threshold 0.5 (with hysteresis)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=0.5, min_silence_duration_ms=300, speech_pad_ms=100)
    return [(t["start"] / 16000, t["end"] / 16000) for t in get_speech_timestamps(audio, opts)]


def transcript_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """The regions the stage uses without the segmentation model: Whisper's words (base, faster-whisper
    with its VAD, English) joined across pauses up to the stage's PAUSE, + Silero where they leave gaps."""
    from faster_whisper import WhisperModel

    from pipeline.speakers.stage import PAUSE
    from pipeline.speakers.vad import missed_speech
    from pipeline.transcribe.models import resolve_model

    if "whisper" not in _MODELS:
        _MODELS["whisper"] = WhisperModel(resolve_model("base"), device="cpu", compute_type="int8")
    segments, _ = _MODELS["whisper"].transcribe(audio, language="en", word_timestamps=True, vad_filter=True,
                                                beam_size=5)
    regions: list[list[float]] = []
    for w in (w for seg in segments for w in (seg.words or [])):
        if regions and w.start - regions[-1][1] <= PAUSE:
            regions[-1][1] = max(regions[-1][1], w.end)
        else:
            regions.append([w.start, w.end])
    spans = [(s, e) for s, e in regions]
    return sorted(spans + missed_speech(audio, spans))


_MODELS: dict[str, object] = {}


def ami() -> dict:
    from pipeline.speakers.diarize import clean_regions, diarize
    from pipeline.speakers.vad import speech_regions

    reference, uem = read_rttm(AMI / "reference.rttm"), read_uem(AMI / "annotated.uem")
    out: dict = {"scoring": "DER = (missed + false alarm + confusion) / reference speech; 10 ms frames, no collar, "
                            "overlapped speech included, optimal one-to-one mapping; max_speakers=4",
                 "regions": {"default": "diarize(audio, None): speech from pyannote segmentation-3.0 (probability > "
                                        "0.3), second speaker added where it counts two voices",
                             "without_segmentation_model": "pipeline.speakers.vad.speech_regions (Silero "
                                                           "probabilities > 0.1), no overlap: the default before "
                                                           "the segmentation model",
                             "silero_default_regions_before": "faster-whisper get_speech_timestamps, threshold 0.5 "
                                                              "(the regions used before vad.py)",
                             "transcript_regions": "the stage's regions without the segmentation model: Whisper "
                                                   "base's words joined across pauses <= 1 s, + Silero (0.1) where "
                                                   "they leave gaps; overlap from the segmentation model",
                             "reference_regions": "the reference's speech (an upper bound for speech detection)"},
                 "overlap_note": "overlapped speech is ~0.20 of the reference speech (mean over files); without the "
                                 "segmentation model every overlapped second beyond the first speaker is missed"}
    # (regions, diarize overrides): the default first, then the same without the segmentation model (the
    # default before it: Silero regions, no overlap), the older Silero-0.5 regions, and the reference's speech
    finders = {"default": ("default", {}),
               "without_segmentation_model": (speech_regions, {"segmentation": False}),
               "silero_default_regions_before": (silero_default, {"segmentation": False}),
               "transcript_regions": (transcript_regions, {}),
               "reference_regions": (None, {})}
    for name, (finder, overrides) in finders.items():
        files = {}
        for f in sorted(reference):
            audio = decode(AMI / f"{f}.wav")
            span = uem.get(f, (0.0, len(audio) / 16000))
            if finder == "default":
                regions = None
            else:
                regions = finder(audio) if finder else clean_regions([(s, e) for s, e, _ in reference[f]], span[1])
            turns, info = diarize(audio, regions, max_speakers=4, **overrides)
            files[f] = {k: v for k, v in der(reference[f], turns, span).items() if k != "mapping"}
        errors = sum(v["missed_s"] + v["false_alarm_s"] + v["confusion_s"] for v in files.values())
        out[name] = {"files": files, "mean_der": round(float(np.mean([v["der"] for v in files.values()])), 4),
                     # corpus-level DER as pyannote.metrics totals it: all errors over all reference speech
                     "pooled_der": round(errors / sum(v["reference_speech_s"] for v in files.values()), 4)}
        print(f"AMI, {name}: mean DER {out[name]['mean_der']}  " + " ".join(f"{f} {v['der']}" for f, v in files.items()))
    return out


def lecture() -> dict:
    from lecture_fixture import build_lecture
    from test_speakers_stage import add

    from pipeline.artifacts.speakers import load_speakers
    from pipeline.core.config import DataPaths
    from pipeline.runner.run import run_recording
    from pipeline.speakers import stage as speakers_stage

    out = {}
    truth = {"A": "Anna de Vries", "B": "Bram Jansen", "Q": "Publiek"}
    for kind in ("nl", "ami"):
        fixture = build_lecture(kind, seed=0)
        audio, reference, meta = fixture
        with tempfile.TemporaryDirectory() as tmp:
            paths = DataPaths(Path(tmp))
            add(paths, fixture, ["Anna de Vries", "Bram Jansen"], slug="lecture")
            started = time.perf_counter()
            (result,) = run_recording(paths, "lecture", [speakers_stage.STAGE])
            seconds = time.perf_counter() - started
            speakers = load_speakers(paths.work_dir("lecture") / "speakers.json")
        total, right, per = 0.0, 0.0, {}
        for s, e, who in reference:
            got = sum(max(0.0, min(e, t.end) - max(s, t.start)) for t in speakers.turns
                      if speakers.names().get(t.speaker) == truth[who[0]])
            total, right = total + e - s, right + got
            p = per.setdefault(who, [0.0, 0.0])
            p[0], p[1] = p[0] + e - s, p[1] + got
        out[kind] = {"duration_s": round(len(audio) / 16000, 1), "stage_status": result.status,
                     "stage_seconds": round(seconds, 2),
                     "accuracy_right_name": round(right / total, 4),
                     "per_reference_speaker": {k: round(v[1] / v[0], 3) for k, v in per.items()},
                     "speakers": [{"id": e.id, "name": e.name, "seconds": e.seconds, "name_source": e.name_source,
                                   "role": e.role} for e in speakers.speakers],
                     "warnings": speakers.warnings}
        print(f"lecture {kind}: {out[kind]['accuracy_right_name']} of speech to the right name; "
              f"{[(e['name'], e['name_source']) for e in out[kind]['speakers']]}")
    out["scoring"] = ("share of reference speech time whose turns carry the right name (presenters named from "
                      "the page + self-introductions; any audience voice must be 'Publiek'); regions = the "
                      "transcript's segments (the reference speech, cut into <= 6 s segments)")
    return out


def stereo() -> dict:
    from pipeline.extract.ffmpeg import ffmpeg_exe
    from pipeline.speakers.stereo import read_channels, stereo_split
    from pipeline.speakers.vad import speech_regions

    path = TESTDATA / "en_faster_whisper_stereo_two_channels" / "stereo_diarization.wav"
    channels = read_channels(path, ffmpeg_exe())
    info: dict = {}
    turns = stereo_split(channels, info=info) or []
    reference = [(s, e, f"channel{c}") for c in (0, 1) for s, e in speech_regions(channels[c], 0.5)]
    score = der(reference, turns, (0.0, channels.shape[1] / 16000))
    result = {"decision": info.get("decision"), "correlation": info.get("corr"), "turns": turns,
              "reference": "Silero VAD (threshold 0.5) on each channel", "der": score["der"], "confusion_s": score["confusion_s"],
              "mapping": score["mapping"]}
    for name, other in (("mono copied to both channels", channels[0]), ("left channel only", np.zeros_like(channels[0]))):
        d: dict = {}
        result[f"{name}: split applies"] = stereo_split(np.stack([channels[0], other]), info=d) is not None
    print(f"stereo: {info.get('decision')}, DER {score['der']}, confusion {score['confusion_s']} s, mapping {score['mapping']}")
    return result


def tiled_accuracy(turns, reference, period: float, duration: float, step: float = 0.1) -> float:
    """Share of the tiled fixture's speech whose voice is the reference speaker its cluster mostly covers
    (presenters A and B; every audience question counts as one 'Q')."""
    frames = int(duration / step)
    truth = np.full(frames, "", dtype=object)
    found = np.full(frames, "", dtype=object)
    for i in range(int(np.ceil(duration / period))):
        for s, e, who in reference:
            truth[int((s + i * period) / step):int(min(duration, e + i * period) / step)] = who[0]
    for s, e, k in turns:
        found[int(s / step):int(e / step)] = k
    mapping = {}
    for k in set(found[found != ""]):
        values, counts = np.unique(truth[(found == k) & (truth != "")], return_counts=True)
        mapping[k] = values[counts.argmax()] if len(values) else ""
    speech = truth != ""
    right = sum(1 for i in np.nonzero(speech)[0] if found[i] and mapping[found[i]] == truth[i])
    return round(right / max(1, int(speech.sum())), 4)


def cost_child(minutes: float) -> dict:
    """In a fresh process: diarize the fixture tiled to `minutes` (int16 audio, as the stage reads it)."""
    from lecture_fixture import build_lecture

    from pipeline.speakers.diarize import clean_regions, diarize
    from pipeline.speakers.embed import default_embedder
    from pipeline.speakers.segmentation import segmentation_model
    from pipeline.speakers.vad import missed_speech

    audio, reference, meta = build_lecture("ami", seed=0)
    n = int(minutes * 60 * 16000)
    reps = int(np.ceil(n / len(audio)))
    one = (audio * 32767).astype(np.int16)
    tiled = np.empty(n, np.int16)  # filled in place: no float copy of the whole tile inflates the peak
    for i in range(reps):
        piece = tiled[i * len(one):(i + 1) * len(one)]
        piece[:] = one[:len(piece)]
    del audio
    period = meta["duration"]
    regions = clean_regions([(s + i * period, e + i * period) for i in range(reps) for s, e, _ in reference], n / 16000)
    started = time.perf_counter()
    default_embedder()
    segmentation_model()
    load = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    if segmentation_model() is not None:  # as the stage: the segmentation model's speech regions
        vad = 0.0
        turns, info = diarize(tiled, None, max_speakers=6)
    else:  # the stage without that model: the transcript's regions + Silero where they leave gaps
        added = missed_speech(tiled, regions)
        vad = time.perf_counter() - started
        turns, info = diarize(tiled, sorted(regions + added), max_speakers=6)
    wall = time.perf_counter() - started
    return {"minutes": minutes, "accuracy_majority_mapping": tiled_accuracy(turns, reference, period, n / 16000),
            "segmentation_step_s": info.get("segmentation_step"),
            "speech_s": round(sum(e - s for s, e in regions), 1), "model_load_s": round(load, 2),
            "vad_uncovered_s": round(vad, 2), "wall_s": round(wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
            "rtf": round(wall / (n / 16000), 5),
            "n_windows": info["n_windows"], "n_windows_before_cap": info["n_windows_before_cap"], "hop": info["hop"],
            "timings": info["timings"], "peak_rss_mb_before": round(rss_before, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "audio_mb": round(tiled.nbytes / 2 ** 20, 1)}


def cost() -> dict:
    from bench.drafts_bench import transcription_rtf

    minutes = float(os.environ.get("BENCH_SPEAKERS_MINUTES", "20"))
    proc = subprocess.run([sys.executable, "-m", "bench.speakers_bench", "--cost", str(minutes)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    long_proc = subprocess.run([sys.executable, "-m", "bench.speakers_bench", "--cost", "120"], cwd=ROOT,
                               capture_output=True, text=True, check=True)
    measured_2h = json.loads(long_proc.stdout.strip().splitlines()[-1])
    rtf, source = transcription_rtf()
    try:  # the pipeline default on the longest input of the transcription bench (a list, or {"runs": [...]})
        data = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
        runs = [r for r in (data.get("runs", []) if isinstance(data, dict) else data)
                if isinstance(r, dict) and r.get("rtf") and "pipeline default" in r.get("name", "")
                and "glossary" not in r.get("name", "")]
        best = next((r for r in runs if r["name"].startswith("long-")), None) or \
            next((r for r in runs if r["name"].startswith("nl-long")), None) or runs[0]
        rtf, source = float(best["rtf"]), f"bench/results.json: {best['name']}"
    except (OSError, ValueError, IndexError, KeyError, AttributeError):
        pass
    segmentation = float(measured["timings"].get("segmentation_s", 0.0))
    per_window = (measured["wall_s"] - measured["vad_uncovered_s"] - segmentation) / max(1, measured["n_windows"])
    windows_2h = 3000  # the cap: 2 h of lecture speech (~1.8 h) exceeds it, so the hop grows instead
    # the VAD runs over the uncovered stretches, which grow with the recording's length; so does the
    # segmentation model from 10 min on (one 10 s chunk per 10 s)
    est_wall = per_window * windows_2h + (measured["vad_uncovered_s"] + segmentation) * 120 / minutes
    est_cpu = est_wall * measured["cpu_s"] / max(measured["wall_s"], 1e-9)  # other users' load aside
    audio_2h_mb = 2 * 3600 * 16000 * 2 / 2 ** 20
    est_rss = measured["peak_rss_mb"] + audio_2h_mb - measured["audio_mb"]
    out = {"measured": measured, "measured_2h": measured_2h,
           "share_of_transcription_measured_2h": round(measured_2h["rtf"] / rtf, 4),
           "transcription_rtf": rtf, "transcription_rtf_source": source,
           "share_of_transcription_measured": round(measured["rtf"] / rtf, 4),
           "extrapolated_2h": {"wall_s": round(est_wall, 1), "rtf": round(est_wall / 7200, 5),
                               "share_of_transcription": round(est_wall / 7200 / rtf, 4),
                               "share_of_transcription_by_cpu_time": round(est_cpu / 7200 / rtf, 4),
                               "peak_rss_mb": round(est_rss, 0),
                               "how": f"extrapolated from {minutes:g} min, not measured: seconds per window x 3000 "
                                      "windows (the cap) + the VAD's and the segmentation model's seconds "
                                      "x length, and peak RSS + the "
                                      "difference in int16 audio size; wall-clock on a shared 2-core machine"}}
    print(f"cost: {minutes:g} min in {measured['wall_s']} s (RTF {measured['rtf']}, {measured['n_windows']} windows), "
          f"peak {measured['peak_rss_mb']} MB; 2 h extrapolated: {est_wall:.0f} s = "
          f"{100 * out['extrapolated_2h']['share_of_transcription']:.1f} % of transcription (RTF {rtf}), "
          f"peak ~{est_rss:.0f} MB; 2 h measured: {measured_2h['wall_s']} s = "
          f"{100 * out['share_of_transcription_measured_2h']:.1f} %, peak {measured_2h['peak_rss_mb']} MB, "
          f"accuracy {measured_2h['accuracy_majority_mapping']}")
    return out


def main() -> dict:
    from pipeline.core import fsutil

    results = {"ami": ami(), "lecture": lecture(), "stereo": stereo(), "cost": cost(),
               "machine": f"{os.cpu_count()} CPUs, CPU only; torch and BLAS limited to 1 thread by the stage"}
    fsutil.write_json(ROOT / "bench" / "speakers.json", results)
    print(f"written to {ROOT / 'bench' / 'speakers.json'}")
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cost":
        print(json.dumps(cost_child(float(sys.argv[2]))))
    else:
        main()
