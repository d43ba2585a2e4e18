"""Frame-accurate video, still-image and audio readers.

Frame n of a video is the picture on screen at time n / rate after the stream's first frame, so variable-frame-rate
files come out right (the latest frame whose timestamp is <= that time). Decoded frames go into a cache bounded in
bytes. Sequential reads decode forward; a jump back or far forward seeks to the keyframe before it.
"""
from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.errors import MediaError
from editor.media.frame_cache import FrameCache  # noqa: F401  (reader.FrameCache: the callers' name)
from editor.media.probe import IMAGE_FORMATS, probe
from editor.media.pictures import AnimationReader, load_picture, premultiply, resize

_EPS = 1e-4


# PyAV's frame conversion (swscale behind VideoFrame.reformat/to_ndarray) is not safe to run on two threads at
# once: it corrupts reference counts ("deallocating None"). Conversions are quick; decoding stays parallel.
REFORMAT_LOCK = threading.Lock()


def _convert(frame, size, rotation, alpha: bool = False):
    """A decoded frame -> RGB (or premultiplied RGBA when alpha) at size (w, h) as displayed (after rotation)."""
    if size is not None and rotation in (90, 270):
        size = (size[1], size[0])
    if size is not None and size == (frame.width, frame.height):
        size = None  # swscale takes a slower scaling path when asked for the same size (3.5 vs 2 ms at 1080p)
    fmt = "rgba" if alpha else "rgb24"
    with REFORMAT_LOCK:
        if size is not None:
            arr = frame.to_ndarray(format=fmt, width=size[0], height=size[1])
        else:
            arr = frame.to_ndarray(format=fmt)
    if rotation:
        arr = np.rot90(arr, k=rotation // 90)
    if alpha:
        return premultiply(arr)
    return np.ascontiguousarray(arr)


class VideoReader:
    def __init__(self, path, cache_bytes: int = 256 << 20, info=None):
        import av

        self.path = Path(path)
        self.info = info or probe(path, check_tail=False)
        if self.info.kind != "video" or self.info.decoder != "ffmpeg":
            raise MediaError(path, "not a video file FFmpeg decodes (open it with open_visual)")
        self._container = av.open(str(self.path), metadata_errors="ignore")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self.rate: Fraction = self.info.rate
        self.frames: int = self.info.frames
        self.width, self.height = self.info.width, self.info.height
        self.has_alpha = self.info.alpha  # frame_rgba gives its transparency; frame() the picture over black
        tb = self._stream.time_base
        self._start = float(self._stream.start_time * tb) if self._stream.start_time is not None else 0.0
        self.cache = FrameCache(cache_bytes)
        self._iter = None
        self._cur = None  # (time, av frame) shown at the last target
        self._ahead = None  # the next decoded frame
        self._lock = threading.Lock()
        self.seeks = 0
        self.closed = False

    def close(self) -> None:
        with self._lock:  # never close under a decode running on another thread
            if not self.closed:
                self.closed = True
                self._container.close()

    def _advance(self):
        import av

        try:
            f = next(self._iter)
        except StopIteration:
            return None
        except av.error.FFmpegError as exc:
            raise MediaError(self.path, f"decoding failed: {exc}") from None
        t = f.time if f.time is not None else (self._cur[0] + 1 / float(self.rate) if self._cur else 0.0)
        return (t, f)

    def _seek(self, target: float) -> None:
        """Seek so that decoding starts at or before target. MPEG-TS and other index-less files seek by bytes and
        can land between keyframes, where nothing decodes until the next one: then try further back, and at last
        decode from the start of the file."""
        from editor.media.probe import SEEK_BACKOFF

        for back in SEEK_BACKOFF:
            ts = int(max(0.0, target - back) / float(self._stream.time_base))
            self._container.seek(ts, stream=self._stream, backward=True, any_frame=False)
            self.seeks += 1
            self._iter = self._container.decode(self._stream)
            self._cur = None
            self._ahead = self._advance()
            if self._ahead is not None and self._ahead[0] <= target:
                return
            if target - back <= self._start:
                break
        self._restart()

    def _restart(self) -> None:
        """Decode from the very start (a fresh demuxer: no seek to trust)."""
        import av

        self._container.close()
        self._container = av.open(str(self.path), metadata_errors="ignore")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self._iter = self._container.decode(self._stream)
        self._cur = None
        self._ahead = self._advance()

    def frame(self, n: int, size: tuple[int, int] | None = None) -> np.ndarray:
        """RGB uint8 frame n (clamped to the file), optionally scaled to size=(w, h) while converting."""
        if self.has_alpha:
            return np.ascontiguousarray(self.frame_rgba(n, size)[..., :3])
        return self._frame(n, size, False)

    def frame_rgba(self, n: int, size: tuple[int, int] | None = None) -> np.ndarray:
        """Premultiplied RGBA uint8 frame n (opaque files: alpha 255)."""
        if not self.has_alpha:
            img = self._frame(n, size, False)
            return np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
        return self._frame(n, size, True)

    def _frame(self, n: int, size, alpha: bool) -> np.ndarray:
        n = min(max(0, int(n)), max(0, self.frames - 1))
        size = tuple(size) if size is not None else (self.width, self.height)  # anamorphic: square pixels
        key = (n, size, alpha)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with self._lock:
            if self.closed:
                raise MediaError(self.path, "the file was closed")
            target = self._start + float(Fraction(n) / self.rate) + _EPS
            cur_t = self._cur[0] if self._cur else None
            if self._iter is None or (cur_t is None and self._ahead is None) or \
                    (cur_t is not None and target < cur_t - _EPS) or \
                    (cur_t is None and self._ahead is not None and self._ahead[0] > target) or \
                    (cur_t is not None and target - cur_t > 2.0):
                self._seek(target)
            while self._ahead is not None and self._ahead[0] <= target:
                self._cur = self._ahead
                self._ahead = self._advance()
            shown = self._cur or self._ahead
            if shown is None:
                raise MediaError(self.path, f"frame {n} cannot be decoded")
            arr = _convert(shown[1], size, self.info.rotation, alpha)
        self.cache.put(key, arr)
        return arr


class ImageReader:
    """A still picture, upright (EXIF orientation, display matrix), the same at every frame. Pictures with
    transparency keep it (premultiplied) for frame_rgba; frame() gives them over black."""

    def __init__(self, path, cache_bytes: int = 64 << 20, info=None):
        self.path = Path(path)
        self.info = info or probe(path, check_tail=False)
        if self.info.kind != "image":
            raise MediaError(path, f"not a still picture (a {self.info.kind} file)")
        if self.info.decoder == "pillow":
            self.image = load_picture(self.path, self.info)
        else:
            self.image = _ffmpeg_picture(self.path, self.info)
        self.has_alpha = self.image.shape[2] == 4
        self.height, self.width = self.image.shape[:2]
        self.cache = FrameCache(cache_bytes)

    def _sized(self, size) -> np.ndarray:
        if size is None or tuple(size) == (self.width, self.height):
            return self.image
        size = tuple(size)
        hit = self.cache.get(size)
        if hit is None:
            hit = resize(self.image, size)
            self.cache.put(size, hit)
        return hit

    def frame(self, n: int = 0, size: tuple[int, int] | None = None) -> np.ndarray:
        img = self._sized(size)
        return np.ascontiguousarray(img[..., :3]) if img.shape[2] == 4 else img

    def frame_rgba(self, n: int = 0, size: tuple[int, int] | None = None) -> np.ndarray:
        img = self._sized(size)
        if img.shape[2] == 3:
            img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
        return img

    def close(self) -> None:
        pass


def _ffmpeg_picture(path: Path, info) -> np.ndarray:
    """The one picture of a file only FFmpeg reads (JPEG XL, EXR, a one-frame video ...), as displayed."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as c:
            for frame in c.decode(video=0):
                return _convert(frame, (info.width, info.height), info.rotation, info.alpha)
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"the picture cannot be decoded: {exc}") from None
    raise MediaError(path, "the picture cannot be decoded")


def open_visual(path, info=None):
    """The reader for a file's pictures: ImageReader, AnimationReader or VideoReader (same frame() calls)."""
    info = info or probe(path, check_tail=False)
    if info.kind == "image":
        return ImageReader(path, info=info)
    if info.kind == "video" and info.decoder == "pillow":
        return AnimationReader(path, info=info)
    if info.kind == "video":
        return VideoReader(path, info=info)
    raise MediaError(path, "the file has no picture (it is audio only)")


def read_audio(path, sample_rate: int = 48000, channels: int = 2, stream_index: int | None = None) -> np.ndarray:
    """Decode a file's audio, resampled, as float32 (samples, channels).

    Sample 0 is the time of the first video frame (or the start of the audio in an audio-only file), so audio
    stays in sync with frame n at sample n * sample_rate / rate.
    """
    import av

    path = Path(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"cannot be opened: {exc}") from None
    try:
        if not container.streams.audio:
            return np.zeros((0, channels), np.float32)
        stream = container.streams.audio[0] if stream_index is None else container.streams[stream_index]
        stream.thread_type = "AUTO"
        layout = "stereo" if channels == 2 else "mono"
        resampler = av.AudioResampler(format="flt", layout=layout, rate=sample_rate)
        origin = None
        vs = [s for s in container.streams.video if s.start_time is not None and container.format.name
              not in IMAGE_FORMATS]
        if vs:
            origin = float(vs[0].start_time * vs[0].time_base)
        chunks = []
        first_time = None
        try:
            for frame in container.decode(stream):
                if first_time is None and frame.time is not None:
                    first_time = frame.time
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1, channels))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1, channels))
        except av.error.FFmpegError as exc:
            if not chunks:
                raise MediaError(path, f"the audio cannot be decoded: {exc}") from None
        samples = np.concatenate(chunks) if chunks else np.zeros((0, channels), np.float32)
        if origin is not None and first_time is not None:
            shift = int(round((first_time - origin) * sample_rate))
            if shift > 0:
                samples = np.concatenate([np.zeros((shift, channels), np.float32), samples])
            elif shift < 0:
                samples = samples[-shift:]
        return np.ascontiguousarray(samples, dtype=np.float32)
    finally:
        container.close()
