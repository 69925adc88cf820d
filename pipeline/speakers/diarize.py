"""Speaker diarization of a recording restricted to its speech regions (CPU, offline).

    turns, info = diarize(audio, regions, num_speakers=None, max_speakers=None, stereo=None,
                          *, min_speakers=1, embedder="default", **overrides)

audio: 16 kHz mono, float32 or int16 (int16 is converted a window at a time: 2 h stays 230 MB);
regions: [(start_s, end_s)] speech (Whisper segments; None = the segmentation model's speech, or
vad.speech_regions (Silero at threshold 0.1) when that model is not installed);
turns: [(start, end, 'SPEAKER_00'), ...] sorted, inside `regions`, SPEAKER_00 talks most, one speaker
at a time except where the segmentation model hears two voices at once (a second speaker's turns
overlap there); with `stereo` (2, n) and one speaker per channel, the channel turns ('CH0', 'CH1').

Method (measurements in bench/speakers.json):
1. windows of 2 s every 1 s inside the regions (regions < 0.5 s apart joined for windowing); the
   hop grows so that at most 3000 windows are embedded (the cost stays flat beyond ~1.5 h);
2. per window a neural embedding (embed.py; Resemblyzer by default) and MFCC + pitch statistics
   (features.py), combined as cosine = 0.7 cos(embedding) + 0.3 cos(MFCC+pitch);
3. spectral clustering of at most 600 windows, the number of speakers by the largest eigengap
   within [2, max_speakers or 8]; clusters that are one voice merged (cluster.py);
4. Viterbi smoothing; audience questions: stretches far from every cluster become new speakers
   (smooth.py; needs the neural embedding and no fixed num_speakers);
5. regions cut where the label changes; same-speaker turns < 0.5 s apart merged;
6. overlapped speech: where pyannote's segmentation-3.0 model (segmentation.py) counts two voices, the
   second one is added as an overlapping turn.

`num_speakers` means "exactly this many" and turns the audience pass off; prefer `max_speakers`.
"""
from __future__ import annotations

import contextlib
import math
import time
from typing import Iterable, Sequence

import numpy as np

from pipeline.speakers.cluster import cluster_windows, combine_features, relabel_by_size
from pipeline.speakers.embed import Embedder, default_embedder
from pipeline.speakers.features import spectral_features
from pipeline.speakers.melspec import SR
from pipeline.speakers.segmentation import MAX_CHUNKS as SEG_MAX_CHUNKS
from pipeline.speakers.segmentation import OVERLAP_COUNT
from pipeline.speakers.segmentation import SPEECH_THRESHOLD as SEG_SPEECH
from pipeline.speakers.segmentation import overlap_turns, segment, segmentation_model
from pipeline.speakers.segmentation import speech_regions as segmentation_speech
from pipeline.speakers.smooth import (
    Turn,
    find_outlier_speakers,
    merge_turns,
    segments_from_windows,
    smooth_labels,
)
from pipeline.speakers.stereo import stereo_split
from pipeline.speakers.vad import as_float, speech_regions

__all__ = ["DEFAULTS", "diarize", "speech_regions", "clean_regions", "Turn"]

