"""SMPTE timecode for positions on the timeline: frame numbers <-> "HH:MM:SS:FF" through OpenTimelineIO.

At 29.97 and 59.94 fps the timecode is drop-frame ("01:00:00;00" is one hour of 29.97 video, 107,892 frames; counted
without drop-frame it would read 00:59:56:12). 23.976 is non-drop by the standard. Rates SMPTE has no timecode for
(10, 12, 15, 120 fps...) count plain HH:MM:SS:FF with as many frames in a second as the rate rounded up.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

_PLAIN = re.compile(r"^\s*(\d+):(\d{1,2}):(\d{1,2})[:;.](\d+)\s*$")


def _smpte(rate) -> float | None:
    from opentimelineio.opentime import RationalTime

    r = float(rate)
    return r if RationalTime.is_smpte_timecode_rate(r) else None


def timecode(frame: int, rate) -> str:
    """The timecode of a frame number at a rate (Fraction, int or float): "01:00:00;00" at 29.97 for 107892."""
    frame = int(frame)
    if frame < 0:
        return "-" + timecode(-frame, rate)
    r = _smpte(rate)
    if r is not None:
        from opentimelineio.opentime import RationalTime

        return RationalTime(frame, r).to_timecode(r)
    fps = max(1, math.ceil(Fraction(rate) - Fraction(1, 1000)))
    s, f = divmod(frame, fps)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"


def parse_timecode(text: str, rate) -> int:
    """The frame number of a timecode ("HH:MM:SS:FF", ";" before the frames for drop-frame) or of a plain frame
    count ("120"). Raises ValueError with a message a person can act on."""
    text = str(text).strip()
    if text.isdigit():
        return int(text)
    m = _PLAIN.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a timecode like 00:01:02:03 (or a frame number)")
    h, mi, s, f = (int(x) for x in m.groups())
    r = _smpte(rate)
    limit = math.ceil(Fraction(rate) - Fraction(1, 1000)) if r is None else round(r)
    if mi > 59 or s > 59 or f >= limit:
        raise ValueError(f"{text!r} is not a timecode at {float(rate):g} fps (minutes and seconds go to 59, frames "
                         f"to {limit - 1})")
    if r is None:
        return ((h * 60 + mi) * 60 + s) * limit + f
    from opentimelineio.opentime import RationalTime

    try:
        return round(RationalTime.from_timecode(text, r).value)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a timecode at {float(rate):g} fps ({exc})") from None
