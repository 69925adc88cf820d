"""Speaker embeddings behind one small interface, and the default encoder.

An embedder is any object with a `name` and `embed(slices) -> np.ndarray` of shape (n, d) with
L2-normalised rows, one per 16 kHz mono float32 slice (0.5-2 s of speech). The default is
`ResemblyzerEmbedder`: the GE2E speaker encoder whose weights ship in the resemblyzer wheel
(resemblyzer/pretrained.pt, 17 MB, Apache-2.0), run by our own torch module. Only that file is used:
install it with `pip install --no-deps resemblyzer==0.1.4` (its own dependencies pull librosa and
webrtcvad, which needs a compiler); the mel front-end is `melspec.mel_power`.

Another model (e.g. pyannote/wespeaker-voxceleb-resnet34-LM for a user with a Hugging Face token) plugs
in as a class with the same two members, for instance

    class PyannoteEmbedder:
        name = "pyannote"
        def __init__(self, token):
            from pyannote.audio import Model, Inference
            self.inference = Inference(Model.from_pretrained("pyannote/wespeaker-voxceleb-resnet34-LM",
                                                             use_auth_token=token), window="whole")
        def embed(self, slices):
            rows = [self.inference({"waveform": torch.from_numpy(s)[None], "sample_rate": 16000})
                    for s in slices]
            return l2_normalise(np.stack(rows))

and is passed as `diarize(..., embedder=PyannoteEmbedder(token))` (or set with
`set_default_embedder`); the stage records the embedder's name in speakers.json.
Without torch or the weights, `default_embedder()` returns None and diarization uses the MFCC + pitch
features alone (`features.py`), with one warning.
"""
from __future__ import annotations

import importlib.util
import logging
import os
from typing import Protocol, Sequence

import numpy as np

from pipeline.speakers.melspec import HOP, N_MELS, mel_power

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """The interface to a speaker-embedding model."""

    name: str

    def embed(self, slices: Sequence[np.ndarray]) -> np.ndarray:  # (n, d), rows L2-normalised
        ...


def resemblyzer_weights_path() -> str:
    """resemblyzer/pretrained.pt, found without importing the package (its __init__ imports librosa
    and webrtcvad, which we do not need)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("resemblyzer is not installed (pip install --no-deps resemblyzer==0.1.4)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "pretrained.pt")
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return path


class ResemblyzerEmbedder:
    """Resemblyzer GE2E speaker encoder (3-layer LSTM 40->256, linear 256, ReLU, L2 norm).

    Each slice is volume-normalised to -30 dBFS (as Resemblyzer's preprocess_wav does, per slice; the
    encoder's input is *linear* mel power, so level matters), turned into a 40-band mel power
    spectrogram and fed whole to the LSTM (last hidden state). Slices of equal length are batched.
    int8 dynamic quantisation destroys these embeddings (cosine 0.45 to fp32): not used."""

    name = "resemblyzer"
    dim = 256

    def __init__(self, weights: str | None = None, threads: int | None = 1, batch_size: int = 128):
        """threads: torch intra-op threads *during* embed() (restored afterwards); 1 by default, as 2
        threads doubled both CPU and wall time on a shared 2-core machine. None leaves torch alone."""
        import torch
        from torch import nn

        self._torch = torch
        self.threads = threads
        self.batch_size = batch_size
        self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, 256)
        ckpt = torch.load(weights or resemblyzer_weights_path(), map_location="cpu", weights_only=True)
        state = ckpt["model_state"]
        self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
        self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        self.lstm.eval()
        self.linear.eval()

    @staticmethod
    def _normalize(x: np.ndarray, target_dbfs: float = -30.0) -> np.ndarray:
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) + 1e-9
        return x * np.float32(10 ** (target_dbfs / 20) / rms)

    def embed(self, slices: Sequence[np.ndarray]) -> np.ndarray:
        torch = self._torch
        out = np.zeros((len(slices), self.dim), dtype=np.float32)
        if not len(slices):
            return out
        lengths = np.array([1 + len(s) // HOP for s in slices])
        order = np.argsort(lengths, kind="stable")
        previous = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                i = 0
                while i < len(order):
                    j = i
                    while j < len(order) and j - i < self.batch_size and lengths[order[j]] == lengths[order[i]]:
                        j += 1
                    idx = order[i:j]
                    mels = np.stack([mel_power(self._normalize(np.asarray(slices[k], np.float32))) for k in idx])
                    _, (h, _) = self.lstm(torch.from_numpy(mels))
                    e = torch.relu(self.linear(h[-1]))
                    out[idx] = (e / (torch.norm(e, dim=1, keepdim=True) + 1e-9)).numpy()
                    i = j
        finally:
            if self.threads:
                torch.set_num_threads(previous)
        return out


_DEFAULT: dict[str, object] = {}


def set_default_embedder(embedder: Embedder | None) -> None:
    """Use this embedder wherever the default is asked for (e.g. a pyannote model with a token)."""
    _DEFAULT["embedder"] = embedder
    _DEFAULT["why"] = ""


def default_embedder() -> Embedder | None:
    """The default encoder, loaded once; None (MFCC + pitch features only) when torch or the
    resemblyzer weights are not installed (`embedder_problem()` says why)."""
    if "embedder" not in _DEFAULT:
        try:
            _DEFAULT["embedder"], _DEFAULT["why"] = ResemblyzerEmbedder(), ""
        except (ImportError, OSError, RuntimeError, KeyError) as exc:
            _DEFAULT["embedder"], _DEFAULT["why"] = None, f"{type(exc).__name__}: {exc}"
    return _DEFAULT["embedder"]  # type: ignore[return-value]


def embedder_problem() -> str:
    """Why the default encoder is unavailable ('' when it loaded)."""
    default_embedder()
    return str(_DEFAULT.get("why", ""))
