"""Words and numbers as a person making a video reads them (no Qt): timecode, lengths, fades in seconds."""
from __future__ import annotations

from editor.timecode import timecode  # noqa: F401  (SMPTE, drop-frame at 29.97/59.94; always with hours)


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
