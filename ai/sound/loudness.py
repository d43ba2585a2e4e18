"""Loudness (ITU-R BS.1770-4 integrated, LUFS), normalisation to a target, peak limiting, fades."""
from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt


def _k_weighting(rate: int):
    """The two BS.1770 pre-filters (high shelf, RLB high-pass) for any sample rate."""
    import math

    # analogue prototypes as in the standard (shelf: +4 dB above ~1.5 kHz; high-pass ~38 Hz)
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    b1 = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    a1 = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a2 = [1.0, 2 * (k * k - 1) / (1 + k / q + k * k), (1 - k / q + k * k) / (1 + k / q + k * k)]
    b2 = [1.0, -2.0, 1.0]
    return (b1, a1), (b2, a2)


def integrated_loudness(x: np.ndarray, rate: int = 48000) -> float:
    """Integrated loudness in LUFS of (n, channels) float audio; -inf for silence."""
    x = np.asarray(x, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    (b1, a1), (b2, a2) = _k_weighting(rate)
    y = sosfilt(np.array([list(b1) + list(a1), b2 + a2]), x, axis=0)  # both K-weighting stages in one pass
    block, step = int(0.4 * rate), int(0.1 * rate)
    if len(y) < block:
        ms = (y ** 2).mean(axis=0)[None, :]
    else:
        sq = np.cumsum(np.concatenate([np.zeros((1, y.shape[1])), y ** 2]), axis=0)
        starts = np.arange(0, len(y) - block + 1, step)
        ms = (sq[starts + block] - sq[starts]) / block
    z = ms.sum(axis=1)  # channel weights 1.0 for L and R
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    gated = z[lk > -70]
    if not len(gated):
        return float("-inf")
    rel = -0.691 + 10 * np.log10(gated.mean()) - 10
    final = gated[(-0.691 + 10 * np.log10(gated)) > rel]
    return float(-0.691 + 10 * np.log10(final.mean()))


def peak_db(x: np.ndarray) -> float:
    p = float(np.abs(x).max()) if len(x) else 0.0
    return 20 * np.log10(p) if p > 0 else float("-inf")


def limit(x: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    from editor.render.mixer import PeakLimiter

    return PeakLimiter(rate, ceiling_db=ceiling_db, release_s=0.08).process(x.astype(np.float32))


def normalise(x: np.ndarray, target_lufs: float, rate: int = 48000, ceiling_db: float = -1.2) -> np.ndarray:
    """Bring a layer to `target_lufs` with sample peaks below `ceiling_db` (limiting, then re-measuring)."""
    y = x.astype(np.float32)
    lufs = integrated_loudness(y, rate)
    for _ in range(6):
        if not np.isfinite(lufs):
            return y
        # a gain moves the loudness by exactly its dB (the gates move with it): no need to measure again
        y = y * np.float32(10 ** ((target_lufs - lufs) / 20))
        if peak_db(y) <= ceiling_db:
            return y
        y = limit(y, rate, ceiling_db - 0.1)
        lufs = integrated_loudness(y, rate)
        if abs(lufs - target_lufs) < 0.2:
            return y
    return y


def fade_edges(x: np.ndarray, rate: int, seconds: float = 0.01) -> np.ndarray:
    """Short raised-cosine fades at both ends so a layer never starts or stops with a click."""
    n = min(len(x) // 2, int(seconds * rate))
    if n < 2:
        return x
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)[:, None]
    y = x.copy()
    y[:n] *= ramp
    y[-n:] *= ramp[::-1]
    return y
