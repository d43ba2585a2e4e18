"""Speed changes: which source time a retimed clip shows at each of its frames.

One source of truth, in OpenTimelineIO's vocabulary: a clip's `effects` carry its speed — `LinearTimeWarp`
(time_scalar 0.1..16, negative = reverse; several multiply) and `FreezeFrame` (the in point held for the clip's whole
length). A speed ramp is `keyframes["speed"]` (magnitudes 0.1..16): while it has keys it gives the speed and the warp
gives only the direction (edits keep such a warp at +-1, see motion_edits.set_speed_ramp).

Record frame k (from the clip's first frame) shows the source position
    source_in + direction * ratio * integral_0^k speed(t) dt          (ratio = media rate / project rate)
so a constant warp s shows source_in + k * s * ratio: 2x skips every other frame, 0.5x shows each twice, -1 starts on
the in point and plays backwards from it (EDL convention), a freeze frame holds the in point. A ramp integrates its
keyframed curve exactly (linear and eased segments have closed-form integrals). The whole frame shown is the nearest
one not after the position (floor, towards the in point when reversed); the fractional part is what slow-motion
interpolation uses.
"""
from __future__ import annotations

import math

import numpy as np


WARP, FREEZE = "LinearTimeWarp", "FreezeFrame"
MIN_SPEED, MAX_SPEED = 0.1, 16.0
_EPS = 1e-3  # as Project.source_frame: a position a thousandth below a whole frame counts as that frame


class Warp:
    """A clip's speed in one object: scalar (signed, 1 = normal), frozen, and the ramp keys (or ())."""
    __slots__ = ("scalar", "frozen", "keys")

    def __init__(self, scalar: float = 1.0, frozen: bool = False, keys=()):
        self.scalar, self.frozen, self.keys = scalar, frozen, tuple(keys)

    @property
    def direction(self) -> int:
        return -1 if self.scalar < 0 else 1

    @property
    def identity(self) -> bool:
        return not self.frozen and not self.keys and self.scalar == 1.0

    def speed_at(self, k):
        """Speed magnitude at clip frame k (number or array)."""
        if self.frozen:
            return k * 0.0
        if self.keys:
            from editor.timeline.keyframes import values

            return values(self.keys, np.asarray(k, np.float64), 1.0) if isinstance(k, np.ndarray) else float(
                values(self.keys, np.array([k], np.float64), 1.0)[0])
        return abs(self.scalar) + k * 0.0

    def offset(self, k):
        """Signed source offset (in record frames of travel, before the rate ratio) at clip frame k (>= or < 0)."""
        if self.frozen:
            return k * 0.0
        if self.keys:
            return self.direction * integral(self.keys, k)
        return self.scalar * k


def warp_of(clip) -> Warp:
    """The clip's speed from its effects and ramp keys."""
    scalar, frozen = 1.0, False
    for e in clip.effects:
        if e.kind == FREEZE:
            frozen = True
        elif e.kind == WARP and e.time_scalar is not None:
            if e.time_scalar == 0:
                frozen = True
            else:
                scalar *= e.time_scalar
    keys = clip.keyframes.get("speed", ()) if clip.keyframes else ()
    return Warp(scalar, frozen, keys)


def is_retimed(clip) -> bool:
    return bool(clip.effects or (clip.keyframes and clip.keyframes.get("speed"))) and not warp_of(clip).identity


# -- exact integral of a keyframed curve ---------------------------------------------------------------------------
def _ease_area(kind: str, u):
    """integral_0^u ease(kind, s) ds."""
    if kind == "ease-in":
        return u ** 4 / 4
    if kind == "ease-out":
        return u + ((1 - u) ** 4 - 1) / 4
    if kind == "ease-in-out":
        return u ** 3 - u ** 4 / 2
    if kind == "hold":
        return u * 0
    return u * u / 2


