"""The crop window's path: where it should be (targets) and how a calm operator gets there.

Target per frame: the window position that holds the most importance (cues.py's column profile, averaged over a few
frames of the same shot). Path: an L1-optimal camera path (editor/media/l1path.py, after Grundmann et al. 2011),
solved as one linear program per shot:

    minimise  sum_t conf_t * max(0, |p_t - target_t| - deadzone)      (follow what matters, ignore small moves)
            + w1 sum |p_t+1 - p_t| + w2 sum |second differences| + w3 sum |third differences|
    subject to the window inside the picture and |p_t+1 - p_t| <= a speed limit.

L1 terms make the path hold perfectly still, move at constant speed, or ease between the two, with no jitter; the
speed limit rules out jumps. Each shot (cut) is solved on its own, so the window re-frames at a cut.
"""
from __future__ import annotations

import numpy as np

DEADZONE = 0.12  # of the window width: the subject may drift this far from the target before the camera moves
FOLLOW = 3.0  # cost per pixel per frame the window is off its target (beyond the dead zone), times confidence
W1, W2, W3 = 1.0, 10.0, 30.0  # per pixel of motion, of curvature, of jerk
MAX_SPEED = 0.012  # of the picture width per frame
SMOOTH_FRAMES = 2  # profiles averaged over +-2 frames when choosing a target


def targets(profiles: np.ndarray, window: float, cuts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(centre, weight) per frame, in profile columns: the window position holding most importance."""
    n, cols = profiles.shape
    bounds = [0] + sorted(c for c in cuts if 0 < c < n) + [n]
    smooth = np.empty_like(profiles)
    for a, b in zip(bounds, bounds[1:]):
        c = np.cumsum(np.vstack([np.zeros(cols), profiles[a:b]]), axis=0)
        for t in range(a, b):
            lo, hi = max(a, t - SMOOTH_FRAMES), min(b, t + SMOOTH_FRAMES + 1)
            smooth[t] = (c[hi - a] - c[lo - a]) / (hi - lo)
    w = max(1, int(round(window)))
    cs = np.hstack([np.zeros((n, 1)), np.cumsum(smooth, axis=1)])
    mass = cs[:, w:] - cs[:, :-w] if w < cols else cs[:, -1:]
    best = mass.argmax(axis=1)
    centre = np.empty(n)
    for t in range(n):  # the middle of the near-best run: a subject wider than the window is framed at its centre
        row, b = mass[t], best[t]
        thr = row[b] * 0.97
        left, right = b, b
        while left > 0 and row[left - 1] >= thr:
            left -= 1
        while right < len(row) - 1 and row[right + 1] >= thr:
            right += 1
        centre[t] = (left + right) / 2 + w / 2
    weight = mass[np.arange(n), best]
    return centre, weight


def calm_path(target: np.ndarray, weight: np.ndarray, lo: float, hi: float, window: float, width: float,
              cuts: list[int] = ()) -> np.ndarray:
    """Window centre per frame (pixels), solved per shot."""
    n = len(target)
    out = np.empty(n)
    bounds = [0] + sorted(c for c in cuts if 0 < c < n) + [n]
    for a, b in zip(bounds, bounds[1:]):
        out[a:b] = _solve(target[a:b], weight[a:b], lo, hi, DEADZONE * window, MAX_SPEED * width)
    return out


def _solve(c: np.ndarray, conf: np.ndarray, lo: float, hi: float, dz: float, vmax: float) -> np.ndarray:
    from editor.media.l1path import l1_path

    if hi <= lo:
        return np.full(len(c), (lo + hi) / 2)
    return l1_path(c, FOLLOW * np.maximum(conf, 1e-3), lo, hi, (W1, W2, W3), dz, vmax)


def simplify(values: np.ndarray, tolerance: float) -> list[int]:
    """Indices of the points that keep a polyline within `tolerance` (Ramer-Douglas-Peucker, iterative)."""
    n = len(values)
    if n <= 2:
        return list(range(n))
    keep = {0, n - 1}
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        t = np.arange(a + 1, b)
        line = values[a] + (values[b] - values[a]) * (t - a) / (b - a)
        err = np.abs(values[a + 1:b] - line)
        i = int(np.argmax(err))
        if err[i] > tolerance:
            m = a + 1 + i
            keep.add(m)
            stack += [(a, m), (m, b)]
    return sorted(keep)
