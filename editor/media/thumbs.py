"""Thumbnails and waveform peaks, cached on disk keyed by path + size + mtime."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from editor import resources
from editor.media.probe import file_key, probe


def cache_dir() -> Path:
    p = resources.cache_dir()
    p.mkdir(parents=True, exist_ok=True)
    return p


def _cached(path, what: str, ext: str) -> Path:
    h = hashlib.sha1(f"{file_key(path)}|{what}".encode()).hexdigest()[:24]
    return cache_dir() / f"{h}.{ext}"


def _atomic_save(target: Path, writer) -> None:
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    writer(tmp)
    os.replace(tmp, target)


def thumbnail(path, frame: int = 0, height: int = 72) -> np.ndarray:
    """RGB thumbnail of a frame of a video or image, `height` pixels high."""
    import cv2

    from editor.media.reader import open_visual

    target = _cached(path, f"thumb{frame}x{height}|upright", "png")  # not the sideways ones older versions cached
    if target.exists():
        img = cv2.imread(str(target), cv2.IMREAD_COLOR)
        if img is not None:
            return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    info = probe(path, check_tail=False)
    reader = open_visual(path, info)
    try:
        w = max(1, round(reader.width * height / max(1, reader.height)))
        img = reader.frame(frame, size=(w, height))
    finally:
        reader.close()
    _atomic_save(target, lambda tmp: cv2.imwrite(str(tmp) + ".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
                 and os.replace(str(tmp) + ".png", tmp))
    return img


def waveform_peaks(path, peaks_per_second: int = 100, sample_rate: int = 48000) -> np.ndarray:
    """(n, 2) float32: min and max of the mono mix in each 1/peaks_per_second slice."""
    from editor.media.reader import read_audio

    target = _cached(path, f"peaks{peaks_per_second}@{sample_rate}", "npy")
    if target.exists():
        try:
            return np.load(target)
        except (OSError, ValueError):
            pass
    audio = read_audio(path, sample_rate, 2).mean(axis=1)
    step = sample_rate // peaks_per_second
    n = len(audio) // step
    blocks = audio[: n * step].reshape(n, step) if n else np.zeros((0, step), np.float32)
    peaks = np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1).astype(np.float32) if n else \
        np.zeros((0, 2), np.float32)

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.save(fh, peaks)

    _atomic_save(target, write)
    return peaks


def filmstrip(path, count: int = 24, height: int = 54) -> tuple[list[float], list[np.ndarray]]:
    """(times in seconds, RGB pictures) of `count` frames spread evenly along a video (one for a still), `height`
    pixels high: the pictures along a clip on the timeline and under the mouse in the media bin. Cached on disk as
    one strip."""
    import cv2

    from editor.media.reader import open_visual

    info = probe(path, check_tail=False)
    if info.kind == "image" or not info.frames:
        return [0.0], [thumbnail(path, 0, height)]
    count = max(1, min(int(count), int(info.frames)))
    frames = [int(i * info.frames / count + info.frames / (2 * count)) for i in range(count)]
    frames = [min(f, int(info.frames) - 1) for f in frames]
    times = [f / float(info.rate) for f in frames]
    target = _cached(path, f"strip{count}x{height}", "png")
    if target.exists():
        img = cv2.imread(str(target), cv2.IMREAD_COLOR)
        if img is not None and img.shape[1] % count == 0:
            w = img.shape[1] // count
            rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            return times, [np.ascontiguousarray(rgb[:, i * w:(i + 1) * w]) for i in range(count)]
    reader = open_visual(path, info)
    try:
        w = max(1, round(reader.width * height / max(1, reader.height)))
        pics = [reader.frame(f, size=(w, height)) for f in frames]
    finally:
        reader.close()
    strip = np.concatenate(pics, axis=1)
    _atomic_save(target, lambda tmp: cv2.imwrite(str(tmp) + ".png", cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
                 and os.replace(str(tmp) + ".png", tmp))
    return times, pics
