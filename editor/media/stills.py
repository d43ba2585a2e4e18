"""Photos and animations through Pillow, the probe side: sizes checked from the header before anything is decoded,
EXIF orientation, transparency, HEIC/HEIF (pillow-heif), animated GIF/WebP/APNG with their own frame delays.
Decoding them is editor/media/pictures.py. (No numpy here: `seamline probe` stays quick to start.)
"""
from __future__ import annotations

import re
import threading
from fractions import Fraction

from editor.errors import MediaError

MAX_SIDE = 16384  # a side of a video frame or a still (phone panoramas wider than this are refused): the model's limit
MAX_PIXELS = 270_000_000  # 200 MP phone photos (16320 x 12240) fit; a decompression bomb does not
MAX_SECONDS = 86_400  # media longer than a day: the project schema's limit (a broken header, not a family video)

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


def check_size(path, w: int, h: int, max_side: int = MAX_SIDE, what: str = "picture") -> None:
    """Refuse a size before anything of that size is allocated."""
    if w <= 0 or h <= 0:
        raise MediaError(path, f"the {what} has no size ({w} x {h}): the file is damaged")
    if w > max_side or h > max_side or w * h > MAX_PIXELS:
        raise MediaError(path, f"the {what} is too large: {w} x {h} pixels (Seamline takes up to {max_side} "
                               f"pixels a side and {MAX_PIXELS // 1_000_000} megapixels)")


# how picture files start (so a video never pays for Pillow trying its ~40 format plugins)
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"II+\x00",
          b"MM\x00+", b"qoif", b"8BPS", b"DDS ", b"\x00\x00\x01\x00", b"\x00\x00\x00\x0cjP  ", b"\xffO\xffQ",
          b"\x01\xda") + tuple(b"P%d" % i for i in range(1, 8))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"mif2", b"msf1", b"avif", b"avis")
_PICTURE_SUFFIXES = {".tga", ".pcx", ".sgi", ".rgb", ".bw", ".ico", ".dds", ".psd"}  # formats without a clear magic


def looks_like_picture(path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError:
        return False
    if head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return True
    if head[4:8] == b"ftyp":  # ISO media: a HEIF/AVIF photo, or (most often) an MP4/MOV video
        return head[8:12] in _HEIF_BRANDS or any(head[i:i + 4] in _HEIF_BRANDS for i in range(16, 29, 4))
    return str(path).lower().endswith(tuple(_PICTURE_SUFFIXES))


def check_length(path, seconds: float) -> None:
    if not seconds < MAX_SECONDS:  # also NaN
        raise MediaError(path, f"the file claims to last {seconds / 3600:,.1f} hours (Seamline takes media up to "
                               f"{MAX_SECONDS // 3600} hours): its header is damaged")


def open_picture(path):
    """Pillow's view of a picture (only its header is read), or None when it is not a picture Pillow reads."""
    if not looks_like_picture(path):
        return None
    Image = pillow()
    try:
        im = Image.open(path)
    except Image.DecompressionBombError as exc:  # Pillow's own limit (twice ours) tripped before ours could
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        mp = f"{int(pixels.group(1)) / 1e6:,.0f} megapixels" if pixels else "beyond Pillow's limit"
        raise MediaError(path, f"the picture is too large: {mp} (Seamline takes up to {MAX_SIDE} pixels "
                               f"a side and {MAX_PIXELS // 1_000_000} megapixels)") from None
    except Exception:  # noqa: BLE001 - any header Pillow cannot parse: FFmpeg gets its turn
        return None
    if im.format not in STILL_FORMATS:
        im.close()
        return None
    return im


def decode_picture(path, draft: bool = False):
    """Open and decode a picture with Pillow (the caller closes it). draft: JPEGs at 1/8 scale, which still reads
    every byte (enough to find a cut-short file). A damaged, cut-short or oversized picture is a MediaError."""
    im = open_picture(path)
    if im is None:
        raise MediaError(path, "the picture cannot be decoded")
    try:
        check_size(path, *im.size)
        if draft and im.format == "JPEG":
            im.draft("RGB", (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
        im.load()
    except MediaError:
        im.close()
        raise
    except MemoryError:
        im.close()
        raise MediaError(path, "not enough memory to open this picture") from None
    except Exception as exc:  # noqa: BLE001 - Pillow's decoders raise OSError, SyntaxError, ValueError ...
        im.close()
        raise MediaError(path, f"the picture is damaged or cut short ({exc})") from None
    return im


def orientation(im) -> int:
    """The EXIF orientation (1-8) of a Pillow picture; 1 when there is none or it is nonsense."""
    try:
        o = int(im.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - damaged EXIF: show the pixels as stored
        return 1
    return o if 1 <= o <= 8 else 1


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
    from editor.media.info import MediaInfo

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
        check_length(path, total / 1000)
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
