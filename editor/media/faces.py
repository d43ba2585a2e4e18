"""Frontal faces, one detector for stills (the photo story) and video (smart reframe).

Backends, the first that loads wins (CPU, nothing downloaded):
- OpenCV 4.x's CascadeClassifier with the Haar frontal-face cascade its wheels ship in cv2.data (C++, fast), or
  with scikit-image's LBP cascade XML when that file is missing;
- scikit-image's LBP frontal-face cascade (`skimage.feature.Cascade`; the XML ships inside its wheel). OpenCV 5 removed
  CascadeClassifier (and its FaceDetectorYN needs a model no wheel ships), so this is what runs with OpenCV 5;
- none: `face_detector()` is None and callers carry on without faces.

Video (`FaceTracker`): detection is too slow to run on every frame at full size, so it runs every few frames on a
small grey frame and the faces are carried in between by the feature motion the caller already tracked (the median
move of the points inside each face, else of all points: the camera's). A face counts only once two detections agree
on it (`confirmed`), which drops the cascade's one-off false alarms on texture; it counts for its whole life then,
including the frames before it was confirmed (the reframe path is solved offline).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import cv2
import numpy as np

MIN_FACE = 24  # px: the cascades' own window (24x24 for the LBP one); smaller faces are not searched for


class FaceDetector:
    """detect(grey) -> (n, 4) float32 boxes (x, y, w, h) in pixels, largest first.

    thorough=True is the exhaustive search (stills). The fast search (video) steps its window 2x further and takes a
    single hit (scikit-image; OpenCV: 3 neighbours): several times faster, it finds nearly every frame's face but
    raises false alarms on texture (windows, stone, lawn), so each face it finds gets a second, exhaustive look in a
    small crop around it (that look dropped every false alarm on the ten DAVIS clips and Chaplin's street)."""

    name = "none"
    _lock = threading.Lock()  # one detector is shared by every worker (the story's, the reframe's); cascades keep
    # scratch buffers (OpenCV's CascadeClassifier is not safe to call from two threads at once)

    def __init__(self, cascade=None):
        self.cascade = cascade

    def _search(self, grey: np.ndarray, how: str, lo: int, hi: int) -> np.ndarray:
        raise NotImplementedError

    def detect(self, grey: np.ndarray, thorough: bool = False, min_size: int = MIN_FACE) -> np.ndarray:
        grey = np.ascontiguousarray(grey)
        top = int(min(grey.shape[:2]) * 0.9)
        if top < min_size:
            return np.zeros((0, 4), np.float32)
        with self._lock:
            found = self._search(grey, "thorough" if thorough else "fast", min_size, top)
            if not thorough:
                found = found[[self._looks_again(grey, b) for b in found]] if len(found) else found
        return _largest_first(found)

    def _looks_again(self, grey: np.ndarray, box: np.ndarray) -> bool:
        x, y, w, h = box
        pad = 0.5 * w
        x0, y0 = int(max(0, x - pad)), int(max(0, y - pad))
        crop = grey[y0:int(min(grey.shape[0], y + h + pad)), x0:int(min(grey.shape[1], x + w + pad))]
        lo, hi = max(MIN_FACE, int(w * 0.7)), min(crop.shape[:2])
        return hi >= lo and len(self._search(np.ascontiguousarray(crop), "check", lo, hi)) > 0


class _OpenCVCascade(FaceDetector):
    name = "opencv-cascade"
    SETTINGS = {"thorough": (1.1, 5), "fast": (1.2, 3), "check": (1.1, 3)}  # scale factor, neighbours

    def _search(self, grey, how, lo, hi):
        scale, neighbours = self.SETTINGS[how]
        found = self.cascade.detectMultiScale(grey, scaleFactor=scale, minNeighbors=neighbours, minSize=(lo, lo),
                                              maxSize=(hi, hi))
        return np.asarray(found, np.float32).reshape(-1, 4)


class _SkimageCascade(FaceDetector):
    name = "skimage-lbp"
    SETTINGS = {"thorough": (1.0, 4), "fast": (2.0, 1), "check": (1.0, 3)}  # window step, neighbours

    def _search(self, grey, how, lo, hi):
        step, neighbours = self.SETTINGS[how]
        found = self.cascade.detect_multi_scale(img=grey, scale_factor=1.2, step_ratio=step, min_size=(lo, lo),
                                                max_size=(hi, hi), min_neighbor_number=neighbours)
        return np.asarray([(d["c"], d["r"], d["width"], d["height"]) for d in found], np.float32).reshape(-1, 4)


def _largest_first(boxes: np.ndarray) -> np.ndarray:
    return boxes[np.argsort(-boxes[:, 2] * boxes[:, 3], kind="stable")] if len(boxes) else boxes


_detector: FaceDetector | bool | None = None


def _lbp_xml() -> str | None:
    try:
        from skimage import data

        return data.lbp_frontal_face_cascade_filename()
    except (ImportError, AttributeError, OSError):
        return None


def _load() -> FaceDetector | None:
    if hasattr(cv2, "CascadeClassifier"):  # OpenCV 4.x: its Haar cascade, else scikit-image's LBP XML, in C++
        haar = getattr(getattr(cv2, "data", None), "haarcascades", None)
        for xml in (haar and os.path.join(haar, "haarcascade_frontalface_default.xml"), _lbp_xml()):
            if xml and os.path.isfile(xml):
                det = cv2.CascadeClassifier(xml)
                if not det.empty():
                    return _OpenCVCascade(det)
    xml = _lbp_xml()
    if xml is None:
        return None
    try:
        from skimage.feature import Cascade

        return _SkimageCascade(Cascade(xml))
    except (ImportError, OSError, AttributeError, ValueError):
        return None


def face_detector() -> FaceDetector | None:
    """The best face detector installed (loaded once), or None."""
    global _detector
    if _detector is None:
        _detector = _load() or False
    return _detector or None


def find_faces(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Frontal faces in a picture as (x, y, w, h) fractions of it, largest first; [] when none or no detector."""
    det = face_detector()
    if det is None:
        return []
    h, w = rgb.shape[:2]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    return [(float(x / w), float(y / h), float(bw / w), float(bh / h))
            for x, y, bw, bh in det.detect(grey, thorough=True, min_size=20)]


@dataclass
class _Track:
    id: int
    box: np.ndarray  # x, y, w, h in the tracker's frame coordinates
    hits: int = 1
    misses: int = 0
    first_miss: int | None = None  # the frame of the first detection that missed it (since its last hit)


class FaceTracker:
    """Faces through a video. Call `step` once per frame in order; `faces(i)` afterwards gives frame i's confirmed
    faces. Boxes are in the coordinates of the grey frames given to `step`."""

    def __init__(self, detector: FaceDetector | None = None, every: int = 6, confirm: int = 3, max_misses: int = 1,
                 transposed: bool = False):
        self.detector = detector if detector is not None else face_detector()
        self.every, self.confirm, self.max_misses = every, confirm, max_misses
        self.transposed = transposed  # frames arrive transposed (a tall video framed sideways): detect upright
        self.live: list[_Track] = []  # the faces being followed (the ones that left stay in `boxes`)
        self.boxes: dict[int, list[tuple[_Track, np.ndarray]]] = {}  # frame -> the tracks on it and their boxes
        self.frame = -1
        self.next_detect = 0
        self.shot_start = 0
        self.recent: list[tuple[np.ndarray, np.ndarray] | None] = []  # the flows into the last `every` frames
        self._ids = 0

    def step(self, grey: np.ndarray, flow: tuple[np.ndarray, np.ndarray] | None = None, cut: bool = False,
             detail: np.ndarray | None = None) -> None:
        """Advance to the next frame. flow: (points in the previous frame, the same points in this one), (n, 2);
        detail: a larger copy of `grey` to detect in (faces come back scaled to `grey`)."""
        self.frame += 1
        if flow is not None:
            flow = (np.asarray(flow[0], np.float32).reshape(-1, 2), np.asarray(flow[1], np.float32).reshape(-1, 2))
        if cut:
            self.live = []
            self.next_detect = self.shot_start = self.frame
            self.recent = []
        elif flow is not None:
            self._carry(*flow, grey.shape)
        self.recent = (self.recent + [flow])[-self.every:]
        if self.detector is not None and self.frame >= self.next_detect:
            self.next_detect = self.frame + self.every
            self._match(self._detect(grey if detail is None else detail, grey.shape))
        self.boxes[self.frame] = [(t, t.box.copy()) for t in self.live]

    def due(self, cut: bool = False) -> bool:
        """Whether the next `step` detects (so the caller makes its `detail` frame only then)."""
        return self.detector is not None and (cut or self.frame + 1 >= self.next_detect)

    def faces(self, frame: int) -> np.ndarray:
        """Confirmed faces on a frame, (n, 4) boxes (a face is not assumed to stay after a detection missed it)."""
        boxes = [box for t, box in self.boxes.get(frame, ())
                 if t.hits >= self.confirm and (t.first_miss is None or frame < t.first_miss)]
        return np.asarray(boxes, np.float32).reshape(-1, 4)

    def _detect(self, img: np.ndarray, shape) -> np.ndarray:
        k = shape[1] / img.shape[1]
        if self.transposed:
            found = self.detector.detect(np.ascontiguousarray(img.T))[:, [1, 0, 3, 2]]
        else:
            found = self.detector.detect(img)
        return found * k

    @staticmethod
    def _move(box: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
        """How a box at points p0 moves when they go to p1: the median move of the points inside it (3 or more),
        else of all of them (the camera's)."""
        d = p1 - p0
        x, y, w, h = box
        inside = (p0[:, 0] >= x) & (p0[:, 0] <= x + w) & (p0[:, 1] >= y) & (p0[:, 1] <= y + h)
        return np.median(d[inside] if inside.sum() >= 3 else d, axis=0)

    def _carry(self, p0: np.ndarray, p1: np.ndarray, shape) -> None:
        if len(p0) == 0 or not self.live:
            return
        for t in self.live:
            t.box[:2] += self._move(t.box, p0, p1)
        H, W = shape[:2]
        self.live = [t for t in self.live  # a face carried out of the picture has left
                     if t.box[0] + t.box[2] > 0 and t.box[0] < W and t.box[1] + t.box[3] > 0 and t.box[1] < H]

    def _match(self, found: np.ndarray) -> None:
        free = list(range(len(found)))
        for t in sorted(self.live, key=lambda t: -t.hits):
            best, dist = None, np.inf
            cx, cy = t.box[:2] + t.box[2:] / 2
            for j in free:
                x, y, w, h = found[j]
                d = np.hypot(x + w / 2 - cx, y + h / 2 - cy)
                ratio = w / t.box[2]
                if d < 0.6 * max(w, t.box[2]) and 0.6 < ratio < 1.67 and d < dist:
                    best, dist = j, d
            if best is None:
                t.misses += 1
                t.first_miss = self.frame if t.first_miss is None else t.first_miss
            else:
                free.remove(best)
                t.box = (t.box + found[best]) / 2  # half the carried box, half the new detection: calmer
                t.hits += 1
                t.misses, t.first_miss = 0, None
        self.live = [t for t in self.live if t.misses <= self.max_misses]
        for j in free:
            self._ids += 1
            t = _Track(self._ids, found[j].astype(np.float32).copy())
            self.live.append(t)
            self._backfill(t)

    def _backfill(self, t: _Track) -> None:
        """A face found now was most likely there since the last detection too (the cascade misses faces now and
        then): carry it back through the frames since then, inside the shot."""
        box = t.box.copy()
        for back, flow in enumerate(reversed(self.recent)):
            f = self.frame - back - 1
            if f < self.shot_start or flow is None or len(flow[0]) == 0:
                return
            box = box.copy()
            box[:2] += self._move(box, flow[1], flow[0])  # from this frame's points back to the previous frame's
            self.boxes.setdefault(f, []).append((t, box))
