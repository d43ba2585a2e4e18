"""The small popover a click on a cut's "+" opens: how long, which transition, or a fill made by AI. Nothing starts
until a button in it is pressed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton

from editor.render.transitions import LABELS
from editor.timeline import edits
from editor.ui.labels import seconds


class CutPopover(QFrame):
    def __init__(self, window, cut: tuple[str, str, str]):
        super().__init__(window, Qt.Popup)
        self.window_, self.cut = window, cut
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("cutPopover")
        p = window.doc.project
        track_id, a, b = cut
        t = p.track(track_id)
        ca, cb = t.clip(a), t.clip(b)
        existing = t.transition_between(a, b)
        form = QFormLayout(self)
        title = QLabel(f"<b>{ca.name or 'clip'} \u2192 {cb.name or 'clip'}</b>")
        form.addRow(title)
        self.length = QDoubleSpinBox()
        self.length.setRange(0.1, 5.0)
        self.length.setSingleStep(0.1)
        self.length.setSuffix(" s")
        self.length.setValue(seconds(existing.duration, p.settings.rate) if existing else 0.5)
        self.length.setToolTip("How long the change from one shot to the next takes")
        self.kind = QComboBox()
        for kind, label in LABELS.items():
            self.kind.addItem(label, kind)
        if existing is not None:
            i = self.kind.findData("wipe-right" if existing.kind == "wipe" else existing.kind)
            self.kind.setCurrentIndex(max(0, i))
        fill_tab = window.ai.fill
        self.backend = QComboBox()
        for i in range(fill_tab.backend.count()):
            self.backend.addItem(fill_tab.backend.itemText(i))
        self.backend.setCurrentText(fill_tab.backend.currentText())
        self.backend.setToolTip("Which AI makes the fill: auto picks the built-in one unless an AI video model is "
                                "set up (AI > Models)")
        form.addRow("Length", self.length)
        form.addRow("Transition", self.kind)
        form.addRow("AI fill made by", self.backend)
        row = QHBoxLayout()
        self.add = QPushButton("Change transition" if existing else "Add transition")
        self.fill = QPushButton("Fill with AI...")
        self.fill.setToolTip("Make new in-between frames that carry the first shot into the second (takes a while; "
                             "the clips after the cut move along)")
        row.addWidget(self.add)
        row.addWidget(self.fill)
        form.addRow(row)
        self.remove = None
        if existing is not None:
            self.remove = QPushButton("Remove transition")
            self.remove.clicked.connect(lambda: self._done(window.doc.apply(
                "Remove transition", edits.remove_transition, existing.id)))
            form.addRow(self.remove)
        self.add.clicked.connect(lambda: self._done(window.apply_transition(
            self.kind.currentData(), [cut], self.length.value())))
        self.fill.clicked.connect(self._fill)

    def _done(self, _ok=True):
        self.close()

    def _fill(self):
        self.window_.ai.fill.backend.setCurrentText(self.backend.currentText())
        self.close()
        self.window_.fill_cut(*self.cut, seconds=self.length.value())

    def show_at(self, where) -> None:
        self.adjustSize()
        self.move(where.x() - self.width() // 2, where.y() + 12)
        self.show()
