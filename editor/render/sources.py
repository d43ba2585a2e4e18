"""Readers shared by the compositor and mixer, one per media file, opened on first use."""
from __future__ import annotations

import threading

import numpy as np

from editor.errors import MediaError
from editor.timeline.model import MediaAsset


class MediaPool:
    def __init__(self, sample_rate: int = 48000, channels: int = 2, cache_bytes: int = 192 << 20,
                 proxies: bool = False):
        """proxies=True (the preview's pool): videos read from their edit proxy when the size asked for fits."""
        self.proxies = proxies
        self.use_proxies = True  # the View menu switch; proxies stay attached either way
        self.sample_rate = sample_rate
        self.channels = channels
        self.cache_bytes = cache_bytes
        self._visual: dict[str, object] = {}
        self._audio: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def visual(self, asset: MediaAsset, lane: str = ""):
        """A reader for a file; each lane (a track, one side of a transition) gets its own decoder, so two
        places reading the same file at different times do not make each other seek."""
        from editor.media.reader import open_visual

        if asset.offline:
            return None
        key = (asset.path, lane if asset.kind == "video" else "")
        with self._lock:
            r = self._visual.get(key)
            if r is None:
                r = open_visual(asset.path)
                if hasattr(r, "cache"):
                    r.cache.max_bytes = self.cache_bytes
                if self.proxies and asset.kind == "video":
                    from editor.media.proxy import ProxiedReader, find_proxy

                    r = ProxiedReader(r, find_proxy(asset.path), enabled=lambda: self.use_proxies)
                self._visual[key] = r
            return r

    def attach_proxy(self, path: str, proxy_file) -> int:
        """A proxy finished: readers of that file already open switch to it. Returns how many did."""
        with self._lock:
            readers = [r for (p, _), r in self._visual.items() if p == path and hasattr(r, "attach")]
        return sum(bool(r.attach(proxy_file)) for r in readers)

    def audio(self, asset: MediaAsset) -> np.ndarray | None:
        from editor.media.reader import read_audio

        if asset.offline or asset.kind == "image":
            return None
        with self._lock:
            a = self._audio.get(asset.path)
            if a is None:
                try:
                    a = read_audio(asset.path, self.sample_rate, self.channels)
                except MediaError:
                    a = np.zeros((0, self.channels), np.float32)
                self._audio[asset.path] = a
            return a

    def close(self) -> None:
        with self._lock:
            for r in self._visual.values():
                r.close()
            self._visual.clear()
            self._audio.clear()
