"""The Motion dock: transform, keyframes at the playhead, colour, speed, stabilise and smart reframe of the selected
clip. Every change is one undo step through the Document; analysis (stabilise, reframe) runs on a worker with
progress and cancel. Values are shown at the playhead; editing a property that has keyframes sets a key there, the
diamond button adds or removes one.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from editor.timeline import edits, geometry, motion_edits as me, timing
from editor.timeline.keyframes import value_at
from editor.timeline.model import ANIMATABLE, BLENDS, FITS
from editor.ui import workers

TRANSFORM = [("x", 0.01, 3), ("y", 0.01, 3), ("scale", 0.05, 3), ("rotation", 1.0, 1), ("crop_left", 0.01, 3),
             ("crop_top", 0.01, 3), ("crop_right", 0.01, 3), ("crop_bottom", 0.01, 3), ("opacity", 0.05, 2)]
COLOUR = [("exposure", 0.1, 2), ("contrast", 0.05, 2), ("saturation", 0.05, 2), ("temperature", 0.05, 2),
          ("tint", 0.05, 2)]


class MotionPanel(QScrollArea):
    analysed = Signal()  # the picture changed without an edit (analysis done, before/after): the preview redraws

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # rows shrink to the dock; the diamonds stay in view
        self.body = QWidget()
        self.setWidget(self.body)
        self.box = QVBoxLayout(self.body)
        self.title = QLabel("Select a clip")
        self.box.addWidget(self.title)
        self.form = QFormLayout()
        self.box.addLayout(self.form)
        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel = QPushButton("Cancel")
        self.cancel.hide()
        self.box.addWidget(self.progress)
        self.box.addWidget(self.cancel)
        self.box.addStretch(1)
        self._building = False
        self._worker = None
        self.doc = None
        self.attach(doc)

    def attach(self, doc) -> None:
        self.doc = doc
        doc.selection_changed.connect(self.rebuild)
        doc.changed.connect(self.rebuild)
        doc.playhead_changed.connect(lambda _f: self.rebuild())
        self.rebuild()

    # -- the selected clip ------------------------------------------------------------------------------------
    def _clip(self):
        sel = list(self.doc.selection)
        if len(sel) != 1:
            return None
        try:
            track, clip = self.doc.project.find_clip(sel[0])
        except Exception:
            return None
        return clip if track.kind == "video" else None

    def rebuild(self) -> None:
        if self._building:
            return
        self._building = True
        try:
            while self.form.rowCount():
                self.form.removeRow(0)
            clip = self._clip()
            self.title.setText("Select a picture clip" if clip is None else f"Motion: {clip.name or clip.id}")
            if clip is not None:
                self._build(clip)
        finally:
            self._building = False

    def _build(self, clip) -> None:
        k = max(0, min(clip.duration - 1, self.doc.playhead - clip.start))
        t = geometry.transform_at(clip, k)
        c = geometry.colour_at(clip, k)
        values = {**t, **c, "opacity": geometry.opacity_at(clip, k)}
        for name, step, decimals in TRANSFORM:
            self.form.addRow(name.replace("_", " ").capitalize(), self._animatable(clip, name, values[name], step,
                                                                                 decimals, k))
        for name, choices in (("fit", FITS), ("backdrop", ("none", "blur")), ("blend", BLENDS)):
            combo = QComboBox()
            combo.addItems(list(choices))
            combo.setCurrentText(t[name])
            combo.setObjectName(name)
            combo.currentTextChanged.connect(lambda v, n=name: self._apply(f"Set {n}", me.set_transform, **{n: v}))
            self.form.addRow(name.capitalize(), combo)
        for name in ("flip_h", "flip_v"):
            cb = QCheckBox()
            cb.setChecked(bool(t[name]))
            cb.setObjectName(name)
            cb.toggled.connect(lambda v, n=name: self._apply("Flip", me.set_transform, **{n: v}))
            self.form.addRow("Flip " + ("left-right" if name == "flip_h" else "up-down"), cb)
        kb = QPushButton("Slow push-in")
        kb.setToolTip("Ken Burns: from the whole picture to its middle 80 %, as x/y/scale keyframes to adjust")
        kb.clicked.connect(lambda: self._apply("Ken Burns", me.ken_burns, (0.0, 0.0, 1.0, 1.0), (0.1, 0.1, 0.8, 0.8)))
        self.form.addRow("Ken Burns", kb)
        self.form.addRow(QLabel("<b>Colour</b>"))
        for name, step, decimals in COLOUR:
            self.form.addRow(name.capitalize(), self._animatable(clip, name, values[name], step, decimals, k))
        before = QCheckBox("show before colour")
        before.setObjectName("before")
        before.setChecked(bool(getattr(self.doc.pool, "colour_bypass", False)))
        before.toggled.connect(self._before_after)
        self.form.addRow("Compare", before)
        lut = QPushButton(c["lut"].rsplit("/", 1)[-1] if c["lut"] else "Choose...")
        lut.clicked.connect(self._choose_lut)
        self.form.addRow("3D LUT", lut)
        self.form.addRow(QLabel("<b>Speed</b>"))
        w = timing.warp_of(clip)
        speed = QDoubleSpinBox()
        speed.setRange(timing.MIN_SPEED, timing.MAX_SPEED)
        speed.setDecimals(2)
        speed.setSingleStep(0.25)
        speed.setValue(abs(w.scalar) if not w.frozen else 1.0)
        speed.setObjectName("speed")
        speed.setEnabled(not w.frozen and not w.keys)
        speed.editingFinished.connect(lambda b=speed: self._apply("Speed", me.set_speed, b.value()))
        self.form.addRow("Speed (x)", speed)
        rev = QCheckBox()
        rev.setChecked(w.direction < 0)
        rev.setEnabled(not w.frozen and not w.keys)
        rev.toggled.connect(lambda _v: self._apply("Reverse", me.reverse))
        self.form.addRow("Reverse", rev)
        freeze = QPushButton("Hold 2 s here")
        freeze.clicked.connect(lambda: self._apply("Freeze frame", me.freeze_frame, self.doc.playhead, 2.0))
        self.form.addRow("Freeze frame", freeze)
        r = clip.retime
        for name, choices in (("frames", ("auto", "nearest", "blend", "flow")), ("sound", ("auto", "on", "off"))):
            combo = QComboBox()
            combo.addItems(list(choices))
            combo.setCurrentText(getattr(r, name) if r is not None else "auto")
            combo.currentTextChanged.connect(lambda v, n=name: self._apply("Speed options", me.set_retime, **{n: v}))
            self.form.addRow("In-betweens" if name == "frames" else "Sound", combo)
        self.form.addRow(QLabel("<b>Stabilise and reframe</b>"))
        stab = QCheckBox()
        stab.setChecked(clip.stabilisation is not None)
        stab.setObjectName("stabilise")
        stab.toggled.connect(self._toggle_stabilise)
        self.form.addRow("Stabilise", stab)
        if clip.stabilisation is not None:
            strength = QDoubleSpinBox()
            strength.setRange(0.0, 1.0)
            strength.setSingleStep(0.1)
            strength.setValue(clip.stabilisation.strength)
            strength.editingFinished.connect(
                lambda b=strength: self._apply("Stabilise strength", me.set_stabilisation, strength=b.value()))
            self.form.addRow("Strength", strength)
            method = QComboBox()
            method.addItems(["gaussian", "l1"])
            method.setCurrentText(clip.stabilisation.method)
            method.setToolTip("gaussian: smooths the shake; l1: a tripod-steady path that holds or pans evenly")
            method.currentTextChanged.connect(lambda v: self._apply("Stabilise method", me.set_stabilisation,
                                                                    method=v))
            self.form.addRow("Smoothing", method)
        reframe = QPushButton("Follow the subject")
        reframe.setToolTip("Smart reframe: a window of the project's shape that follows what matters")
        reframe.clicked.connect(self._smart_reframe)
        self.form.addRow("Smart reframe", reframe)

    def _animatable(self, clip, name, value, step, decimals, k) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        box = QDoubleSpinBox()
        lo, hi = ANIMATABLE[name]
        box.setRange(lo, hi)
        box.setDecimals(decimals)
        box.setSingleStep(step)
        box.setValue(value)
        box.setObjectName(name)
        box.setMinimumWidth(70)
        keys = clip.keyframes.get(name, ())
        on_key = any(key.frame == k for key in keys)
        diamond = QPushButton("◆" if on_key else "◇")
        diamond.setObjectName(name + "_key")
        diamond.setToolTip("Remove the keyframe here" if on_key else "Add a keyframe here")
        diamond.setFixedWidth(28)
        box.editingFinished.connect(lambda b=box, n=name: self._set_value(n, b.value()))
        diamond.clicked.connect(lambda _c=False, n=name, b=box, on=on_key: self._toggle_key(n, b.value(), on))
        lay.addWidget(box, 1)
        lay.addWidget(diamond)
        return row

    # -- edits ------------------------------------------------------------------------------------------------
    def _apply(self, label, fn, *args, **kwargs) -> None:
        clip = self._clip()
        if self._building or clip is None:
            return
        self.doc.apply(label, fn, clip.id, *args, **kwargs)

    def _set_value(self, name, value) -> None:
        clip = self._clip()
        if self._building or clip is None:
            return
        k = self.doc.playhead - clip.start
        if clip.keyframes.get(name):  # animated: the value at the playhead becomes a key
            if 0 <= k < clip.duration and abs(value_at(clip.keyframes[name], k, value) - value) > 1e-9:
                self.doc.apply(f"Key {name}", edits.set_keyframe, clip.id, name, k, value)
            return
        if name == "opacity":
            if clip.opacity != value:
                self.doc.apply("Set opacity", edits.set_clip_property, clip.id, "opacity", value)
        elif name in dict((n, 0) for n, _s, _d in COLOUR):
            if geometry.colour_at(clip, 0)[name] != value:
                self.doc.apply(f"Set {name}", me.set_colour, clip.id, **{name: value})
        elif geometry.transform_at(clip, 0)[name] != value:
            self.doc.apply(f"Set {name}", me.set_transform, clip.id, **{name: value})

    def _toggle_key(self, name, value, on_key) -> None:
        clip = self._clip()
        if clip is None:
            return
        k = self.doc.playhead - clip.start
        if not 0 <= k < clip.duration:
            return
        if on_key:
            self.doc.apply(f"Remove {name} key", edits.remove_keyframe, clip.id, name, k)
        else:
            self.doc.apply(f"Key {name}", edits.set_keyframe, clip.id, name, k, value, "ease-in-out")

    def _before_after(self, on: bool) -> None:
        """The preview shows pictures before colour correction (its own pool only: exports never see this)."""
        self.doc.pool.colour_bypass = bool(on)
        self.analysed.emit()

    def _choose_lut(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a 3D LUT", "", "3D LUT (*.cube)")
        if path:
            from editor.render.colour import read_cube

            try:
                read_cube(path)  # a bad file is refused here, with its reason
            except Exception as exc:
                self.doc.error.emit(str(exc))
                return
            self._apply("Colour LUT", me.set_colour, lut=path)

    # -- analysis on a worker ---------------------------------------------------------------------------------
    def _run(self, label, fn, done) -> None:
        if self._worker is not None and not self._worker.done:
            return
        self._worker = w = workers.Worker(fn)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel.show()
        self.cancel.clicked.connect(w.cancel)
        w.signals.progress.connect(lambda f, _s: self.progress.setValue(int(f * 100)))

        def end(*_a):
            self.progress.hide()
            self.cancel.hide()
            try:
                self.cancel.clicked.disconnect()
            except (RuntimeError, TypeError):
                pass

        w.signals.finished.connect(lambda result: (end(), done(result)))
        w.signals.failed.connect(lambda msg: (end(), self.doc.error.emit(f"{label}: {msg}")))
        w.signals.cancelled.connect(end)
        workers.start(w)

    def _toggle_stabilise(self, on: bool) -> None:
        clip = self._clip()
        if self._building or clip is None:
            return
        self.doc.apply("Stabilise" if on else "Stop stabilising", me.set_stabilisation, clip.id, enabled=on)
        asset = self.doc.project.assets[clip.asset_id]
        if on and asset.kind == "video":
            from editor.media import stabilise

            if stabilise.load(asset.path) is None:  # the preview shows the correction once this is done
                self._run("Stabilise", lambda progress, cancelled: stabilise.analyse(asset.path, progress, cancelled),
                          lambda _r: self.analysed.emit())

    def _smart_reframe(self) -> None:
        clip = self._clip()
        if clip is None:
            return
        asset = self.doc.project.assets[clip.asset_id]
        if asset.kind != "video":
            self._apply("Fill the frame", me.set_transform, fit="fill")
            return
        from fractions import Fraction

        s = self.doc.project.settings
        clip_id = clip.id

        def work(progress, cancelled):
            from ai.reframe import analyse

            return analyse(asset.path, Fraction(s.width, s.height), progress=progress, cancelled=cancelled)

        def done(result):
            from editor.actions.reframe import reframe_clip

            self.doc.apply("Smart reframe", reframe_clip, clip_id, result)

        self._run("Smart reframe", work, done)
