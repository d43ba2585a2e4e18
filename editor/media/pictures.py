"""Decoding photos and animations (Pillow) into arrays: upright, any mode (CMYK, 16-bit, greyscale, palette) to RGB,
pictures with transparency to premultiplied RGBA.

Premultiplied (RGB already multiplied by alpha): such pictures scale without dark fringes and composite with one
multiply-add, and their first three channels are the picture over black.
"""
from __future__ import annotations

import bisect
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.errors import MediaError
from editor.media.stills import decode_picture, frame_delays, has_alpha, open_picture


def orient(arr: np.ndarray, o: int) -> np.ndarray:
    """Stored pixels -> the picture as it is meant to be seen (EXIF orientation o), like ImageOps.exif_transpose."""
    if o == 2:
        arr = arr[:, ::-1]
    elif o == 3:
        arr = arr[::-1, ::-1]
    elif o == 4:
        arr = arr[::-1]
    elif o == 5:
        arr = arr.swapaxes(0, 1)
    elif o == 6:
        arr = np.rot90(arr, -1)
    elif o == 7:
        arr = arr[::-1, ::-1].swapaxes(0, 1)
    elif o == 8:
        arr = np.rot90(arr, 1)
    return np.ascontiguousarray(arr)


def to_array(im, alpha: bool) -> np.ndarray:
    """A decoded Pillow picture (any mode) -> RGB uint8, or premultiplied RGBA uint8 when alpha."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        grey = np.asarray(im)
        if mode == "F":
            grey = grey * 255.0 if np.nanmax(grey, initial=0) <= 1.0 else grey
        elif mode == "I" and np.max(grey, initial=0) > 255 or mode.startswith("I;16"):
            grey = grey / 257.0
        grey = np.clip(np.nan_to_num(grey), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    if not alpha:
        return np.asarray(im.convert("RGB") if mode != "RGB" else im)
    rgba = np.asarray(im.convert("RGBA") if mode != "RGBA" else im)
    return premultiply(rgba)


def premultiply(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.uint16)
    out = np.empty_like(rgba)
    out[..., :3] = (rgba[..., :3] * a + 127) // 255
    out[..., 3] = rgba[..., 3]
    return out


def load_picture(path, info) -> np.ndarray:
    """The upright picture of a still: RGB, or premultiplied RGBA when it has (some real) alpha."""
    im = decode_picture(path)
    try:
        arr = to_array(im, has_alpha(im))
    except MemoryError:
        raise MediaError(path, "not enough memory to open this picture") from None
    finally:
        im.close()
    arr = orient(arr, info.orientation)
    if arr.shape[2] == 4 and arr[..., 3].min() == 255:
        arr = np.ascontiguousarray(arr[..., :3])  # an alpha channel that hides nothing: the opaque fast path
    return arr


class AnimationReader:
    """An animated GIF/WebP/APNG as a video: frame n is the picture on screen at n / rate."""

    def __init__(self, path, cache_bytes: int = 128 << 20, info=None):
        from editor.media.probe import probe
        from editor.media.frame_cache import FrameCache

        self.path = Path(path)
        self.info = info or probe(path)
        self._im = open_picture(self.path)
        if self._im is None or self.info.kind != "video":
            raise MediaError(path, "not an animation")
        delays = frame_delays(self._im)
        self._starts = [0]
        for d in delays[:-1]:
            self._starts.append(self._starts[-1] + d)
        self.rate: Fraction = self.info.rate
        self.frames: int = self.info.frames
        self.width, self.height = self.info.width, self.info.height
        self.has_alpha = self.info.alpha
        self.cache = FrameCache(cache_bytes)
        self._lock = threading.Lock()
        self.closed = False

    def _picture(self, n: int) -> np.ndarray:
        n = min(max(0, int(n)), max(0, self.frames - 1))
        index = bisect.bisect_right(self._starts, float(Fraction(n * 1000) / self.rate) + 1e-6) - 1
        key = ("full", index)
        hit = self.cache.get(key)
        if hit is None:
            with self._lock:
                if self.closed:
                    raise MediaError(self.path, "the file was closed")
                try:
                    self._im.seek(index)
                    self._im.load()
                    hit = to_array(self._im.convert("RGBA") if self.has_alpha else self._im, self.has_alpha)
                except Exception as exc:  # noqa: BLE001
                    raise MediaError(self.path, f"frame {index} of the animation is damaged: {exc}") from None
            hit = orient(hit, self.info.orientation)
            self.cache.put(key, hit)
        return hit

    def _sized(self, n: int, size) -> np.ndarray:
        img = self._picture(n)
        if size is None or tuple(size) == (img.shape[1], img.shape[0]):
            return img
        key = (n, tuple(size))
        hit = self.cache.get(key)
        if hit is None:
            hit = resize(img, size)
            self.cache.put(key, hit)
        return hit

    def frame(self, n: int, size=None) -> np.ndarray:
        img = self._sized(n, size)
        return np.ascontiguousarray(img[..., :3]) if img.shape[2] == 4 else img

    def frame_rgba(self, n: int, size=None) -> np.ndarray:
        img = self._sized(n, size)
        if img.shape[2] == 3:
            img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
        return img

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._im.close()


def resize(img: np.ndarray, size) -> np.ndarray:
    """Scale RGB or premultiplied RGBA to size (w, h); no overshooting filter on alpha (it would spill colour)."""
    import cv2

    shrink = size[0] < img.shape[1]
    interp = cv2.INTER_AREA if shrink else (cv2.INTER_LINEAR if img.shape[2] == 4 else cv2.INTER_CUBIC)
    return cv2.resize(img, tuple(size), interpolation=interp)
