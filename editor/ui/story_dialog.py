"""File > New Photo Story: photos and clips, an optional song, a title, the aspect, the pace and the look."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget)

MUSIC_FILTER = "Music (*.mp3 *.wav *.flac *.m4a *.aac *.ogg *.opus);;All files (*)"
PICTURES = "Photos and clips (*.jpg *.jpeg *.png *.heic *.webp *.tif *.tiff *.mp4 *.mov *.m4v *.mkv);;All files (*)"


class StoryDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New Photo Story")
        self.files = QListWidget()
        self.files.setDragDropMode(QListWidget.InternalMove)
        add, remove = QPushButton("Add Photos and Clips..."), QPushButton("Remove")
        add.clicked.connect(self._add)
        remove.clicked.connect(lambda: [self.files.takeItem(self.files.row(i)) for i in self.files.selectedItems()])
        self.song = QLineEdit()
        self.song.setPlaceholderText("optional: the story is cut to its beat")
        pick = QPushButton("Choose...")
        pick.clicked.connect(self._pick_song)
        self.title = QLineEdit()
        self.title.setPlaceholderText("optional: shown over the first seconds")
        self.aspect = QComboBox()
        self.aspect.addItems(["16:9", "9:16", "1:1"])
        self.pace = QDoubleSpinBox()
        self.pace.setRange(1.0, 20.0)
        self.pace.setValue(3.5)
        self.pace.setSuffix(" s per photo")
        self.look = QComboBox()
        self.look.addItems(["gentle", "lively"])
        self.look.setToolTip("gentle: slow dissolves on the bar; lively: bigger moves, fills on the beat")
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        song_row = QHBoxLayout()
        song_row.addWidget(self.song)
        song_row.addWidget(pick)
        form = QFormLayout()
        form.addRow("Song", _wrap(song_row))
        form.addRow("Title", self.title)
        form.addRow("Aspect", self.aspect)
        form.addRow("Pace", self.pace)
        form.addRow("Look", self.look)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Make the Story")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.files)
        box.addLayout(row)
        box.addLayout(form)
        box.addWidget(buttons)
        self.resize(520, 480)

    def _add(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Photos and clips", "", PICTURES)
        self.add_files(paths)

    def add_files(self, paths) -> None:
        for p in paths:
            self.files.addItem(str(p))

    def _pick_song(self):
        path, _ = QFileDialog.getOpenFileName(self, "Song", "", MUSIC_FILTER)
        if path:
            self.song.setText(path)

    def _accept(self):
        if not self.files.count():
            self.files.setToolTip("add at least one photo or clip")
            self.files.setStyleSheet("border: 1px solid #d04040")
            return
        self.accept()

    def media(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def options(self):
        from editor.actions.story import StoryOptions

        return StoryOptions(title=self.title.text().strip(), aspect=self.aspect.currentText(),
                            seconds_per_photo=self.pace.value(), look=self.look.currentText(),
                            music=self.song.text().strip() or None)


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w
