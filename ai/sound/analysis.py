"""What a clip's picture says about its sound: motion (how much, where), cuts, fast camera moves, look."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import cv2
import numpy as np

from ai.sound.cuts import CutScores

WIDTH = 160  # analysis width in pixels
_JUST_UNDER_6 = float(np.nextafter(np.float32(6), np.float32(0)))


@dataclass
class ClipAnalysis:
    fps: Fraction
    frames: int
    motion: np.ndarray  # per frame, 0.. (mean absolute change of the picture, ignoring camera motion)
    position: np.ndarray  # per frame, -1 (left) .. 1 (right): where the motion is
    cuts: list[int]  # frames that start a new shot
    fast_moves: list[tuple[int, float]]  # (frame, direction -1 left / +1 right) where the camera whips
    peaks: list[int]  # motion peaks (action moments)
    brightness: float  # 0..1
    saturation: float  # 0..1
    hue: float  # 0..180 (OpenCV hue of the dominant colour)
    words: str = ""
    camera: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # per-frame global shift (px at WIDTH)

    @property
    def duration(self) -> float:
        return self.frames / float(self.fps)

    def preset_guess(self) -> str:
        """A preset from the picture when the user gives none."""
        w = self.words.lower()
        for key, names in (("beach", ("beach", "sea", "wave", "ocean", "surf", "sand")),
                           ("city", ("city", "street", "traffic", "car", "town")),
                           ("park", ("park", "garden", "bird", "forest", "grass", "dog")),
                           ("rain", ("rain", "storm")), ("wind", ("wind", "mountain", "snow")),
                           ("party", ("party", "birthday", "kids", "wedding", "laugh", "crowd")),
                           ("indoor", ("indoor", "room", "home", "kitchen", "bedroom", "house"))):
            if any(n in w for n in names):
                return key
        if self.brightness < 0.3:
            return "indoor"
        if 85 <= self.hue <= 130 and self.brightness > 0.55:
            return "beach"
        if 35 <= self.hue < 85 and self.saturation > 0.2:
            return "park"
        if self.saturation < 0.12:
            return "city"
        return "indoor"


def _small_frames(path, max_frames: int | None = None):
    """(frame rate, an iterator over every frame WIDTH pixels wide, upright, RGB). 4:2:0 frames are reduced from
    their planes: no full-size colour conversion, ~3x faster than a scaled to_ndarray at 720p (the reduction runs
    while the decoder's threads work on the next frames)."""
    import av

    from editor.media.probe import probe
    from editor.media.reader import REFORMAT_LOCK

    info = probe(path, check_tail=False)  # clear errors for files that cannot be read
    h = max(8, int(round(WIDTH * info.height / max(1, info.width))) // 2 * 2)
    turn = info.rotation // 90
    size = (h, WIDTH) if turn % 2 else (WIDTH, h)  # the decoded frame's size before it is turned upright

    def frames():
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            for k, f in enumerate(c.decode(s)):
                if f.format.name in ("yuv420p", "yuvj420p"):
                    img = _small_rgb(f, size)
                else:
                    with REFORMAT_LOCK:
                        img = f.to_ndarray(format="rgb24", width=size[0], height=size[1],
                                           interpolation="FAST_BILINEAR")
                yield np.ascontiguousarray(np.rot90(img, turn)) if turn else img
                if max_frames and k + 1 >= max_frames:
                    break

    return info.rate, frames()


def _small_rgb(frame, size: tuple[int, int]) -> np.ndarray:
    """A 4:2:0 frame reduced to `size` from its Y, U and V planes, then converted to RGB."""
    planes = []
    for k in range(3):
        p = frame.planes[k]
        pw, ph = (frame.width, frame.height) if k == 0 else ((frame.width + 1) // 2, (frame.height + 1) // 2)
        arr = np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[:ph, :pw]
        planes.append(cv2.resize(arr, size, interpolation=cv2.INTER_AREA))
    return cv2.cvtColor(cv2.merge(planes), cv2.COLOR_YUV2RGB)


class _Measures:
    """Per frame, given in order: the camera's whole-picture shift (phase correlation), the motion left when it
    is taken out (how much, and where across the picture), and the cut detector's measures."""

    def __init__(self):
        self.small: list[np.ndarray] = []
        self.motion: list[float] = []
        self.position: list[float] = []
        self.camera: list[tuple[float, float]] = []
        self.cuts = CutScores()
        self._prev = self._win = self._xs = None

    def add(self, f: np.ndarray) -> None:
        grey = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
        blur = cv2.GaussianBlur(grey, (3, 3), 0).astype(np.float32)
        hh = f.shape[0]
        if self._prev is None:
            self._win = cv2.createHanningWindow((WIDTH, hh), cv2.CV_32F)
            self._xs = np.linspace(-1, 1, WIDTH)
            self.motion.append(0.0)
            self.position.append(0.0)
            self.camera.append((0.0, 0.0))
        else:
            # phaseCorrelate applies the window to its inputs in place: give it copies
            (dx, dy), resp = cv2.phaseCorrelate(self._prev.copy(), blur.copy(), self._win)
            if resp < 0.1:
                dx = dy = 0.0
            self.camera.append((dx, dy))
            M = np.float32([[1, 0, dx], [0, 1, dy]])
            prev = cv2.warpAffine(self._prev, M, (WIDTH, hh), borderMode=cv2.BORDER_REPLICATE)
            diff = cv2.absdiff(blur, prev)
            margin = int(min(abs(dx), WIDTH / 4)) + 1
            diff[:, :margin] = 0
            diff[:, WIDTH - margin:] = 0
            # below 6 grey levels is noise and compression: keep diff >= 6 (cv2 keeps what is > the threshold)
            diff = cv2.threshold(diff, _JUST_UNDER_6, 0, cv2.THRESH_TOZERO)[1]
            cols = cv2.reduce(diff, 0, cv2.REDUCE_SUM, dtype=cv2.CV_64F)[0]  # per column: where the motion is
            tot = float(cols.sum())
            self.motion.append(tot / diff.size)
            self.position.append(float(cols @ self._xs) / tot if tot > 1e-6 else self.position[-1])
        self._prev = blur
        self.cuts.add(f, grey)
        self.small.append(f)

    def analysis(self, fps, words: str) -> ClipAnalysis:
        small = self.small
        n = len(small)
        if not n:
            raise ValueError("no frames to analyse")
        motion, position, camera = np.array(self.motion), np.array(self.position), np.array(self.camera, float)
        if n > 1:
            position[0] = position[1]
        cuts, _ = self.cuts.find(camera)
        for c in cuts:  # the picture change at a cut is not motion
            motion[c] = 0.5 * (motion[c - 1] + (motion[c + 1] if c + 1 < n else motion[c - 1]))
            position[c] = position[c + 1] if c + 1 < n else position[c - 1]
        peaks = _peaks(motion, cuts, fps)
        fast = _fast_moves(camera, cuts, fps)
        hsv = np.concatenate([cv2.cvtColor(f, cv2.COLOR_RGB2HSV).reshape(-1, 3) for f in small[:: max(1, n // 12)]])
        hue_hist = np.bincount(hsv[:, 0].astype(int), weights=hsv[:, 1].astype(float), minlength=181)
        return ClipAnalysis(fps=Fraction(fps), frames=n, motion=motion, position=np.clip(position, -1, 1),
                            cuts=cuts, fast_moves=fast, peaks=peaks, brightness=float(hsv[:, 2].mean() / 255),
                            saturation=float(hsv[:, 1].mean() / 255), hue=float(np.argmax(hue_hist)), words=words,
                            camera=camera)


def analyse_frames(frames: list[np.ndarray], fps, words: str = "") -> ClipAnalysis:
    """Analyse RGB frames (any size; they are reduced to WIDTH pixels wide)."""
    if not frames:
        raise ValueError("no frames to analyse")
    h0, w0 = frames[0].shape[:2]
    hh = max(8, int(round(WIDTH * h0 / w0)))
    m = _Measures()
    for f in frames:
        m.add(cv2.resize(f, (WIDTH, hh), interpolation=cv2.INTER_AREA) if f.shape[1] != WIDTH else f)
    return m.analysis(fps, words)


def _peaks(motion: np.ndarray, cuts: list[int], fps) -> list[int]:
    """Action moments: frames where motion clearly stands out from the clip's typical motion.

    A peak is the largest motion within +-0.4 s, well above the clip's median (robust to duplicated frames in
    film transfers, which alternate between motion and none), at least 0.4 s from the next one.
    """
    n = len(motion)
    if n < 3:
        return []
    from scipy.ndimage import maximum_filter1d

    gap = max(2, int(round(0.4 * float(fps))))
    env = maximum_filter1d(motion, size=3)
    med = float(np.median(env))
    mad = float(np.median(np.abs(env - med))) * 1.4826
    thr = max(med + 2.5 * mad, 1.6 * med, 0.5)
    local = maximum_filter1d(motion, size=2 * gap + 1)
    cand = [i for i in range(1, n) if motion[i] == local[i] and motion[i] > thr and
            motion[i] - env[max(0, i - gap):i + gap + 1].min() > 0.4 * motion[i]]
    chosen: list[int] = []
    for i in sorted(cand, key=lambda i: -motion[i]):
        if all(abs(i - j) >= gap for j in chosen) and all(abs(i - c) > 1 for c in cuts):
            chosen.append(i)
    return sorted(chosen)


def _fast_moves(camera: np.ndarray, cuts: list[int], fps) -> list[tuple[int, float]]:
    """Whip pans: the camera's own motion passes 6% of the frame width per frame."""
    speed = np.abs(camera[:, 0])
    thr = 0.06 * WIDTH
    out = []
    i = 1
    while i < len(speed):
        if speed[i] > thr and all(abs(i - c) > 2 for c in cuts):
            # content moving left means the camera turns right: the sound follows the content
            out.append((i, float(np.sign(camera[i, 0]) or 1.0)))
            i += max(3, int(float(fps) / 2))
        else:
            i += 1
    return out


def analyse_file(path, words: str = "") -> ClipAnalysis:
    """Analyse a video file: every frame decoded small, then measured. (Measuring each frame as it is decoded was
    tried: the measures then compete with the decoder's threads for the two cores and their caches, ~0.1 CPU s more
    for a 10 s 720p clip and no less wall time under load.)"""
    rate, frames = _small_frames(path)
    m = _Measures()
    for f in list(frames):
        m.add(f)
    return m.analysis(rate, words)
