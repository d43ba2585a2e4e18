"""Words and numbers as a person making a video reads them (no Qt): timecode, lengths, fades in seconds."""
from __future__ import annotations

try:  # the interchange work adds a drop-frame aware editor/timecode.py; use it once it is there
    from editor.timecode import timecode as _shared_timecode  # type: ignore
except Exception:  # pragma: no cover - until then (or if it cannot be read)
    _shared_timecode = None


def timecode(frame: int, rate) -> str:
    """HH:MM:SS:FF, always with hours: a short "00:04:00" reads as four minutes to most people, not four seconds."""
    if _shared_timecode is not None:
        return _shared_timecode(frame, rate)
    fps = max(1, round(float(rate)))
    s, f = divmod(int(frame), fps)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"


def short_duration(frames: int, rate) -> str:
    """A length as people say it: "4.0 s", "1:23", "1:02:03" (the bin; timecode is for positions)."""
    secs = frames / float(rate)
    if secs < 59.95:
        return f"{secs:.1f} s"
    s = int(round(secs))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def seconds(frames: int, rate) -> float:
    return frames / float(rate)


def frames_of(secs: float, rate) -> int:
    return max(0, int(round(secs * float(rate))))


def rate_label(rate) -> str:
    r = float(rate)
    return f"{r:.3f}".rstrip("0").rstrip(".") + " fps"


def playback_summary(shown: int, dropped: int) -> str:
    """What the status bar says when playback stops."""
    if shown + dropped == 0:
        return "Stopped"
    if dropped > max(2, (shown + dropped) // 10):
        return ("Stopped. Playback was jerky: try View > Preview Scale > 1/4, or let the edit copies "
                "(proxies) finish")
    return "Stopped"
