"""The Titles tab: templates a family-video maker knows (drag one onto the timeline, double-click or "Add at
playhead"), and the properties of
the selected title, each change one undoable edit with the preview updating. Drag on the preview to move a title
inside the title-safe area."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFontComboBox, QFormLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from editor.actions.words import add_title_from_template
from editor.render.title_templates import templates
from editor.timeline.model import ANIMATIONS
from editor.timeline.errors import EditError
from editor.timeline.text_edits import set_title

SAFE = 0.05
TITLE_MIME = "application/x-seamline-title"  # a template key, dragged from the list onto the timeline


class TemplateList(QListWidget):
    """The template list: its items drag onto the timeline as titles (timeline_drops reads TITLE_MIME)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragOnly)

    def mimeTypes(self):
        return [TITLE_MIME]

    def mimeData(self, items):
        md = QMimeData()
        if items:
            md.setData(TITLE_MIME, str(items[0].data(Qt.UserRole)).encode())
        return md


class ColorButton(QPushButton):
    def __init__(self, on_pick, parent=None):
        super().__init__(parent)
        self.on_pick = on_pick
        self.value = "#ffffff"
        self.clicked.connect(self._pick)
        self.setFixedWidth(60)

    def set(self, value: str):
        self.value = value
        self.setStyleSheet(f"background: {value[:7]}; border: 1px solid #888;")

    def _pick(self):
        c = QColorDialog.getColor(QColor(self.value[:7]), self, "Colour", QColorDialog.ShowAlphaChannel)
        if c.isValid():
            a = f"{c.alpha():02x}" if c.alpha() < 255 else ""
            self.on_pick(f"#{c.red():02x}{c.green():02x}{c.blue():02x}{a}")


