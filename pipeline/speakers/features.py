"""MFCC + pitch statistics per speech window (numpy; scipy when installed): the features that work
without any model, and the 30 % share of the affinity next to the neural embedding.

Per slice: mean of MFCC 1-19, std of MFCC 1-12 (from the 40-band log-mel), and pitch statistics
(median log f0, log f0 IQR, voiced fraction) -> (n, 34) float32, raw (standardised per recording by
the clustering). On far-field meeting audio these separate speakers about as well as the neural
embedding (AUC 0.85 vs 0.84); on lectures the embedding is better (0.97 vs 0.84), and only the
embedding finds audience voices.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pipeline.speakers.melspec import FB_T, HANN, HOP, N_FFT, N_MELS, irfft, rfft


def _dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    m = np.cos(np.pi / n_in * (n + 0.5) * k) * np.sqrt(2.0 / n_in)
    m[0] /= np.sqrt(2.0)
    return m.astype(np.float32)


_DCT_T = np.ascontiguousarray(_dct_matrix(N_MELS, 20).T)
_PITCH_FLEN, _PITCH_HOP, _PITCH_NFFT = 320, 160, 1024       # at 8 kHz: 40 ms frames, 20 ms hop
_PITCH_WIN = np.hanning(_PITCH_FLEN).astype(np.float32)
_PITCH_WACF = np.correlate(_PITCH_WIN, _PITCH_WIN, mode="full")[_PITCH_FLEN - 1:].astype(np.float64)
_PITCH_LO, _PITCH_HI = 8000 // 400, 8000 // 60                # lags for 400 .. 60 Hz


def _to_8k(xb: np.ndarray) -> np.ndarray:
    try:
        from scipy.signal import resample_poly
    except ImportError:  # pragma: no cover - minimal install: a 5-tap low-pass, then every second sample
        k = np.array([0.1, 0.2, 0.4, 0.2, 0.1], np.float32)
        padded = np.pad(xb, ((0, 0), (2, 2)), mode="edge")
        smooth = sum(k[i] * padded[:, i:i + xb.shape[1]] for i in range(5))
        return smooth[:, ::2].astype(np.float32)
    return resample_poly(xb, 1, 2, axis=1).astype(np.float32)


def pitch_track_batch(xb: np.ndarray) -> np.ndarray:
    """(B, n) 16 kHz signals of equal length -> (B, frames) f0 in Hz (0 = unvoiced).
    8 kHz, 40 ms Hann frames every 20 ms, window-bias-corrected normalised autocorrelation, 60-400 Hz,
    octave guard (the smallest lag whose peak is within 90 % of the maximum); voiced if the peak is
    > 0.45 and the frame energy > 3x the 20th percentile of the signal's frames."""
    x8 = _to_8k(xb)
    if x8.shape[1] < _PITCH_FLEN:
        return np.zeros((len(xb), 0), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x8, _PITCH_FLEN, axis=1)[:, ::_PITCH_HOP]
    energy = np.mean(frames ** 2, axis=2)
    spec = rfft(frames * _PITCH_WIN, n=_PITCH_NFFT, axis=2)
    acf = irfft(spec.real ** 2 + spec.imag ** 2, n=_PITCH_NFFT, axis=2)[:, :, : _PITCH_HI + 1]
    seg = acf[:, :, _PITCH_LO:] / _PITCH_WACF[_PITCH_LO: _PITCH_HI + 1]
    seg = seg / (acf[:, :, :1] / _PITCH_WACF[0] + 1e-12)
    mx = seg.max(axis=2)
    first = np.argmax(seg >= 0.9 * mx[..., None], axis=2)
    f0 = 8000.0 / (_PITCH_LO + first)
    thr = np.maximum(1e-9, np.percentile(energy, 20, axis=1, keepdims=True) * 3.0)
    voiced = (mx > 0.45) & (energy > thr)
    return np.where(voiced, f0, 0.0).astype(np.float32)


def spectral_features(slices: Sequence[np.ndarray], batch: int = 64) -> np.ndarray:
    """(n, 34) MFCC and pitch statistics of each slice; slices of equal length go in batches."""
    n = len(slices)
    feats = np.zeros((n, 19 + 12 + 3), dtype=np.float32)
    lengths = np.array([len(s) for s in slices])
    order = np.argsort(lengths, kind="stable")
    i = 0
    while i < n:
        length = lengths[order[i]]
        j = i
        while j < n and j - i < batch and lengths[order[j]] == length:
            j += 1
        idx = order[i:j]
        i = j
        xb = np.stack([np.asarray(slices[k], np.float32) for k in idx])
        xp = np.pad(xb, ((0, 0), (N_FFT // 2, N_FFT // 2)))
        nf = 1 + length // HOP
        fr = np.lib.stride_tricks.sliding_window_view(xp, N_FFT, axis=1)[:, ::HOP][:, :nf]
        sp = rfft(fr * HANN, axis=2)
        b = len(idx)
        # 2-D matmuls: numpy's stacked (3-D) matmul does not use BLAS efficiently
        mel = ((sp.real ** 2 + sp.imag ** 2).astype(np.float32).reshape(b * nf, -1) @ FB_T).reshape(b, nf, N_MELS)
        logmel = np.log(mel + 1e-6 * (mel.mean(axis=(1, 2), keepdims=True) + 1e-10))
        mf = (logmel.reshape(b * nf, N_MELS) @ _DCT_T).reshape(b, nf, -1)
        feats[idx, :19] = mf[:, :, 1:20].mean(1)
        feats[idx, 19:31] = mf[:, :, 1:13].std(1)
        f0 = pitch_track_batch(xb)
        for r, k in enumerate(idx):
            v = f0[r][f0[r] > 0]
            frames = max(1, f0.shape[1])
            if len(v) >= 3:
                q25, q50, q75 = np.percentile(np.log(v), [25, 50, 75])
                feats[k, 31:] = (q50, q75 - q25, len(v) / frames)
            else:
                feats[k, 31:] = (np.nan, np.nan, len(v) / frames)
    return feats
