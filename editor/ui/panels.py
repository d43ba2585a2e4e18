"""Media bin and inspector docks."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QVBoxLayout, QWidget)

from editor.timeline import edits
from editor.ui import style
from editor.ui.document import Document
from editor.ui.labels import frames_of, seconds, short_duration, timecode
from editor.ui.pictures import MediaPictures, alive, pixmap_from_rgb  # noqa: F401  (pixmap_from_rgb: older callers)
from editor.ui.timeline_view import ASSET_MIME


def badge(text: str, color: QColor, size=(96, 54)) -> QPixmap:
    pix = QPixmap(*size)
    pix.fill(color)
    p = QPainter(pix)
    p.setPen(Qt.white)
    p.drawText(pix.rect(), Qt.AlignCenter | Qt.TextWordWrap, text)
    p.end()
    return pix


class MediaBin(QListWidget):
    """The project's media: a picture, the name and the length of each file. Items drag onto the timeline; moving
    the mouse across an item's picture shows the video at that point (hover-scrub). Edits that do not touch the media
    leave the list (and where it is scrolled to) alone."""

    files_dropped = Signal(list)
    asset_activated = Signal(str)

    def __init__(self, doc: Document, pictures: MediaPictures | None = None, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.pictures = pictures or MediaPictures()
        self.pictures.ready.connect(self._picture_ready)
        self.setViewMode(QListWidget.IconMode)
        k = style.layout_scale()
        self.setIconSize(QSize(int(112 * k), int(63 * k)))
        self.setGridSize(QSize(int(136 * k), int(118 * k)))
        self.setResizeMode(QListWidget.Adjust)
        self.setMovement(QListWidget.Static)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        self.errors: dict[str, str] = {}  # path -> reason (files that could not be imported)
        self._items: dict[str, QListWidgetItem] = {}
        self._scrubbed: str | None = None
        self.itemDoubleClicked.connect(lambda it: self.asset_activated.emit(it.data(Qt.UserRole) or ""))
        self.set_document(doc)

    def set_document(self, doc: Document):
        self.doc = doc
        doc.changed.connect(self._changed)
        self.clear()
        self._items.clear()
        self.refresh()

    def _changed(self):
        ch = self.doc.last_change
        if ch is None or ch.assets or ch.kind == "load" or ch.settings:
            self.refresh()

    def _icon_for(self, a) -> QPixmap:
        if a.offline:
            return badge("MISSING\n" + a.name, QColor(130, 30, 30))
        pix = self.pictures.thumb(a.id)
        if pix is None:
            self.pictures.want(a)
            return badge("sound" if a.kind == "audio" else "making picture...", QColor(60, 64, 80))
        return pix

    def refresh(self):
        """Bring the items in line with the project's media, in place: the scroll position stays."""
        rate = self.doc.project.settings.rate
        assets = self.doc.project.assets
        for aid in [k for k in self._items if k not in assets]:
            self.takeItem(self.row(self._items.pop(aid)))
        for a in assets.values():
            frames = self.doc.project.max_duration(a.id, 0)
            dur = short_duration(frames, rate) if frames is not None else "photo"
            kind = {"video": "video", "image": "photo", "audio": "sound"}[a.kind]
            text = f"{a.name}\n{kind} \u00b7 {dur}" if a.kind != "image" else f"{a.name}\nphoto"
            it = self._items.get(a.id)
            if it is None:
                it = QListWidgetItem(text)
                it.setData(Qt.UserRole, a.id)
                self._items[a.id] = it
                self.insertItem(self.count() - len(self.errors) if self.errors else self.count(), it)
            elif it.text() != text:
                it.setText(text)
            it.setIcon(QIcon(self._icon_for(a)))
            it.setToolTip(f"{a.path} is missing: use File > Find Missing Media" if a.offline else
                          f"{a.name}: drag it onto the timeline")
        shown_errors = {self.item(i).data(Qt.UserRole + 1) for i in range(self.count())}
        for path, reason in self.errors.items():
            if path in shown_errors:
                continue
            it = QListWidgetItem(f"\u26a0 {path.rsplit('/', 1)[-1]}")
            it.setIcon(QIcon(badge("cannot be read", QColor(150, 40, 40))))
            it.setToolTip(reason)
            it.setData(Qt.UserRole, None)
            it.setData(Qt.UserRole + 1, path)
            it.setForeground(QColor(255, 120, 120))
            self.addItem(it)

    def _picture_ready(self, asset_id: str):
        if not alive(self):
            return
        it = self._items.get(asset_id)
        a = self.doc.project.assets.get(asset_id)
        if it is not None and a is not None:
            it.setIcon(QIcon(self._icon_for(a)))

    # -- hover-scrub -------------------------------------------------------------------------------------------
    def mouseMoveEvent(self, e):
        super().mouseMoveEvent(e)
        if e.buttons():
            return
        it = self.itemAt(e.position().toPoint())
        aid = it.data(Qt.UserRole) if it is not None else None
        if self._scrubbed and self._scrubbed != aid:
            self._unscrub()
        strip = self.pictures.strips.get(aid) if aid else None
        if strip is None or len(strip.pixmaps) < 2:
            return
        r = self.visualItemRect(it)
        f = (e.position().x() - r.left()) / max(1, r.width())
        it.setIcon(QIcon(strip.fraction(f)))
        self._scrubbed = aid

    def _unscrub(self):
        aid, self._scrubbed = self._scrubbed, None
        it, a = self._items.get(aid), self.doc.project.assets.get(aid)
        if it is not None and a is not None:
            it.setIcon(QIcon(self._icon_for(a)))

    def leaveEvent(self, e):
        if self._scrubbed:
            self._unscrub()
        super().leaveEvent(e)

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
        pix = self.pictures.thumb(aid)
        if pix is not None:
            drag.setPixmap(pix)
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

    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.doc.project.assets and not self.errors:
            p = QPainter(self.viewport())
            p.setPen(QColor(190, 190, 200))
            p.drawText(self.viewport().rect().adjusted(12, 12, -12, -12), Qt.AlignCenter | Qt.TextWordWrap,
                       "Drop videos, photos and music here, or use File > Import Media (Ctrl+I)")
            p.end()


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
            self.form.addRow("Starts at", QLabel(timecode(clip.start, rate)))
            self.form.addRow("Length", QLabel(short_duration(clip.duration, rate)))
            for name, lo, hi, step in self.CLIP_FIELDS:
                box = QDoubleSpinBox()
                box.setRange(lo, hi)
                box.setSingleStep(step)
                box.setValue(getattr(clip, name))
                box.setObjectName(name)
                box.editingFinished.connect(lambda b=box, n=name, c=clip.id: self._set_clip(c, n, b.value()))
                self.form.addRow(name.capitalize(), box)
            for name in ("fade_in", "fade_out"):  # in seconds, as people think of a fade
                box = QDoubleSpinBox()
                box.setDecimals(2)
                box.setSuffix(" s")
                box.setSingleStep(0.25)
                box.setRange(0.0, seconds(clip.duration, rate))
                box.setValue(seconds(getattr(clip, name), rate))
                box.setObjectName(name)
                box.editingFinished.connect(lambda b=box, n=name, c=clip.id: self._set_clip(
                    c, n, frames_of(b.value(), self.doc.project.settings.rate)))
                self.form.addRow("Fade in" if name == "fade_in" else "Fade out", box)
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
