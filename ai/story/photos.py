"""What the photo story needs to know about each picture: when it was taken, where the faces or the subject are, and
whether it is a wide view, a face or a detail (which decides its camera move).

Faces come from editor/media/faces.py, the detector smart reframe uses too (OpenCV 4's Haar cascade when present, else
scikit-image's LBP cascade); without either, the subject is found by saliency alone (the spectral residual).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from editor.media.faces import find_faces

WORK_SIDE = 480  # pictures are analysed at this longest side
EXIF_IFD = 0x8769
DATE_TAGS = (0x9003, 0x9004, 0x0132)  # DateTimeOriginal, DateTimeDigitized, DateTime


def capture_time(path, kind: str = "image") -> dt.datetime | None:
    """When a photo was taken (EXIF), or a video recorded (its container's creation_time); None when unknown."""
    try:
        if kind == "image":
            from editor.media.stills import pillow

            with pillow().open(path) as im:
                exif = im.getexif()
                tags = dict(exif.get_ifd(EXIF_IFD))
                tags.update({k: v for k, v in exif.items() if k not in tags})
            for tag in DATE_TAGS:
                value = tags.get(tag)
                if value:
                    return dt.datetime.strptime(str(value).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
            return None
        import av

        with av.open(str(path), metadata_errors="ignore") as c:
            text = c.metadata.get("creation_time") or next(
                (s.metadata.get("creation_time") for s in c.streams if s.metadata.get("creation_time")), None)
        if not text:
            return None
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
        return t if t.year >= 1995 else None  # 1970/1904 epochs: a camera with no clock set
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    except Exception:  # noqa: BLE001 - a damaged header: treat as undated (the file's own order stands)
        return None


def story_order(items: list, times: list[dt.datetime | None]) -> list:
    """Items in capture order where dated: the dated ones sorted among the places dated items had, the undated ones
    kept where they were given (so "the given order when there is none")."""
    slots = [i for i, t in enumerate(times) if t is not None]
    dated = sorted(slots, key=lambda i: (times[i], i))
    out = list(items)
    for slot, src in zip(slots, dated):
        out[slot] = items[src]
    return out


@dataclass(frozen=True)
class PhotoLook:
    width: int
    height: int
    faces: tuple[tuple[float, float, float, float], ...]  # (x, y, w, h) in fractions of the picture
    focus: tuple[float, float]  # where the move aims (a face, else the subject), fractions
    spread: float  # 0 = the subject is one small spot (a detail), 1 = interest everywhere (a wide view)
    side: float  # -1 .. 1: where the interest leans left/right (a pan travels towards it)

    @property
    def aspect(self) -> float:
        return self.width / self.height


def saliency(grey: np.ndarray) -> np.ndarray:
    """Spectral residual saliency (Hou & Zhang 2007), 0..1 at the picture's size."""
    from ai.reframe.cues import spectral_saliency

    return spectral_saliency(grey)


def look_at(rgb: np.ndarray) -> PhotoLook:
    """Faces, subject and layout of a picture (any size; analysed small)."""
    h, w = rgb.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    faces = tuple(find_faces(small))
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    sal = saliency(grey).astype(np.float64)
    sal = np.maximum(sal - np.percentile(sal, 50), 0)
    total = sal.sum() + 1e-12
    ys, xs = np.mgrid[0:sal.shape[0], 0:sal.shape[1]]
    cx, cy = float((sal * xs).sum() / total / sal.shape[1]), float((sal * ys).sum() / total / sal.shape[0])
    # spread: the share of the picture needed to hold 60% of the interest
    flat = np.sort(sal.ravel())[::-1]
    k = int(np.searchsorted(np.cumsum(flat), 0.6 * total))
    spread = float(np.clip(k / flat.size / 0.3, 0, 1))
    if faces:
        fx, fy, fw, fh = faces[0]
        focus = (fx + fw / 2, fy + fh / 2)
    else:
        focus = (cx, cy)
    focus = (float(np.clip(focus[0], 0.2, 0.8)), float(np.clip(focus[1], 0.2, 0.8)))
    return PhotoLook(w, h, faces, focus, spread, float(np.clip((cx - 0.5) * 4, -1, 1)))


def load_picture(path) -> np.ndarray:
    """A photo as RGB, turned upright by its EXIF orientation (through Seamline's own still reader)."""
    from editor.media.reader import ImageReader

    return ImageReader(Path(path)).frame(0)
