"""What matters in each frame, for smart reframe: a map of importance per frame, reduced to a column profile.

Cues (CPU, no downloads):
- motion that is not the camera's: sparse features tracked from the previous frame (Lucas-Kanade) give the camera's
  motion (a RANSAC similarity); what still differs after undoing it is something moving on its own;
- faces (editor/media/faces.py: OpenCV 4's Haar cascade, else scikit-image's LBP cascade), detected every few frames
  on a small frame and carried between detections by the tracked features; a face the detector confirmed weighs
  FACE_WEIGHT times everything else together (a small face less), spread over the face and its shoulders' width;
- saliency: the spectral residual of the picture (Hou & Zhang 2007) for still scenes where nothing moves.
Frames are analysed at a small working width (the window only needs to know roughly where things are).
"""
from __future__ import annotations

import cv2
import numpy as np

WORK_W = 320
DETECT_W = 384  # faces are searched for at this width: a face of 24 px here is 6 % of the picture's width
FACE_EVERY = 8  # frames between face detections (tracked in between; a face counts after 3 agree: ~0.8 s)
FACE_WEIGHT = 3.0  # a confirmed face of full strength holds 3/4 of a frame's importance
FACE_FULL = 0.12  # a face this big (of the picture's shorter side) or bigger has full strength; smaller, less
FACE_PAD = 0.5  # the face's importance spreads this many face widths to each side (head and shoulders, not an ear)


def spectral_saliency(grey: np.ndarray) -> np.ndarray:
    """Spectral residual saliency of a grey picture, 0..1, same size."""
    small = cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    f = np.fft.fft2(small)
    log_amp = np.log(np.abs(f) + 1e-6)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(f)))) ** 2
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), 2.5)
    sal = cv2.resize(sal, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    return sal / max(float(sal.max()), 1e-9)


class Cues:
    """Feed frames in order (`feed`); then `profiles()` gives each frame's importance per column (sums to 1) and a
    confidence 0..1 (how concentrated it is). Faces are added at the end: a face counts from its first frame even
    though the tracker confirms it a few detections later."""

    def __init__(self, width: int, height: int, transposed: bool = False, faces: bool = True):
        from editor.media.faces import FaceTracker, face_detector

        self.scale = WORK_W / width
        self.size = (WORK_W, max(16, round(height * self.scale)))
        self.detail_size = (DETECT_W, max(16, round(height * DETECT_W / width)))
        self.prev = None
        self.flow = None  # (points in the previous frame, the same points in this one): the faces ride on them
        self.count = 0
        det = face_detector() if faces else None
        self.tracker = FaceTracker(det, every=FACE_EVERY, transposed=transposed) if det is not None else None
        self.last_hist = None
        self.base: list[np.ndarray] = []

    def cut(self, small: np.ndarray) -> bool:
        """A shot change: the colour histogram jumps."""
        hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
        cv2.normalize(hist, hist)
        jump = self.last_hist is not None and cv2.compareHist(self.last_hist, hist, cv2.HISTCMP_CORREL) < 0.5
        self.last_hist = hist
        return bool(jump)

    def _motion(self, grey: np.ndarray) -> np.ndarray:
        if self.prev is None:
            return np.zeros_like(grey, np.float32)
        pts = cv2.goodFeaturesToTrack(self.prev, 300, 0.01, 6)
        warped = self.prev
        if pts is not None and len(pts) >= 8:
            nxt, st, _ = cv2.calcOpticalFlowPyrLK(self.prev, grey, pts, None, winSize=(15, 15), maxLevel=3)
            ok = st.ravel() == 1
            self.flow = (pts[ok].reshape(-1, 2), nxt[ok].reshape(-1, 2))
            if ok.sum() >= 8:
                m, _ = cv2.estimateAffinePartial2D(pts[ok], nxt[ok], method=cv2.RANSAC, ransacReprojThreshold=2.0)
                if m is not None:
                    warped = cv2.warpAffine(self.prev, m, (grey.shape[1], grey.shape[0]),
                                            borderMode=cv2.BORDER_REPLICATE)
        diff = cv2.absdiff(grey, warped).astype(np.float32)
        diff[:3], diff[-3:], diff[:, :3], diff[:, -3:] = 0, 0, 0, 0  # borders the camera motion uncovered
        diff = np.maximum(diff - 12.0, 0)  # noise and compression
        return cv2.GaussianBlur(diff, (0, 0), 4)

    def feed(self, rgb: np.ndarray) -> bool:
        """Take the next frame; True when it starts a new shot."""
        small = cv2.resize(rgb, self.size, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        cut = self.cut(small)
        if cut:
            self.prev = None
        self.flow = None
        motion = self._motion(grey)
        if self.tracker is not None:
            detail = None
            if self.tracker.due(cut):
                detail = cv2.cvtColor(cv2.resize(rgb, self.detail_size, interpolation=cv2.INTER_AREA),
                                      cv2.COLOR_RGB2GRAY)
            self.tracker.step(grey, self.flow, cut, detail)
        sal = spectral_saliency(grey)
        self.prev = grey
        self.count += 1
        m_total = float(motion.sum())
        imp = sal * 0.15 * (grey.size if m_total < 1 else m_total) / max(float(sal.sum()), 1e-9) + motion
        self.base.append(imp.sum(axis=0).astype(np.float64))
        return cut

    def face_columns(self, i: int) -> np.ndarray:
        """Frame i's confirmed faces as importance per column (each face's strength 0.25..1, by its size)."""
        cols = np.zeros(self.size[0])
        if self.tracker is None:
            return cols
        short = min(self.size)
        for x, _, w, h in self.tracker.faces(i):
            strength = float(np.clip(max(w, h) / short / FACE_FULL, 0.25, 1.0))
            a, b = int(round(x - FACE_PAD * w)), int(round(x + w + FACE_PAD * w))
            a, b = max(0, a), min(len(cols), max(b, a + 1))
            if b > a:
                cols[a:b] += strength / (b - a)
        return cols

    def profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """Every frame's importance per column (rows sum to 1) and its confidence 0..1 (how concentrated it is)."""
        out, confs = [], []
        for i, col in enumerate(self.base):
            total = col.sum()
            col = col / total if total > 0 else np.zeros_like(col)
            faces = self.face_columns(i)
            if faces.any():
                col = col + FACE_WEIGHT * faces
            total = col.sum()
            if total <= 0:
                out.append(np.full(len(col), 1.0 / len(col)))
                confs.append(0.0)
                continue
            col = col / total
            # confidence: how much more concentrated than an even spread (entropy based)
            ent = -(col * np.log(col + 1e-12)).sum() / np.log(len(col))
            out.append(col)
            confs.append(float(np.clip((1.0 - ent) * 4.0, 0.05, 1.0)))
        return np.asarray(out), np.asarray(confs)
