"""Keyframes drawn as diamonds along the bottom of a clip in the timeline (one per keyed frame, whatever property;
speed keys in orange), so a user sees where a clip's move, colour or speed changes; and the gestures on them:
drag a diamond to move its keys in time (one undo step on release, snapping to the playhead), click to select it
(Delete removes it), right-click for remove / ease, double-click to bring the playhead to it. Hit-testing and the
edits are plain Python in editor/ui/key_edit.py; TimelineView hands its mouse and key events here first.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QPen, QPolygonF
from PySide6.QtWidgets import QMenu, QToolTip

from editor.timeline.model import EASES
from editor.ui import key_edit
from editor.ui.key_edit import SIZE, KeyHit, key_frames  # noqa: F401  (key_frames: re-exported)

KEY_COLOUR = QColor(250, 250, 250)
SPEED_COLOUR = QColor(255, 170, 60)
SELECTED_COLOUR = QColor(255, 210, 40)
DRAG_START_PX = 3


def _diamond(p, x: float, y: float, size: float = SIZE) -> None:
    p.drawPolygon(QPolygonF([QPointF(x, y - size), QPointF(x + size, y), QPointF(x, y + size), QPointF(x - size, y)]))


def paint_key_diamonds(p, clip, rect, px_per_frame: float, size: float = SIZE) -> None:
    """Diamonds at the clip's keyed frames inside its rectangle (nothing when they would crowd: < 3 px apart)."""
    frames = key_frames(clip)
    if not frames or px_per_frame * min(clip.duration, 1) <= 0 or rect.height() < key_edit.MIN_ROW_PX:
        return
    p.save()
    p.setPen(QColor(0, 0, 0, 160))
    last = None
    for f in sorted(frames):
        x, y = key_edit.diamond_xy(rect.left(), rect.bottom(), f, px_per_frame)
        if x > rect.right() or (last is not None and x - last < 3):
            continue
        last = x
        p.setBrush(SPEED_COLOUR if frames[f] else KEY_COLOUR)
        _diamond(p, x, y, size)
    p.restore()


