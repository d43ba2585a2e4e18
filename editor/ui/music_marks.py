"""Music drawn on the timeline's audio clips, and the gestures on it: beat ticks (long ones on the bar), the volume
line (rubber band) with its keys, and the fade handles at the clip's top corners. Geometry is plain Python here so
tests can check it without painting; TimelineView calls `paint` from _paint_clip and hands mouse events to
`VolumeGestures` first."""
from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen, QPolygonF

from editor.timeline.keyframes import values
from editor.timeline.music_edits import clip_beats

LINE_COLOUR = QColor(255, 220, 90)
BEAT_COLOUR = QColor(255, 255, 255, 110)
BAR_COLOUR = QColor(255, 255, 255, 200)
FADE_COLOUR = QColor(0, 0, 0, 90)
TOP_DB, BOTTOM_DB = 6.0, -40.0  # the volume line spans +6 dB (top) to -40 dB (bottom) of the clip's height
GRAB_PX = 6


def gain_to_y(gain: float, rect: QRectF) -> float:
    db = 20 * math.log10(max(gain, 1e-4))
    t = (TOP_DB - max(BOTTOM_DB, min(TOP_DB, db))) / (TOP_DB - BOTTOM_DB)
    return rect.top() + 14 + t * (rect.height() - 18)


def y_to_gain(y: float, rect: QRectF) -> float:
    t = (y - rect.top() - 14) / max(1.0, rect.height() - 18)
    db = TOP_DB - max(0.0, min(1.0, t)) * (TOP_DB - BOTTOM_DB)
    return 0.0 if db <= BOTTOM_DB + 0.01 else min(4.0, 10 ** (db / 20))


def volume_at(clip, frame: int) -> float:
    keys = clip.keyframes.get("volume") if clip.keyframes else None
    return float(values(keys, [frame], clip.volume)[0]) if keys else clip.volume


def cache_key(project, track, clip):
    """What of a clip's music marks can change its picture (the painter caches clips by key)."""
    if track.kind != "audio":
        return None
    asset = project.assets.get(clip.asset_id) if clip.asset_id else None
    keys = clip.keyframes.get("volume") if clip.keyframes else None
    return (clip.volume, tuple((k.frame, k.value) for k in keys) if keys else None,
            hash(asset.rhythm.beats) if asset is not None and asset.rhythm is not None else None, clip.source_in)


def paint(p, project, track, clip, rect: QRectF, px_per_frame: float) -> None:
    """Beat ticks on a music clip; fades and the volume line on every audio clip."""
    if track.kind != "audio" or rect.height() < 18 or rect.width() < 6:
        return
    p.save()
    p.setClipRect(rect)
    x_of = lambda f: rect.left() + (f - clip.start) * px_per_frame  # noqa: E731
    if px_per_frame * 2 > 1:
        bars = set(clip_beats(project, clip, "downbeats"))
        for f in clip_beats(project, clip):
            x = x_of(f)
            p.setPen(QPen(BAR_COLOUR if f in bars else BEAT_COLOUR, 1))
            p.drawLine(QPointF(x, rect.top() + 12), QPointF(x, rect.top() + (22 if f in bars else 17)))
    top, bot = rect.top() + 14, rect.bottom()
    if clip.fade_in:  # the faded corner darkened, with a handle at the fade's end
        x = x_of(clip.start + clip.fade_in)
        p.setBrush(FADE_COLOUR)
        p.setPen(Qt.NoPen)
        p.drawPolygon(QPolygonF([QPointF(rect.left(), top), QPointF(x, top), QPointF(rect.left(), bot)]))
    if clip.fade_out:
        x = x_of(clip.end - clip.fade_out)
        p.setBrush(FADE_COLOUR)
        p.setPen(Qt.NoPen)
        p.drawPolygon(QPolygonF([QPointF(x, top), QPointF(rect.right(), top), QPointF(rect.right(), bot)]))
    p.setBrush(QColor(255, 255, 255))
    p.setPen(QColor(0, 0, 0, 160))
    for f in (clip.start + clip.fade_in, clip.end - clip.fade_out):
        p.drawRect(QRectF(x_of(f) - 3, top - 3, 6, 6))  # fade handles
    step = max(1, int(2 / max(px_per_frame, 1e-6)))  # a point every 2 px
    frames = list(range(0, clip.duration, step)) + [clip.duration - 1]
    keys = clip.keyframes.get("volume") if clip.keyframes else None
    gains = values(keys, frames, clip.volume) if keys else [clip.volume] * len(frames)
    line = QPolygonF([QPointF(x_of(clip.start + f), gain_to_y(g, rect)) for f, g in zip(frames, gains)])
    p.setPen(QPen(LINE_COLOUR, 1.5))
    p.setBrush(Qt.NoBrush)
    p.drawPolyline(line)
    p.setBrush(LINE_COLOUR)
    for k in keys or ():
        pt = QPointF(x_of(clip.start + k.frame), gain_to_y(k.value, rect))
        p.drawEllipse(pt, 3, 3)
    p.restore()


