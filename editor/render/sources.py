"""Readers shared by the compositor and mixer.

MediaPool (the preview's): one reader per file and lane, opened on first use and kept, each with a frame cache,
and each file's sound decoded whole (the preview scrubs back and forth). StreamingPool (export and other one-pass
reads): readers without a frame cache, closed as soon as a frame or audio block goes by without them, and sound read
as ranges from a small forward-reading decoder per clip; memory does not grow with the number of files or the length.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

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

    def audio_range(self, asset: MediaAsset, start: int, count: int, key: str = "") -> np.ndarray:
        """Samples [start, start + count) of a file's sound (silence outside it), float32 (count, channels)."""
        out = np.zeros((max(0, count), self.channels), np.float32)
        audio = self.audio(asset)
        if audio is None:
            return out
        lo, hi = max(start, 0), min(start + count, len(audio))
        if hi > lo:
            out[lo - start:hi - start] = audio[lo:hi]
        return out

    def close(self) -> None:
        with self._lock:
            for r in self._visual.values():
                r.close()
            self._visual.clear()
            self._audio.clear()


IDLE_READERS = 2  # readers set aside after their clips stopped using them, across all files
IDLE_FRAMES = 15  # a picture reader set aside this many frames is closed
IDLE_BLOCKS = 1  # a sound reader set aside this many blocks is closed


class _Readers:
    """One kind of reader (pictures or sounds) of a StreamingPool: those in use, keyed (file, lane or clip), and
    those set aside after a frame or block did not use them, for the next clip of the same file to read on with."""

    def __init__(self, max_age: int):
        self.max_age = max_age  # frames (blocks) a reader may stay set aside before it is closed
        self.active: dict[tuple, object] = {}
        self.used: set = set()
        self.idle: list[list] = []  # [path, reader, frames (blocks) idle], youngest first
        self.lock = threading.Lock()
        self.opened = 0

    def get(self, key: tuple, open_reader: Callable[[], object]):
        """The reader for key = (path, ...): its own, else one of the same file nobody uses now (one the current
        frame has not asked for yet, or the youngest set aside), else a new one from open_reader()."""
        with self.lock:
            self.used.add(key)
            r = self.active.get(key)
            if r is None:
                r = self._take(key[0])
                if r is None:
                    r = open_reader()
                    self.opened += 1
                self.active[key] = r
            return r

    def _take(self, path: str):
        for k in self.active:
            if k[0] == path and k not in self.used:
                return self.active.pop(k)
        for i, entry in enumerate(self.idle):
            if entry[0] == path:
                return self.idle.pop(i)[1]
        return None

    def set_aside(self) -> None:
        """The frame (block) is done: readers it did not use are set aside; those idle too long, or beyond
        IDLE_READERS, are closed."""
        with self.lock:
            for entry in self.idle:
                entry[2] += 1
            self.idle[:0] = [[k[0], self.active.pop(k), 0] for k in list(self.active) if k not in self.used]
            self.used.clear()
            keep = [e for e in self.idle if e[2] < self.max_age][:IDLE_READERS]
            done = [e[1] for e in self.idle if not any(e is k for k in keep)]
            self.idle[:] = keep
        for r in done:
            r.close()

    def __len__(self) -> int:
        with self.lock:
            return len(self.active) + len(self.idle)

    def close(self) -> None:
        with self.lock:
            readers = list(self.active.values()) + [e[1] for e in self.idle]
            self.active.clear()
            self.idle.clear()
        for r in readers:
            r.close()


class StreamingPool:
    """One-pass readers: what an export (or another job reading each frame once) needs open, and no more.

    Call `frame_done()` after each rendered frame and `block_done()` after each mixed audio block: readers that the
    frame (block) did not use are set aside, and closed unless a clip of the same file wants one within a moment
    (IDLE_FRAMES frames, IDLE_BLOCKS blocks; at most IDLE_READERS set aside of each kind). So a file is open while
    its clips play and closed soon after they end, and a timeline cut to pieces between a few files (hundreds of
    short clips, a dissolve on every cut) hands each file's reader from clip to clip, reading on where it was,
    instead of opening and seeking it again for every clip.
    """

    def __init__(self, sample_rate: int = 48000, channels: int = 2):
        self.sample_rate = sample_rate
        self.channels = channels
        self._pictures = _Readers(IDLE_FRAMES)
        self._sounds = _Readers(IDLE_BLOCKS)
        self._info: dict[str, object] = {}  # probe results, so reopening a file costs no probe

    @property
    def opened(self) -> int:
        """Readers opened so far (pictures + sounds), for tests and benchmarks."""
        return self._pictures.opened + self._sounds.opened

    def visual(self, asset: MediaAsset, lane: str = ""):
        if asset.offline:
            return None
        return self._pictures.get((asset.path, lane if asset.kind == "video" else ""), lambda: self._open(asset))

    def _open(self, asset: MediaAsset):
        from editor.media.probe import probe
        from editor.media.reader import open_visual

        info = self._info.get(asset.path)
        if info is None:
            info = self._info[asset.path] = probe(asset.path, check_tail=False)
        r = open_visual(asset.path, info)
        if hasattr(r, "cache"):  # no cache beyond the last two frames (slow motion reads k and k + 1 for
            r.cache.max_bytes = _two_frames(r)  # each frame it shows; a 25 fps clip on 30 repeats one)
        return r

    def audio_range(self, asset: MediaAsset, start: int, count: int, key: str = "") -> np.ndarray:
        """Samples [start, start + count) of a file's sound, read forward by a decoder of its own per key (clip)."""
        if asset.offline or asset.kind == "image":
            return np.zeros((max(0, count), self.channels), np.float32)
        return self._sounds.get((asset.path, key), lambda: self._open_sound(asset)).read(start, count)

    def _open_sound(self, asset: MediaAsset):
        from editor.media.audio_stream import AudioStream

        try:
            return AudioStream(asset.path, self.sample_rate, self.channels)
        except MediaError:
            return _Silence(self.channels)

    def frame_done(self) -> None:
        """Set aside the picture readers the last frame did not use (closing those idle too long)."""
        self._pictures.set_aside()

    def block_done(self) -> None:
        """Set aside the sound readers the last audio block did not use (closing those idle too long)."""
        self._sounds.set_aside()

    @property
    def open_counts(self) -> tuple[int, int]:
        """(picture readers, sound readers) open now, those set aside included."""
        return len(self._pictures), len(self._sounds)

    def close(self) -> None:
        self._pictures.close()
        self._sounds.close()


def _two_frames(reader) -> int:
    """Bytes of two RGBA frames at the reader's full size."""
    return 2 * 4 * max(1, getattr(reader, "width", 0) * getattr(reader, "height", 0))


class _Silence:
    """The sound of a file whose audio cannot be decoded (as MediaPool: silence, the export goes on)."""

    def __init__(self, channels: int):
        self.channels = channels

    def read(self, start: int, count: int) -> np.ndarray:
        return np.zeros((max(0, count), self.channels), np.float32)

    def close(self) -> None:
        pass
