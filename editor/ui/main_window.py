"""The main window: docks, menus, shortcuts; import, save, export and the AI tools, all through workers."""
from __future__ import annotations

from pathlib import Path

import shiboken6

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDockWidget, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMainWindow, QMessageBox, QProgressBar, QPushButton,
                               QScrollArea, QScrollBar, QVBoxLayout, QWidget)

from editor.actions import media as media_actions
from editor.errors import ProjectError
from editor.timeline import edits
from editor.ui import workers
from editor.ui.ai_panel import AIPanel
from editor.ui.document import Document
from editor.ui.panels import Inspector, MediaBin, pixmap_from_rgb
from editor.ui.preview import PreviewWidget
from editor.ui.proxies import ProxyQueue
from editor.ui.timeline_view import TimelineView, timecode

MEDIA_FILTER = "Media (*.mp4 *.mov *.mkv *.webm *.avi *.m4v *.mp3 *.wav *.flac *.m4a *.aac *.ogg *.png *.jpg " \
               "*.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, doc: Document | None = None):
        super().__init__()
        self.doc = doc or Document()
        self.settings = QSettings("Seamline", "Seamline")
        self.timeline = TimelineView(self.doc)
        scroll = QScrollArea()
        scroll.setWidget(self.timeline)
        scroll.setWidgetResizable(True)
        self.hbar = QScrollBar(Qt.Horizontal)  # timeline position; the view has its own frame-based scroll
        self.hbar.valueChanged.connect(self.timeline.set_scroll)
        self.timeline.view_changed.connect(self._sync_hbar)
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(scroll)
        box.addWidget(self.hbar)
        self.setCentralWidget(central)
        self.preview = PreviewWidget(self.doc)
        self.bin = MediaBin(self.doc)
        self.inspector = Inspector(self.doc)
        self.ai = AIPanel(self)
        self.docks = {}
        for name, widget, area in (("Media", self.bin, Qt.LeftDockWidgetArea),
                                   ("Preview", self.preview, Qt.TopDockWidgetArea),
                                   ("Inspector", self.inspector, Qt.RightDockWidgetArea),
                                   ("AI", self.ai, Qt.RightDockWidgetArea)):
            dock = QDockWidget(name, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["AI"])
        self.docks["AI"].raise_()
        self._status_extra = QLabel("")
        self._status_proxy = QLabel("")
        self.statusBar().addPermanentWidget(self._status_proxy)
        self.statusBar().addPermanentWidget(self._status_extra)
        self.proxies = ProxyQueue(self)
        self.proxies.enabled = self.settings.value("preview/proxies", True, type=bool)
        self.proxies.status.connect(self._status_proxy.setText)
        self._build_menus()
        self._connect(self.doc)
        self.proxies.attach(self.doc)
        self.timeline.fill_requested.connect(self.fill_cut)
        self.timeline.thumbs_wanted.connect(self._want_thumbs)
        self.bin.files_dropped.connect(self.import_files)
        self.preview.status.connect(self._status_extra.setText)
        self._thumb_jobs: set[str] = set()
        self.resize(1400, 860)
        # a picture worth looking at: the preview takes ~45 % of the height, the timeline the rest
        self.resizeDocks([self.docks["Preview"]], [380], Qt.Vertical)
        self.resizeDocks([self.docks["Media"], self.docks["AI"]], [230, 350], Qt.Horizontal)
        self._refresh_title()

    # -- wiring ------------------------------------------------------------------------------------------------
    def _connect(self, doc: Document):
        doc.path_changed.connect(self._refresh_title)
        doc.changed.connect(self._refresh_title)
        doc.changed.connect(lambda: self.ai.refresh(self.doc))
        doc.changed.connect(self.proxies.sync)
        doc.selection_changed.connect(lambda: self.ai.refresh(self.doc))
        doc.error.connect(self.show_error)
        doc.playhead_changed.connect(self._show_time)
        doc.changed.connect(self._sync_undo)
        doc.path_changed.connect(self._sync_undo)
        self.ai.refresh(doc)
        self._sync_undo()

    def _sync_undo(self):
        """Undo/Redo follow the current document's history, with the step's name in the menu."""
        if not hasattr(self, "undo_action"):
            return
        s = self.doc.session
        self.undo_action.setEnabled(s.can_undo)
        self.redo_action.setEnabled(s.can_redo)
        self.undo_action.setText(f"Undo {s.undo_label}" if s.can_undo else "Undo")
        self.redo_action.setText(f"Redo {s.redo_label}" if s.can_redo else "Redo")

    def set_document(self, doc: Document):
        old = self.doc
        self.doc = doc
        self.timeline.set_document(doc)
        self.bin.set_document(doc)
        self.inspector.attach(doc)
        self.preview.attach(doc)
        self._connect(doc)
        self.proxies.attach(doc)
        old.close()
        self._thumb_jobs.clear()
        self.timeline._asked.clear()
        self.timeline.thumbs.clear()
        self.timeline.peaks.clear()
        self._refresh_title()
        self.timeline.zoom_to_fit()

    def _sync_hbar(self):
        t = self.timeline
        self.hbar.blockSignals(True)
        self.hbar.setRange(0, t.scroll_limit)
        self.hbar.setPageStep(t.visible_frames)
        self.hbar.setSingleStep(t.scroll_step)
        self.hbar.setValue(t.scroll)
        self.hbar.blockSignals(False)

    def _refresh_title(self):
        self.setWindowTitle(self.doc.title)
        self.setWindowModified(self.doc.modified)

    def _show_time(self, n):
        self.statusBar().showMessage(timecode(n, self.doc.project.settings.rate))

    def show_error(self, msg: str):
        self.statusBar().showMessage(msg, 8000)
        if self.isVisible() and not getattr(self, "quiet_errors", False):
            QMessageBox.warning(self, "Seamline", msg)

    def notify(self, msg: str, title: str = "Seamline") -> QMessageBox:
        """A message that does not block: the window stays usable (and scripted runs go on)."""
        self.statusBar().showMessage(msg, 15000)
        box = QMessageBox(QMessageBox.Information, title, msg, QMessageBox.Ok, self)
        box.setModal(False)
        box.show()
        return box

    def _build_menus(self):
        mb = self.menuBar()

        def act(menu, text, slot, shortcut=None, name=None):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            menu.addAction(a)
            if name:
                setattr(self, name, a)
            return a

        f = mb.addMenu("&File")
        act(f, "New", self.new_project, QKeySequence.New)
        act(f, "Open...", self.open_dialog, QKeySequence.Open)
        self.recent_menu = f.addMenu("Open Recent")
        self._fill_recent()
        act(f, "Save", self.save, QKeySequence.Save)
        act(f, "Save As...", self.save_as, QKeySequence.SaveAs)
        f.addSeparator()
        act(f, "Import Media...", self.import_dialog, "Ctrl+I")
        act(f, "Relink Media...", self.relink_dialog)
        act(f, "Export...", self.export_dialog, "Ctrl+E")
        f.addSeparator()
        act(f, "Quit", self.close, QKeySequence.Quit)
        e = mb.addMenu("&Edit")
        undo, redo = QAction("Undo", self), QAction("Redo", self)
        undo.triggered.connect(lambda: self.doc.undo())
        redo.triggered.connect(lambda: self.doc.redo())
        undo.setShortcut(QKeySequence.Undo)
        redo.setShortcut(QKeySequence.Redo)
        self.undo_action, self.redo_action = undo, redo
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        act(e, "Split at Playhead", self.split_selected, "S")
        act(e, "Delete", self.delete_selected, QKeySequence.Delete)
        act(e, "Ripple Delete", self.ripple_delete_selected, "Shift+Delete")
        act(e, "Close Gap", self.close_gap_at_playhead)
        act(e, "Select All", lambda: self.doc.select([c.id for t in self.doc.project.tracks for c in t.clips]),
            QKeySequence.SelectAll)
        act(e, "Add Video Track", lambda: self.doc.apply("Add track", edits.add_track, "video",
                                                         index=len(self.doc.project.video_tracks())))
        act(e, "Add Audio Track", lambda: self.doc.apply("Add track", edits.add_track, "audio"))
        act(e, "Remove Selected Track", self.remove_track)
        v = mb.addMenu("&View")
        act(v, "Zoom In", lambda: self.timeline.zoom(1.25), "+")
        act(v, "Zoom Out", lambda: self.timeline.zoom(0.8), "-")
        act(v, "Zoom to Fit", self.timeline.zoom_to_fit, "Ctrl+0")
        snap = act(v, "Snapping", lambda on: setattr(self.timeline, "snapping", on), "N")
        snap.setCheckable(True)
        snap.setChecked(True)
        scale = v.addMenu("Preview Scale")
        for label, s in (("Auto (as shown)", None), ("Full", 1.0), ("1/2", 0.5), ("1/4", 0.25)):
            act(scale, label, lambda _=False, s=s: self.preview.set_scale(s))
        px = act(v, "Use Proxies in Preview", self.set_use_proxies)
        px.setCheckable(True)
        px.setChecked(self.proxies.enabled)
        px.setToolTip("Play and scrub long-GOP footage from small all-intra copies (export always uses originals)")
        v.addSeparator()
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        p = mb.addMenu("&Playback")
        act(p, "Play/Pause", self.preview.toggle_play, "Space")
        act(p, "Reverse (J)", lambda: self.shuttle(-1), "J")
        act(p, "Stop (K)", self.preview.stop, "K")
        act(p, "Forward (L)", lambda: self.shuttle(1), "L")
        act(p, "Previous Frame", lambda: self.preview.step(-1), "Left")
        act(p, "Next Frame", lambda: self.preview.step(1), "Right")
        act(p, "Start", lambda: self.doc.set_playhead(0), "Home")
        act(p, "End", lambda: self.doc.set_playhead(self.doc.project.duration - 1), "End")
        a = mb.addMenu("&AI")
        act(a, "Fill Selected Cut", self.fill_selected_cut, "Ctrl+T")
        act(a, "Camera Move", self.camera_move)
        act(a, "Sound Layers for Selection", self.sound_layers)
        act(a, "Models...", self.models_dialog)
        act(a, "Settings (Compute, Cache)...", self.ai_settings_dialog)
        h = mb.addMenu("&Help")
        act(h, "About Seamline", lambda: QMessageBox.about(
            self, "Seamline", "Seamline: a video editor for family videos, with local AI tools.\n\n"
                              "Space play/pause, J/K/L shuttle, Left/Right frame step, S split, Del delete,\n"
                              "Shift+Del ripple delete, Ctrl+wheel zoom, + on a cut: fill transition."))

    # -- files -------------------------------------------------------------------------------------------------
    def _fill_recent(self):
        self.recent_menu.clear()
        for path in self.settings.value("recent", [], list) or []:
            a = self.recent_menu.addAction(path)
            a.triggered.connect(lambda _=False, p=path: self.open_path(p))

    def _add_recent(self, path: Path):
        items = [str(path)] + [p for p in (self.settings.value("recent", [], list) or []) if p != str(path)]
        self.settings.setValue("recent", items[:10])
        self._fill_recent()

    def maybe_save(self) -> bool:
        if not self.doc.modified:
            return True
        r = self.ask("The project has unsaved changes. Save them?",
                     QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
        if r == QMessageBox.Save:
            return self.save()
        return r == QMessageBox.Discard

    def shutdown(self):
        """Stop playback and the preview thread before the media they read are closed."""
        self.preview.stop()
        self.preview.server.stop()
        self.preview.server.join()
        self.proxies.stop()
        self.doc.close()

    def set_use_proxies(self, on: bool) -> None:
        self.proxies.set_enabled(on)
        self.settings.setValue("preview/proxies", bool(on))
        self.preview.refresh()

    def shuttle(self, direction: int):
        """J/L: play backward/forward; pressing again in the same direction doubles the speed (up to 8x)."""
        speed = self.preview.speed if self.preview.playing else 0.0
        if speed and (speed > 0) == (direction > 0):
            speed = max(-8.0, min(8.0, speed * 2))
        else:
            speed = float(direction)
        self.preview.stop()
        self.preview.play(speed=speed)

    def ask(self, question: str, buttons) -> int:
        """A yes/no style question (tests and scripts replace this)."""
        return QMessageBox.question(self, "Seamline", question, buttons)

    def new_project(self):
        if self.maybe_save():
            self.set_document(Document())

    def open_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Projects (*.seam *.otio)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        if not self.maybe_save():
            return False
        try:
            doc = Document.open(path)
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        self.set_document(doc)
        self._add_recent(Path(path).resolve())
        from editor.project.fileio import missing_media

        missing = missing_media(doc.project)
        if missing:
            self.statusBar().showMessage(f"{len(missing)} media file(s) are missing: File > Relink Media", 10000)
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        try:
            self._add_recent(self.doc.save())
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        return True

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save project", self.doc.project.name + ".seam",
                                              "Seamline project (*.seam)")
        if not path:
            return False
        try:
            self._add_recent(self.doc.save(path))
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        return True

    def closeEvent(self, e):
        if self.maybe_save():
            self.shutdown()
            e.accept()
        else:
            e.ignore()

    # -- import ------------------------------------------------------------------------------------------------
    def import_dialog(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Import media", "", MEDIA_FILTER)
        if paths:
            self.import_files(paths)

    def import_files(self, paths, place=None, lay_out: bool = False):
        """Probe files on a worker; add them to the bin (one undo step each); optionally lay them on the timeline."""
        paths = [str(p) for p in paths]

        def work(progress, cancelled):
            from editor.errors import MediaError

            found, bad = [], {}
            for i, p in enumerate(paths):
                if cancelled():
                    break
                try:
                    found.append(media_actions.import_asset(self.doc.project, p))
                except MediaError as exc:
                    bad[p] = exc.reason
                progress((i + 1) / len(paths), Path(p).name)
            return found, bad

        w = workers.Worker(work)
        w.signals.finished.connect(lambda res: self._imported(res, place, lay_out))
        w.signals.failed.connect(self.show_error)
        self.statusBar().showMessage(f"importing {len(paths)} file(s)...")
        self.last_import = workers.start(w)
        return w

    def _imported(self, result, place, lay_out):
        if not shiboken6.isValid(self.bin):
            return
        assets, bad = result
        self.bin.errors.update(bad)
        with self.doc.group(f"Import {len(assets)} file(s)"):
            self._place_imported(assets, place, lay_out)
        self.bin.refresh()
        msg = f"imported {len(assets)} file(s)"
        if bad:
            msg += f"; {len(bad)} could not be read: " + "; ".join(f"{Path(k).name}: {v}" for k, v in bad.items())
        self.statusBar().showMessage(msg, 10000)

    def _place_imported(self, assets, place, lay_out):
        for a in assets:
            self.doc.apply(f"Import {a.name}", edits.add_asset, a)
        if place and assets:
            track, frame = place
            for a in assets:
                self.timeline.drop_asset(a.id, track, frame)
                frame += self.doc.project.max_duration(a.id, 0) or 120
        elif lay_out and assets:
            v = self.doc.project.video_tracks()
            if not v:
                self.doc.apply("Add track", edits.add_track, "video", index=0)
            for a in assets:
                tid = self.doc.project.video_tracks()[0].id
                self.timeline.drop_asset(a.id, tid, self.doc.project.duration)
            self.timeline.zoom_to_fit()

    def _want_thumbs(self, asset_id: str):
        if asset_id in self._thumb_jobs or asset_id not in self.doc.project.assets:
            return
        self._thumb_jobs.add(asset_id)
        asset = self.doc.project.assets[asset_id]

        def work(progress, cancelled):
            from editor.media.thumbs import thumbnail, waveform_peaks

            thumb = thumbnail(asset.path, 0, 48) if asset.kind in ("video", "image") else None
            peaks = waveform_peaks(asset.path) if asset.kind != "image" else None
            return thumb, peaks

        w = workers.Worker(work)

        def done(res):
            if not shiboken6.isValid(self.timeline):
                return  # the window closed while the worker ran
            thumb, peaks = res
            if thumb is not None:
                pix = pixmap_from_rgb(thumb)
                self.timeline.thumbs[asset_id] = pix
                self.bin.icons[asset_id] = pix
            if peaks is not None:
                self.timeline.peaks[asset_id] = peaks
            self.timeline.update()
            self.bin.refresh()

        w.signals.finished.connect(done)
        w.signals.failed.connect(lambda msg: self.statusBar().showMessage(f"{asset.name}: {msg}", 5000))
        workers.start(w)

    def relink_dialog(self):
        from editor.project.fileio import missing_media

        missing = missing_media(self.doc.project)
        if not missing:
            QMessageBox.information(self, "Relink", "No media is missing.")
            return
        for a in missing:
            path, _ = QFileDialog.getOpenFileName(self, f"Where is {a.name}?", "", MEDIA_FILTER)
            if path:
                self.relink(a.id, path)

    def relink(self, asset_id: str, path: str) -> bool:
        from editor.actions.media import relink

        return self.doc.apply("Relink media", relink, asset_id, path)

    # -- edit commands -----------------------------------------------------------------------------------------
    def _selected_or_under_playhead(self):
        if self.doc.selection:
            return list(self.doc.selection)
        ids = []
        for t in self.doc.project.tracks:
            c = t.clip_at(self.doc.playhead)
            if c is not None and (self.doc.selected_track in (None, t.id)):
                ids.append(c.id)
        return ids[:1]

    def split_selected(self):
        with self.doc.group("Split"):
            for cid in self._selected_or_under_playhead():
                self.timeline.split(cid, self.doc.playhead)

    def delete_selected(self):
        ids = list(self.doc.selection)
        if ids:
            self.doc.apply("Delete", edits.delete, ids)
            self.doc.select([])

    def ripple_delete_selected(self):
        ids = list(self.doc.selection)
        if ids:
            self.doc.apply("Ripple delete", edits.ripple_delete, ids)
            self.doc.select([])

    def close_gap_at_playhead(self):
        tid = self.doc.selected_track or next((t.id for t in self.doc.project.video_tracks()), None)
        if tid:
            self.doc.apply("Close gap", edits.close_gap, tid, self.doc.playhead)

    def remove_track(self):
        if self.doc.selected_track:
            self.doc.apply("Remove track", edits.remove_track, self.doc.selected_track)
            self.doc.selected_track = None

    # -- export ------------------------------------------------------------------------------------------------
    def export_dialog(self):
        ExportDialog(self).exec()

    def models_dialog(self, model_id: str | None = None):
        from editor.ui.models_dialog import open_models

        return open_models(self, model_id)

    def ai_settings_dialog(self):
        from editor.ui.ai_settings import AISettingsDialog

        AISettingsDialog(self).exec()

    # -- AI tools ----------------------------------------------------------------------------------------------
    def fill_cut(self, track_id: str, a: str, b: str):
        self.doc.select_cut(track_id, a, b)
        self.docks["AI"].raise_()
        self.ai.setCurrentWidget(self.ai.fill)
        self.fill_selected_cut()

    def fill_selected_cut(self):
        from editor.ui.ai_actions import run_fill

        run_fill(self)

    def camera_move(self):
        from editor.ui.ai_actions import run_camera

        run_camera(self)

    def sound_layers(self):
        from editor.ui.ai_actions import run_sound

        run_sound(self)


class ExportDialog(QDialog):
    """Preset, path, progress with time left, cancel; the export runs on a worker."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Export")
        form = QFormLayout(self)
        self.preset = QComboBox()
        self.preset.addItems(["1080p", "720p", "vertical", "square", "project size"])
        name = (window.doc.path.stem if window.doc.path else window.doc.project.name) + ".mp4"
        base = window.doc.path.parent if window.doc.path else Path.home()
        self.path = QLineEdit(str(base / name))
        browse = QPushButton("...")
        browse.clicked.connect(self._browse)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.path, 1)
        lay.addWidget(browse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.eta = QLabel("")
        self.buttons = QDialogButtonBox()
        self.go = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.cancel_btn = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.go.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        form.addRow("Preset", self.preset)
        form.addRow("File", row)
        form.addRow(self.bar)
        form.addRow(self.eta)
        form.addRow(self.buttons)
        self.worker = None
        self.result = None

    def _browse(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), "MP4 video (*.mp4)")
        if path:
            self.path.setText(path)

    def start(self):
        import time

        from editor.render.exporter import export

        project = self.window_.doc.project  # immutable: the user keeps editing while it runs, it does not change
        preset = None if self.preset.currentText() == "project size" else self.preset.currentText()
        out = self.path.text()
        t0 = time.monotonic()

        def work(progress, cancelled):
            return export(project, out, preset=preset, progress=lambda f: progress(f, ""), cancelled=cancelled)

        self.worker = workers.Worker(work)

        def prog(f, _):
            self.bar.setValue(int(f * 1000))
            el = time.monotonic() - t0
            if f > 0.01:
                self.eta.setText(f"{el / f - el:.0f} s left")

        self.worker.signals.progress.connect(prog)
        self.worker.signals.finished.connect(self._done)
        self.worker.signals.failed.connect(lambda msg: (self.eta.setText(f"failed: {msg}"), self._idle()))
        self.worker.signals.cancelled.connect(lambda: (self.eta.setText("cancelled"), self._idle()))
        self.go.setEnabled(False)
        workers.start(self.worker)

    def _idle(self):
        self.go.setEnabled(True)
        self.worker = None

    def _done(self, path):
        self.result = path
        self.eta.setText(f"exported to {path}")
        self.bar.setValue(1000)
        self._idle()

    def cancel(self):
        if self.worker is not None:
            self.worker.cancel()
        else:
            self.reject()
