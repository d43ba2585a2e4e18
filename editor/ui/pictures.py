"""The small pictures of the media: a thumbnail strip along each video (filmstrips on the timeline, hover-scrub and
icons in the bin) and waveform peaks. Made on workers once per file, shared by the bin and the timeline."""
from __future__ import annotations

import shiboken6
from PySide6.QtGui import QImage, QPixmap

from editor.ui import workers
from editor.ui.callbacks import Callbacks

STRIP_COUNT = 24
STRIP_HEIGHT = 54


def pixmap_from_rgb(rgb) -> QPixmap:
    from editor.ui.preview import to_qimage

    return QPixmap.fromImage(to_qimage(rgb))


class FilmStrip:
    """Pictures along a media file: `at(seconds)` is the one nearest that time."""

    def __init__(self, times: list[float], pixmaps: list[QPixmap]):
        self.times, self.pixmaps = times, pixmaps

    def at(self, secs: float) -> QPixmap:
        if len(self.times) == 1:
            return self.pixmaps[0]
        import bisect

        i = bisect.bisect_left(self.times, secs)
        if i >= len(self.times):
            return self.pixmaps[-1]
        if i > 0 and secs - self.times[i - 1] < self.times[i] - secs:
            i -= 1
        return self.pixmaps[i]

    def fraction(self, f: float) -> QPixmap:
        return self.pixmaps[min(len(self.pixmaps) - 1, max(0, int(f * len(self.pixmaps))))]

    @property
    def first(self) -> QPixmap:
        return self.pixmaps[len(self.pixmaps) // 4] if len(self.pixmaps) > 2 else self.pixmaps[0]


class MediaPictures:
    """asset id -> FilmStrip and waveform peaks, asked for at most once per file and made on a worker."""

    def __init__(self, report_error=None):
        self.strips: dict[str, FilmStrip] = {}
        self.peaks: dict[str, object] = {}
        self.version: dict[str, int] = {}  # bumps when an asset's pictures arrive (painted caches key on it)
        self.ready = Callbacks()  # asset id
        self._asked: set[str] = set()
        self.report_error = report_error or (lambda msg: None)

    def clear(self) -> None:
        self.strips.clear()
        self.peaks.clear()
        self._asked.clear()
        self.version.clear()

    def want(self, asset) -> None:
        """Make the pictures of an asset (once; `ready` fires when they arrive)."""
        if asset is None or asset.id in self._asked or asset.offline:
            return
        self._asked.add(asset.id)
        path, kind, aid, name = asset.path, asset.kind, asset.id, asset.name
        has_sound = kind == "audio" or asset.has_audio

        def work(progress, cancelled):
            from editor.media.thumbs import filmstrip, waveform_peaks

            strip = filmstrip(path, STRIP_COUNT, STRIP_HEIGHT) if kind in ("video", "image") else None
            peaks = waveform_peaks(path) if has_sound else None
            return strip, peaks

        w = workers.Worker(work)

        def done(res):
            strip, peaks = res
            if strip is not None:
                times, pics = strip
                self.strips[aid] = FilmStrip(times, [pixmap_from_rgb(p) for p in pics])
            if peaks is not None:
                self.peaks[aid] = peaks
            self.version[aid] = self.version.get(aid, 0) + 1
            self.ready.emit(aid)

        w.signals.finished.connect(done)
        w.signals.failed.connect(lambda msg: self.report_error(f"No pictures for {name}: {msg}"))
        workers.start(w)
        self.last_worker = w

    def thumb(self, asset_id: str) -> QPixmap | None:
        s = self.strips.get(asset_id)
        return s.first if s is not None else None


def alive(obj) -> bool:
    return obj is not None and shiboken6.isValid(obj)


__all__ = ["MediaPictures", "FilmStrip", "pixmap_from_rgb", "QImage"]