DEFAULTS = dict(
    win=2.0,                # window length (s)
    hop=1.0,                # window hop (s); grows when there are too many windows
    min_win=0.5,            # regions shorter than this are labelled from their neighbours
    join_gap=0.5,           # regions closer than this are joined for windowing (not for turns)
    max_windows=3000,       # cap on embedded windows (cost and O(n^2) clustering)
    alpha=0.7,              # weight of the neural embedding vs MFCC+pitch in the affinity
    p_neighbors=0.2,        # spectral: fraction of neighbours kept per row
    p_min=6,                # spectral: at least this many neighbours per row
    merge_threshold=0.85,   # merge clusters whose mean neural embeddings have cosine > this (0.84-0.85: AMI plateau)
    max_cluster=600,        # cluster at most this many windows, assign the rest to centroids
    switch_penalty=3.0,     # Viterbi speaker-switch cost (in units of scores)
    gap_relief=4.0,         # switch cost reduction per second of pause before a window
    temperature=0.1,        # scores = cos(window, centroid) / temperature
    outlier_threshold=0.75, # raw-embedding cosine below which a window is "nobody known"
    outlier_penalty=3.0,    # switch cost of the 2-state outlier Viterbi
    outlier_min_s=2.0,      # minimum duration of an outlier stretch to become a speaker
    outlier_group=0.8,      # outlier stretches with mean-embedding cosine > this = same speaker
    merge_gap=0.5,          # merge same-speaker turns across pauses up to this (s)
    min_turn=0.3,           # drop pieces shorter than this (s)
    blas_threads=1,         # BLAS threads inside diarize() (threadpoolctl if installed); None = as is
    segmentation=True,      # use the segmentation model (speech when regions=None; overlap) when installed
    seg_max_chunks=SEG_MAX_CHUNKS,          # 10 s chunks through that model: at most this many, or 1 per 10 s
    seg_speech_threshold=SEG_SPEECH,        # its speech probability threshold (regions=None)
    overlap_count=OVERLAP_COUNT,            # its mean speaker count from which a frame has two voices
)


