"""From window labels to turns: Viterbi smoothing, the audience pass and re-segmentation.

Turn = (start_s, end_s, label). Labels are 'SPEAKER_00', ... numbered by speaking time.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pipeline.speakers.cluster import centroids, l2n

Turn = tuple[float, float, str]
BASE_HOP = 1.0  # the window hop the switch penalties were tuned at (s)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where mask is true."""
    m = np.concatenate([[False], np.asarray(mask).astype(bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()))


def viterbi_smooth(scores: np.ndarray, gaps: np.ndarray, switch_penalty: float,
                   gap_relief: float = 1.0) -> np.ndarray:
    """scores: (n, k) log-likelihood-like; gaps: (n,) seconds of silence before window i. Switching
    costs `switch_penalty`, less `gap_relief` per second of pause (speakers change at pauses)."""
    n, k = scores.shape
    back = np.zeros((n, k), int)
    dp = scores[0].copy()
    for i in range(1, n):
        pen = max(0.0, switch_penalty - gap_relief * gaps[i])
        best_prev = int(np.argmax(dp))
        switch = dp[best_prev] - pen
        take_switch = switch > dp
        back[i] = np.where(take_switch, best_prev, np.arange(k))
        dp = np.where(take_switch, switch, dp) + scores[i]
    path = np.zeros(n, int)
    path[-1] = int(np.argmax(dp))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def evidence_weight(p: dict) -> float:
    """Windows further apart carry more seconds of evidence each: scores are scaled by the window
    spacing, so switch penalties mean the same number of seconds at any hop (long inputs use a larger
    hop; without this the 2 h run found 1 of 4 audience voices)."""
    return float(p.get("spacing", p["hop"])) / BASE_HOP


def _gaps(windows: np.ndarray) -> np.ndarray:
    gaps = np.zeros(len(windows))
    gaps[1:] = np.maximum(0.0, windows[1:, 0] - windows[:-1, 1])
    return gaps


def smooth_labels(x: np.ndarray, lab: np.ndarray, k: int, windows: np.ndarray, p: dict) -> np.ndarray:
    """Two rounds of Viterbi over windows in time order, scored by cosine to the cluster centroids."""
    xn = l2n(x)
    if k <= 1 or p["switch_penalty"] <= 0:
        return lab
    for _ in range(2):
        scores = (xn @ centroids(xn, lab, k).T) / p["temperature"] * evidence_weight(p)
        new = viterbi_smooth(scores - scores.max(1, keepdims=True), _gaps(windows), p["switch_penalty"],
                             p["gap_relief"])
        if np.array_equal(new, lab):
            break
        lab = new
    return lab


def _group(means: np.ndarray, same: float) -> np.ndarray:
    """Group stretch embeddings: average-linkage AHC (cosine > same = one voice); greedy without scipy."""
    if len(means) == 1:
        return np.array([1])
    try:
        from scipy.cluster.hierarchy import fcluster, linkage
    except ImportError:  # pragma: no cover - minimal install
        groups, reps = np.zeros(len(means), int), []
        for i, m in enumerate(means):
            sims = [float(m @ r) for r in reps]
            if sims and max(sims) > same:
                groups[i] = int(np.argmax(sims)) + 1
            else:
                reps.append(m)
                groups[i] = len(reps)
        return groups
    return fcluster(linkage(means, method="average", metric="cosine"), 1.0 - same, criterion="distance")


def find_outlier_speakers(lab: np.ndarray, raw: np.ndarray, windows: np.ndarray, p: dict,
                          max_speakers: int | None) -> tuple[np.ndarray, dict]:
    """Audience questions: stretches of windows whose neural embedding is far from every cluster
    (cosine < outlier_threshold, smoothed by a 2-state Viterbi) lasting >= outlier_min_s become new
    speakers, grouped into voices; stretches close to a cluster (> merge_threshold) are left alone.
    More groups than max_speakers allows are pooled into the last label."""
    info: dict = {}
    rn = l2n(raw)
    k = int(lab.max()) + 1
    big = [j for j in range(k) if np.sum(lab == j) >= 5]
    if not big:
        return lab, info
    c = l2n(np.stack([rn[lab == j].mean(0) for j in big]))
    best = (rn @ c.T).max(1)
    scores = np.stack([(best - p["outlier_threshold"]) / p["temperature"] * evidence_weight(p),
                       np.zeros(len(best))], axis=1)
    state = viterbi_smooth(scores, _gaps(windows), p["outlier_penalty"], 0.0)
    found = []
    for a, b in runs(state == 1):
        if windows[b - 1, 1] - windows[a, 0] >= p["outlier_min_s"]:
            m = l2n(rn[a:b].mean(0, keepdims=True))[0]
            if float((c @ m).max()) <= p["merge_threshold"]:
                found.append((a, b, m))
    info["outlier_runs"] = len(found)
    room = (max_speakers or 99) - k
    if not found or room <= 0:
        return lab, info
    lab = lab.copy()
    groups = _group(np.stack([r[2] for r in found]), p["outlier_group"])
    if groups.max() > room:
        sizes = {g: sum(found[i][1] - found[i][0] for i in np.nonzero(groups == g)[0]) for g in np.unique(groups)}
        order = sorted(sizes, key=lambda g: -sizes[g])
        remap = {g: min(i, room - 1) + 1 for i, g in enumerate(order)}
        groups = np.array([remap[g] for g in groups])
    for (a, b, _), g in zip(found, groups):
        lab[a:b] = k + int(g) - 1
    info["outlier_speakers"] = int(groups.max())
    return lab, info


def segments_from_windows(regions: Sequence[tuple[float, float]], windows: np.ndarray, lab: np.ndarray) -> list[Turn]:
    """Label every region: a region is cut at the midpoints between the centres of consecutive windows
    (overlapping it) whose labels differ; a region no window overlaps takes the nearest window's label."""
    order = np.argsort(windows[:, 0], kind="stable")
    ws, we, lab = windows[order, 0], windows[order, 1], lab[order]
    centers = 0.5 * (ws + we)
    max_len = float(np.max(we - ws))
    turns: list[Turn] = []
    for s, e in regions:
        lo = int(np.searchsorted(ws, s - max_len, side="left"))
        hi = int(np.searchsorted(ws, e, side="left"))
        sel = [i for i in range(lo, hi) if we[i] > s]
        if not sel:
            j = int(np.argmin(np.abs(centers - 0.5 * (s + e))))
            turns.append((s, e, f"SPEAKER_{lab[j]:02d}"))
            continue
        cur_s, cur_l = s, lab[sel[0]]
        for a, b in zip(sel[:-1], sel[1:]):
            if lab[b] != cur_l:
                cut = min(max(0.5 * (centers[a] + centers[b]), s), e)
                if cut > cur_s:
                    turns.append((cur_s, cut, f"SPEAKER_{cur_l:02d}"))
                cur_s, cur_l = cut, lab[b]
        turns.append((cur_s, e, f"SPEAKER_{cur_l:02d}"))
    return turns


def merge_turns(turns: list[Turn], max_gap: float, min_dur: float) -> list[Turn]:
    """Same-speaker turns less than max_gap apart joined; pieces shorter than min_dur dropped."""
    out: list[list] = []
    for s, e, lab in sorted(turns, key=lambda t: (t[2], t[0])):
        if out and out[-1][2] == lab and s - out[-1][1] <= max_gap:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e, lab])
    return sorted([(round(s, 3), round(e, 3), lab) for s, e, lab in out if e - s >= min_dur])
