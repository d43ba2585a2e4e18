"""What the timeline does with drops (media from the bin or the file manager, transitions from the library) and
its context menu: each ends in one Document edit. Mixed into TimelineView (editor/ui/timeline_view.py)."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from editor.errors import ProjectError
from editor.timeline import arrange, edits
from editor.ui.geometry import DropTarget

ASSET_MIME = "application/x-seamline-asset"
TRANSITION_MIME = "application/x-seamline-transition"
TITLE_MIME = "application/x-seamline-title"  # editor/ui/titles_panel.TemplateList


@dataclass
class Drag:
    kind: str  # move | trim-in | trim-out | scrub | band | drop | handle
    clip_id: str | None = None
    origin: tuple[float, float] | None = None
    frame0: int = 0
    current: tuple[float, float] | None = None
    track_id: str | None = None
    target: DropTarget | None = None  # where a move or a drop would land (drawn while dragging)
    duration: int = 0
    cut: tuple | None = None  # (track id, a id, b id) for a press on a cut's "+"


class DropHandling:
    def _context_menu(self, gpos, h, x):
        m = QMenu(self)
        frame = self.geo.frame_at(x)
        track = h.track
        if h.kind == "handle":
            a, b = h.target
            m.addAction("Transition or AI fill...", lambda: self.cut_clicked.emit(track.id, a.id, b.id, gpos))
            m.addAction("Add a dissolve", lambda: self.doc.apply("Add dissolve", edits.add_transition, track.id,
                                                                 a.id, b.id, "dissolve", 15))
        elif h.kind in ("body", "in", "out"):
            obj = h.target
            m.addAction("Split at the playhead", lambda: self.split(obj.id, self.doc.playhead))
            m.addAction("Delete", lambda: self.doc.apply("Delete", edits.delete, [obj.id]))
            m.addAction("Delete and close the gap", lambda: self.doc.apply("Ripple delete", edits.ripple_delete,
                                                                           [obj.id]))
            if obj.link:
                m.addAction("Unlink picture and sound", lambda: self.doc.apply("Unlink", edits.unlink, obj.id))
        elif track is not None:
            m.addAction("Close this gap", lambda: self.doc.apply("Close gap", edits.close_gap, track.id, frame))
            m.addAction("Close all gaps on this track",
                        lambda: self.doc.apply("Close all gaps", arrange.close_all_gaps, track.id))
        m.exec(gpos)

    # -- drag and drop from the bin, the transitions library or the file manager ---------------------------------
    def dragEnterEvent(self, e):
        md = e.mimeData()
        if md.hasFormat(ASSET_MIME) or md.hasFormat(TRANSITION_MIME) or md.hasFormat(TITLE_MIME) or md.hasUrls():
            e.acceptProposedAction()

    def _asset_kind_and_length(self, asset_id: str) -> tuple[str, int]:
        p = self.doc.project
        a = p.assets[asset_id]
        dur = p.max_duration(asset_id, 0) or int(4 * float(p.settings.rate))
        return ("audio" if a.kind == "audio" else "video"), dur

    def dragMoveEvent(self, e):
        x, y = e.position().x(), e.position().y()
        md = e.mimeData()
        project = self.doc.project
        if md.hasFormat(TRANSITION_MIME):
            cut = self._cut_near(x, y)
            self.drag = Drag("drop-transition", cut=cut)
            e.acceptProposedAction() if cut else e.ignore()
            self.update()
            return
        if md.hasFormat(TITLE_MIME):
            target, dur = self._title_target(md, x, y)
            self.drag = Drag("drop", target=target, duration=dur)
            self.update()
            e.acceptProposedAction() if target else e.ignore()
            return
        if md.hasFormat(ASSET_MIME):
            kind, dur = self._asset_kind_and_length(bytes(md.data(ASSET_MIME)).decode())
        else:
            kind, dur = "video", int(4 * float(project.settings.rate))
        mode = self.drop_mode if not (e.modifiers() & Qt.ControlModifier) else (
            "overwrite" if self.drop_mode == "insert" else "insert")
        target = self.geo.drop_target(project, x, y, dur, kind, mode, playhead=self.doc.playhead,
                                      snapping=self.snapping)
        self.drag = Drag("drop", target=target, duration=dur)
        self.update()
        e.acceptProposedAction()

    def _title_target(self, md, x, y):
        """Where a title template dropped at (x, y) lands: on the video track under the pointer when that stretch of
        it is free, else on a free track above the footage (a title never cuts the picture it was dropped on)."""
        from editor.actions.words import free_title_track
        from editor.render.title_templates import template

        try:
            dur = template(bytes(md.data(TITLE_MIME)).decode()).frames(self.doc.project.settings.rate)
        except ProjectError:
            return None, 0
        project = self.doc.project
        t = self.geo.drop_target(project, x, y, dur, "video", "overwrite", playhead=self.doc.playhead,
                                 snapping=self.snapping)
        track = project.track(t.track_id) if t.track_id else None
        if track is None or track.clips_between(t.start, t.start + dur):
            free, new_index = free_title_track(project, t.start, t.start + dur)  # where the drop will put it
            t = DropTarget(free, "video", t.start, "overwrite", new_track_index=new_index)
        return t, dur

    def _drop_title(self, md, target) -> None:
        from editor.actions.words import add_title_from_template

        before = {c.id for t in self.doc.project.tracks for c in t.clips}
        key = bytes(md.data(TITLE_MIME)).decode()
        if self.doc.apply("Add title", add_title_from_template, key, target.start, target.track_id):
            self.doc.select([c.id for t in self.doc.project.tracks for c in t.clips if c.id not in before])

    def _cut_near(self, x, y):
        """(track id, a id, b id) of the cut nearest the pointer on the video row under it, within 40 px."""
        row = self.geo.row_at(self.doc.project, y)
        if row is None or row.track.kind != "video":
            return None
        f = self.geo.frame_at(x)
        reach = int(40 * self.geo.scale / self.geo.px_per_frame) + 1
        cuts = self.geo.cuts(row.track, max(0, f - reach), f + reach)
        if not cuts:
            return None
        a, b = min(cuts, key=lambda ab: abs(ab[1].start - f))
        return row.track.id, a.id, b.id

    def dragLeaveEvent(self, e):
        self.drag = None
        self.update()

    def dropEvent(self, e):
        md = e.mimeData()
        d, self.drag = self.drag, None
        x, y = e.position().x(), e.position().y()
        if md.hasFormat(TRANSITION_MIME):
            cut = self._cut_near(x, y)
            if cut:
                win = self.window()
                if hasattr(win, "apply_transition"):
                    win.apply_transition(bytes(md.data(TRANSITION_MIME)).decode(), [cut])
            e.acceptProposedAction()
            self.update()
            return
        if md.hasFormat(TITLE_MIME):
            target = d.target if d is not None and d.target is not None else self._title_target(md, x, y)[0]
            if target is not None:
                self._drop_title(md, target)
            e.acceptProposedAction()
            self.update()
            return
        if d is None or d.target is None:
            self.dragMoveEvent(e)
            d, self.drag = self.drag, None
        t = d.target
        if md.hasFormat(ASSET_MIME):
            self.drop_asset(bytes(md.data(ASSET_MIME)).decode(), t.track_id, t.start, t.mode,
                            new_track_index=t.new_track_index)
        elif md.hasUrls():
            win = self.window()
            if hasattr(win, "import_files"):
                win.import_files([u.toLocalFile() for u in md.urls() if u.isLocalFile()],
                                 place=(t.track_id, t.start, t.mode))
        e.acceptProposedAction()
        self.update()