class KeyGestures:
    """Mouse and keys on the diamonds of a TimelineView. `selected` is the clicked diamond (Delete removes it)."""

    def __init__(self, view):
        self.view = view
        self.selected: KeyHit | None = None
        self.grab: KeyHit | None = None
        self.origin_x = 0.0
        self.target: int | None = None  # clip frame the grabbed keys would land on now
        self.moved = False
        self._tip = False  # a diamond's tooltip is showing

    @property
    def doc(self):
        return self.view.doc

    def _clip(self, clip_id):
        t = self.doc.project.track_of(clip_id)
        return None if t is None else t.clip(clip_id)

    def _valid(self, hit: KeyHit | None) -> bool:
        clip = self._clip(hit.clip_id) if hit is not None else None
        return clip is not None and hit.frame in key_frames(clip)

    def hit(self, pos) -> KeyHit | None:
        return key_edit.diamond_at(self.view.geo, self.doc.project, pos.x(), pos.y())

    # -- mouse -------------------------------------------------------------------------------------------------
    def press(self, e) -> bool:
        h = self.hit(e.position())
        if h is None:
            return False
        track = self.doc.project.track_of(h.clip_id)
        if track is not None and track.lock:
            return False
        self.selected = h
        if h.clip_id not in self.doc.selection:
            self.doc.select([h.clip_id])
        if e.button() == Qt.RightButton:
            self._menu(h, e.globalPosition().toPoint())
        elif e.button() == Qt.LeftButton:
            self.grab, self.origin_x, self.target, self.moved = h, e.position().x(), h.frame, False
        self.view.update()
        return True

    def move(self, e) -> bool:
        if self.grab is None:
            return self._hover(e)
        self._follow(e.position().x())
        return True

    def _hover(self, e) -> bool:
        """Over a diamond (no other gesture going on): a sideways cursor and what the diamond keys."""
        v = self.view
        if v.drag is not None or v.volume.grab is not None:
            return False
        h = self.hit(e.position())
        if h is None:
            if self._tip:
                QToolTip.hideText()
                self._tip = False
            return False
        v.setCursor(Qt.SizeHorCursor)
        QToolTip.showText(e.globalPosition().toPoint(), key_edit.describe(self._clip(h.clip_id), h.frame), v)
        self._tip = True
        return True

    def _follow(self, x: float) -> None:
        """The grabbed keys' landing frame for the mouse at x (after a few pixels of travel: a click stays put)."""
        if not self.moved and abs(x - self.origin_x) < DRAG_START_PX:
            return
        self.moved = True
        clip = self._clip(self.grab.clip_id)
        if clip is None:
            self.target = None
            return
        geo = self.view.geo
        wanted = self.grab.frame + int(round((x - self.origin_x) / geo.px_per_frame))
        snap = geo.snap_px / geo.px_per_frame if self.view.snapping else 0.0
        self.target = key_edit.drag_frame(clip, self.grab.frame, wanted, self.doc.playhead, snap)
        self.view.update()

    def release(self, e) -> bool:
        if self.grab is None:
            return False
        self._follow(e.position().x())
        g, to, self.grab = self.grab, self.target, None
        if self.moved and to is not None and to != g.frame:
            if self.doc.apply("Move keyframe", key_edit.move_keys, g.clip_id, g.frame, to):
                self.selected = KeyHit(g.clip_id, to)
        self.target = None
        self.view.update()
        return True

    def cancel(self) -> bool:
        if self.grab is None:
            return False
        self.grab = self.target = None
        self.view.update()
        return True

    def double_click(self, e) -> bool:
        h = self.hit(e.position())
        if h is None:
            return False
        clip = self._clip(h.clip_id)
        self.doc.set_playhead(clip.start + h.frame)
        return True

    # -- keys --------------------------------------------------------------------------------------------------
    def remove_selected(self) -> bool:
        h, self.selected = self.selected, None
        if not self._valid(h):
            return False
        self.doc.apply("Remove keyframe", key_edit.remove_keys, h.clip_id, h.frame)
        self.view.update()
        return True

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape and self.cancel():
            return True
        if e.key() in (Qt.Key_Delete, Qt.Key_Backspace) and not e.modifiers() & Qt.ShiftModifier:
            return self.remove_selected()
        return False

    def shortcut_override(self, e) -> bool:
        """Delete with a diamond selected removes the key, not the clip (the window's Delete action)."""
        if e.type() != QEvent.ShortcutOverride:
            return False
        if (e.key() in (Qt.Key_Delete, Qt.Key_Backspace) and not e.modifiers() & Qt.ShiftModifier
                and self._valid(self.selected)) or (e.key() == Qt.Key_Escape and self.grab is not None):
            e.accept()
            return True
        return False

    def _menu(self, h: KeyHit, gpos) -> None:
        m = QMenu(self.view)
        m.addAction("Remove keyframe", lambda: self.doc.apply("Remove keyframe", key_edit.remove_keys, h.clip_id,
                                                              h.frame))
        m.addAction("Go to keyframe", lambda: self.doc.set_playhead(self._clip(h.clip_id).start + h.frame))
        ease = m.addMenu("Ease")
        for name in EASES:
            ease.addAction(name, lambda n=name: self.doc.apply("Keyframe ease", key_edit.set_ease, h.clip_id,
                                                               h.frame, n))
        m.exec(gpos)

    # -- paint: the selected diamond, and where a dragged one lands ---------------------------------------------
    def paint(self, p) -> None:
        marks = []
        if self.grab is not None and self.moved and self.target is not None:
            marks.append((self.grab.clip_id, self.target, True))
        elif self._valid(self.selected):
            marks.append((self.selected.clip_id, self.selected.frame, False))
        geo, project = self.view.geo, self.doc.project
        for clip_id, frame, dragging in marks:
            track = project.track_of(clip_id)
            row = geo.row_of(project, track.id) if track is not None else None
            if row is None:
                continue
            r = geo.clip_rect(track.clip(clip_id), row)
            x, y = key_edit.diamond_xy(r.x, r.y + int(r.h), frame, geo.px_per_frame)
            p.save()
            p.setRenderHint(p.RenderHint.Antialiasing)
            if dragging:
                p.setPen(QPen(SELECTED_COLOUR, 1, Qt.DashLine))
                p.drawLine(QPointF(x, r.y), QPointF(x, r.y + r.h))
            p.setPen(QPen(QColor(0, 0, 0), 1))
            p.setBrush(SELECTED_COLOUR)
            _diamond(p, x, y, SIZE + 1)
            p.restore()
