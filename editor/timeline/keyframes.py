"""Keyframed values: a property of a clip that changes over time (volume line, position, scale, colour ...).

A clip keeps `keyframes: {"volume": (Keyframe(frame=0, value=1.0), Keyframe(frame=30, value=0.25, ease=...)), ...}`
with frames counted from the clip's first frame. Before the first key the first value holds, after the last the last
one. The ease of a key shapes the way from that key to the next one: linear, ease-in, ease-out, ease-in-out (cubic
smoothstep family) or hold (the value jumps at the next key).
"""
from __future__ import annotations

from bisect import bisect_right

import numpy as np

# (the model keeps EASES and Keyframe; this module only does the maths and copies keys it is given, so that it does
# not import the model back: model -> timing -> keyframes would be a cycle)


def ease(kind: str, t):
    """Map 0..1 progress through an easing curve (works on floats and numpy arrays)."""
    if kind == "ease-in":
        return t * t * t
    if kind == "ease-out":
        u = 1 - t
        return 1 - u * u * u
    if kind == "ease-in-out":
        return t * t * (3 - 2 * t)
    if kind == "hold":
        return t * 0 if isinstance(t, np.ndarray) else 0.0
    return t


def value_at(keys, frame: float, default: float) -> float:
    """The value at a clip frame (keys sorted by frame; empty -> default)."""
    if not keys:
        return default
    frames = [k.frame for k in keys]
    i = bisect_right(frames, frame)
    if i == 0:
        return keys[0].value
    if i == len(keys):
        return keys[-1].value
    a, b = keys[i - 1], keys[i]
    t = (frame - a.frame) / (b.frame - a.frame)
    return a.value + (b.value - a.value) * ease(a.ease, t)


def values(keys, frames: np.ndarray, default: float) -> np.ndarray:
    """value_at for many frames at once (fractional frames allowed: audio samples between frames)."""
    frames = np.asarray(frames, dtype=np.float64)
    if not keys:
        return np.full(frames.shape, default, np.float64)
    kf = np.array([k.frame for k in keys], np.float64)
    kv = np.array([k.value for k in keys], np.float64)
    out = np.interp(frames, kf, kv)  # linear, and holds the ends
    i = np.clip(np.searchsorted(kf, frames, side="right") - 1, 0, len(keys) - 1)
    for j, k in enumerate(keys[:-1]):
        if k.ease == "linear":
            continue
        sel = (i == j) & (frames >= kf[j]) & (frames < kf[j + 1])
        if sel.any():
            t = (frames[sel] - kf[j]) / (kf[j + 1] - kf[j])
            out[sel] = kv[j] + (kv[j + 1] - kv[j]) * ease(k.ease, t)
    return out


def sorted_keys(keys) -> tuple:
    """Keys in frame order, one per frame (a later one at the same frame wins)."""
    by_frame = {}
    for k in keys:
        by_frame[k.frame] = k
    return tuple(by_frame[f] for f in sorted(by_frame))


def window(keys, start: int, end: int | None = None) -> tuple:
    """The keys of the part of a clip from clip frame `start` (to `end`), re-based to that part's first frame, with
    a key added at each cut edge so that the curve inside the part does not change."""
    if not keys:
        return ()
    first = keys[0]
    out = [first.model_copy(update={"frame": 0, "value": float(value_at(keys, start, first.value)),
                                    "ease": _ease_at(keys, start)})]
    out += [k.model_copy(update={"frame": k.frame - start}) for k in keys
            if k.frame > start and (end is None or k.frame < end)]
    if end is not None and any(k.frame >= end for k in keys):
        out.append(first.model_copy(update={"frame": end - start, "value": float(value_at(keys, end, first.value)),
                                            "ease": _ease_at(keys, end)}))
    return sorted_keys(out)


def _ease_at(keys, frame) -> str:
    frames = [k.frame for k in keys]
    i = bisect_right(frames, frame) - 1
    return keys[i].ease if i >= 0 else "linear"
