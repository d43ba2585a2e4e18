"""Media bin and inspector docks."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QSpinBox, QVBoxLayout, QWidget)

from editor.timeline import edits
from editor.ui.document import Document
from editor.ui.timeline_view import ASSET_MIME, short_duration, timecode


def pixmap_from_rgb(rgb) -> QPixmap:
    from editor.ui.preview import to_qimage

    return QPixmap.fromImage(to_qimage(rgb))


def badge(text: str, color: QColor, size=(96, 54)) -> QPixmap:
    pix = QPixmap(*size)
    pix.fill(color)
    p = QPainter(pix)
    p.setPen(Qt.white)
    p.drawText(pix.rect(), Qt.AlignCenter | Qt.TextWordWrap, text)
    p.end()
    return pix


class MediaBin(QListWidget):
    """The project's media: thumbnail, name, duration, kind. Items drag onto the timeline."""

    files_dropped = Signal(list)
    asset_activated = Signal(str)

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.setViewMode(QListWidget.IconMode)
        self.setIconSize(QSize(96, 54))
        self.setGridSize(QSize(120, 96))
        self.setResizeMode(QListWidget.Adjust)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setWordWrap(True)
        self.errors: dict[str, str] = {}  # path -> reason (files that could not be imported)
        self.icons: dict[str, QPixmap] = {}
        self.itemDoubleClicked.connect(lambda it: self.asset_activated.emit(it.data(Qt.UserRole) or ""))
        doc.changed.connect(self.refresh)
        self.refresh()

    def set_document(self, doc: Document):
        self.doc = doc
        doc.changed.connect(self.refresh)
        self.refresh()

    def refresh(self):
        self.clear()
        rate = self.doc.project.settings.rate
        for a in self.doc.project.assets.values():
            frames = self.doc.project.max_duration(a.id, 0)
            dur = short_duration(frames, rate) if frames is not None else "still"
            it = QListWidgetItem(f"{a.name}\n{a.kind} \u00b7 {dur}")
            it.setData(Qt.UserRole, a.id)
            pix = self.icons.get(a.id)
            if a.offline:
                pix = badge("OFFLINE\n" + a.name, QColor(130, 30, 30))
                it.setToolTip(f"{a.path} is missing: use File > Relink Media")
            elif pix is None:
                pix = badge(a.kind, QColor(60, 64, 80))
            it.setIcon(QIcon(pix))
            self.addItem(it)
        for path, reason in self.errors.items():
            it = QListWidgetItem(f"\u26a0 {path.rsplit('/', 1)[-1]}")
            it.setIcon(QIcon(badge("cannot import", QColor(150, 40, 40))))
            it.setToolTip(reason)
            it.setData(Qt.UserRole, None)
            it.setForeground(QColor(255, 120, 120))
            self.addItem(it)

    def selected_asset(self) -> str | None:
        it = self.currentItem()
        return it.data(Qt.UserRole) if it is not None else None

    def startDrag(self, actions):
        aid = self.selected_asset()
        if not aid:
            return
        mime = QMimeData()
        mime.setData(ASSET_MIME, aid.encode())
        drag = QDrag(self)
        drag.setMimeData(mime)
        if aid in self.icons:
            drag.setPixmap(self.icons[aid])
        drag.exec(Qt.CopyAction)

    def dragEnterEvent(self, e):
        if e.mimeData().hasUrls():
            e.acceptProposedAction()
        else:
            super().dragEnterEvent(e)

    def dragMoveEvent(self, e):
        if e.mimeData().hasUrls():
            e.acceptProposedAction()
        else:
            super().dragMoveEvent(e)

    def dropEvent(self, e):
        if e.mimeData().hasUrls():
            self.files_dropped.emit([u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()])
            e.acceptProposedAction()


class Inspector(QWidget):
    """Properties of the selected clip (or track); each change is one undo step."""

    CLIP_FIELDS = [("volume", 0.0, 4.0, 0.05), ("pan", -1.0, 1.0, 0.05), ("opacity", 0.0, 1.0, 0.05)]

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.layout_ = QVBoxLayout(self)
        self.title = QLabel("Nothing selected")
        self.layout_.addWidget(self.title)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.layout_.addStretch(1)
        self._building = False
        self.attach(doc)

    def attach(self, doc: Document):
        self.doc = doc
        doc.selection_changed.connect(self.rebuild)
        doc.changed.connect(self.rebuild)
        self.rebuild()

    def _clear(self):
        while self.form.rowCount():
            self.form.removeRow(0)

    def rebuild(self):
        self._building = True
        self._clear()
        sel = list(self.doc.selection)
        p = self.doc.project
        if len(sel) == 1:
            try:
                track, clip = p.find_clip(sel[0])
            except Exception:
                self.title.setText("Nothing selected")
                self._building = False
                return
            rate = p.settings.rate
            self.title.setText(f"Clip: {clip.name or (p.assets[clip.asset_id].name if clip.asset_id else clip.text)}")
            self.form.addRow("Position", QLabel(timecode(clip.start, rate)))
            self.form.addRow("Duration", QLabel(timecode(clip.duration, rate)))
            self.form.addRow("Source in", QLabel(str(clip.source_in)))
            for name, lo, hi, step in self.CLIP_FIELDS:
                box = QDoubleSpinBox()
                box.setRange(lo, hi)
                box.setSingleStep(step)
                box.setValue(getattr(clip, name))
                box.setObjectName(name)
                box.editingFinished.connect(lambda b=box, n=name, c=clip.id: self._set_clip(c, n, b.value()))
                self.form.addRow(name.capitalize(), box)
            for name in ("fade_in", "fade_out"):
                box = QSpinBox()
                box.setRange(0, clip.duration)
                box.setValue(getattr(clip, name))
                box.setObjectName(name)
                box.editingFinished.connect(lambda b=box, n=name, c=clip.id: self._set_clip(c, n, b.value()))
                self.form.addRow(name.replace("_", " ").capitalize() + " (frames)", box)
        elif self.doc.selected_track:
            try:
                t = p.track(self.doc.selected_track)
            except Exception:
                self._building = False
                return
            self.title.setText(f"Track: {t.name}")
            name = QLineEdit(t.name)
            name.editingFinished.connect(lambda w=name, tid=t.id: self._set_track(tid, "name", w.text()))
            self.form.addRow("Name", name)
            for prop in ("mute", "solo", "lock"):
                cb = QCheckBox()
                cb.setChecked(getattr(t, prop))
                cb.toggled.connect(lambda v, n=prop, tid=t.id: self._set_track(tid, n, v))
                self.form.addRow(prop.capitalize(), cb)
            for prop, lo, hi in (("volume", 0.0, 4.0), ("pan", -1.0, 1.0)):
                box = QDoubleSpinBox()
                box.setRange(lo, hi)
                box.setSingleStep(0.05)
                box.setValue(getattr(t, prop))
                box.editingFinished.connect(lambda b=box, n=prop, tid=t.id: self._set_track(tid, n, b.value()))
                self.form.addRow(prop.capitalize(), box)
        else:
            self.title.setText(f"{len(sel)} clips selected" if sel else "Nothing selected")
        self._building = False

    def _set_clip(self, clip_id, name, value):
        if self._building:
            return
        _, clip = self.doc.project.find_clip(clip_id)
        if getattr(clip, name) != value:
            self.doc.apply(f"Set {name}", edits.set_clip_property, clip_id, name, value)

    def _set_track(self, track_id, name, value):
        if self._building:
            return
        if getattr(self.doc.project.track(track_id), name) != value:
            self.doc.apply(f"Set track {name}", edits.set_track_property, track_id, name, value)
