"""Keyframes drawn as diamonds along the bottom of a clip in the timeline (one per keyed frame, whatever property;
speed keys in orange), so a user sees where a clip's move, colour or speed changes."""
from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPolygonF

KEY_COLOUR = QColor(250, 250, 250)
SPEED_COLOUR = QColor(255, 170, 60)


def key_frames(clip) -> dict[int, bool]:
    """Keyed clip frames -> whether a speed key is among them."""
    out: dict[int, bool] = {}
    for prop, keys in (clip.keyframes or {}).items():
        for k in keys:
            out[k.frame] = out.get(k.frame, False) or prop == "speed"
    return out


def paint_key_diamonds(p, clip, rect, px_per_frame: float, size: float = 4.0) -> None:
    """Diamonds at the clip's keyed frames inside its rectangle (nothing when they would crowd: < 3 px apart)."""
    frames = key_frames(clip)
    if not frames or px_per_frame * min(clip.duration, 1) <= 0 or rect.height() < 14:
        return
    y = rect.bottom() - size - 2
    p.save()
    p.setPen(QColor(0, 0, 0, 160))
    last = None
    for f in sorted(frames):
        x = rect.left() + (f + 0.5) * px_per_frame
        if x > rect.right() or (last is not None and x - last < 3):
            continue
        last = x
        p.setBrush(SPEED_COLOUR if frames[f] else KEY_COLOUR)
        p.drawPolygon(QPolygonF([QPointF(x, y - size), QPointF(x + size, y), QPointF(x, y + size),
                                 QPointF(x - size, y)]))
    p.restore()
