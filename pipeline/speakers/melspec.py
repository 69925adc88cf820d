"""The mel front-end shared by the speaker encoder and the MFCC features (numpy, librosa-compatible).

`mel_power` equals resemblyzer.audio.wav_to_mel_spectrogram (librosa's Slaney mel, centred frames with
zero padding) to a relative difference of 8e-8, so neither librosa nor webrtcvad is needed.
"""
from __future__ import annotations

import math

import numpy as np
try:  # scipy's FFT is about 3x faster here; numpy's on a minimal install
    from scipy.fft import irfft, rfft
except ImportError:  # pragma: no cover - the speakers extra installs scipy
    from numpy.fft import irfft, rfft

SR = 16000
HOP = 160            # 10 ms frames
N_FFT = 400          # 25 ms analysis window (Resemblyzer front-end)
N_MELS = 40

__all__ = ["SR", "HOP", "N_FFT", "N_MELS", "FB_T", "HANN", "mel_power", "mel_filterbank", "rfft", "irfft"]


def _hz_to_mel(f):
    """Slaney mel scale (librosa default, htk=False)."""
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sr: int = SR, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Equivalent of librosa.filters.mel(sr, n_fft, n_mels) (Slaney scale + Slaney norm)."""
    fmax = sr / 2 if fmax is None else fmax
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


FB_T = np.ascontiguousarray(mel_filterbank().T)
HANN = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic


def mel_power(x: np.ndarray) -> np.ndarray:
    """(n_frames, 40) mel *power* spectrogram, frames centred every 10 ms (center=True, zero padding),
    n_frames = 1 + len(x)//160."""
    x = np.asarray(x, dtype=np.float32)
    xp = np.pad(x, (N_FFT // 2, N_FFT // 2))
    n = 1 + len(x) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(xp, N_FFT)[::HOP][:n]
    spec = rfft(frames * HANN, axis=1)
    power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    return power @ FB_T
