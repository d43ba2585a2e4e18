"""Export to MP4 (H.264 + AAC) through PyAV, on the caller's thread (the UI runs it on a worker).

The file is written beside the target under a temporary name and renamed over the target only on success: a cancelled
or failed export leaves the target as it was (absent, or the previous file untouched).
"""
from __future__ import annotations

import errno
import os
import queue
import tempfile
import threading
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from editor.errors import ExportCancelled, MediaError
from editor.render.compositor import Compositor, fit_rect
from editor.render.mixer import AudioMixer, PeakLimiter
from editor.render.sources import MediaPool
from editor.timeline.model import Project

PRESETS = {
    "1080p": (1920, 1080),
    "720p": (1280, 720),
    "vertical": (1080, 1920),
    "square": (1080, 1080),
}


def preset_size(project: Project, preset: str | None) -> tuple[int, int]:
    if preset is None:
        w, h = project.settings.width, project.settings.height
        return w - w % 2, h - h % 2
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[preset]


def _fit_into(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Letterbox an RGB frame into size (w, h)."""
    h, w = frame.shape[:2]
    if (w, h) == size:
        return frame
    x, y, fw, fh = fit_rect(w, h, *size)
    out = np.zeros((size[1], size[0], 3), np.uint8)
    out[y:y + fh, x:x + fw] = cv2.resize(frame, (fw, fh), interpolation=cv2.INTER_AREA)
    return out


def export(project: Project, out_path, preset: str | None = "1080p",
           progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None,
           crf: int = 20, speed: str = "veryfast", frame_range: tuple[int, int] | None = None,
           subtitles: str = "burn", loudness: float | None = None) -> Path:
    """Render the project to out_path. Raises ExportCancelled when cancelled() turns true. `subtitles`: what becomes
    of the captions tracks: burnt into the picture, a soft subtitle stream, a side-car .srt, or left out
    (editor/render/subtitle_stream.py). `loudness`: the mix normalised to this integrated loudness (LUFS) with true
    peaks under -1 dBTP, measured in a first pass over the sound (default: the project's setting, none = as mixed;
    editor/render/loudness.py)."""
    from editor.render import subtitle_stream

    import av

    out_path = Path(out_path).resolve()
    if not out_path.parent.is_dir():
        raise MediaError(out_path, "the folder to export into does not exist")
    size = preset_size(project, preset)
    start, end = frame_range or (0, project.duration)
    if end <= start:
        raise MediaError(out_path, "the timeline is empty: nothing to export")
    s = project.settings
    pool = MediaPool(s.sample_rate, s.channels)
    # render at the project's own frame size, then fit into the preset (so letterboxing matches the preview)
    comp_size = size if (s.width, s.height) == size else (s.width, s.height)
    if subtitles not in subtitle_stream.MODES:
        raise ValueError(f"subtitles are one of {', '.join(subtitle_stream.MODES)}")
    comp = Compositor(project, comp_size, pool, captions=subtitles == "burn")
    mixer = AudioMixer(project, pool)
    limiter = PeakLimiter(s.sample_rate)
    target = loudness if loudness is not None else s.loudness
    if target is not None:  # pass 1 over the sound alone, in the blocks mixed below
        from editor.render.loudness import normaliser

        limiter = normaliser(mixer.mix, start, end, max(1, int(s.rate)), s.sample_rate, s.channels, target,
                             cancelled=cancelled)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".partial.mp4", dir=out_path.parent)
    os.close(fd)
    try:
        with av.open(tmp, "w", format="mp4") as container:
            v = container.add_stream("libx264", rate=s.rate)
            v.width, v.height = size
            v.pix_fmt = "yuv420p"
            v.codec_context.thread_type = "FRAME"
            v.codec_context.colorspace = 5  # BT.601 (smpte170m): matches the I420 conversion below
            v.codec_context.color_primaries = 6
            v.codec_context.color_trc = 6
            v.options = {"crf": str(crf), "preset": speed}
            a = container.add_stream("aac", rate=s.sample_rate, layout="stereo" if s.channels == 2 else "mono")
            if subtitles == "soft":
                subtitle_stream.add_soft_subtitles(container, project, start, end)
            fifo = av.AudioFifo()
            chunk = max(1, int(s.rate))  # mix audio a second at a time
            sample_pts = 0
            total = end - start
            frames = _Prefetch(lambda n: cv2.cvtColor(_fit_into(comp.frame(n), size), cv2.COLOR_RGB2YUV_I420),
                               start, end)
            try:
                for n in range(start, end):
                    if cancelled is not None and cancelled():
                        raise ExportCancelled("export cancelled")
                    yuv = frames.get()
                    frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                    frame.pts = n - start
                    frame.time_base = 1 / s.rate
                    container.mux(v.encode(frame))
                    if (n - start) % chunk == 0:
                        block = limiter.process(mixer.mix(n, min(end, n + chunk)))
                        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp",
                                                        layout="stereo" if s.channels == 2 else "mono")
                        af.sample_rate = s.sample_rate
                        af.pts = None
                        fifo.write(af)
                        for out in fifo.read_many(1024):
                            out.pts = sample_pts
                            sample_pts += out.samples
                            container.mux(a.encode(out))
                    if progress is not None:
                        progress((n - start + 1) / total)
            finally:
                frames.stop()
            if hasattr(limiter, "flush"):  # the loudness stage holds back its look-ahead
                held = limiter.flush()
                if len(held):
                    af = av.AudioFrame.from_ndarray(np.ascontiguousarray(held.T), format="fltp",
                                                    layout="stereo" if s.channels == 2 else "mono")
                    af.sample_rate, af.pts = s.sample_rate, None
                    fifo.write(af)
            rest = fifo.read()
            if rest is not None:
                rest.pts = sample_pts
                container.mux(a.encode(rest))
            container.mux(v.encode(None))
            container.mux(a.encode(None))
        os.replace(tmp, out_path)
        if subtitles == "sidecar":
            subtitle_stream.write_sidecar(project, out_path, start, end)
    except OSError as exc:
        _remove(tmp)
        if exc.errno == errno.ENOSPC:
            raise MediaError(out_path, "the disk is full; free some space or export elsewhere") from None
        raise MediaError(out_path, f"export failed: {exc}") from None
    except BaseException:
        _remove(tmp)
        raise
    finally:
        pool.close()
    return out_path


class _Prefetch:
    """Composites frames on a second thread while the encoder works (decode, scaling and cv2 release the GIL)."""

    def __init__(self, make, start: int, end: int, depth: int = 6):
        self._q: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(make, start, end), daemon=True)
        self._t.start()

    def _run(self, make, start, end):
        try:
            for n in range(start, end):
                item = make(n)
                while not self._stop.is_set():
                    try:
                        self._q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer
            self._q.put(exc)

    def get(self):
        item = self._q.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self):
        self._stop.set()
        self._t.join(timeout=5)


def _remove(path) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
