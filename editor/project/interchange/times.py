"""Exact time for interchange: OTIO's float rates and values become Fractions of a second, rounded to frames once.

OTIO stores 29.97 fps as the float 29.97002997... (or, written by hand or by an EDL reader, as 29.97). Both mean
30000/1001. Positions are summed as exact seconds and turned into frames at the very end, to the NEAREST frame: a clip
after a 150-frame 25 fps clip on a 29.97 timeline starts at 179.82 -> 180, never 179.
"""
from __future__ import annotations

import math
from fractions import Fraction

from editor.timeline.model import MAX_RATE

MAX_SECONDS = 86_400 * 10  # anything further from zero than this is not a position in an edit


class TimeError(ValueError):
    """A time value in an interchange file that is not a usable number."""


def exact_rate(rate) -> Fraction:
    """The exact rate a float rate stands for: NTSC rates (29.97 -> 30000/1001), else a close simple fraction."""
    try:
        r = float(rate)
    except (TypeError, ValueError, OverflowError):
        raise TimeError(f"frame rate {rate!r} is not a number") from None
    if not math.isfinite(r) or r <= 0 or r > MAX_RATE:
        raise TimeError(f"frame rate {rate!r} is not between 0 and {MAX_RATE}")
    whole = round(r)
    if whole and abs(r - whole) < 1e-6 * whole:
        return Fraction(whole)
    ntsc = round(r * 1.001)
    if ntsc and abs(r - ntsc * 1000 / 1001) < 5e-4 * r:
        return Fraction(ntsc * 1000, 1001)
    return Fraction(r).limit_denominator(1001)


def seconds(rt) -> Fraction:
    """A RationalTime as exact seconds."""
    v = float(rt.value)
    if not math.isfinite(v):
        raise TimeError(f"time value {v} is not a finite number")
    s = Fraction(v) / exact_rate(rt.rate)
    if abs(s) > MAX_SECONDS:
        raise TimeError(f"time {float(s):.0f} s is out of range")
    return s


def nearest_frame(secs: Fraction, rate: Fraction) -> int:
    """The frame nearest to a time (halves round up, so a cut never moves backwards)."""
    return math.floor(secs * rate + Fraction(1, 2))


def rational(frames, rate: Fraction):
    """An OTIO RationalTime for frames (int or Fraction) at an exact rate."""
    from opentimelineio.opentime import RationalTime

    return RationalTime(float(frames), float(rate))