class TitlesPanel(QWidget):
    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window_ = window
        self.doc = window.doc
        self._loading = False
        lay = QVBoxLayout(self)
        hint = QLabel("Templates: drag one onto the timeline, or double-click to add it at the playhead")
        hint.setWordWrap(True)  # a long line would widen the dock and squeeze the timeline
        lay.addWidget(hint)
        self.list = TemplateList(self)
        for t in templates():
            item = QListWidgetItem(t.name)
            item.setData(Qt.UserRole, t.key)
            item.setToolTip(f"{t.description} ({t.seconds:g} s)")
            self.list.addItem(item)
        self.list.setMaximumHeight(150)
        self.list.itemDoubleClicked.connect(lambda it: self.add(it.data(Qt.UserRole)))
        lay.addWidget(self.list)
        add = QPushButton("Add at playhead")
        add.clicked.connect(lambda: self.list.currentItem() and self.add(self.list.currentItem().data(Qt.UserRole)))
        lay.addWidget(add)
        self.props = QWidget()
        form = QFormLayout(self.props)
        self.fields: dict[str, QWidget] = {}
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(70)
        self.text.setPlaceholderText("Title text (any language; Enter for a new line)")
        self._text_timer = QTimer(self, singleShot=True, interval=500)  # one undo step per pause in typing
        self._text_timer.timeout.connect(lambda: self.change(text=self.text.toPlainText()))
        self.text.textChanged.connect(lambda: self._loading or self._text_timer.start())
        form.addRow("Text", self.text)
        self.subtitle = QLineEdit()
        self.subtitle.editingFinished.connect(lambda: self.change(subtitle=self.subtitle.text()))
        form.addRow("Second line", self.subtitle)
        self.font = QFontComboBox()
        self.font.currentFontChanged.connect(lambda f: self.change(font=f.family()))
        form.addRow("Font", self.font)
        self.font_note = QLabel("")
        self.font_note.setWordWrap(True)
        form.addRow(self.font_note)
        self.size = self._spin(form, "Size (% of height)", 0.5, 100, "size", scale=100)
        self.weight = QComboBox()
        for label, w in (("Light", 300), ("Regular", 400), ("Medium", 500), ("Semi-bold", 600), ("Bold", 700),
                         ("Black", 900)):
            self.weight.addItem(label, w)
        self.weight.activated.connect(lambda _: self.change(weight=self.weight.currentData()))
        form.addRow("Weight", self.weight)
        self.color = self._color(form, "Colour", "color")
        self.outline = self._spin(form, "Outline (% of size)", 0, 50, "outline", scale=100)
        self.outline_color = self._color(form, "Outline colour", "outline_color")
        self.shadow = self._spin(form, "Shadow (% of size)", 0, 50, "shadow", scale=100)
        self.box = QCheckBox("Box behind the text")
        self.box.toggled.connect(lambda on: self.change(box=on))
        form.addRow(self.box)
        self.box_color = self._color(form, "Box colour", "box_color")
        self.box_padding = self._spin(form, "Box padding (% of size)", 0, 200, "box_padding", scale=100)
        self.box_radius = self._spin(form, "Corner radius (% of size)", 0, 200, "box_radius", scale=100)
        self.align = self._combo(form, "Alignment", "align", ("left", "center", "right"))
        self.x = self._spin(form, "Across the safe area (%)", 0, 100, "x", scale=100)
        self.y = self._spin(form, "Down the safe area (%)", 0, 100, "y", scale=100)
        self.background = self._combo(form, "Background", "background", ("none", "color", "blur"))
        self.anim_in = self._combo(form, "Comes in", "anim_in", ANIMATIONS)
        self.anim_in_frames = self._frames(form, "In (frames)", "anim_in_frames")
        self.anim_out = self._combo(form, "Goes out", "anim_out", ANIMATIONS)
        self.anim_out_frames = self._frames(form, "Out (frames)", "anim_out_frames")
        self.roll = QCheckBox("Roll up (credits)")
        self.roll.toggled.connect(lambda on: self.change(roll=on))
        form.addRow(self.roll)
        self.hint = QLabel("Select a title on the timeline to edit it.")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.font.setMinimumContentsLength(12)
        scroll = QScrollArea()
        scroll.setMinimumWidth(260)
        scroll.setWidget(self.props)
        scroll.setWidgetResizable(True)
        lay.addWidget(scroll, 1)
        self.drag = PreviewDrag(self)
        self.attach(self.doc)

    # -- building -----------------------------------------------------------------------------------------------
    def _spin(self, form, label, lo, hi, name, scale=1.0):
        s = QDoubleSpinBox()
        s.setRange(lo, hi)
        s.setDecimals(1)
        s.editingFinished.connect(lambda: self.change(**{name: round(s.value() / scale, 4)}))
        form.addRow(label, s)
        s.scale = scale
        return s

    def _frames(self, form, label, name):
        s = QSpinBox()
        s.setRange(0, 600)
        s.editingFinished.connect(lambda: self.change(**{name: s.value()}))
        form.addRow(label, s)
        return s

    def _combo(self, form, label, name, values):
        c = QComboBox()
        for v in values:
            c.addItem(v, v)
        c.activated.connect(lambda _: self.change(**{name: c.currentData()}))
        form.addRow(label, c)
        return c

    def _color(self, form, label, name):
        b = ColorButton(lambda v: self.change(**{name: v}))
        form.addRow(label, b)
        return b

    # -- document -----------------------------------------------------------------------------------------------
    def attach(self, doc):
        self.doc = doc
        doc.selection_changed.connect(self.load)
        doc.changed.connect(self.load)
        self.load()

    def selected_title(self):
        for cid in getattr(self.doc, "selection", ()) or ():
            t = self.doc.project.track_of(cid)
            if t is not None and t.clip(cid).title is not None:
                return t.clip(cid)
        return None

    def load(self):
        clip = self.selected_title()
        self.props.setEnabled(clip is not None)
        self.hint.setVisible(clip is None)
        if clip is None:
            return
        t = clip.title
        self._loading = True
        try:
            if self.text.toPlainText() != t.text:
                self.text.setPlainText(t.text)
            self.subtitle.setText(t.subtitle)
            self.font.blockSignals(True)
            self.font.setCurrentFont(QFont(t.font))
            self.font.blockSignals(False)
            from editor.render.titles import DEFAULT, missing_font, resolve_family

            missing = t.font != DEFAULT and missing_font(t.font)
            self.font_note.setText(f"\u26a0 {t.font} is not installed here: shown in {resolve_family(t.font)}"
                                   if missing else "")
            self.font_note.setVisible(missing)
            for w, name in ((self.size, "size"), (self.outline, "outline"), (self.shadow, "shadow"),
                            (self.box_padding, "box_padding"), (self.box_radius, "box_radius"), (self.x, "x"),
                            (self.y, "y")):
                w.setValue(getattr(t, name) * w.scale)
            self.weight.setCurrentIndex(max(0, self.weight.findData(t.weight)))
            for w, name in ((self.align, "align"), (self.background, "background"), (self.anim_in, "anim_in"),
                            (self.anim_out, "anim_out")):
                w.setCurrentIndex(max(0, w.findData(getattr(t, name))))
            self.anim_in_frames.setValue(t.anim_in_frames)
            self.anim_out_frames.setValue(t.anim_out_frames)
            for w, name in ((self.color, "color"), (self.outline_color, "outline_color"),
                            (self.box_color, "box_color")):
                w.set(getattr(t, name))
            for w, name in ((self.box, "box"), (self.roll, "roll")):
                w.blockSignals(True)
                w.setChecked(getattr(t, name))
                w.blockSignals(False)
        finally:
            self._loading = False

    def change(self, **changes):
        """One property change of the selected title: one undo step (nothing when it is already so)."""
        if self._loading:
            return
        clip = self.selected_title()
        if clip is None:
            return
        changes = {k: v for k, v in changes.items() if getattr(clip.title, k) != v}
        if changes:
            label = "Title " + ", ".join(k.replace("_", " ") for k in changes)
            self.doc.apply(label, partial(set_title, **changes), clip.id)  # partial: apply() has its own "text"

    def add(self, key: str):
        before = {c.id for t in self.doc.project.tracks for c in t.clips}
        if self.doc.apply("Add title", add_title_from_template, key, self.doc.playhead):
            new = [c.id for t in self.doc.project.tracks for c in t.clips if c.id not in before]
            self.doc.select(new)


class PreviewDrag(QObject):
    """Drag the selected title on the preview: x/y inside the title-safe area. The title moves with the mouse (the
    preview draws a scratch copy of the project, as the picture handles do); one undo step on release; Esc cancels."""

    def __init__(self, panel: TitlesPanel):
        super().__init__(panel)
        self.panel = panel
        self.start = None
        preview = getattr(panel.window_, "preview", None)
        if preview is not None:
            preview.installEventFilter(self)
            self.preview = preview

    def _pos(self, e):
        p = self.preview
        ps = self.panel.doc.project.settings
        s = min(p.width() / ps.width, p.height() / ps.height)
        ox, oy = (p.width() - ps.width * s) / 2, (p.height() - ps.height * s) / 2
        fx, fy = (e.position().x() - ox) / (ps.width * s), (e.position().y() - oy) / (ps.height * s)
        x = min(1.0, max(0.0, (fx - SAFE) / (1 - 2 * SAFE)))
        y = min(1.0, max(0.0, (fy - SAFE) / (1 - 2 * SAFE)))
        return round(x, 3), round(y, 3)

    def _show(self, x: float, y: float) -> None:
        clip = self.panel.selected_title()
        if clip is None:
            return
        try:
            scratch = set_title(self.panel.doc.project, clip.id, x=x, y=y)
        except (EditError, ValueError):
            return
        self.preview.show_scratch(scratch)

    def _end(self) -> None:
        self.start = None
        self.preview.unsetCursor()
        self.preview.show_scratch(None)

    def eventFilter(self, obj, e):
        if self.start is not None and e.type() == QEvent.KeyPress and e.key() == Qt.Key_Escape:
            self._end()  # cancelled: the title stays where it was, no edit
            return True
        if self.panel.selected_title() is None:
            return False
        if e.type() == QEvent.MouseButtonPress and e.button() == Qt.LeftButton:
            self.start = self._pos(e)
            self.preview.setCursor(Qt.ClosedHandCursor)
            self.preview.setFocus()
            return True
        if e.type() == QEvent.MouseMove and self.start is not None:
            self._show(*self._pos(e))
            return True
        if e.type() == QEvent.MouseButtonRelease and self.start is not None:
            x, y = self._pos(e)
            self.panel.change(x=x, y=y)  # the edit first, then the scratch goes: no flick back
            self._end()
            return True
        return False
