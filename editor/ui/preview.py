"""Preview: the composited frame at the playhead; playback with sound, video slaved to the audio clock.

Frames are composed ahead on a worker thread; the UI thread only shows ready frames. With no audio device the
clock is the system clock and playback is silent. Frames that were not ready in time are counted as dropped.
"""
from __future__ import annotations

import math
import os
import threading
import time

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from editor.errors import MediaError
from editor.render.compositor import Compositor, scaled_size
from editor.render.mixer import AudioMixer
from editor.ui.callbacks import Callbacks
from editor.ui.document import Document
from editor.ui.preview_handles import PreviewHandles


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns its pixels. Built row by row into a Qt-allocated image: constructing a QImage over a
    Python buffer hits a reference-counting bug in PySide6 when it happens off the GUI thread."""
    h, w = rgb.shape[:2]
    img = QImage(w, h, QImage.Format_RGB888)
    stride = img.bytesPerLine()
    view = np.frombuffer(img.bits(), np.uint8, count=stride * h).reshape(h, stride)
    view[:, : 3 * w] = np.ascontiguousarray(rgb).reshape(h, 3 * w)
    return img


class AudioOut:
    """QAudioSink in push mode, or None-like silent clock when there is no device (or no QtMultimedia)."""

    def __init__(self, rate: int, channels: int):
        self.rate, self.channels = rate, channels
        self.sink = None
        self.io = None
        if os.environ.get("SEAMLINE_AUDIO", "qt") != "qt":
            return
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

            dev = QMediaDevices.defaultAudioOutput()
            if dev.isNull():
                return
            fmt = QAudioFormat()
            fmt.setSampleRate(rate)
            fmt.setChannelCount(channels)
            fmt.setSampleFormat(QAudioFormat.Int16)
            if not dev.isFormatSupported(fmt):
                return
            self.sink = QAudioSink(dev, fmt)
            self.sink.setBufferSize(int(rate * channels * 2 * 0.3))
        except Exception:  # no QtMultimedia backend, no pulse: play silently
            self.sink = None

    @property
    def available(self) -> bool:
        return self.sink is not None

    def start(self):
        if self.sink is not None:
            self.io = self.sink.start()

    def bytes_free(self) -> int:
        return self.sink.bytesFree() if self.sink is not None else 0

    def write(self, samples: np.ndarray) -> None:
        if self.io is not None:
            pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
            self.io.write(pcm)

    def seconds_played(self) -> float:
        return self.sink.processedUSecs() / 1e6 if self.sink is not None else 0.0

    def stop(self):
        if self.sink is not None:
            self.sink.stop()
            self.io = None


class FrameServer(QObject):
    """Composes frames on a worker thread: the latest request wins (scrubbing), or a run ahead (playback)."""


    def __init__(self, doc: Document):
        super().__init__()
        self.doc = doc
        self.scale = 0.5
        self._want: int | None = None
        self._ahead: list[int] = []
        self.cache: dict[int, QImage] = {}
        self._cv = threading.Condition()
        self._stop = False
        self._version = 0
        self._inflight: int | None = None  # the frame being drawn
        self.override = None  # a scratch project drawn instead of the document's (a handle drag on the preview)
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def compositor(self) -> Compositor:
        project = self.override or self.doc.project
        s = project.settings
        return Compositor(project, scaled_size(s.width, s.height, self.scale), pool=self.doc.pool)

    def invalidate(self):
        with self._cv:
            self._version += 1
            self.cache.clear()
            if self._want is None and self._inflight is not None:
                self._want = self._inflight  # the frame being drawn now will be thrown away: draw it again
            self._cv.notify()

    def request(self, n: int):
        with self._cv:
            self._want = n
            self._cv.notify()

    def play_from(self, n: int, count: int, step: int = 1):
        with self._cv:
            self._ahead = [f for f in range(n, n + step * count, step) if f >= 0]
            self._cv.notify()

    def stop(self):
        with self._cv:
            self._stop = True
            self._cv.notify()

    def join(self, timeout: float = 5.0):
        self._t.join(timeout)

    def _run(self):
        while True:
            with self._cv:
                while not self._stop and self._want is None and not self._ahead:
                    self._cv.wait(0.2)
                if self._stop:
                    return
                n = self._want if self._want is not None else self._ahead.pop(0)
                self._want = None
                version = self._version
                if n in self.cache:
                    continue
                self._inflight = n
            try:
                img = to_qimage(self.compositor().frame(n))
            except MediaError as exc:  # a broken file shows as an error, not a crash
                if version == self._version:  # (not a render of a project that was just closed)
                    self.doc.error.emit(f"preview: {exc}")
                img = None
            except Exception:  # the model changed under the render: invalidate() asks for it again
                img = None
            with self._cv:
                self._inflight = None
                if img is not None and version == self._version:
                    self.cache[n] = img
                    while len(self.cache) > 90:
                        self.cache.pop(next(iter(self.cache)))


class PreviewWidget(QWidget):

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.image: QImage | None = None
        self.shown = -1
        self.playing = False
        self.speed = 1.0
        self.dropped = 0
        self.shown_count = 0
        self.status = Callbacks()  # per playback tick: a plain callback list
        self.server = FrameServer(doc)
        self.handles = PreviewHandles(self)  # move / scale / rotate the selected picture (preview_handles.py)
        self.setMouseTracking(True)
        self.auto_scale = True
        # the UI polls the server's cache: no signal crosses from the render thread (PySide6 emissions from
        # Python threads under load have crashed here)
        self._poll = QTimer(self)
        self._poll.timeout.connect(self._check_ready)
        self._poll.start(30)
        self.audio = AudioOut(doc.project.settings.sample_rate, doc.project.settings.channels)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.setMinimumSize(320, 180)
        self.setFocusPolicy(Qt.StrongFocus)
        self.attach(doc)

    def attach(self, doc: Document):
        self.doc = doc
        self.server.doc = doc
        doc.playhead_changed.connect(self._on_playhead)
        doc.changed.connect(self._on_changed)
        doc.selection_changed.connect(self.update)  # the handles follow the selection
        self._on_changed()

    def refresh(self):
        """Draw the current frame again (the picture's source changed, not the edit)."""
        self._on_changed()

    def show_scratch(self, project=None) -> None:
        """Draw `project` (a gesture's edit before it is applied) instead of the document's; None: the document's."""
        if project is None and self.server.override is None:
            return
        self.server.override = project
        self.refresh()

    def _on_changed(self):
        if self.auto_scale:
            self._fit_scale()  # the project's size may have changed (a new project, the first import)
        self.server.invalidate()
        self.shown = -1
        self.server.request(self.doc.playhead)

    def _on_playhead(self, n: int):
        if not self.playing:
            self.handles.cancel()
            self.server.request(n)

    def _check_ready(self):
        if self.playing or self.shown == self.doc.playhead:
            return  # playback pulls frames from the cache on its own clock
        img = self.server.cache.get(self.doc.playhead)
        if img is not None:
            self.image, self.shown = img, self.doc.playhead
            self.update()

    def set_scale(self, scale: float | None):
        """A fixed preview resolution (1.0, 0.5, 0.25 of the project), or None: Auto, the size it is shown at."""
        self.auto_scale = scale is None
        if not self.auto_scale:
            self.server.scale = scale
        self._on_changed()

    def _fit_scale(self) -> bool:
        """Auto: render at the displayed size (never above the project's), in 1/8 steps so that dragging a dock
        edge does not redraw on every pixel. True when the scale changed (the frame needs drawing again)."""
        ps = self.doc.project.settings
        fit = min(1.0, self.width() / max(1, ps.width), self.height() / max(1, ps.height))
        scale = min(1.0, max(0.125, math.ceil(fit * 8) / 8))
        changed = scale != self.server.scale
        self.server.scale = scale
        return changed

    def resizeEvent(self, e):
        super().resizeEvent(e)
        if self.auto_scale and self._fit_scale():
            self._on_changed()

    # -- playback ----------------------------------------------------------------------------------------------
    def toggle_play(self):
        self.stop() if self.playing else self.play()

    def play(self, speed: float = 1.0):
        if self.doc.project.duration <= 0:
            return
        if speed > 0 and self.doc.playhead >= self.doc.project.duration - 1:
            self.doc.set_playhead(0)
        self.playing, self.speed = True, speed
        self.dropped = self.shown_count = 0
        self._start_frame = self.doc.playhead
        self._t0 = time.monotonic()
        self._mixer = AudioMixer(self.doc.project, self.doc.pool)
        self._audio_frame = self._start_frame
        self.server.play_from(self._start_frame, 12, 1 if speed > 0 else -1)
        if speed == 1.0 and self.audio.available:
            self.audio.start()
            self._feed_audio()
        self._timer.start(8)

    def stop(self):
        if not self.playing:
            return
        self.playing = False
        self._timer.stop()
        self.audio.stop()
        self.status.emit(f"stopped: {self.shown_count} frames shown, {self.dropped} dropped")
        self.server.request(self.doc.playhead)

    def _clock(self) -> float:
        wall = (time.monotonic() - self._t0) * self.speed
        if self.audio.available and self.audio.io is not None and self.speed == 1.0:
            played = self.audio.seconds_played()
            if played > 0 or wall < 0.5:
                return played
            # a sink that does not consume (no real device behind it): play silently on the system clock
            self.audio.stop()
        return wall

    def _feed_audio(self):
        rate = self.doc.project.settings.rate
        chunk = max(1, int(round(float(rate) / 10)))
        bpf = self.doc.project.settings.channels * 2
        while self.audio.bytes_free() >= bpf * self.doc.project.settings.frame_to_sample(chunk):
            a = self._audio_frame
            if a >= self.doc.project.duration:
                break
            self.audio.write(self._mixer.mix(a, a + chunk))
            self._audio_frame = a + chunk

    def _tick(self):
        if self.audio.io is not None:
            self._feed_audio()
        rate = float(self.doc.project.settings.rate)
        n = self._start_frame + int(self._clock() * rate)
        if n >= self.doc.project.duration:
            self.doc.set_playhead(self.doc.project.duration - 1)
            self.stop()
            return
        if n < 0:  # reverse play reached the start
            self.doc.set_playhead(0)
            self.stop()
            return
        if n == self.shown:
            return
        step = 1 if self.speed > 0 else -1
        self.server.play_from(n + step, 10, step)
        img = self.server.cache.get(n)
        if img is None:
            return  # not ready yet: counted as dropped if we have to skip it
        if self.shown >= 0 and abs(n - self.shown) > 1:
            self.dropped += abs(n - self.shown) - 1
        self.image, self.shown = img, n
        self.shown_count += 1
        self.doc.playhead = n
        self.doc.playhead_changed.emit(n)
        self.status.emit(f"playing {n}  dropped {self.dropped}")
        self.update()

    def step(self, frames: int):
        self.stop()
        self.doc.set_playhead(self.doc.playhead + frames)

    # -- mouse: the handles of the selected picture ---------------------------------------------------------------
    def mousePressEvent(self, e):
        self.setFocus()
        if not self.handles.press(e):
            super().mousePressEvent(e)

    def mouseMoveEvent(self, e):
        if self.handles.move(e):
            self.update()
        else:
            super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e):
        if not self.handles.release(e):
            super().mouseReleaseEvent(e)
        self.update()

    def keyPressEvent(self, e):
        if self.handles.key(e):
            self.update()
            return
        super().keyPressEvent(e)

    def event(self, e):
        gestures = getattr(self, "handles", None)  # (events can come while __init__ runs)
        if gestures is not None and gestures.shortcut_override(e):
            return True
        return super().event(e)

    # -- paint -------------------------------------------------------------------------------------------------
    def paintEvent(self, _):
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(12, 12, 14))
        if self.image is not None:
            view = self.handles.view()  # the frame as large as fits, centred: the handles use the same mapping
            s = self.doc.project.settings
            p.setRenderHint(QPainter.SmoothPixmapTransform)
            p.drawImage(QRectF(view.left, view.top, s.width * view.k, s.height * view.k), self.image)
        self.handles.paint(p)
        p.end()

    def closeEvent(self, e):
        self.stop()
        self.server.stop()
        super().closeEvent(e)
