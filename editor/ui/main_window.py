"""The main window: docks and their wiring. Its commands live beside it: menus (menus.py), files (file_actions.py),
import (import_actions.py), edits and the AI tools (edit_actions.py), dialogs (dialogs.py)."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QScrollArea, QScrollBar, QVBoxLayout,
                               QWidget)

from editor.ui import music_ui, style, words_ui
from editor.ui.ai_panel import AIPanel
from editor.ui.dialogs import ExportDialog, ModelsDialog  # noqa: F401  (re-exported: tests and scripts use them)
from editor.ui.document import Document
from editor.ui.edit_actions import EditActions
from editor.ui.file_actions import FileActions
from editor.ui.import_actions import MEDIA_FILTER, ImportActions  # noqa: F401
from editor.ui.labels import playback_summary, timecode
from editor.ui.menus import build_menus
from editor.ui.motion_panel import MotionPanel
from editor.ui.panels import Inspector, MediaBin
from editor.ui.pictures import MediaPictures, alive
from editor.ui.preview import PreviewWidget
from editor.ui.proxies import ProxyQueue
from editor.ui.timeline_view import TimelineView
from editor.ui.transitions_panel import TransitionsLibrary
from editor.ui.transport import remember_window

STATUS_MS = 8000


class MainWindow(FileActions, ImportActions, EditActions, QMainWindow):
    def __init__(self, doc: Document | None = None):
        super().__init__()
        self.doc = doc or Document()
        self.settings = QSettings("Seamline", "Seamline")
        self.setFont(style.font())
        self.pictures = MediaPictures(self._picture_error)
        self.timeline = TimelineView(self.doc, pictures=self.pictures)
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
        self.bin = MediaBin(self.doc, self.pictures)
        self.inspector = Inspector(self.doc)
        self.ai = AIPanel(self)
        self.transitions = TransitionsLibrary(self)
        self.motion = MotionPanel(self.doc)  # transform, keyframes, colour, speed, stabilise, reframe
        self.motion.analysed.connect(self.preview.refresh)
        self.docks = {}
        for name, widget, area in (("Media", self.bin, Qt.LeftDockWidgetArea),
                                   ("Preview", self.preview, Qt.TopDockWidgetArea),
                                   ("Transitions", self.transitions, Qt.LeftDockWidgetArea),
                                   ("Inspector", self.inspector, Qt.RightDockWidgetArea),
                                   ("Motion", self.motion, Qt.RightDockWidgetArea),
                                   ("AI", self.ai, Qt.RightDockWidgetArea)):
            dock = QDockWidget(name, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["AI"])
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["Motion"])
        self.tabifyDockWidget(self.docks["Media"], self.docks["Transitions"])
        self.docks["AI"].raise_()
        self.docks["Media"].raise_()
        self._status_extra = QLabel("")
        self._status_proxy = QLabel("")
        self._status_time = QLabel("")
        self.statusBar().addPermanentWidget(self._status_proxy)
        self.statusBar().addPermanentWidget(self._status_extra)
        self.statusBar().addPermanentWidget(self._status_time)
        self._extra_clear = QTimer(self)
        self._extra_clear.setSingleShot(True)
        self._extra_clear.timeout.connect(lambda: self._status_extra.setText(""))
        self.proxies = ProxyQueue(self)
        self.proxies.enabled = self.settings.value("preview/proxies", True, type=bool)
        self.proxies.status.connect(self._status_proxy.setText)
        build_menus(self)
        words_ui.install(self)  # transport bar, Titles tab, Captions dock (after the menus: it adds entries to them)
        music_ui.install(self)  # Music menu, File > New Photo Story (editor/ui/music_ui.py)
        self._connect(self.doc)
        self.proxies.attach(self.doc)
        self.timeline.fill_requested.connect(self.fill_cut)
        self.timeline.cut_clicked.connect(self.open_cut_popover)
        self.bin.files_dropped.connect(self.import_files)
        self.preview.status.connect(self._preview_status)
        self.resize(1400, 860)
        # a picture worth looking at: the preview takes ~45 % of the height, the timeline the rest
        self.resizeDocks([self.docks["Preview"]], [380], Qt.Vertical)
        self.resizeDocks([self.docks["Media"], self.docks["AI"]], [250, 360], Qt.Horizontal)
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
        self.pictures.clear()
        self.timeline.set_document(doc)
        self.bin.set_document(doc)
        self.inspector.attach(doc)
        self.motion.attach(doc)
        self.preview.attach(doc)
        words_ui.attach(self, doc)
        self._connect(doc)
        self.proxies.attach(doc)
        old.close()
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
        self._status_time.setText(timecode(n, self.doc.project.settings.rate))

    def _picture_error(self, msg: str):
        if alive(self):  # a worker may report after the window closed
            self.statusBar().showMessage(msg, STATUS_MS)

    def _preview_status(self, text: str):
        """While playing the preview says how it goes; when it stops, a summary that goes away after a while."""
        if text.startswith("stopped"):
            nums = [int(w) for w in text.replace(",", " ").split() if w.isdigit()]
            text = playback_summary(*(nums + [0, 0])[:2])
            self._extra_clear.start(STATUS_MS)
        elif text.startswith("playing"):
            text = "Playing"
            self._extra_clear.stop()
        self._status_extra.setText(text)

    def show_error(self, msg: str):
        self.statusBar().showMessage(msg, STATUS_MS)
        if self.isVisible() and not getattr(self, "quiet_errors", False):
            QMessageBox.warning(self, "Seamline", msg)

    def notify(self, msg: str, title: str = "Seamline") -> QMessageBox:
        """A message that does not block: the window stays usable (and scripted runs go on)."""
        self.statusBar().showMessage(msg, 15000)
        box = QMessageBox(QMessageBox.Information, title, msg, QMessageBox.Ok, self)
        box.setModal(False)
        box.show()
        return box

    def ask(self, question: str, buttons) -> int:
        """A yes/no style question (tests and scripts replace this)."""
        return QMessageBox.question(self, "Seamline", question, buttons)

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

    def closeEvent(self, e):
        if self.maybe_save():
            remember_window(self)
            self.shutdown()
            e.accept()
        else:
            e.ignore()
