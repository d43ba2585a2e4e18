"""Headless jobs stopped by SIGTERM, SIGINT or SIGHUP unwind like a cancel: every writer's `except BaseException`
removes its partial output, and the command exits with a one-line message and status 128 + signal number.

The handler raises Stopped in the main thread and also records the signal: a raise that lands where Python ignores
exceptions (a finaliser) is lost, so long jobs also poll `stop_requested()` as their cancel check."""
from __future__ import annotations

import contextlib
import signal
import threading

SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, n))
_received: list[int] = []


def stop_requested() -> bool:
    """True once one of the signals arrived inside stop_on_signals()."""
    return bool(_received)


def received() -> "Stopped | None":
    return Stopped(_received[0]) if _received else None


class Stopped(BaseException):
    """A signal asked the process to stop (a BaseException, like KeyboardInterrupt: no `except Exception` eats it)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


@contextlib.contextmanager
def stop_on_signals():
    """Within the block, the signals above raise Stopped in the main thread (once: a second signal during the
    clean-up is ignored, so the clean-up finishes)."""
    def handler(signum, _frame):
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        _received.append(signum)
        raise Stopped(signum)

    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    _received.clear()
    old = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
