"""The AI panel: one tab per tool. Jobs run on workers with progress and cancel; results land as one undo step."""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QProgressBar, QPushButton, QTabWidget, QWidget)

from ai.camera.paths import EASINGS, MOVES
from ai.catalog import tool as ai_tool
from ai.sound.presets import PRESETS
from editor.ui import workers
from editor.ui.document import Document


class JobRow(QWidget):
    """Generate / Cancel buttons with a progress bar; runs one job at a time."""

    done = Signal(object)

    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.go = QPushButton(label)
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        lay.addWidget(self.go)
        lay.addWidget(self.bar, 1)
        lay.addWidget(self.cancel)
        self.worker: workers.Worker | None = None
        self.last_model: str | None = None  # the model a failed job needed (the error offers AI > Models at it)
        self.cancel.clicked.connect(self.stop)

    def run(self, fn, on_done, on_error, on_progress=None):
        self.last_model = None

        def job(progress, cancelled):
            from ai.errors import ModelNotAvailable

            try:
                return fn(progress, cancelled)
            except ModelNotAvailable as exc:
                self.last_model = exc.model_id
                raise

        w = workers.Worker(job)
        self.worker = w
        self.go.setEnabled(False)
        self.cancel.setEnabled(True)
        self.bar.setValue(0)

        def progress(f, stage):
            # a job's own "done" comes before its result is read and placed: never show 100 % or "done" until
            # the result is on the timeline
            f = min(max(f, 0.0), 0.99)
            if stage.strip().lower() in ("done", "cached", "finished", ""):
                stage = "finishing"
            self.bar.setValue(int(f * 1000))
            self.bar.setFormat(f"{stage} %p%")
            if on_progress:
                on_progress(f)

        def finish(result=None, error=None, cancelled=False):
            self.go.setEnabled(True)
            self.cancel.setEnabled(False)
            self.worker = None
            if cancelled:
                self.bar.setFormat("cancelled")
                self.bar.setValue(0)
                on_error(None)
            elif error is not None:
                self.bar.setFormat("failed")
                on_error(error)
            else:
                self.bar.setFormat("done")
                self.bar.setValue(1000)
                self.bar.setToolTip("")
                on_done(result)
                self.done.emit(result)

        w.signals.progress.connect(progress)
        w.signals.finished.connect(lambda r: finish(result=r))
        w.signals.failed.connect(lambda msg: finish(error=msg))
        w.signals.cancelled.connect(lambda: finish(cancelled=True))
        workers.start(w)
        return w

    def stop(self):
        if self.worker is not None:
            self.worker.cancel()

    @property
    def busy(self) -> bool:
        return self.worker is not None


def choice_box(items) -> QComboBox:
    box = QComboBox()
    box.addItems(items)
    return box


def backend_box(tool: str) -> QComboBox:
    """A tool's backends from the one table (ai/catalog.py): the title shown, the name as the item's data."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # long titles never widen the dock
    box.setMinimumContentsLength(16)
    t = ai_tool(tool)
    if t.auto:
        box.addItem("auto", "auto")
        box.setItemData(0, "built-in for the same shot, a downloaded model for different shots", Qt.ToolTipRole)
    for b in t.backends:
        if b.kind == "helper":
            continue
        label = b.title if b.kind != "generative" else f"{b.title} (GPU ~{b.vram_gb:g} GB)"
        box.addItem(label, b.name)
    return box


def select_backend(box: QComboBox, name: str) -> None:
    box.setCurrentIndex(max(0, box.findData(name)))


NO_CUT = "Click the + on a cut between two clips in the timeline"
FOCUS = [("the middle", (0.5, 0.5)), ("the left third", (0.33, 0.5)), ("the right third", (0.67, 0.5)),
         ("the top", (0.5, 0.3)), ("the bottom", (0.5, 0.7))]


class FillTab(QWidget):
    def __init__(self, panel: "AIPanel"):
        super().__init__()
        self.panel = panel
        form = QFormLayout(self)
        self.cut = QLabel(NO_CUT)
        self.cut.setWordWrap(True)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.25, 5.0)
        self.duration.setSingleStep(0.25)
        self.duration.setValue(1.0)
        self.duration.setSuffix(" s")
        self.backend = backend_box("fill-transition")
        self.backend.setToolTip("auto: the built-in one (any computer) unless an AI video model is set up")
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("optional words for generative models")
        self.row = JobRow("Fill transition")
        form.addRow("Cut", self.cut)
        form.addRow("Length", self.duration)
        form.addRow("Made by", self.backend)
        form.addRow("Describe it", self.prompt)
        form.addRow(self.row)
        self.row.go.clicked.connect(self.panel.fill_selected_cut)


class CameraTab(QWidget):
    def __init__(self, panel: "AIPanel"):
        super().__init__()
        self.panel = panel
        form = QFormLayout(self)
        self.source = QComboBox()
        self.moves = QListWidget()
        self.moves.addItems(list(MOVES))
        self.moves.setSelectionMode(QListWidget.MultiSelection)
        self.moves.setMaximumHeight(140)
        self.moves.item(0).setSelected(True)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.5, 60)
        self.duration.setValue(5.0)
        self.duration.setSuffix(" s")
        self.intensity = QDoubleSpinBox()
        self.intensity.setRange(0.05, 1.0)
        self.intensity.setSingleStep(0.05)
        self.intensity.setValue(0.5)
        self.easing = choice_box(list(EASINGS))
        self.easing.setCurrentText("ease-in-out")
        self.handheld = QCheckBox("add a subtle handheld drift")
        self.focus = QComboBox()
        for label, xy in FOCUS:
            self.focus.addItem(label, xy)
        self.focus.setToolTip("Where the camera moves towards or stays on")
        self.backend = backend_box("camera-move")
        self.row = JobRow("Generate move")
        form.addRow("Source", self.source)
        form.addRow("Moves (1-2)", self.moves)
        form.addRow("Length", self.duration)
        form.addRow("How much", self.intensity)
        form.addRow("Start and stop", self.easing)
        form.addRow("", self.handheld)
        form.addRow("Look at", self.focus)
        form.addRow("Made by", self.backend)
        form.addRow(self.row)
        self.row.go.clicked.connect(self.panel.camera_move)

    def refresh_sources(self, doc: Document):
        current = self.source.currentData()
        self.source.clear()
        self.source.addItem("Frame at the playhead", "playhead")
        for a in doc.project.assets.values():
            if a.kind in ("image", "video") and not a.offline:
                self.source.addItem(f"{a.name} ({'still' if a.kind == 'image' else 'clip'})", a.id)
        i = self.source.findData(current)
        if i >= 0:
            self.source.setCurrentIndex(i)

    def chosen_moves(self) -> list[str]:
        return [i.text() for i in self.moves.selectedItems()][:2]


class SoundTab(QWidget):
    def __init__(self, panel: "AIPanel"):
        super().__init__()
        self.panel = panel
        form = QFormLayout(self)
        self.clip = QLabel("Select a video clip in the timeline")
        self.layers = {n: QCheckBox(n) for n in ("ambience", "foley", "whoosh")}
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        for cb in self.layers.values():
            cb.setChecked(True)
            lay.addWidget(cb)
        self.preset = choice_box(["auto"] + list(PRESETS))
        self.words = QLineEdit()
        self.words.setPlaceholderText("beach, kids laughing, waves")
        self.backend = backend_box("sfx")
        self.row = JobRow("Generate sound")
        form.addRow("Clip", self.clip)
        form.addRow("Layers", box)
        form.addRow("Place", self.preset)
        form.addRow("Describe it", self.words)
        form.addRow("Made by", self.backend)
        form.addRow(self.row)
        self.row.go.clicked.connect(self.panel.sound_layers)

    def chosen_layers(self) -> list[str]:
        return [n for n, cb in self.layers.items() if cb.isChecked()]


class AIPanel(QTabWidget):
    """Tabs: Fill transition, Camera move, Sound. The main window connects the actions."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window_ = window
        self.fill = FillTab(self)
        self.camera = CameraTab(self)
        self.sound = SoundTab(self)
        self.addTab(self.fill, "Fill transition")
        self.addTab(self.camera, "Camera move")
        self.addTab(self.sound, "Sound")
        self.memory_check = QTimer(self)  # loaded models are released when the machine runs short of RAM
        self.memory_check.timeout.connect(self.check_memory)
        self.memory_check.start(20000)

    @staticmethod
    def check_memory() -> int:
        models = sys.modules.get("ai.models")  # nothing loaded if a generative backend never ran
        return models.check_memory() if models is not None else 0

    def fill_selected_cut(self):
        self.window_.fill_selected_cut()

    def camera_move(self):
        self.window_.camera_move()

    def sound_layers(self):
        self.window_.sound_layers()

    def refresh(self, doc: Document):
        self.camera.refresh_sources(doc)
        cut = doc.selected_cut
        text = NO_CUT
        if cut:
            t, a, b = cut
            track = doc.project.track_of(a)
            ca, cb = (track.clip(a), track.clip(b)) if track is not None else (None, None)
            if ca is not None and cb is not None and ca.end == cb.start:
                text = f"{ca.name} \u2192 {cb.name}"
            else:  # the cut was edited away (trimmed, moved, deleted): forget it
                doc.selected_cut = None
        self.fill.cut.setText(text)
        sel = [c for c in doc.selection]
        if sel:
            try:
                self.sound.clip.setText(doc.project.find_clip(sel[0])[1].name)
            except Exception:
                pass