def integral(keys, k):
    """integral_0^k of the keyframed value (the first value holds before the first key, the last after the last).
    k may be a number or an array; negative k integrates backwards (the clip's head was extended)."""
    scalar = not isinstance(k, np.ndarray)
    x = np.atleast_1d(np.asarray(k, np.float64))
    frames = np.array([key.frame for key in keys], np.float64)
    vals = np.array([key.value for key in keys], np.float64)
    # cumulative area at each key from frame 0 = F(key) - F(0), with F the antiderivative from -inf-ish
    out = _antiderivative(keys, frames, vals, x) - _antiderivative(keys, frames, vals, np.zeros(1))[0]
    return float(out[0]) if scalar else out


def _antiderivative(keys, frames, vals, x):
    """F(x) with F(frames[0]) = 0: area under the curve from the first key to x (negative before it)."""
    out = np.empty_like(x)
    before = x <= frames[0]
    out[before] = (x[before] - frames[0]) * vals[0]
    seg_area = np.zeros(len(keys))
    for j in range(len(keys) - 1):
        d = frames[j + 1] - frames[j]
        seg_area[j + 1] = seg_area[j] + d * (vals[j] + (vals[j + 1] - vals[j]) * _ease_area(keys[j].ease, 1.0))
    idx = np.clip(np.searchsorted(frames, x, side="right") - 1, 0, len(keys) - 1)
    for j in range(len(keys)):
        sel = (~before) & (idx == j)
        if not sel.any():
            continue
        if j == len(keys) - 1:
            out[sel] = seg_area[j] + (x[sel] - frames[j]) * vals[j]
        else:
            d = frames[j + 1] - frames[j]
            u = (x[sel] - frames[j]) / d
            out[sel] = seg_area[j] + d * (vals[j] * u + (vals[j + 1] - vals[j]) * _ease_area(keys[j].ease, u))
    return out


# -- record frame -> source frame ------------------------------------------------------------------------------------
def source_position(project, clip, frame):
    """Fractional source frame a retimed clip shows at project frame `frame` (number or array)."""
    a, p = project.assets[clip.asset_id].rate, project.settings.rate
    ratio = float(a / p)
    k = frame - clip.start
    return clip.source_in + warp_of(clip).offset(k) * ratio


def whole_frame(position: float, source_in: int) -> int:
    """The whole source frame shown for a fractional position: floor, towards the in point when reversed."""
    off = position - source_in
    if off >= 0:
        return source_in + math.floor(off + _EPS)
    return source_in - math.floor(-off + _EPS)


def source_frame(project, clip, frame: int) -> int:
    return whole_frame(source_position(project, clip, frame), clip.source_in)


def max_duration(project, clip) -> int | None:
    """Longest this retimed clip can be (project frames) inside its media; None if unbounded."""
    asset = project.assets[clip.asset_id]
    w = warp_of(clip)
    if asset.frames is None or w.frozen:
        return None
    ratio = float(asset.rate / project.settings.rate)
    if w.direction > 0:  # the source range [in, in + offset(d)) must lie in the media
        room = asset.frames - clip.source_in + _EPS

        def fits(d):
            return w.offset(d) * ratio <= room
    else:  # the last frame shown, in - offset(d - 1), must be frame 0 or later
        def fits(d):
            return whole_frame(clip.source_in + w.offset(d - 1) * ratio, clip.source_in) >= 0
    if not w.keys:
        s = abs(w.scalar) * ratio
        guess = (asset.frames - clip.source_in) / s if w.direction > 0 else clip.source_in / s + 1
        lo = max(0, int(guess) - 2)
        while fits(lo + 1):
            lo += 1
        while lo > 0 and not fits(lo):
            lo -= 1
        return lo
    lo, hi = 0, 1
    while fits(hi):  # the slowest ramp (0.1x) of a 24 h file stays far inside 2^40 frames
        lo, hi = hi, hi * 2
        if hi > 1 << 40:
            return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def mean_speed(clip, duration: int | None = None) -> float:
    """Average signed speed over the clip (what one LinearTimeWarp would carry to another editor)."""
    w = warp_of(clip)
    d = clip.duration if duration is None else duration
    return float(w.offset(d) / d) if d else w.scalar
