"""Pictures in and out for the AI tools: edge frames of clips, fitting, PNG folders and video files."""
from __future__ import annotations

import itertools
import queue
import shutil
import threading
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from editor.errors import MediaError
from editor.media.atomic import copy_atomic  # noqa: F401  (the AI tools' CLIs copy results through it)
from editor.media.atomic import (DiskFullError, clean_stale_partials, is_no_space, partial_path, remove_quietly,
                                 write_bytes, writing)
from editor.media.colour import colour_space_for, rgb_to_yuv420, tag_stream
from editor.media.probe import probe
from editor.media.reader import ImageReader, open_visual

VIDEO_EXTS = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}


def edge_frame(path, which: str) -> tuple[np.ndarray, Fraction | None]:
    """The first or last frame of a video (or animation), or the picture of an image file, upright (EXIF
    orientation, display matrix); with the video's rate."""
    info = probe(path)
    if info.kind == "image":
        return ImageReader(path, info=info).frame(0), None
    if info.kind != "video":
        raise MediaError(path, "has no picture to take a frame from")
    r = open_visual(path, info=info)
    try:
        n = 0 if which == "first" else info.frames - 1
        img = r.frame(n)
        if which == "last":  # the container's frame count can overshoot; step back to a real frame
            while n > 0 and img is None:
                n -= 1
                img = r.frame(n)
        return img, info.rate
    finally:
        r.close()


def fit(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Letterbox into size (w, h), as the timeline shows it."""
    from editor.render.fit import fit_rect

    h, w = img.shape[:2]
    if (w, h) == tuple(size):
        return img
    x, y, fw, fh = fit_rect(w, h, *size)
    out = np.zeros((size[1], size[0], 3), np.uint8)
    interp = cv2.INTER_AREA if fw < w else cv2.INTER_CUBIC
    out[y:y + fh, x:x + fw] = cv2.resize(img, (fw, fh), interpolation=interp)
    return out


def cover(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale and centre-crop to fill size (w, h) (for generative models that need exact shapes)."""
    h, w = img.shape[:2]
    s = max(size[0] / w, size[1] / h)
    nw, nh = max(size[0], round(w * s)), max(size[1], round(h * s))
    r = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    x, y = (nw - size[0]) // 2, (nh - size[1]) // 2
    return np.ascontiguousarray(r[y:y + size[1], x:x + size[0]])


def write_pngs(frames, folder: Path, prefix: str = "frame") -> list[Path]:
    """Numbered PNGs in folder. Each is encoded in memory and written with a checked write: cv2.imwrite reports
    success on a full disk for a small picture and leaves a 0-byte file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, f in enumerate(frames, 1):
        p = folder / f"{prefix}_{i:04d}.png"
        ok, data = cv2.imencode(".png", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        if not ok:
            raise MediaError(p, "the picture could not be encoded as PNG")
        try:
            write_bytes(p, data.tobytes())
        except OSError as exc:
            remove_quietly(p)
            if is_no_space(exc):
                raise DiskFullError(p) from None
            raise MediaError(p, f"cannot write the picture: {exc.strerror or exc}") from None
        paths.append(p)
    return paths


def read_pngs(paths) -> list[np.ndarray]:
    """RGB frames of PNG files (a tool's own output); a missing or damaged one is a MediaError naming it."""
    out = []
    for p in paths:
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            raise MediaError(p, "the picture is missing or damaged")
        out.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    return out


def write_video(frames, path, fps: Fraction, crf: int = 16, audio: np.ndarray | None = None,
                sample_rate: int = 48000) -> Path:
    """H.264 MP4 (or any container by extension), written to a temp file and renamed; with `audio` (float32
    (samples, 2)), also an AAC stereo track starting with the first frame."""
    import av

    path = Path(path).resolve()
    it = iter(frames)
    try:
        first = next(it)
    except StopIteration:
        raise MediaError(path, "no frames to write") from None
    h, w = first.shape[:2]
    ew, eh = w - w % 2, h - h % 2

    space = colour_space_for(eh)

    def yuv(f):  # converted on the producer thread
        return rgb_to_yuv420(np.ascontiguousarray(f[:eh, :ew]), space)

    stream = prefetch(yuv(f) for f in itertools.chain([first], it))
    try:  # the partial file is created by the muxer, with the user's umask
        with writing(path, path.suffix or ".mp4") as tmp, av.open(str(tmp), "w") as c:
            s = c.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
            s.width, s.height, s.pix_fmt = ew, eh, "yuv420p"
            s.codec_context.thread_type = "FRAME"
            tag_stream(s.codec_context, space)
            # a fixed thread count and no macroblock tree: x264 then gives the same bytes for the same frames on
            # every machine (with mbtree or an automatic thread count, small frames encode differently run to run)
            s.options = {"crf": str(crf), "preset": "veryfast", "threads": "4", "x264-params": "mbtree=0"}
            a = None if audio is None else c.add_stream("aac", rate=sample_rate, layout="stereo")
            for i, f in enumerate(stream):
                vf = av.VideoFrame.from_ndarray(f, format="yuv420p")
                vf.pts = i
                c.mux(s.encode(vf))
            c.mux(s.encode(None))
            if a is not None:
                fifo = av.AudioFifo()
                block = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio.T, dtype=np.float32), format="fltp",
                                                   layout="stereo")
                block.sample_rate = sample_rate
                fifo.write(block)
                pts = 0
                for af in fifo.read_many(1024, partial=True):
                    af.pts = pts
                    pts += af.samples
                    c.mux(a.encode(af))
                c.mux(a.encode(None))
    finally:
        stream.close()
    return path


def prefetch(iterable, depth: int = 4):
    """Iterate on a worker thread, a few items ahead: rendering overlaps with encoding (both release the GIL)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def run():
        try:
            for item in iterable:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        pass
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # wait for the worker to notice (it is between two frames): a thread still inside OpenCV or FFmpeg when
        # the interpreter exits aborts the process
        t.join(timeout=30)


def write_output(frames, out, fps: Fraction) -> Path:
    """OUT is a video file (by extension) or a folder that receives numbered PNGs."""
    out = Path(out)
    if out.suffix.lower() in VIDEO_EXTS:
        if not out.resolve().parent.is_dir():
            raise MediaError(out, "the folder to write into does not exist")
        return write_video(frames, out, fps)
    if out.exists() and not out.is_dir():
        raise MediaError(out, "exists and is not a folder; give a video file name (.mp4) or a folder")
    return _into_folder(out, lambda tmp: write_pngs(frames, tmp))


def copy_pngs(paths, out) -> Path:
    """Numbered PNGs a job wrote, copied into the folder OUT (its old frame_*.png replaced)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise MediaError(out, "exists and is not a folder; give a video file name (.mp4) or a folder")

    def copy(tmp: Path):
        for i, p in enumerate(sorted(paths, key=lambda p: p.name), 1):
            dst = tmp / f"frame_{i:04d}.png"
            try:
                shutil.copyfile(p, dst)
            except OSError as exc:
                if is_no_space(exc):
                    raise DiskFullError(out / dst.name) from None
                raise

    return _into_folder(out, copy)


def _into_folder(out: Path, fill) -> Path:
    """Fill a partial folder beside OUT (named so a killed run's is cleaned at the next write), then move its
    frames into OUT."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale_partials(parent)
    tmp = partial_path(out.resolve(), "")
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        fill(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("frame_*.png"):
            old.unlink()
        for p in sorted(tmp.iterdir()):
            shutil.move(str(p), out / p.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