@dataclass
class Grab:
    kind: str  # fade-in | fade-out | key
    clip_id: str
    rect: QRectF
    frame: int = 0  # the key's clip frame (key)
    value: float = 1.0


class VolumeGestures:
    """Dragging fade handles and the volume line of audio clips (each drag is one undoable edit on release)."""

    def __init__(self, view):
        self.view = view
        self.grab: Grab | None = None

    def _clip_under(self, pos):
        for row in self.view.rows():
            t = row.track
            if t.kind != "audio" or not row.top <= pos.y() < row.top + row.height:
                continue
            c = t.clip_at(self.view.frame_at(pos.x()))
            if c is not None:
                g = self.view.geo.clip_rect(c, row)
                r = QRectF(g.x, g.y, g.w, g.h)
                if r.contains(QPointF(pos)):
                    return t, c, r
        return None, None, None

    def press(self, pos) -> bool:
        track, clip, r = self._clip_under(pos)
        if clip is None:
            return False
        ppf = self.view.px_per_frame
        x_of = lambda f: r.left() + (f - clip.start) * ppf  # noqa: E731
        top = r.top() + 14
        for kind, f in (("fade-in", clip.start + clip.fade_in), ("fade-out", clip.end - clip.fade_out)):
            if abs(pos.x() - x_of(f)) <= GRAB_PX and abs(pos.y() - top) <= GRAB_PX:
                self.grab = Grab(kind, clip.id, r)
                return True
        frame = max(0, min(clip.duration - 1, round((pos.x() - r.left()) / ppf)))
        g = volume_at(clip, frame)
        if abs(pos.y() - gain_to_y(g, r)) <= GRAB_PX and r.left() + 8 < pos.x() < r.right() - 8:
            keys = clip.keyframes.get("volume", ()) if clip.keyframes else ()
            near = [k for k in keys if abs(x_of(clip.start + k.frame) - pos.x()) <= GRAB_PX]
            if near:
                frame = near[0].frame
            self.grab = Grab("key", clip.id, r, frame, g)
            return True
        return False

    def move(self, pos) -> bool:
        if self.grab is None:
            return False
        g = self.grab
        if g.kind == "key":
            g.value = y_to_gain(pos.y(), g.rect)
        else:
            _, clip = self.view.doc.project.find_clip(g.clip_id)
            f = round((pos.x() - g.rect.left()) / self.view.px_per_frame)
            g.frame = max(0, min(clip.duration, f if g.kind == "fade-in" else clip.duration - f))
        self.view.update()
        return True

    def release(self, pos) -> bool:
        g, self.grab = self.grab, None
        if g is None:
            return False
        from editor.timeline import edits

        doc = self.view.doc
        if g.kind == "key":
            doc.apply("Volume key", edits.set_keyframe, g.clip_id, "volume", g.frame, round(g.value, 4))
        else:
            _, clip = doc.project.find_clip(g.clip_id)
            f = round((pos.x() - g.rect.left()) / self.view.px_per_frame)
            frames = max(0, min(clip.duration, f if g.kind == "fade-in" else clip.duration - f))
            name = "fade_in" if g.kind == "fade-in" else "fade_out"
            doc.apply("Fade " + ("in" if name == "fade_in" else "out"), edits.set_clip_property, g.clip_id, name,
                      frames)
        return True
