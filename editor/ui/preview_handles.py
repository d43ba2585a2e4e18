"""Handles on the preview for the selected picture clip: drag the body to move it, a corner to scale it (aspect kept),
the knob above it to turn it. The picture follows the mouse live (the preview renders a scratch project); the
release makes ONE undo step; Esc cancels. Snapping to the frame's edges and centre lines (a guide line shows it);
Alt or Ctrl held turns snapping off; Shift while turning steps by 15 degrees. The maths is in picture_handles.py.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen, QPolygonF

from editor.timeline.model import EditError
from editor.ui import picture_handles as ph

OUTLINE = QColor(80, 170, 255)
GUIDE = QColor(255, 80, 200)
CURSORS = {"body": Qt.SizeAllCursor, "rotate": Qt.CrossCursor, "corner0": Qt.SizeFDiagCursor,
           "corner1": Qt.SizeBDiagCursor, "corner2": Qt.SizeFDiagCursor, "corner3": Qt.SizeBDiagCursor}


class PreviewHandles:
    """Owned by the PreviewWidget, which hands it its mouse and key events first."""

    def __init__(self, preview):
        self.preview = preview
        self.drag: ph.Drag | None = None
        self.values: dict | None = None  # the values the picture has now while dragging

    @property
    def doc(self):
        return self.preview.doc

    def view(self) -> ph.View:
        s = self.doc.project.settings
        return ph.View.fit(self.preview.width(), self.preview.height(), s.width, s.height)

    def picture(self) -> ph.Picture | None:
        """The selected picture clip under the playhead (the topmost when several are selected), not locked."""
        project, frame = self.doc.project, self.doc.playhead
        for track in reversed(project.video_tracks()):  # top down
            clip = track.clip_at(frame)
            if clip is not None and clip.id in self.doc.selection and not track.lock:
                pic = ph.picture_of(project, clip, frame)
                if pic is not None:
                    return pic
        return None

    def picture_under(self, sx: float, sy: float) -> ph.Picture | None:
        """The topmost picture at the playhead under a screen point (a click there selects it)."""
        project, frame = self.doc.project, self.doc.playhead
        view = self.view()
        for track in reversed(project.video_tracks()):
            clip = track.clip_at(frame)
            if clip is None or track.lock or track.mute:
                continue
            pic = ph.picture_of(project, clip, frame)
            if pic is not None and ph.hit(pic, view, sx, sy) == "body":
                return pic
        return None

    # -- mouse -------------------------------------------------------------------------------------------------
    @staticmethod
    def _snapping(e) -> bool:
        return not e.modifiers() & (Qt.AltModifier | Qt.ControlModifier)

    def press(self, e) -> bool:
        if e.button() != Qt.LeftButton or self.preview.playing:
            return False
        view = self.view()
        pos = e.position()
        pic = self.picture()
        kind = ph.hit(pic, view, pos.x(), pos.y()) if pic is not None else None
        if kind is None:  # not on the selected picture's handles: a press on another picture selects it
            pic = self.picture_under(pos.x(), pos.y())
            if pic is None:
                return False
            self.doc.select([pic.clip_id])
            kind = "body"
        self.drag = ph.Drag(kind, view.to_frame(pos.x(), pos.y()), pic)
        self.values = self.drag.values0
        return True

    def move(self, e) -> bool:
        pos = e.position()
        if self.drag is None:
            pic = None if self.preview.playing else self.picture()
            kind = ph.hit(pic, self.view(), pos.x(), pos.y()) if pic is not None else None
            self.preview.setCursor(CURSORS.get(kind, Qt.ArrowCursor))
            return False
        view = self.view()
        self.values = ph.drag_to(self.drag, view.to_frame(pos.x(), pos.y()), view, self._snapping(e),
                                 fine_angle=bool(e.modifiers() & Qt.ShiftModifier))
        self._show_live()
        return True

    def release(self, e) -> bool:
        if self.drag is None:
            return False
        if e.button() != Qt.LeftButton:
            return True
        view = self.view()
        pos = e.position()
        values = ph.drag_to(self.drag, view.to_frame(pos.x(), pos.y()), view, self._snapping(e),
                            fine_angle=bool(e.modifiers() & Qt.ShiftModifier))
        drag, self.drag = self.drag, None
        change = ph.changed(drag, values)
        if change:  # the edit first, then the scratch project goes: the preview never flicks back to the old place
            label = {"body": "Move picture", "rotate": "Rotate picture"}.get(drag.kind, "Scale picture")
            self.doc.apply(label, ph.set_at, drag.pic.clip_id, drag.pic.k, change)
        self._end()
        return True

    def cancel(self) -> bool:
        """Esc: the drag ends without an edit, the picture goes back."""
        if self.drag is None:
            return False
        self._end()
        return True

    def key(self, e) -> bool:
        return e.key() == Qt.Key_Escape and self.cancel()

    def shortcut_override(self, e) -> bool:
        """While dragging, Esc belongs to the drag (not to a window shortcut)."""
        if e.type() == QEvent.ShortcutOverride and self.drag is not None and e.key() == Qt.Key_Escape:
            e.accept()
            return True
        return False

    def _end(self) -> None:
        self.drag = None
        self.values = None
        self.preview.show_scratch(None)

    def _show_live(self) -> None:
        """The preview renders a scratch project with the picture where the mouse has it (no undo step)."""
        d = self.drag
        change = ph.changed(d, self.values)
        try:
            scratch = ph.set_at(self.doc.project, d.pic.clip_id, d.pic.k, change) if change else None
        except (EditError, ValueError):  # a value the edit refuses (it will say so on release): show the last good one
            return
        self.preview.show_scratch(scratch)

    # -- paint -------------------------------------------------------------------------------------------------
    def paint(self, p) -> None:
        pic = None if self.preview.playing else self.picture()
        if pic is None:
            return
        if self.drag is not None and self.values is not None:  # the outline where the picture goes
            project = self.preview.server.override or self.doc.project
            clip = project.find_clip(pic.clip_id)[1]
            pic = ph.picture_of(project, clip, self.doc.playhead) or pic
        view = self.view()
        pts = [QPointF(*view.to_screen(c)) for c in pic.quad]
        p.save()
        p.setRenderHint(p.RenderHint.Antialiasing)
        if self.drag is not None:
            p.setPen(QPen(GUIDE, 1, Qt.DashLine))
            for axis, at in self.drag.guides:
                if axis == "v":
                    x = view.to_screen((at, 0))[0]
                    p.drawLine(QPointF(x, view.top), QPointF(x, view.top + pic.H * view.k))
                else:
                    y = view.to_screen((0, at))[1]
                    p.drawLine(QPointF(view.left, y), QPointF(view.left + pic.W * view.k, y))
        p.setPen(QPen(QColor(0, 0, 0, 140), 3))
        p.setBrush(Qt.NoBrush)
        p.drawPolygon(QPolygonF(pts))
        p.setPen(QPen(OUTLINE, 1.5))
        p.drawPolygon(QPolygonF(pts))
        top_mid = (pts[0] + pts[1]) / 2
        knob = QPointF(*view.to_screen(pic.knob(view)))
        p.drawLine(top_mid, knob)
        p.setPen(QPen(QColor(0, 0, 0, 160), 1))
        p.setBrush(QColor(255, 255, 255))
        s = ph.HANDLE_PX
        for c in pts:
            p.drawRect(QRectF(c.x() - s / 2 - 1, c.y() - s / 2 - 1, s + 2, s + 2))
        p.setBrush(OUTLINE)
        p.drawEllipse(knob, s / 2 + 1, s / 2 + 1)
        if self.drag is not None and self.values is not None:
            self._readout(p, view)
        p.restore()

    def _readout(self, p, view: ph.View) -> None:
        """What the drag sets, in the corner of the frame: position in frame pixels, scale in %, degrees."""
        v, pic = self.values, self.drag.pic
        text = {"body": f"x {v['x'] * pic.W:+.1f} px   y {v['y'] * pic.H:+.1f} px",
                "rotate": f"{v['rotation']:.1f}\N{DEGREE SIGN}"}.get(self.drag.kind, f"{v['scale'] * 100:.1f} %")
        fm = p.fontMetrics()
        box = QRectF(view.left + 8, view.top + 8, fm.horizontalAdvance(text) + 12, fm.height() + 6)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(box, 3, 3)
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, Qt.AlignCenter, text)
