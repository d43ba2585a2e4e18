"""The timeline widget: ruler, track headers, clips with thumbnails and waveforms, cuts with fill handles.

Every gesture ends in one Document.apply (one undo step). Painting draws only what is visible, from cached
thumbnails and peaks.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from editor.actions.media import place_asset
from editor.timecode import timecode as _timecode
from editor.timeline import edits
from editor.ui.callbacks import Callbacks
from editor.ui.document import Document
from editor.ui.key_marks import paint_key_diamonds

ASSET_MIME = "application/x-seamline-asset"
RULER_H = 26
HEADER_W = 118
VIDEO_H, AUDIO_H = 54, 42
EDGE_PX = 6
SNAP_PX = 8

COLORS = {"video": QColor(62, 96, 150), "image": QColor(120, 92, 160), "audio": QColor(46, 130, 96),
          "generated": QColor(168, 110, 40), "offline": QColor(120, 30, 30),
          "title": QColor(150, 60, 130), "caption": QColor(150, 122, 36)}


def timecode(frame: int, rate) -> str:
    """SMPTE timecode, drop-frame at 29.97/59.94 (editor/timecode.py; kept here for the views that import it)."""
    return _timecode(frame, rate)


def short_duration(frames: int, rate) -> str:
    """A length as people say it: "4.0 s", "1:23", "1:02:03" (the bin; timecode is for positions)."""
    secs = frames / float(rate)
    if secs < 59.95:
        return f"{secs:.1f} s"
    s = int(round(secs))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


@dataclass
class Drag:
    kind: str  # move | trim-in | trim-out | scrub | band | drop
    clip_id: str | None = None
    origin: QPoint | None = None
    frame0: int = 0
    current: QPoint | None = None
    track_id: str | None = None
    preview: tuple | None = None  # (track_id, start, duration) ghost


class TimelineView(QWidget):
    fill_requested = Signal(str, str, str)  # track, a, b

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.px_per_frame = 3.0
        self.scroll = 0  # first visible frame
        self.snapping = True
        self.drag: Drag | None = None
        self.thumbs: dict[str, QPixmap] = {}
        self.peaks: dict[str, object] = {}
        self.progress: dict[tuple, float] = {}  # (track, a, b) -> fill progress shown on the cut
        self.thumbs_wanted = Callbacks()  # asset id; asked at most once per asset
        self.view_changed = Callbacks()  # zoom or scroll changed (the horizontal scrollbar follows)
        self._asked: set[str] = set()
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumHeight(RULER_H + 2 * VIDEO_H + 2 * AUDIO_H)
        doc.changed.connect(self._model_changed)
        doc.selection_changed.connect(self.update)
        doc.playhead_changed.connect(self._playhead_moved)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        doc.changed.connect(self._model_changed)
        doc.selection_changed.connect(self.update)
        doc.playhead_changed.connect(self._playhead_moved)
        self.update()

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self.view_changed.emit()

    def _model_changed(self) -> None:
        self.update()
        self.view_changed.emit()  # the length may have changed: the scrollbar's range follows

    def _playhead_moved(self, n: int) -> None:
        """Page along when the playhead runs off either edge (playback, J/L, arrow keys), like other editors."""
        if self.drag is None or self.drag.kind != "scrub":
            visible = self.visible_frames
            if n >= self.scroll + visible or n < self.scroll:
                self.set_scroll(n - visible * 0.1 if n >= self.scroll else n - visible * 0.9)
        self.update()

    # -- geometry ----------------------------------------------------------------------------------------------
    def rows(self):
        """(track, top, height): captions tracks on top, video tracks top-down from the highest, then audio."""
        p = self.doc.project
        out, y = [], RULER_H
        for t in p.captions_tracks() + list(reversed(p.video_tracks())) + p.audio_tracks():
            h = VIDEO_H if t.kind == "video" else AUDIO_H
            out.append((t, y, h))
            y += h
        return out

    def x_of(self, frame: float) -> float:
        return HEADER_W + (frame - self.scroll) * self.px_per_frame

    def frame_at(self, x: float) -> int:
        return max(0, int(round((x - HEADER_W) / self.px_per_frame + self.scroll)))

    def track_at(self, y: float):
        for t, top, h in self.rows():
            if top <= y < top + h:
                return t
        return None

    def clip_rect(self, clip, top: int, h: int) -> QRectF:
        return QRectF(self.x_of(clip.start), top + 2, clip.duration * self.px_per_frame, h - 4)

    def hit(self, pos: QPoint):
        """(kind, track, clip) under the mouse: kind is body/in/out/handle/None."""
        t = self.track_at(pos.y())
        if t is None or pos.x() < HEADER_W:
            return None, t, None
        for _, top, h in [r for r in self.rows() if r[0] is t]:
            for a, b in (self._cuts(t) if self.px_per_frame >= 0.3 else []):
                if self._handle_rect(t, a, b, top, h).contains(QPointF(pos)):
                    return "handle", t, (a, b)
            for c in t.clips:
                r = self.clip_rect(c, top, h)
                if r.left() - 1 <= pos.x() <= r.right() + 1:
                    if pos.x() - r.left() <= EDGE_PX and r.width() > 3 * EDGE_PX:
                        return "in", t, c
                    if r.right() - pos.x() <= EDGE_PX and r.width() > 3 * EDGE_PX:
                        return "out", t, c
                    return "body", t, c
        return None, t, None

    def _want(self, asset_id: str) -> None:
        if asset_id not in self._asked:
            self._asked.add(asset_id)
            self.thumbs_wanted.emit(asset_id)

    @staticmethod
    def _cuts(track):
        cl = sorted(track.clips, key=lambda c: c.start)
        return [(x, y) for x, y in zip(cl, cl[1:]) if x.end == y.start] if track.kind == "video" else []

    def _handle_rect(self, track, a, b, top, h) -> QRectF:
        x = self.x_of(b.start)
        return QRectF(x - 8, top + h - 18, 16, 16)

    # -- zoom and scroll ---------------------------------------------------------------------------------------
    @property
    def visible_frames(self) -> int:
        return max(1, int((self.width() - HEADER_W) / self.px_per_frame))

    @property
    def scroll_limit(self) -> int:
        """The furthest first-visible frame: nothing to scroll when the whole project fits; otherwise its end can
        come to three quarters of the view (room to drop after it)."""
        d, v = self.doc.project.duration, self.visible_frames
        return 0 if d <= v else d - v + v // 4

    @property
    def scroll_step(self) -> int:
        """Frames one wheel notch (or scrollbar arrow) moves: about 60 px."""
        return int(60 / self.px_per_frame) or 1

    def set_scroll(self, frame: float) -> None:
        v = max(0, min(int(frame), self.scroll_limit))
        if v != self.scroll:
            self.scroll = v
            self.update()
            self.view_changed.emit()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        anchor_x = self.width() / 2 if anchor_x is None else anchor_x
        f = self.frame_at(anchor_x)
        self.px_per_frame = min(40.0, max(0.02, self.px_per_frame * factor))
        self.scroll = max(0, int(f - (anchor_x - HEADER_W) / self.px_per_frame))
        self.update()
        self.view_changed.emit()

    def zoom_to_fit(self) -> None:
        d = max(1, self.doc.project.duration)
        self.px_per_frame = max(0.02, (self.width() - HEADER_W - 20) / d)
        self.scroll = 0
        self.update()
        self.view_changed.emit()

    def wheelEvent(self, e):
        if e.modifiers() & Qt.ControlModifier:
            self.zoom(1.25 if e.angleDelta().y() > 0 else 0.8, e.position().x())
        else:
            step = self.scroll_step
            delta = e.angleDelta().x() or e.angleDelta().y()
            self.set_scroll(self.scroll - (step if delta > 0 else -step))

    # -- painting ----------------------------------------------------------------------------------------------
    def paintEvent(self, _):
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(30, 31, 35))
        rate = self.doc.project.settings.rate
        first, last = self.scroll, self.frame_at(self.width()) + 1
        self._paint_ruler(p, first, last, rate)
        for t, top, h in self.rows():
            p.fillRect(QRect(HEADER_W, top, self.width() - HEADER_W, h - 1),
                       QColor(38, 40, 46) if t.kind == "video" else QColor(34, 40, 38))
            for c in t.clips:
                if c.end < first or c.start > last:
                    continue
                self._paint_clip(p, t, c, top, h)
            for x in t.transitions:
                a, b = t.clip(x.a), t.clip(x.b)
                if a is None or b is None:
                    continue
                x0 = self.x_of(a.end - x.duration // 2)
                r = QRectF(x0, top + 4, x.duration * self.px_per_frame, h - 8)
                p.setPen(QPen(QColor(250, 250, 250, 200), 1))
                p.setBrush(QColor(255, 255, 255, 50))
                p.drawRect(r)
                p.drawLine(r.bottomLeft(), r.topRight())
            if self.px_per_frame >= 0.3:  # fill handles once cuts are far enough apart to click
                for a, b in self._cuts(t):
                    if first <= b.start <= last:
                        self._paint_handle(p, t, a, b, top, h)
            self._paint_header(p, t, top, h)
        if self.drag and self.drag.preview:
            tid, start, dur = self.drag.preview
            for t, top, h in self.rows():
                if t.id == tid:
                    p.setPen(QPen(QColor(255, 220, 80), 2, Qt.DashLine))
                    p.setBrush(QColor(255, 220, 80, 40))
                    p.drawRect(QRectF(self.x_of(start), top + 2, dur * self.px_per_frame, h - 4))
        if self.drag and self.drag.kind == "band" and self.drag.current:
            p.setPen(QPen(QColor(120, 180, 255), 1, Qt.DashLine))
            p.setBrush(QColor(120, 180, 255, 40))
            p.drawRect(QRect(self.drag.origin, self.drag.current).normalized())
        x = self.x_of(self.doc.playhead)
        p.setPen(QPen(QColor(240, 70, 60), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def _paint_ruler(self, p, first, last, rate):
        p.fillRect(QRect(0, 0, self.width(), RULER_H), QColor(44, 46, 52))
        p.setPen(QColor(190, 190, 190))
        p.setFont(QFont("Sans", 8))
        fps = max(1, round(float(rate)))
        target = 90 / self.px_per_frame  # a label every ~90 px
        steps = [1, 2, 5, 10, fps // 2 or 1, fps, 2 * fps, 5 * fps, 10 * fps, 30 * fps, 60 * fps, 300 * fps,
                 600 * fps]
        step = next((s for s in sorted(steps) if s >= target), steps[-1])
        f = (first // step) * step
        while f <= last:
            x = self.x_of(f)
            p.drawLine(QPointF(x, RULER_H - 8), QPointF(x, RULER_H))
            p.drawText(QPointF(x + 3, RULER_H - 10), timecode(f, rate))
            f += step

    def _paint_clip(self, p, t, c, top, h):
        asset = self.doc.project.assets.get(c.asset_id)
        r = self.clip_rect(c, top, h)
        kind = ("title" if c.title is not None else "caption") if c.asset_id is None else "offline" if (
            asset is None or asset.offline) else ("generated" if asset.provenance else (
                asset.kind if t.kind == "video" else "audio"))
        if r.width() < 4:  # zoomed far out: a sliver, no outline, name or picture
            p.fillRect(r, COLORS[kind] if c.id not in self.doc.selection else QColor(255, 210, 80))
            return
        path = QPainterPath()
        path.addRoundedRect(r, 4, 4)
        p.fillPath(path, COLORS[kind])
        if t.kind == "video" and asset is not None:
            pix = self.thumbs.get(asset.id)
            if pix is None:
                self._want(asset.id)
            elif r.width() > 20:
                p.save()
                p.setClipPath(path)
                w = pix.width() * (r.height() - 14) / max(1, pix.height())
                x = r.left()
                while x < r.right() and x < self.width():
                    if x + w > HEADER_W:
                        p.drawPixmap(QRectF(x, r.top() + 14, w, r.height() - 14), pix, QRectF(pix.rect()))
                    x += max(w, 24)
                p.restore()
        elif t.kind == "audio" and asset is not None:
            self._paint_wave(p, c, asset, r)
        selected = c.id in self.doc.selection
        p.setPen(QPen(QColor(255, 210, 80) if selected else QColor(0, 0, 0, 120), 2 if selected else 1))
        p.setBrush(Qt.NoBrush)
        p.drawPath(path)
        p.setPen(QColor(240, 240, 240))
        p.setFont(QFont("Sans", 8))
        p.drawText(r.adjusted(4, 1, -2, 0), Qt.AlignLeft | Qt.AlignTop, c.name or (asset.name if asset else c.text or "?"))
        paint_key_diamonds(p, c, r, self.px_per_frame)  # editor/ui/key_marks.py

    def _paint_wave(self, p, c, asset, r):
        peaks = self.peaks.get(asset.id)
        if peaks is None:
            self._want(asset.id)
            return
        if not len(peaks):
            return
        rate = self.doc.project.settings.rate
        p.setPen(QColor(170, 240, 200))
        mid, half = r.center().y(), r.height() / 2 - 3
        x0, x1 = max(int(r.left()), HEADER_W), min(int(r.right()), self.width())
        src0 = c.source_in / float(asset.rate)
        for x in range(x0, x1, 2):
            sec = src0 + (x - r.left()) / self.px_per_frame / float(rate)
            i = int(sec * 100)
            if 0 <= i < len(peaks):
                lo, hi = peaks[i]
                p.drawLine(QPointF(x, mid - hi * half), QPointF(x, mid - lo * half))

    def _paint_handle(self, p, t, a, b, top, h):
        r = self._handle_rect(t, a, b, top, h)
        key = (t.id, a.id, b.id)
        sel = self.doc.selected_cut == key
        p.setPen(QPen(QColor(255, 255, 255), 1))
        p.setBrush(QColor(230, 150, 40) if sel else QColor(80, 80, 90, 220))
        p.drawEllipse(r)
        prog = self.progress.get(key)
        if prog is not None:
            p.setPen(QPen(QColor(255, 210, 80), 3))
            p.drawArc(r.adjusted(-3, -3, 3, 3), 90 * 16, int(-360 * 16 * prog))
        p.setPen(QColor(255, 255, 255))
        p.setFont(QFont("Sans", 7, QFont.Bold))
        p.drawText(r, Qt.AlignCenter, "+")

    def _paint_header(self, p, t, top, h):
        p.fillRect(QRect(0, top, HEADER_W, h - 1), QColor(52, 54, 62) if t.id != self.doc.selected_track
                   else QColor(70, 74, 90))
        p.setPen(QColor(230, 230, 230))
        p.setFont(QFont("Sans", 9, QFont.Bold))
        p.drawText(QRect(6, top + 2, HEADER_W - 8, 18), Qt.AlignLeft, t.name)
        p.setFont(QFont("Sans", 7))
        for i, (label, on) in enumerate((("M", t.mute), ("S", t.solo), ("L", t.lock))):
            r = QRect(6 + i * 22, top + h - 20, 18, 14)
            p.fillRect(r, QColor(220, 140, 40) if on else QColor(80, 82, 90))
            p.drawText(r, Qt.AlignCenter, label)

    def header_toggle_at(self, pos: QPoint):
        for t, top, h in self.rows():
            for i, name in enumerate(("mute", "solo", "lock")):
                if QRect(6 + i * 22, top + h - 20, 18, 14).contains(pos):
                    return t, name
        return None, None

    # -- mouse -------------------------------------------------------------------------------------------------
    def mousePressEvent(self, e):
        pos = e.position().toPoint()
        self.setFocus()
        if pos.y() < RULER_H:
            self.drag = Drag("scrub")
            self.doc.set_playhead(self.frame_at(pos.x()))
            return
        if pos.x() < HEADER_W:
            t, prop = self.header_toggle_at(pos)
            if t is not None:
                self.doc.apply(f"Toggle {prop}", edits.set_track_property, t.id, prop, not getattr(t, prop))
            else:
                tr = self.track_at(pos.y())
                self.doc.selected_track = tr.id if tr else None
                self.doc.select([])
            return
        kind, track, obj = self.hit(pos)
        if e.button() == Qt.RightButton:
            self._context_menu(e.globalPosition().toPoint(), kind, track, obj, pos)
            return
        if kind == "handle":
            a, b = obj
            self.doc.select_cut(track.id, a.id, b.id)
            self.fill_requested.emit(track.id, a.id, b.id)
            return
        if kind is None:
            self.drag = Drag("band", origin=pos, current=pos)
            if not e.modifiers() & Qt.ShiftModifier:
                self.doc.select([])
            return
        add = bool(e.modifiers() & Qt.ShiftModifier)
        if obj.id not in self.doc.selection or add:
            self.doc.select([obj.id], add=add)
        self.doc.selected_track = track.id
        self.drag = Drag({"body": "move", "in": "trim-in", "out": "trim-out"}[kind], obj.id, pos, obj.start,
                         track_id=track.id)

    def mouseMoveEvent(self, e):
        pos = e.position().toPoint()
        if self.drag is None:
            kind, _, _ = self.hit(pos)
            self.setCursor(Qt.SizeHorCursor if kind in ("in", "out") else (
                Qt.PointingHandCursor if kind == "handle" else Qt.ArrowCursor))
            return
        self.drag.current = pos
        if self.drag.kind == "scrub":
            self.doc.set_playhead(self.frame_at(pos.x()))
        elif self.drag.kind == "move":
            _, clip = self.doc.project.find_clip(self.drag.clip_id)
            t = self.track_at(pos.y())
            tid = t.id if t is not None and t.kind == self.doc.project.track(self.drag.track_id).kind \
                else self.drag.track_id
            start = self._snap(self.drag.frame0 + round((pos.x() - self.drag.origin.x()) / self.px_per_frame),
                               clip.duration, clip.id)
            self.drag.preview = (tid, start, clip.duration)
        self.update()

    def mouseReleaseEvent(self, e):
        d, self.drag = self.drag, None
        if d is None:
            return
        pos = e.position().toPoint()
        delta = round((pos.x() - d.origin.x()) / self.px_per_frame) if d.origin else 0
        if d.kind == "move" and d.preview is not None:
            tid, start, _ = d.preview
            _, clip = self.doc.project.find_clip(d.clip_id)
            if start != clip.start or tid != d.track_id:
                self.move_clip(d.clip_id, start, tid if tid != d.track_id else None)
        elif d.kind in ("trim-in", "trim-out") and delta:
            self.trim_clip(d.clip_id, "in" if d.kind == "trim-in" else "out", delta)
        elif d.kind == "band" and d.current is not None:
            band = QRect(d.origin, d.current).normalized()
            ids = [c.id for t, top, h in self.rows() for c in t.clips
                   if self.clip_rect(c, top, h).intersects(QRectF(band))]
            if ids:
                self.doc.select(ids, add=bool(e.modifiers() & Qt.ShiftModifier))
        self.update()

    def _snap(self, start: int, duration: int, ignore: str | None = None) -> int:
        if not self.snapping:
            return max(0, start)
        points = {self.doc.playhead, 0}
        for t in self.doc.project.tracks:
            for c in t.clips:
                if c.id != ignore:
                    points.update((c.start, c.end))
        tol = SNAP_PX / self.px_per_frame
        best, dist = start, tol + 1
        for pnt in points:
            for cand in (pnt, pnt - duration):
                if abs(cand - start) < dist:
                    best, dist = cand, abs(cand - start)
        return max(0, best if dist <= tol else start)

    def _context_menu(self, gpos, kind, track, obj, pos):
        m = QMenu(self)
        frame = self.frame_at(pos.x())
        if kind == "handle":
            a, b = obj
            m.addAction("Fill transition", lambda: self.fill_requested.emit(track.id, a.id, b.id))
            m.addAction("Add dissolve", lambda: self.doc.apply("Add dissolve", edits.add_transition, track.id,
                                                               a.id, b.id, "dissolve", 15))
        elif kind in ("body", "in", "out"):
            m.addAction("Split at playhead", lambda: self.split(obj.id, self.doc.playhead))
            m.addAction("Delete", lambda: self.doc.apply("Delete", edits.delete, [obj.id]))
            m.addAction("Ripple delete", lambda: self.doc.apply("Ripple delete", edits.ripple_delete, [obj.id]))
            if obj.link:
                m.addAction("Unlink audio/video", lambda: self.doc.apply("Unlink", edits.unlink, obj.id))
            nxt = [c for c in track.clips if c.start == obj.end]
            if nxt and track.kind == "video":
                m.addAction("Add dissolve to next", lambda: self.doc.apply(
                    "Add dissolve", edits.add_transition, track.id, obj.id, nxt[0].id, "dissolve", 15))
        elif track is not None:
            m.addAction("Close gap", lambda: self.doc.apply("Close gap", edits.close_gap, track.id, frame))
        m.exec(gpos)

    # -- drag and drop from the bin or the file manager ---------------------------------------------------------
    def dragEnterEvent(self, e):
        if e.mimeData().hasFormat(ASSET_MIME) or e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dragMoveEvent(self, e):
        pos = e.position().toPoint()
        t = self.track_at(pos.y())
        if t is None:
            e.ignore()
            return
        dur = 120
        if e.mimeData().hasFormat(ASSET_MIME):
            aid = bytes(e.mimeData().data(ASSET_MIME)).decode()
            dur = self.doc.project.max_duration(aid, 0) or int(4 * float(self.doc.project.settings.rate))
        self.drag = Drag("drop", preview=(t.id, self._snap(self.frame_at(pos.x()), dur), dur))
        self.update()
        e.acceptProposedAction()

    def dragLeaveEvent(self, e):
        self.drag = None
        self.update()

    def dropEvent(self, e):
        pos = e.position().toPoint()
        preview = self.drag.preview if self.drag else None
        self.drag = None
        t = self.track_at(pos.y())
        if t is None:
            return
        frame = preview[1] if preview else self.frame_at(pos.x())
        if e.mimeData().hasFormat(ASSET_MIME):
            self.drop_asset(bytes(e.mimeData().data(ASSET_MIME)).decode(), t.id, frame)
        elif e.mimeData().hasUrls():
            win = self.window()
            if hasattr(win, "import_files"):
                win.import_files([u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()],
                                 place=(t.id, frame))
        e.acceptProposedAction()
        self.update()

    # -- public slots (gestures end here; tests drive them too) ------------------------------------------------
    def drop_asset(self, asset_id: str, track_id: str, frame: int) -> bool:
        return self.doc.apply("Add clip", place_asset, asset_id, track_id, frame)

    def move_clip(self, clip_id: str, start: int, track_id: str | None = None) -> bool:
        return self.doc.apply("Move clip", edits.move, clip_id, start, track_id)

    def trim_clip(self, clip_id: str, edge: str, delta: int) -> bool:
        return self.doc.apply("Trim clip", edits.trim, clip_id, edge, delta)

    def split(self, clip_id: str, frame: int) -> bool:
        return self.doc.apply("Split", edits.split, clip_id, frame)
