"""Readers shared by the compositor and mixer.

MediaPool (the preview's): one reader per file and lane, opened on first use and kept, each with a frame cache,
and each file's sound decoded whole (the preview scrubs back and forth). StreamingPool (export and other one-pass
reads): readers without a frame cache, closed as soon as a frame or audio block goes by without them, and sound read
as ranges from a small forward-reading decoder per clip; memory does not grow with the number of files or the length.
"""
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


class StreamingPool:
    """One-pass readers: what an export (or another job reading each frame once) needs open, and no more.

    Call `frame_done()` after each rendered frame and `block_done()` after each mixed audio block: readers that the
    frame (block) did not use are set aside, and closed unless a clip of the same file wants one within a moment
    (IDLE_FRAMES frames, IDLE_BLOCKS blocks; at most IDLE_READERS set aside in all). So a file is open while its clips
    play and closed soon after they end, and a timeline cut to pieces between a few files (hundreds of short clips,
    a dissolve on every cut) hands each file's reader from clip to clip, reading on where it was, instead of opening
    and seeking it again for every clip.
    """

    def __init__(self, sample_rate: int = 48000, channels: int = 2):
        self.sample_rate = sample_rate
        self.channels = channels
        self._visual: dict[tuple, object] = {}
        self._visual_used: set = set()
        self._audio: dict[tuple, object] = {}
        self._audio_used: set = set()
        self._visual_idle: list[list] = []  # [path, reader, frames idle], youngest first
        self._audio_idle: list[list] = []  # [path, stream, blocks idle]
        self._info: dict[str, object] = {}  # probe results, so reopening a file costs no probe
        self._lock = threading.Lock()
        self.opened = 0  # readers opened so far (visual + audio), for tests and benchmarks

    def visual(self, asset: MediaAsset, lane: str = ""):
        from editor.media.probe import probe
        from editor.media.reader import open_visual

        if asset.offline:
            return None
        key = (asset.path, lane if asset.kind == "video" else "")
        with self._lock:
            self._visual_used.add(key)
            r = self._visual.get(key)
            if r is None:
                r = self._take(self._visual_idle, asset.path, self._visual, self._visual_used)
                if r is not None:
                    self._visual[key] = r
            if r is None:
                info = self._info.get(asset.path)
                if info is None:
                    info = self._info[asset.path] = probe(asset.path, check_tail=False)
                r = open_visual(asset.path, info)
                if hasattr(r, "cache"):  # no cache beyond the last two frames (slow motion reads k and k + 1 for
                    r.cache.max_bytes = _two_frames(r)  # each frame it shows; a 25 fps clip on 30 repeats one)
                self._visual[key] = r
                self.opened += 1
            return r

    def audio_range(self, asset: MediaAsset, start: int, count: int, key: str = "") -> np.ndarray:
        """Samples [start, start + count) of a file's sound, read forward by a decoder of its own per key (clip)."""
        from editor.media.audio_stream import AudioStream

        if asset.offline or asset.kind == "image":
            return np.zeros((max(0, count), self.channels), np.float32)
        k = (asset.path, key)
        with self._lock:
            self._audio_used.add(k)
            stream = self._audio.get(k)
            if stream is None:
                stream = self._take(self._audio_idle, asset.path, self._audio, self._audio_used)
                if stream is not None:
                    self._audio[k] = stream
            if stream is None:
                try:
                    stream = AudioStream(asset.path, self.sample_rate, self.channels)
                except MediaError:
                    stream = _Silence(self.channels)
                self._audio[k] = stream
                self.opened += 1
        return stream.read(start, count)

    def frame_done(self) -> None:
        """Set aside the picture readers the last frame did not use (closing those idle too long)."""
        self._set_aside(self._visual, self._visual_used, self._visual_idle, IDLE_FRAMES)

    def block_done(self) -> None:
        """Set aside the sound readers the last audio block did not use (closing those idle too long)."""
        self._set_aside(self._audio, self._audio_used, self._audio_idle, IDLE_BLOCKS)

    @staticmethod
    def _take(idle: list, path: str, readers: dict, used: set):
        """A reader of `path` nobody uses now, to read on from where it is: one the current frame (block) has not
        asked for yet (it would be set aside after it), else the youngest set aside; None when there is none."""
        for k in readers:
            if k[0] == path and k not in used:
                return readers.pop(k)
        for i, entry in enumerate(idle):
            if entry[0] == path:
                return idle.pop(i)[1]
        return None

    def _set_aside(self, readers: dict, used: set, idle: list, max_age: int) -> None:
        with self._lock:
            for entry in idle:
                entry[2] += 1
            idle[:0] = [[k[0], readers.pop(k), 0] for k in list(readers) if k not in used]
            used.clear()
            keep = [e for e in idle if e[2] < max_age][:IDLE_READERS]
            done = [e[1] for e in idle if not any(e is k for k in keep)]
            idle[:] = keep
        for r in done:
            r.close()

    @property
    def open_counts(self) -> tuple[int, int]:
        """(picture readers, sound readers) open now, those set aside included."""
        with self._lock:
            return len(self._visual) + len(self._visual_idle), len(self._audio) + len(self._audio_idle)

    def close(self) -> None:
        with self._lock:
            readers = list(self._visual.values()) + list(self._audio.values()) + [
                e[1] for e in self._visual_idle + self._audio_idle]
            self._visual.clear()
            self._audio.clear()
            self._visual_idle.clear()
            self._audio_idle.clear()
        for r in readers:
            r.close()


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
