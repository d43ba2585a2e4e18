"""Dialogs: export (on a worker, with progress, time left, cancel, then Open/Close), project settings, AI models."""
from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFontMetrics
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QWidget)

from editor.timeline import arrange
from editor.ui import style, workers
from editor.ui.labels import rate_label

RATES = [("23.976", Fraction(24000, 1001)), ("24", Fraction(24)), ("25", Fraction(25)),
         ("29.97", Fraction(30000, 1001)), ("30", Fraction(30)), ("50", Fraction(50)),
         ("59.94", Fraction(60000, 1001)), ("60", Fraction(60))]
SIZES = [("720", 720), ("1080 (Full HD)", 1080), ("1440", 1440), ("2160 (4K)", 2160)]


def _wide(dialog: QDialog, chars: int = 70) -> None:
    """Wide enough for a long file path: follows the font, not a fixed pixel count."""
    px = max(QFontMetrics(dialog.font()).averageCharWidth() * chars, int(8 * chars * style.layout_scale()))
    dialog.setMinimumWidth(px)


class ExportDialog(QDialog):
    """Preset, path, progress with time left, cancel; the export runs on a worker. When it is done the buttons say
    what can be done next: open the video, show its folder, close."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Export video")
        _wide(self)
        form = QFormLayout(self)
        self.preset = QComboBox()
        self.preset.addItems(["1080p", "720p", "vertical", "square", "project size"])
        self.preset.setToolTip("1080p/720p: landscape for TV and computers; vertical: phones (9:16); square: 1:1")
        name = (window.doc.path.stem if window.doc.path else window.doc.project.name) + ".mp4"
        base = window.doc.path.parent if window.doc.path else Path.home()
        self.path = QLineEdit(str(base / name))
        browse = QPushButton("Choose...")
        browse.clicked.connect(self._browse)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.path, 1)
        lay.addWidget(browse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.eta = QLabel("")
        self.eta.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.go = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.open_btn = self.buttons.addButton("Play the Video", QDialogButtonBox.ActionRole)
        self.folder_btn = self.buttons.addButton("Show in Folder", QDialogButtonBox.ActionRole)
        self.cancel_btn = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.open_btn.hide()
        self.folder_btn.hide()
        self.go.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        self.open_btn.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result))))
        self.folder_btn.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.result).parent))))
        form.addRow("Size", self.preset)
        form.addRow("Save to", row)
        self.captions = QComboBox()  # what becomes of the captions tracks (editor/render/subtitle_stream.py)
        for label, mode in (("burnt into the picture", "burn"), ("subtitle stream (players can hide it)", "soft"),
                            ("side-car .srt file", "sidecar"), ("left out", "none")):
            self.captions.addItem(label, mode)
        if any(t.clips for t in window.doc.project.captions_tracks()):
            form.addRow("Captions", self.captions)
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
        from editor.render.exporter import export

        project = self.window_.doc.project  # immutable: the user keeps editing while it runs, it does not change
        preset = None if self.preset.currentText() == "project size" else self.preset.currentText()
        out = self.path.text()
        mode = self.captions.currentData()
        t0 = time.monotonic()

        def work(progress, cancelled):
            return export(project, out, preset=preset, progress=lambda f: progress(f, ""), cancelled=cancelled,
                          subtitles=mode)

        self.worker = workers.Worker(work)

        def prog(f, _):
            self.bar.setValue(int(min(f, 0.99) * 1000))
            el = time.monotonic() - t0
            if f > 0.01:
                left = el / f - el
                self.eta.setText(f"About {left:.0f} s left" if left < 90 else f"About {left / 60:.0f} min left")

        self.worker.signals.progress.connect(prog)
        self.worker.signals.finished.connect(self._done)
        self.worker.signals.failed.connect(lambda msg: (self.eta.setText(f"The export failed: {msg}"), self._idle()))
        self.worker.signals.cancelled.connect(lambda: (self.eta.setText("Export cancelled"), self._idle()))
        self.go.setEnabled(False)
        self.cancel_btn.setText("Cancel")
        workers.start(self.worker)

    def _idle(self):
        self.go.setEnabled(True)
        self.worker = None

    def _done(self, path):
        self.result = path
        self.eta.setText(f"Done: the video is saved as {path}")
        self.bar.setValue(1000)
        self._idle()
        self.go.hide()
        self.open_btn.show()
        self.folder_btn.show()
        self.cancel_btn.setText("Close")

    def cancel(self):
        if self.worker is not None:
            self.worker.cancel()
        elif self.result is not None:
            self.accept()
        else:
            self.reject()


class ProjectSettingsDialog(QDialog):
    """Shape (16:9, 9:16, 1:1, 4:5), size and frame rate; or match a clip. Applying is one undo step."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Project settings")
        _wide(self, 50)
        s = window.doc.project.settings
        form = QFormLayout(self)
        self.aspect = QComboBox()
        for name, tip in (("16:9", "landscape: TV, computers"), ("9:16", "vertical: phone stories and reels"),
                          ("1:1", "square"), ("4:5", "portrait posts")):
            self.aspect.addItem(f"{name}  ({tip})", name)
        self.size = QComboBox()
        for label, short in SIZES:
            self.size.addItem(label, short)
        self.rate = QComboBox()
        for label, r in RATES:  # (data as text: Qt compares Python objects by identity)
            self.rate.addItem(f"{label} frames per second", str(r))
        self.match = QComboBox()
        self.match.addItem("(choose)", None)
        for a in window.doc.project.assets.values():
            if a.kind == "video" and a.width:
                self.match.addItem(f"{a.name}: {a.width}\u00d7{a.height}, {rate_label(a.rate)}", a.id)
        self.match.currentIndexChanged.connect(self._match)
        self.summary = QLabel("")
        form.addRow("Shape", self.aspect)
        form.addRow("Size (short side)", self.size)
        form.addRow("Frame rate", self.rate)
        form.addRow("Or match a clip", self.match)
        form.addRow(self.summary)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.custom: tuple[int, int] | None = None
        aspect = arrange.aspect_of(s.width, s.height) or "16:9"
        self.aspect.setCurrentIndex(self.aspect.findData(aspect))
        short = min(s.width, s.height)
        i = self.size.findData(short)
        if i < 0:
            self.size.addItem(str(short), short)
            i = self.size.count() - 1
        self.size.setCurrentIndex(i)
        j = self.rate.findData(str(s.rate))
        if j < 0:
            self.rate.addItem(rate_label(s.rate), str(s.rate))
            j = self.rate.count() - 1
        self.rate.setCurrentIndex(j)
        for box in (self.aspect, self.size, self.rate):
            box.currentIndexChanged.connect(self._show)
        self._show()

    def chosen(self) -> tuple[int, int, Fraction]:
        if self.custom is not None:
            w, h = self.custom
        else:
            w, h = arrange.size_for(self.aspect.currentData(), self.size.currentData())
        return w, h, Fraction(self.rate.currentData())

    def _show(self):
        if self.sender() in (self.aspect, self.size):
            self.custom = None
        w, h, r = self.chosen()
        self.summary.setText(f"The video will be {w}\u00d7{h} at {rate_label(r)}")

    def _match(self):
        aid = self.match.currentData()
        if aid is None:
            return
        a = self.window_.doc.project.assets[aid]
        self.custom = (a.width - a.width % 2, a.height - a.height % 2)
        j = self.rate.findData(str(a.rate))
        if j < 0:
            self.rate.addItem(rate_label(a.rate), str(a.rate))
            j = self.rate.count() - 1
        self.rate.blockSignals(True)
        self.rate.setCurrentIndex(j)
        self.rate.blockSignals(False)
        w, h, r = self.chosen()
        self.summary.setText(f"The video will be {w}\u00d7{h} at {rate_label(r)}")

    def apply(self):
        w, h, r = self.chosen()
        if self.window_.doc.apply("Project settings", arrange.set_settings, w, h, r):
            self.accept()


from editor.ui.models_dialog import ModelsDialog  # noqa: E402  (AI > Models lives in its own module)

__all__ = ["ExportDialog", "ProjectSettingsDialog", "ModelsDialog"]
