"""The mixer's peak limiter, in a module of its own: importing it costs nothing of the timeline (the sound layers
use it on their own, ~0.2 s less to import than the mixer)."""
from __future__ import annotations

import math

import numpy as np


class PeakLimiter:
    """Keeps peaks under a ceiling with instant attack and a smooth release; state carries across chunks.

    Built on cv2 (a max filter) and numpy rather than scipy.signal/ndimage: importing those costs an export ~100 MiB
    of memory for two one-line filters.
    """

    def __init__(self, sample_rate: int, ceiling_db: float = -1.0, release_s: float = 0.15):
        self.ceiling = 10 ** (ceiling_db / 20)
        self.release = math.exp(-1.0 / (release_s * sample_rate))
        self.window = max(1, int(0.002 * sample_rate))
        self.gain = 1.0

    def process(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return x
        # per sample, the loudest channel (column by column: numpy's max over a short last axis is ~15x slower)
        peak = np.maximum.reduce([np.abs(x[:, k]) for k in range(x.shape[1])])
        if peak.max() <= self.ceiling and self.gain >= 0.9999:
            return x
        env = sliding_max(peak, self.window)
        want = np.minimum(1.0, self.ceiling / np.maximum(env.astype(np.float64), 1e-9))
        # release: gain rises back slowly (one-pole), falls at once
        smooth = one_pole(want, self.release, self.gain)
        g = np.minimum(want, smooth)
        self.gain = float(g[-1])
        y = x * g[:, None].astype(np.float32)
        return np.clip(y, -self.ceiling, self.ceiling)


def sliding_max(x: np.ndarray, radius: int) -> np.ndarray:
    """max of x[i - radius : i + radius + 1], the ends repeated (scipy's maximum_filter1d, mode="nearest")."""
    import cv2

    kernel = np.ones((1, 2 * radius + 1), np.uint8)
    row = np.ascontiguousarray(x, np.float32).reshape(1, -1)
    return cv2.dilate(row, kernel, borderType=cv2.BORDER_REPLICATE).reshape(-1)


def one_pole(x: np.ndarray, r: float, y_prev: float, span: int = 1024) -> np.ndarray:
    """y[n] = r * y[n-1] + (1 - r) * x[n], starting from y[-1] = y_prev (scipy's lfilter([1-r], [1, -r]))."""
    out = np.empty(len(x), np.float64)
    k = np.arange(1, span + 1, dtype=np.float64)
    grow = r ** -k  # r^-(n+1), per span: small enough to keep float64 exact
    for a in range(0, len(x), span):
        part = np.asarray(x[a:a + span], np.float64)
        n = len(part)
        # y[n] = r^(n+1) * (y_prev + (1 - r) * sum_{j<=n} r^-(j+1) x[j])
        acc = y_prev + (1 - r) * np.cumsum(part * grow[:n])
        out[a:a + n] = acc / grow[:n]
        y_prev = out[a + n - 1]
    return out
