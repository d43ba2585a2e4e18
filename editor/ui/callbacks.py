"""Plain Python notifications for hot paths (every paint, every playback tick).

PySide6 6.12 corrupted reference counts when a Qt Signal was emitted thousands of times a second (seen as
"Fatal Python error: bool_dealloc / none_dealloc" from inside paintEvent and during playback). Hot notifications
use this instead; it keeps the connect/emit spelling of a Signal.
"""
from __future__ import annotations


class Callbacks:
    def __init__(self):
        self._fns = []

    def connect(self, fn) -> None:
        self._fns.append(fn)

    def disconnect(self, fn) -> None:
        self._fns = [f for f in self._fns if f is not fn]

    def emit(self, *args) -> None:
        for fn in list(self._fns):
            fn(*args)
