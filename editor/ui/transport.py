"""The transport bar under the preview: to start, frame back, play/pause, frame forward, to end, loop between an in
and an out point, the playhead's timecode and the timeline's length, volume and mute. J/K/L and the other shortcuts
stay on the Playback menu; these buttons call the same preview methods.

Also: the window opens maximised the first time and then comes back with the geometry and dock layout it had.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QVBoxLayout, QWidget)

try:  # drop-frame correct timecode (editor/timecode.py, from the interchange work) when it is there
    from editor.timecode import timecode
except ImportError:  # pragma: no cover - until it lands
    from editor.ui.timeline_view import timecode


class TransportBar(QWidget):
    def __init__(self, preview, parent=None):
        super().__init__(parent)
        self.preview = preview
        self.loop_in: int | None = None
        self.loop_out: int | None = None
        self.volume = 1.0
        self.muted = False
        st = self.style()
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.setSpacing(2)

        def button(icon, tip, slot, text=""):
            b = QToolButton(self)
            if icon is not None:
                b.setIcon(st.standardIcon(icon))
            if text:
                b.setText(text)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b

        P = QStyle.StandardPixmap
        self.start_btn = button(P.SP_MediaSkipBackward, "To start (Home)", self.to_start)
        self.back_btn = button(P.SP_MediaSeekBackward, "One frame back (Left)", lambda: self.preview.step(-1))
        self.play_btn = button(P.SP_MediaPlay, "Play / pause (Space; J K L shuttle)", self.preview.toggle_play)
        self.fwd_btn = button(P.SP_MediaSeekForward, "One frame forward (Right)", lambda: self.preview.step(1))
        self.end_btn = button(P.SP_MediaSkipForward, "To end (End)", self.to_end)
        row.addSpacing(8)
        self.in_btn = button(None, "Loop in point at the playhead (I)", self.set_in, "[")
        self.out_btn = button(None, "Loop out point at the playhead (O)", self.set_out, "]")
        self.loop_btn = button(None, "Loop between the in and out points", self.toggle_loop, "Loop")
        self.loop_btn.setCheckable(True)
        row.addSpacing(8)
        self.time = QLabel(self)
        self.time.setObjectName("transport-timecode")
        self.time.setTextInteractionFlags(Qt.TextSelectableByMouse)
        f = self.time.font()
        f.setFamily("Monospace")
        f.setStyleHint(f.StyleHint.Monospace)
        self.time.setFont(f)
        row.addWidget(self.time)
        row.addStretch(1)
        self.mute_btn = button(P.SP_MediaVolume, "Mute", self.toggle_mute)
        self.mute_btn.setCheckable(True)
        self.vol = QSlider(Qt.Horizontal, self)
        self.vol.setRange(0, 100)
        self.vol.setValue(100)
        self.vol.setFixedWidth(90)
        self.vol.setToolTip("Preview volume")
        self.vol.valueChanged.connect(self.set_volume)
        row.addWidget(self.vol)
        self._timer = QTimer(self)  # follows play state and loops (the preview has no signal for them)
        self._timer.timeout.connect(self._tick)
        self._timer.start(40)
        self.attach(preview.doc)

    def attach(self, doc) -> None:
        self.doc = doc
        doc.playhead_changed.connect(lambda _: self.refresh())
        doc.changed.connect(self.refresh)
        self.loop_in = self.loop_out = None
        self.refresh()

    @property
    def rate(self):
        return self.doc.project.settings.rate

    def refresh(self) -> None:
        n, d = self.doc.playhead, self.doc.project.duration
        text = f"{timecode(n, self.rate)} / {timecode(d, self.rate)}"
        if self.loop_in is not None or self.loop_out is not None:
            a = timecode(self.loop_in, self.rate) if self.loop_in is not None else "start"
            b = timecode(self.loop_out, self.rate) if self.loop_out is not None else "end"
            text += f"   loop {a} \u2013 {b}"
        self.time.setText(text)

    def to_start(self):
        self.preview.stop()
        self.doc.set_playhead(self.loop_in if self.loop_btn.isChecked() and self.loop_in is not None else 0)

    def to_end(self):
        self.preview.stop()
        self.doc.set_playhead(max(0, self.doc.project.duration - 1))

    def set_in(self):
        self.loop_in = self.doc.playhead
        if self.loop_out is not None and self.loop_out <= self.loop_in:
            self.loop_out = None
        self.refresh()

    def set_out(self):
        self.loop_out = self.doc.playhead
        if self.loop_in is not None and self.loop_in >= self.loop_out:
            self.loop_in = None
        self.refresh()

    def toggle_loop(self, on: bool | None = None):
        if on is not None:
            self.loop_btn.setChecked(on)
        self.refresh()

    def loop_range(self) -> tuple[int, int]:
        return (self.loop_in or 0,
                self.loop_out if self.loop_out is not None else max(1, self.doc.project.duration) - 1)

    def _tick(self):
        playing = self.preview.playing
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        if getattr(self, "_shown_icon", None) != icon:
            self.play_btn.setIcon(self.style().standardIcon(icon))
            self._shown_icon = icon
        if playing and self.loop_btn.isChecked() and self.preview.speed > 0:
            a, b = self.loop_range()
            if self.doc.playhead >= b:
                speed = self.preview.speed
                self.preview.stop()
                self.doc.set_playhead(a)
                self.preview.play(speed=speed)
                self._apply_volume()

    def set_volume(self, value: int):
        self.volume = value / 100
        self._apply_volume()

    def toggle_mute(self, on: bool):
        self.muted = bool(on)
        self.mute_btn.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaVolumeMuted if on else QStyle.StandardPixmap.SP_MediaVolume))
        self._apply_volume()

    def _apply_volume(self):
        sink = getattr(self.preview.audio, "sink", None)
        if sink is not None:
            sink.setVolume(0.0 if self.muted else self.volume)


def with_transport(preview) -> QWidget:
    """The preview with its transport bar under it (what the Preview dock shows)."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    lay.addWidget(preview, 1)
    preview.transport = TransportBar(preview, box)
    lay.addWidget(preview.transport)
    return box


# -- window geometry and dock layout ----------------------------------------------------------------------------------
def show_window(window, settings: QSettings | None = None) -> None:
    """Show the main window as it was last time (geometry and docks), or maximised the first time."""
    settings = settings or QSettings("Seamline", "Seamline")
    geometry, state = settings.value("window/geometry"), settings.value("window/state")
    if geometry is not None and window.restoreGeometry(geometry):
        if state is not None:
            window.restoreState(state)
        window.show()
    else:
        window.showMaximized()


def remember_window(window, settings: QSettings | None = None) -> None:
    settings = settings or QSettings("Seamline", "Seamline")
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
