"""The timeline widget: it draws (editor/ui/timeline_paint.py) what the geometry lays out (editor/ui/geometry.py,
plain Python) and turns mouse and drops into Document edits (one undo step per gesture).

Repaints are as small as the change: a playback tick repaints the playhead's strip, an edit the clips it changed
(named by the Session's Change event), a selection the clips whose selection changed.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from editor.actions.media import lay_asset
from editor.timeline import arrange, edits
from editor.ui import style
from editor.ui.callbacks import Callbacks
from editor.ui.document import Document
from editor.ui import music_marks
from editor.ui.key_marks import KeyGestures
from editor.actions.music import is_music_drop
from editor.timeline.music_edits import place_music
from editor.ui.geometry import DropTarget, Rect, TimelineGeometry
from editor.ui.labels import short_duration, timecode  # noqa: F401  (re-exported: other modules import them here)
from editor.ui.pictures import MediaPictures, alive
from editor.ui.timeline_drops import ASSET_MIME, TRANSITION_MIME, Drag, DropHandling  # noqa: F401
from editor.ui.timeline_paint import COLORS, TimelinePainter  # noqa: F401

DRAG_START_PX = 4


class TimelineView(DropHandling, QWidget):
    fill_requested = Signal(str, str, str)  # track, a, b
    cut_clicked = Signal(str, str, str, QPoint)  # track, a, b, where (global): the cut's popover opens there

    def __init__(self, doc: Document, parent=None, pictures: MediaPictures | None = None):
        super().__init__(parent)
        self.doc = doc
        self.geo = TimelineGeometry(style.layout_scale())
        self.pictures = pictures or MediaPictures()
        self.pictures.ready.connect(self._pictures_ready)
        self.painter = TimelinePainter(self)
        self.snapping = True
        self.volume = music_marks.VolumeGestures(self)  # drags on audio clips: fades and the volume line
        self.keys = KeyGestures(self)  # keyframe diamonds: drag, select + Delete, menu, double-click (key_marks)
        self.drop_mode = "insert"  # or "overwrite"; Ctrl while dragging uses the other, Shift swaps clips
        self.drag: Drag | None = None
        self.progress: dict[tuple, float] = {}  # (track, a, b) -> fill progress shown on the cut
        self.view_changed = Callbacks()  # zoom or scroll changed (the horizontal scrollbar follows)
        self._shown = doc.project  # the project the screen shows (to repaint where a changed clip was)
        self._shown_selection: set[str] = set()
        self._shown_cut = None
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._connect(doc)

    def _connect(self, doc: Document) -> None:
        doc.changed.connect(self._model_changed)
        doc.selection_changed.connect(self._selection_changed)
        doc.playhead_changed.connect(self._playhead_moved)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self._shown = doc.project
        self.painter.cache.clear()
        self._connect(doc)
        self._refit()

    # -- geometry the rest of the UI (and tests) use --------------------------------------------------------------
    @property
    def px_per_frame(self) -> float:
        return self.geo.px_per_frame

    @px_per_frame.setter
    def px_per_frame(self, v: float) -> None:
        self.geo.px_per_frame = float(v)
        self.update()

    @property
    def scroll(self) -> int:
        return self.geo.scroll

    def rows(self):
        return self.geo.rows(self.doc.project)

    def x_of(self, frame: float) -> float:
        return self.geo.x_of(frame)

    def frame_at(self, x: float) -> int:
        return self.geo.frame_at(x)

    def track_at(self, y: float):
        return self.geo.track_at(self.doc.project, y)

    @property
    def visible_frames(self) -> int:
        return self.geo.visible_frames

    @property
    def scroll_limit(self) -> int:
        return self.geo.scroll_limit(self.doc.project.duration)

    @property
    def scroll_step(self) -> int:
        return self.geo.scroll_step

    def handle_center(self, track_id: str, b_start: int) -> QPoint:
        r = self.geo.handle_rect(b_start, self.geo.row_of(self.doc.project, track_id))
        return QPoint(int(r.x + r.w / 2), int(r.y + r.h / 2))

    # -- zoom and scroll -------------------------------------------------------------------------------------------
    def set_scroll(self, frame: float) -> None:
        if self.geo.set_scroll(frame, self.doc.project.duration):
            self.update()
            self.view_changed.emit()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        self.geo.zoom(factor, anchor_x)
        self.update()
        self.view_changed.emit()

    def zoom_to_fit(self) -> None:
        self.geo.zoom_to_fit(self.doc.project.duration)
        self.update()
        self.view_changed.emit()

    def wheelEvent(self, e):
        if e.modifiers() & Qt.ControlModifier:
            self.zoom(1.25 if e.angleDelta().y() > 0 else 0.8, e.position().x())
        else:
            step = self.scroll_step
            delta = e.angleDelta().x() or e.angleDelta().y()
            self.set_scroll(self.scroll - (step if delta > 0 else -step))

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self.geo.width, self.geo.height = self.width(), self.height()
        self.view_changed.emit()

    def _refit(self) -> None:
        self.setMinimumHeight(self.geo.content_height(self.doc.project))
        self.update()
        self.view_changed.emit()

    # -- repainting only what changed ---------------------------------------------------------------------------
    def _strip(self, frame: int) -> QRect:
        x = int(self.geo.x_of(frame))
        return QRect(x - 3, 0, 7, self.height())

    def _playhead_moved(self, n: int) -> None:
        """Repaint the playhead's old and new strip; page along when it runs off either edge (playback, J/L)."""
        old = getattr(self, "_playhead_shown", n)
        self._playhead_shown = n
        if self.drag is None or self.drag.kind != "scrub":
            if self.geo.follow(n, self.doc.project.duration):
                self.update()
                self.view_changed.emit()
                return
        self.update(self._strip(old))
        self.update(self._strip(n))

    def _clip_region(self, project, clip_ids) -> QRect | None:
        out = None
        for cid in clip_ids:
            r = self.geo.clip_rect_in(project, cid)
            if r is None:
                continue
            r = Rect(r.x - 12, r.y - 4, r.w + 24, r.h + 8)  # transitions and handles around it
            out = r if out is None else out.united(r)
        return None if out is None else QRect(int(out.x), int(out.y), int(out.w) + 2, int(out.h) + 2)

    def _model_changed(self) -> None:
        old, new = self._shown, self.doc.project
        self._shown = new
        ch = self.doc.last_change
        if old.tracks is not new.tracks and (old.duration != new.duration or len(old.tracks) != len(new.tracks)):
            self.view_changed.emit()  # the length changed: the scrollbar's range follows
        if ch is None or ch.kind == "load" or ch.structure or ch.settings or ch.assets or \
                len(old.tracks) != len(new.tracks):
            self._refit()
            return
        changed_rows = []
        for tid in ch.tracks:
            try:
                a, b = old.track(tid), new.track(tid)
            except Exception:
                self.update()
                return
            if any(k != "clips" and a.__dict__.get(k) is not b.__dict__.get(k) for k in b.__dict__):
                changed_rows.append(tid)  # transitions, switches, name: the whole row
        for tid in changed_rows:
            row = self.geo.row_of(new, tid)
            if row is not None:
                self.update(QRect(0, row.top - 4, self.width(), row.height + 8))
        for region in (self._clip_region(old, ch.clips), self._clip_region(new, ch.clips)):
            if region is not None:
                self.update(region)
        if not any(t.clips for t in old.tracks) or not any(t.clips for t in new.tracks):
            self.update()  # the empty-project hint comes or goes

    def _selection_changed(self) -> None:
        now = set(self.doc.selection)
        flipped = now ^ self._shown_selection
        self._shown_selection = now
        region = self._clip_region(self.doc.project, flipped)
        if region is not None:
            self.update(region)
        if self.doc.selected_cut != self._shown_cut or self.doc.selected_track is not None:
            self._shown_cut = self.doc.selected_cut
            self.update()  # cut handles and track headers: rare clicks, repaint all

    def _pictures_ready(self, asset_id: str) -> None:
        if alive(self):  # pictures arrive from workers; the window may have closed meanwhile
            self.update()

    def paintEvent(self, e):
        p = QPainter(self)
        self.painter.paint(p, e.rect())
        self.keys.paint(p)
        p.end()

    # -- mouse ---------------------------------------------------------------------------------------------------
    def _pos(self, e) -> tuple[float, float]:
        pt = e.position()
        return pt.x(), pt.y()

    def _mode(self, e, default: str) -> str:
        mods = e.modifiers() if hasattr(e, "modifiers") else e.keyboardModifiers()
        if mods & Qt.ShiftModifier and default != "drop":
            return "swap"
        mode = self.drop_mode
        if mods & Qt.ControlModifier:
            mode = "overwrite" if mode == "insert" else "insert"
        return mode

    def mousePressEvent(self, e):
        x, y = self._pos(e)
        self.setFocus()
        if self.keys.press(e):  # a keyframe diamond
            return
        self.keys.selected = None
        if e.button() == Qt.LeftButton and self.volume.press(e.position()):  # fades, volume line (music_marks)
            return
        project = self.doc.project
        h = self.geo.hit(project, x, y)
        if h.kind == "ruler":
            self.drag = Drag("scrub")
            self.doc.set_playhead(self.geo.frame_at(x))
            return
        if h.kind == "switch":
            self.doc.apply(f"Turn {h.target} {'off' if getattr(h.track, h.target) else 'on'}",
                           edits.set_track_property, h.track.id, h.target, not getattr(h.track, h.target))
            return
        if h.kind == "header" or (h.kind is None and h.track is None and x < self.geo.header_w):
            self.doc.selected_track = h.track.id if h.track else None
            self.doc.select([])
            return
        if e.button() == Qt.RightButton:
            self._context_menu(e.globalPosition().toPoint(), h, x)
            return
        if h.kind == "handle":
            a, b = h.target
            self.drag = Drag("handle", origin=(x, y), track_id=h.track.id, cut=(h.track.id, a.id, b.id),
                             frame0=b.start)
            return
        if h.kind is None:
            self.drag = Drag("band", origin=(x, y), current=(x, y))
            if not e.modifiers() & Qt.ShiftModifier:
                self.doc.select([])
            return
        clip = h.target
        add = bool(e.modifiers() & Qt.ShiftModifier)
        if clip.id not in self.doc.selection or add:
            self.doc.select([clip.id], add=add)
        self.doc.selected_track = h.track.id
        kind = {"body": "move", "in": "trim-in", "out": "trim-out"}[h.kind]
        self.drag = Drag(kind, clip.id, (x, y), clip.start, track_id=h.track.id, duration=clip.duration)

    def mouseMoveEvent(self, e):
        if self.keys.move(e) or self.volume.move(e.position()):
            return
        x, y = self._pos(e)
        d = self.drag
        if d is None:
            kind = self.geo.hit(self.doc.project, x, y).kind
            self.setCursor(Qt.SizeHorCursor if kind in ("in", "out") else (
                Qt.PointingHandCursor if kind in ("handle", "switch") else Qt.ArrowCursor))
            return
        d.current = (x, y)
        project = self.doc.project
        if d.kind == "scrub":
            self.doc.set_playhead(self.geo.frame_at(x))
            return
        if d.kind == "handle":
            if abs(x - d.origin[0]) < DRAG_START_PX:
                return
            # dragging from a cut's "+" trims the clip on the side the drag started (a roll would need both)
            _, a_id, b_id = d.cut
            side = "trim-out" if d.origin[0] <= self.geo.x_of(d.frame0) else "trim-in"
            cid = a_id if side == "trim-out" else b_id
            c = project.find_clip(cid)[1]
            self.drag = d = Drag(side, cid, d.origin, c.start, track_id=d.track_id, duration=c.duration,
                                 current=(x, y))
        if d.kind == "move":
            _, clip = project.find_clip(d.clip_id)
            group = {c.id for _, c in project.linked(clip.id)}
            d.target = self.geo.move_target(project, clip, x, y, d.origin[0], self._mode(e, "move"), group,
                                            self.doc.playhead, self.snapping)
        elif d.kind in ("trim-in", "trim-out"):
            _, clip = project.find_clip(d.clip_id)
            edge = "in" if d.kind == "trim-in" else "out"
            delta = self.geo.trim_delta(project, clip, edge, d.origin[0], x, playhead=self.doc.playhead,
                                        enabled=self.snapping)
            start = clip.start + delta if edge == "in" else clip.start
            dur = clip.duration - delta if edge == "in" else clip.duration + delta
            d.target = DropTarget(project.track_of(clip.id).id, "video", start, "overwrite")
            d.duration = dur
        self.update()

    def mouseReleaseEvent(self, e):
        if self.keys.release(e) or self.volume.release(e.position()):
            return
        d, self.drag = self.drag, None
        if d is None:
            return
        x, y = self._pos(e)
        project = self.doc.project
        if d.kind == "handle":  # a click on "+": the cut's popover (length, kind, Fill with AI)
            self.doc.select_cut(*d.cut)
            self.cut_clicked.emit(*d.cut, self.mapToGlobal(QPoint(int(x), int(y))))
        elif d.kind == "move" and d.target is not None:
            t = d.target
            _, clip = project.find_clip(d.clip_id)
            if t.mode == "swap":
                self.swap_clips(d.clip_id, t.swap_with)
            elif t.start != clip.start or t.track_id != d.track_id:
                tid = t.track_id if t.track_id != d.track_id else None
                self.move_clip(d.clip_id, t.start, tid, "insert" if t.mode == "insert" else "overwrite")
        elif d.kind in ("trim-in", "trim-out") and d.current is not None:
            _, clip = project.find_clip(d.clip_id)
            edge = "in" if d.kind == "trim-in" else "out"
            delta = self.geo.trim_delta(project, clip, edge, d.origin[0], x, playhead=self.doc.playhead,
                                        enabled=self.snapping)
            if delta:
                self.trim_clip(d.clip_id, edge, delta)
        elif d.kind == "band" and d.current is not None:
            band = Rect.spanning(d.origin[0], d.origin[1], x, y)
            ids = self.geo.clips_in_band(project, band)
            if ids:
                self.doc.select(ids, add=bool(e.modifiers() & Qt.ShiftModifier))
        self.update()

    def mouseDoubleClickEvent(self, e):
        if not self.keys.double_click(e):
            super().mouseDoubleClickEvent(e)

    def keyPressEvent(self, e):
        if not self.keys.key(e):
            super().keyPressEvent(e)

    def event(self, e):
        gestures = getattr(self, "keys", None)  # (events can come while __init__ runs)
        if gestures is not None and gestures.shortcut_override(e):
            return True
        return super().event(e)

    # -- public slots (gestures end here; tests drive them too) ------------------------------------------------
    def drop_asset(self, asset_id: str, track_id: str | None, frame: int, mode: str | None = None,
                   new_track_index: int | None = None) -> bool:
        """Lay media on a track (None: on a new track of its kind). mode insert pushes what follows along; overwrite
        covers what is there."""
        if is_music_drop(self.doc.project, self.doc.project.assets[asset_id]):  # a song on an empty timeline
            return self.doc.apply("Add music", place_music, asset_id, 0)
        return self.doc.apply("Add clip", lay_asset, asset_id, track_id, frame, mode or "overwrite",
                              new_track_index)

    def move_clip(self, clip_id: str, start: int, track_id: str | None = None, mode: str = "overwrite") -> bool:
        return self.doc.apply("Move clip", arrange.move, clip_id, start, track_id, mode)

    def swap_clips(self, a: str, b: str) -> bool:
        return self.doc.apply("Swap clips", arrange.swap, a, b)

    def trim_clip(self, clip_id: str, edge: str, delta: int) -> bool:
        return self.doc.apply("Trim clip", edits.trim, clip_id, edge, delta)

    def split(self, clip_id: str, frame: int) -> bool:
        return self.doc.apply("Split", edits.split, clip_id, frame)