def clean_regions(regions: Iterable[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """Sorted, clipped to [0, duration], overlapping regions merged (Whisper segments may overlap)."""
    out: list[list[float]] = []
    for s, e in sorted((max(0.0, float(s)), min(duration, float(e))) for s, e in regions):
        if e <= s:
            continue
        if out and s <= out[-1][1] + 1e-3:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _join_regions(regions, gap: float) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s, e in regions:
        if out and s - out[-1][1] <= gap:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def make_windows(regions, win: float, hop: float, min_win: float) -> np.ndarray:
    """(n, 3) start, end, region index: windows of `win` every `hop` inside each region, the last one
    aligned to the region's end; a region shorter than `win` (but >= min_win) is one window."""
    out = []
    for ri, (s, e) in enumerate(regions):
        d = e - s
        if d < min_win:
            continue
        if d <= win:
            out.append((s, e, ri))
            continue
        n = int(math.ceil((d - win) / hop)) + 1
        out.extend((float(a), float(a + win), ri) for a in s + np.linspace(0.0, d - win, n))
    return np.array(out, dtype=np.float64).reshape(-1, 3)


def window_features(audio: np.ndarray, windows: np.ndarray, embedder: Embedder | None,
                    use_spectral: bool = True, timings: dict | None = None):
    """(embeddings or None, MFCC+pitch features or None) of each window."""
    slices = [as_float(audio[int(round(s * SR)): int(round(e * SR))]) for s, e, _ in windows]
    t0 = time.perf_counter()
    emb = embedder.embed(slices) if embedder is not None else None
    t1 = time.perf_counter()
    spec = spectral_features(slices) if use_spectral else None
    if timings is not None:
        timings["embed_s"] = round(t1 - t0, 3)
        timings["spectral_s"] = round(time.perf_counter() - t1, 3)
    return emb, spec


def _blas_threads(n: int | None):
    """Limit BLAS threads (threadpoolctl, optional): many tiny matmuls with 2 BLAS threads on a busy
    2-core machine were ~90x slower than single-threaded (spin-waiting)."""
    if not n:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def diarize(audio: np.ndarray, regions: Sequence[tuple[float, float]] | None,
            num_speakers: int | None = None, max_speakers: int | None = None,
            stereo: np.ndarray | None = None, *, min_speakers: int = 1,
            embedder: Embedder | None | str = "default", **overrides) -> tuple[list[Turn], dict]:
    """Who speaks when (see the module docstring). embedder: "default" (Resemblyzer, or None when it
    is not installed), None (MFCC + pitch only) or any Embedder. overrides: keys of DEFAULTS."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown diarization parameters: {sorted(unknown)}")
    p = {**DEFAULTS, **overrides}
    with _blas_threads(p["blas_threads"]):
        return _diarize(audio, regions, num_speakers, max_speakers, stereo, min_speakers, embedder, p)


def _diarize(audio, regions, num_speakers, max_speakers, stereo, min_speakers, embedder, p):
    started = time.perf_counter()
    timings: dict = {}
    info: dict = {"timings": timings}
    if audio.ndim != 1:
        raise ValueError("audio must be mono (use stereo= for a two-channel signal)")
    duration = len(audio) / SR
    if stereo is not None:
        sinfo: dict = {}
        turns = stereo_split(stereo, info=sinfo)
        info["stereo"] = sinfo
        if turns is not None:
            info.update(method="stereo", num_speakers=len({t[2] for t in turns}))
            timings["total_s"] = round(time.perf_counter() - started, 3)
            return turns, info
    seg = None
    segmenter = segmentation_model() if p["segmentation"] else None
    if segmenter is not None:
        t0 = time.perf_counter()
        seg = segment(audio, segmenter, p["seg_max_chunks"])
        timings["segmentation_s"] = round(time.perf_counter() - t0, 3)
        info.update(segmentation=segmenter.name, segmentation_step=round(seg.step, 3))
    if regions is None:
        t0 = time.perf_counter()
        regions = segmentation_speech(seg, p["seg_speech_threshold"], duration) if seg is not None else speech_regions(audio)
        timings["vad_s"] = round(time.perf_counter() - t0, 3)
    regions = clean_regions(regions, duration)
    info["speech_s"] = round(sum(e - s for s, e in regions), 2)
    if not regions:
        info.update(method="empty", num_speakers=0)
        return [], info
    wregions = _join_regions(regions, p["join_gap"])
    hop = max(p["hop"], sum(e - s for s, e in wregions) / p["max_windows"])
    windows = make_windows(wregions, p["win"], hop, p["min_win"])
    n_all = len(windows)
    if len(windows) > p["max_windows"]:
        windows = windows[np.unique(np.linspace(0, len(windows) - 1, p["max_windows"]).round().astype(int))]
    info.update(n_windows=len(windows), n_windows_before_cap=n_all, hop=round(hop, 3))
    if len(windows) == 0:
        info.update(method="too-short", num_speakers=1)
        return merge_turns([(s, e, "SPEAKER_00") for s, e in regions], p["merge_gap"], 0.0), info
    model = default_embedder() if embedder == "default" else embedder
    emb, spec = window_features(audio, windows, model, use_spectral=p["alpha"] < 1 or model is None,
                                timings=timings)
    t0 = time.perf_counter()
    turns, cinfo = diarize_windows(regions, windows, emb, spec, num_speakers, max_speakers,
                                   {**p, "spacing": min(hop, p["win"])}, min_speakers)
    timings["cluster_s"] = round(time.perf_counter() - t0, 3)
    if seg is not None:
        extra = overlap_turns(seg, turns, p["overlap_count"])
        info["overlap_s"] = round(sum(e - s for s, e, _ in extra), 2)
        turns = merge_turns(turns + extra, p["merge_gap"], p["min_turn"])
    info.update(cluster=cinfo, method="embedding" if model is not None else "mfcc+pitch",
                num_speakers=len({t[2] for t in turns}), embedder=getattr(model, "name", None))
    timings["total_s"] = round(time.perf_counter() - started, 3)
    return turns, info


def diarize_windows(regions, windows: np.ndarray, emb: np.ndarray | None, spec: np.ndarray | None,
                    num_speakers: int | None, max_speakers: int | None, p: dict,
                    min_speakers: int = 1) -> tuple[list[Turn], dict]:
    """Clustering, smoothing, the audience pass and re-segmentation from per-window features."""
    alpha = p["alpha"] if emb is not None else 0.0
    if spec is None:
        alpha = 1.0
    x = combine_features(emb, spec, alpha)
    lab, k, cinfo = cluster_windows(x, emb, num_speakers, max_speakers, p, min_speakers)
    lab = smooth_labels(x, lab, k, windows, p)
    if emb is not None and not num_speakers and p["outlier_threshold"] > 0 and k >= 1:
        lab, oinfo = find_outlier_speakers(lab, emb, windows, p, max_speakers)
        cinfo.update(oinfo)
    lab = relabel_by_size(lab, windows[:, 1] - windows[:, 0])
    turns = segments_from_windows(regions, windows, lab)
    return merge_turns(turns, p["merge_gap"], p["min_turn"]), cinfo
