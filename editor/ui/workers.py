"""Background work for the UI: probing, thumbnails, export and AI jobs never run on the UI thread."""
from __future__ import annotations

import os
import queue
import threading
import traceback

from PySide6.QtCore import QObject, Signal


class WorkerSignals(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Worker:
    """Runs fn(progress, cancelled) on a Python thread (`start`); results and errors come back as signals."""

    def __init__(self, fn, *args, **kwargs):
        from ai.jobs import CancelToken

        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()
        self.token = CancelToken()
        self.done = False

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        from ai.errors import JobCancelled
        from editor.errors import ExportCancelled

        try:
            result = self.fn(*self.args, progress=self._progress, cancelled=self.token, **self.kwargs)
        except (JobCancelled, ExportCancelled):
            _post(self, "cancelled")
            return
        except Exception as exc:  # shown to the user; nothing is swallowed
            msg = str(exc) or type(exc).__name__
            if not getattr(exc, "args", None):
                msg += "\n" + traceback.format_exc(limit=3)
            _post(self, "failed", msg)
            return
        _post(self, "finished", result)

    def _progress(self, fraction: float, stage: str = "") -> None:
        _post(self, "progress", float(fraction), stage)


_running: set = set()
_events: "queue.Queue" = queue.Queue()
_pump = None


def _post(worker: "Worker", kind: str, *args) -> None:
    """From a worker thread: queue an event; the UI thread emits it (no Qt signal is emitted off the UI thread)."""
    _events.put((worker, kind, args))


def _drain() -> None:
    while True:
        try:
            worker, kind, args = _events.get_nowait()
        except queue.Empty:
            return
        if kind != "progress":
            worker.done = True
        getattr(worker.signals, kind).emit(*args)


def _ensure_pump() -> None:
    global _pump
    if _pump is None:
        from PySide6.QtCore import QCoreApplication, QTimer

        _pump = QTimer(QCoreApplication.instance())
        _pump.timeout.connect(_drain)
        _pump.start(15)


_slots = threading.BoundedSemaphore(2)  # like a 2-thread pool: one per core


def start(worker: Worker, background: bool = False) -> Worker:
    """Run a worker on a Python thread (PyAV is not safe on Qt's pool threads); kept alive until it ends.

    background=True (proxies): no slot of the two, and the thread runs at a low OS priority, so it only takes the
    CPU time that playback, export and the AI tools leave."""
    _ensure_pump()
    _running.add(worker)
    for sig in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
        sig.connect(lambda *_, w=worker: _running.discard(w))

    def run():
        if background:
            _lower_priority()
            worker.run()
            return
        with _slots:
            worker.run()

    threading.Thread(target=run, daemon=True, name="seamline-worker").start()
    return worker


def _lower_priority() -> None:
    """Nice the calling thread (Linux: per thread; the decoder threads it starts inherit it)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass
