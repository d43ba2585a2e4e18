"""A least-recently-used cache of decoded frames bounded by their size in bytes (readers of videos and animations)."""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class FrameCache:
    """LRU cache of arrays bounded by their total size in bytes."""

    def __init__(self, max_bytes: int = 256 << 20):
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self.bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            v = self._items.get(key)
            if v is not None:
                self._items.move_to_end(key)
            return v

    def put(self, key, value: np.ndarray) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.bytes += value.nbytes
            while self.bytes > self.max_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.bytes -= old.nbytes
