"""Makes edit proxies for the open project's videos in the background, one at a time, and hands each finished
proxy to the preview's readers. Runs at low priority; cancelled when the project closes."""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal

from editor.ui import workers


class ProxyQueue(QObject):
    status = Signal(str)  # "" when idle
    ready = Signal(str)  # the media path whose proxy is now in use

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc = None
        self.enabled = True
        self._seen: set[str] = set()
        self._todo: list = []
        self._current = None  # (path, worker)

    def attach(self, doc) -> None:
        self.stop()
        self.doc = doc
        doc.pool.use_proxies = self.enabled
        self._seen.clear()
        self.sync()

    def set_enabled(self, on: bool) -> None:
        """The View menu switch: the preview reads proxies (and new ones are made) only while it is on."""
        self.enabled = bool(on)
        if self.doc is not None:
            self.doc.pool.use_proxies = self.enabled
        self.sync()

    def stop(self) -> None:
        self._todo.clear()
        if self._current is not None:
            self._current[1].cancel()
            self._current = None
        self.status.emit("")

    def sync(self) -> None:
        """Queue every video of the project not looked at yet (cheap: the decision is made on the worker)."""
        if self.doc is None or not self.enabled:
            return
        for asset in list(self.doc.project.assets.values()):
            if asset.kind == "video" and not asset.offline and asset.path not in self._seen:
                self._seen.add(asset.path)
                self._todo.append(asset)
        self._next()

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._todo)

    def _next(self) -> None:
        if self._current is not None or not self._todo:
            return
        asset = self._todo.pop(0)
        name = Path(asset.path).name

        def work(progress, cancelled):
            from editor.media.proxy import build_proxy, find_proxy, wants_proxy

            if find_proxy(asset.path) is not None:
                return build_proxy(asset.path)  # checks the one on disk (and remakes it if damaged)
            if not wants_proxy(asset):
                return None
            return build_proxy(asset.path, progress, cancelled)

        w = workers.Worker(work)
        doc = self.doc
        self._current = (asset.path, w)
        w.signals.progress.connect(lambda f, _s: self._progress(w, f"Making a quick playback copy of {name}: {f * 100:.0f}%"))
        w.signals.finished.connect(lambda out: self._done(w, doc, asset.path, out))
        w.signals.failed.connect(lambda msg: self._done(w, doc, asset.path, None, msg))
        workers.start(w, background=True)

    def _mine(self, worker) -> bool:
        """Events of a worker that was stopped (or of a window already closed) are dropped."""
        return shiboken6.isValid(self) and self._current is not None and self._current[1] is worker

    def _progress(self, worker, text: str) -> None:
        if self._mine(worker):
            left = len(self._todo)
            self.status.emit(text + (f" ({left} more waiting)" if left else ""))

    def _done(self, worker, doc, path, out, error=None) -> None:
        if not self._mine(worker) or doc is not self.doc:
            return  # stopped meanwhile
        self._current = None
        if out is not None:
            doc.pool.attach_proxy(path, out)  # readers opened later find it themselves
            self.ready.emit(path)
        if error:
            self.status.emit(f"No quick playback copy of {Path(path).name} (it plays from the original): {error}")
        else:
            self.status.emit("")
        self._next()
