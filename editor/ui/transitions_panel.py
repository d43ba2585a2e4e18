"""The transitions library: every kind with a small animated preview. Drag one onto a cut, or select one and press
"Apply to all cuts". The AI fill is one entry among them (dropped on a cut, it makes new in-between frames)."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer
from PySide6.QtGui import QDrag, QIcon
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from editor.render.transitions import LABELS, preview_frames
from editor.ui import style
from editor.ui.pictures import pixmap_from_rgb
from editor.ui.timeline_view import TRANSITION_MIME

AI_FILL = "ai-fill"
FRAME_MS = 70


class TransitionList(QListWidget):
    def startDrag(self, actions):
        it = self.currentItem()
        if it is None:
            return
        mime = QMimeData()
        mime.setData(TRANSITION_MIME, it.data(Qt.UserRole).encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(it.icon().pixmap(self.iconSize()))
        drag.exec(Qt.CopyAction)


class TransitionsLibrary(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window_ = window
        lay = QVBoxLayout(self)
        hint = QLabel("Drag a transition onto a cut between two clips")
        hint.setWordWrap(True)
        self.list = TransitionList()
        self.list.setViewMode(QListWidget.IconMode)
        k = style.layout_scale()
        self.list.setIconSize(QSize(int(96 * k), int(54 * k)))
        self.list.setGridSize(QSize(int(118 * k), int(90 * k)))
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setDragEnabled(True)
        self.list.setWordWrap(True)
        self.frames: dict[str, list] = {}
        for kind, label in list(LABELS.items()) + [(AI_FILL, "Fill with AI")]:
            it = QListWidgetItem(label)
            it.setData(Qt.UserRole, kind)
            if kind == AI_FILL:
                frames = preview_frames("dissolve")
                it.setToolTip("New in-between frames made by AI that carry one shot into the next")
            else:
                frames = preview_frames(kind)
                it.setToolTip(f"{label}: drag onto a cut")
            self.frames[kind] = [QIcon(pixmap_from_rgb(f)) for f in frames]
            it.setIcon(self.frames[kind][len(frames) // 2])
            self.list.addItem(it)
        row = QHBoxLayout()
        self.length = QDoubleSpinBox()
        self.length.setRange(0.1, 5.0)
        self.length.setSingleStep(0.1)
        self.length.setValue(0.5)
        self.length.setSuffix(" s")
        self.apply_all = QPushButton("Apply to all cuts")
        self.apply_all.setToolTip("Put the selected transition on every cut of the main video track")
        self.apply_all.clicked.connect(self._apply_all)
        row.addWidget(QLabel("Length"))
        row.addWidget(self.length)
        row.addWidget(self.apply_all, 1)
        lay.addWidget(hint)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self._tick = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._animate)
        self._timer.start(FRAME_MS)

    def _animate(self):
        """Each preview plays its transition, A to B, over and over (only while the panel is on screen)."""
        if not self.isVisible():
            return
        self._tick += 1
        for i in range(self.list.count()):
            it = self.list.item(i)
            icons = self.frames[it.data(Qt.UserRole)]
            it.setIcon(icons[(self._tick + 5 * i) % len(icons)])  # out of step: the panel shows every stage

    def selected_kind(self) -> str:
        it = self.list.currentItem()
        return it.data(Qt.UserRole) if it is not None else "dissolve"

    def _apply_all(self):
        kind = self.selected_kind()
        if kind == AI_FILL:
            self.window_.show_error("An AI fill is made for one cut at a time: drag it onto a cut")
            return
        self.window_.apply_transition(kind, None, self.length.value())
