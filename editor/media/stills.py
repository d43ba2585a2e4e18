"""Photos and animations through Pillow: sizes checked from the header before anything is decoded, EXIF
orientation, alpha (kept premultiplied), CMYK, 16-bit, greyscale and palette pictures, HEIC/HEIF (pillow-heif),
animated GIF/WebP/APNG with their own frame delays.

Pictures with alpha are handed out premultiplied (RGB already multiplied by alpha): they scale without dark fringes
and composite with one multiply-add; their first three channels are the picture over black.
"""
from __future__ import annotations

import bisect
import re
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.errors import MediaError

MAX_SIDE = 16384  # video frames: the widest camera formats are 8K/12K
MAX_IMAGE_SIDE = 32768  # stills: room for phone panoramas
MAX_PIXELS = 270_000_000  # 200 MP phone photos (16320 x 12240) fit; a decompression bomb does not

# formats Pillow reads that are pictures (others it recognises, like MPEG or EPS, go to FFmpeg)
STILL_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "DIB", "TIFF", "HEIF", "AVIF", "PPM", "TGA", "QOI",
                 "JPEG2000", "PCX", "SGI", "ICO", "PSD", "DDS"}
ANIMATED_FORMATS = {"GIF", "PNG", "WEBP", "AVIF"}  # several frames in these are an animation, not pages/sizes
SWAPS_SIDES = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter
MAX_ANIMATION_RATE = Fraction(60)

_heif_lock = threading.Lock()
_heif_ready = False


def pillow():
    """PIL.Image, with the size limit set and HEIC/HEIF registered (pillow-heif, when installed)."""
    global _heif_ready
    from PIL import Image

    if not _heif_ready:
        with _heif_lock:
            if not _heif_ready:
                Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses at twice this; check_size refuses first
                try:
                    import pillow_heif

                    pillow_heif.register_heif_opener()
                except ImportError:  # optional at run time: HEIC files then go to FFmpeg, which may read them
                    pass
                _heif_ready = True
    return Image


def check_size(path, w: int, h: int, max_side: int = MAX_IMAGE_SIDE, what: str = "picture") -> None:
    """Refuse a size before anything of that size is allocated."""
    if w <= 0 or h <= 0:
        raise MediaError(path, f"the {what} has no size ({w} x {h}): the file is damaged")
    if w > max_side or h > max_side or w * h > MAX_PIXELS:
        raise MediaError(path, f"the {what} is too large: {w} x {h} pixels (Seamline takes up to {max_side} "
                               f"pixels a side and {MAX_PIXELS // 1_000_000} megapixels)")


def open_picture(path):
    """Pillow's view of a picture (only its header is read), or None when it is not a picture Pillow reads."""
    Image = pillow()
    try:
        im = Image.open(path)
    except Image.DecompressionBombError as exc:  # Pillow's own limit (twice ours) tripped before ours could
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        mp = f"{int(pixels.group(1)) / 1e6:,.0f} megapixels" if pixels else "beyond Pillow's limit"
        raise MediaError(path, f"the picture is too large: {mp} (Seamline takes up to {MAX_IMAGE_SIDE} pixels "
                               f"a side and {MAX_PIXELS // 1_000_000} megapixels)") from None
    except Exception:  # noqa: BLE001 - any header Pillow cannot parse: FFmpeg gets its turn
        return None
    if im.format not in STILL_FORMATS:
        im.close()
        return None
    return im


def orientation(im) -> int:
    """The EXIF orientation (1-8) of a Pillow picture; 1 when there is none or it is nonsense."""
    try:
        o = int(im.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - damaged EXIF: show the pixels as stored
        return 1
    return o if 1 <= o <= 8 else 1


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


def has_alpha(im) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


def frame_delays(im) -> list[int]:
    """Milliseconds each frame of an animation stays on screen. Like browsers, a GIF delay of 10 ms or less
    means 100 ms; other formats' zero delays too."""
    delays = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        if im.format == "WEBP":
            im.load()  # Pillow reads a WebP frame's delay when it decodes it
        d = im.info.get("duration")
        d = int(round(float(d))) if d else 0
        if d <= (10 if im.format == "GIF" else 0):
            d = 100
        delays.append(d)
    im.seek(0)
    return delays


def animation_rate(delays: list[int]) -> Fraction:
    """The rate the animation is edited at: one frame per shortest delay (so no picture is skipped), at most 60."""
    return min(Fraction(1000, max(1, min(delays))), MAX_ANIMATION_RATE)


def picture_info(path, im):
    """MediaInfo of a picture Pillow opened: a still, or a video when it is animated."""
    from editor.media.probe import MediaInfo

    w, h = im.size
    check_size(path, w, h)
    o = orientation(im)
    if o in SWAPS_SIDES:
        w, h = h, w
    alpha = has_alpha(im)
    n = _frame_count(path, im)
    if im.format in ANIMATED_FORMATS and n > 1:
        try:
            delays = frame_delays(im)
        except Exception as exc:  # noqa: BLE001 - a frame Pillow cannot parse
            raise MediaError(path, f"the animation is damaged: {exc}") from None
        rate = animation_rate(delays)
        total = sum(delays)
        frames = max(1, -(-total * rate.numerator // (1000 * rate.denominator)))
        return MediaInfo(str(path), "video", im.format.lower(), total / 1000, rate, int(frames), w, h, 0,
                         im.mode, im.format.lower(), alpha=alpha, orientation=o, decoder="pillow")
    return MediaInfo(str(path), "image", im.format.lower(), 0.0, None, None, w, h, 0, im.mode, im.format.lower(),
                     alpha=alpha, orientation=o, decoder="pillow")


def _frame_count(path, im) -> int:
    try:
        return int(getattr(im, "n_frames", 1) or 1)
    except Exception as exc:  # noqa: BLE001
        raise MediaError(path, f"the picture is damaged: {exc}") from None


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
    im = open_picture(path)
    if im is None:
        raise MediaError(path, "the picture cannot be decoded")
    try:
        check_size(path, *im.size)
        try:
            im.load()
            arr = to_array(im, has_alpha(im))
        except MemoryError:
            raise MediaError(path, "not enough memory to open this picture") from None
        except Exception as exc:  # noqa: BLE001 - Pillow's decoders raise OSError, SyntaxError, ValueError ...
            raise MediaError(path, f"the picture is damaged: {exc}") from None
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
        from editor.media.reader import FrameCache

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
