"""One microphone per channel: when a stereo recording has each speaker on their own channel, split
it by channel energy (better than embeddings, and it keeps overlapping speech).

`stereo_split(stereo)` decides whether the split applies and returns channel turns ('CH0', 'CH1';
they overlap where both talk) or None: channels (near-)identical (mono copied to both, a coincident
stereo pair), or only one channel carrying speech. `read_channels(media, ffmpeg)` decodes the first
two channels of a media file's first audio stream at 16 kHz as int16 (2 h: 460 MB).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline.speakers.melspec import irfft, rfft
from pipeline.speakers.smooth import Turn, merge_turns, runs

SR = 16000


def read_channels(media: Path, ffmpeg: str, sr: int = SR) -> np.ndarray:
    """(2, n) int16: the first two channels of the first audio stream of `media`."""
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(media), "-map", "0:a:0",
           "-af", "pan=stereo|c0=c0|c1=c1", "-ar", str(sr), "-f", "s16le", "-acodec", "pcm_s16le", "-"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise OSError(f"ffmpeg could not decode two channels of {media.name}: "
                      f"{proc.stderr.decode(errors='replace').strip()[:200]}")
    data = np.frombuffer(proc.stdout, dtype=np.int16)
    return data[: len(data) // 2 * 2].reshape(-1, 2).T


def _frame_db(x: np.ndarray, frame: int, chunk: int = 1 << 20) -> np.ndarray:
    """Frame energies in dB (full scale 1.0), computed a chunk at a time (int16 input stays int16)."""
    scale = 1.0 / 32768.0 if x.dtype == np.int16 else 1.0
    n = len(x) // frame
    out = np.empty(n)
    step = max(1, chunk // frame)
    for a in range(0, n, step):
        b = min(n, a + step)
        block = x[a * frame: b * frame].astype(np.float64).reshape(b - a, frame) * scale
        out[a:b] = np.mean(block * block, axis=1)
    return 10 * np.log10(out + 1e-12)


def _correlation(left: np.ndarray, right: np.ndarray, active: np.ndarray, frame: int, sr: int) -> float:
    """Max normalised cross-correlation (lags +-20 ms) over the first 60 s of active audio."""
    idx = np.repeat(active, frame)
    pick = np.nonzero(idx)[0][: 60 * sr]
    la, ra = left[pick].astype(np.float64), right[pick].astype(np.float64)
    nfft = 1 << int(np.ceil(np.log2(2 * len(la))))
    xc = irfft(rfft(la, nfft) * np.conj(rfft(ra, nfft)), nfft)
    maxlag = int(0.02 * sr)
    lags = np.concatenate([xc[: maxlag + 1], xc[-maxlag:]])
    return float(np.max(np.abs(lags)) / (np.sqrt(np.sum(la ** 2) * np.sum(ra ** 2)) + 1e-12))


def stereo_split(stereo: np.ndarray, sr: int = SR, frame_s: float = 0.05, crosstalk_db: float = 10.0,
                 info: dict | None = None) -> list[Turn] | None:
    """Channel turns when each channel has its own speaker, else None.

    Channel activity: 50 ms frame energy above max(noise floor + 8 dB, loudest - 40 dB), gaps up to
    0.3 s filled. Decision: identical (correlation >= 0.9 and mean level difference < 6 dB) -> None;
    separate sources (correlation < 0.3) -> split if both channels are active >= 0.5 s (and 5 % of the
    active time); otherwise (close-talk mics with crosstalk) split if >= 50 % of active frames differ by
    > 6 dB and each channel clearly dominates (> crosstalk_db) for >= 0.5 s; a channel then speaks
    where it is active and not merely crosstalk."""
    st = np.asarray(stereo)
    if st.ndim != 2 or 2 not in st.shape:
        return None
    if st.shape[0] != 2:
        st = st.T
    left, right = st[0], st[1]
    frame = int(frame_s * sr)
    dl, dr = _frame_db(left, frame), _frame_db(right, frame)
    if len(dl) < 4:
        return None
    top = max(np.percentile(dl, 99), np.percentile(dr, 99))

    def activity(db: np.ndarray) -> np.ndarray:
        live = db[db > -100]                      # digital silence does not set the floor
        floor = np.percentile(live, 10) if len(live) else -120.0
        act = db > max(floor + 8.0, top - 40.0)
        out = act.copy()
        for a, b in runs(~act):
            if 0 < a and b < len(act) and (b - a) * frame_s <= 0.3:
                out[a:b] = True
        return out

    act_l, act_r = activity(dl), activity(dr)
    active = act_l | act_r
    d: dict = {"active_s": round(float(active.sum() * frame_s), 2),
               "active_l_s": round(float(act_l.sum() * frame_s), 2),
               "active_r_s": round(float(act_r.sum() * frame_s), 2)}
    result = None
    if active.sum() * frame_s < 0.5:
        d["decision"] = "no activity"
    else:
        corr = _correlation(left, right, active, frame, sr)
        diff = (dl - dr)[active]
        lateral = float(np.mean(np.abs(diff) > 6.0))
        mean_abs = float(np.mean(np.abs(diff)))
        min_own = max(0.5, 0.05 * active.sum() * frame_s)
        d.update(corr=round(corr, 3), lateralized_frac=round(lateral, 3), mean_abs_db=round(mean_abs, 2))
        if corr >= 0.9 and mean_abs < 6.0:
            d["decision"] = "identical"
        elif corr < 0.3:
            ok = act_l.sum() * frame_s >= min_own and act_r.sum() * frame_s >= min_own
            d["decision"] = "split (separate sources)" if ok else "one channel silent"
            result = (act_l, act_r) if ok else None
        else:
            own_l = act_l & ((dl - dr) > crosstalk_db)
            own_r = act_r & ((dr - dl) > crosstalk_db)
            d.update(own_l_s=round(float(own_l.sum() * frame_s), 2), own_r_s=round(float(own_r.sum() * frame_s), 2))
            ok = lateral >= 0.5 and own_l.sum() * frame_s >= min_own and own_r.sum() * frame_s >= min_own
            d["decision"] = "split (lateralised)" if ok else "not lateralised"
            if ok:
                result = (act_l & ((dl - dr) > -crosstalk_db + 4), act_r & ((dr - dl) > -crosstalk_db + 4))
    if info is not None:
        info.update(d)
    if result is None:
        return None
    turns: list[Turn] = [(a * frame_s, b * frame_s, label)
                         for label, m in zip(("CH0", "CH1"), result) for a, b in runs(m)]
    return merge_turns(turns, max_gap=0.3, min_dur=0.2)
