"""What matters in each frame, for smart reframe: a map of importance per frame, reduced to a column profile.

Cues, all built into OpenCV (CPU, no downloads):
- motion that is not the camera's: sparse features tracked from the previous frame (Lucas-Kanade) give the camera's
  motion (a RANSAC similarity); what still differs after undoing it is something moving on its own;
- faces: OpenCV's Haar cascade (frontal faces; its XML ships in opencv 4.x wheels), weighted strongly; OpenCV 5
  removed the cascades, and its FaceDetectorYN needs a model file no wheel ships, so there this cue is absent;
- saliency: the spectral residual of the picture (Hou & Zhang 2007) for still scenes where nothing moves.
Frames are analysed at a small working width (the window only needs to know roughly where things are).
"""
from __future__ import annotations

import cv2
import numpy as np

WORK_W = 320
FACE_EVERY = 3  # frames between face detections (a face stays where it was in between)


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
    """Feed frames in order; `profile(frame)` gives that frame's importance per column (sums to 1) and a
    confidence 0..1 (how concentrated it is)."""

    def __init__(self, width: int, height: int):
        self.scale = WORK_W / width
        self.size = (WORK_W, max(16, round(height * self.scale)))
        self.prev = None
        self.faces = np.zeros((0, 4), np.float32)
        self.count = 0
        self.face_det = None  # OpenCV 5 dropped the Haar cascades (and FaceDetectorYN needs a model file)
        if hasattr(cv2, "CascadeClassifier") and getattr(getattr(cv2, "data", None), "haarcascades", None):
            det = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
            self.face_det = None if det.empty() else det
        self.last_hist = None

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
            if ok.sum() >= 8:
                m, _ = cv2.estimateAffinePartial2D(pts[ok], nxt[ok], method=cv2.RANSAC, ransacReprojThreshold=2.0)
                if m is not None:
                    warped = cv2.warpAffine(self.prev, m, (grey.shape[1], grey.shape[0]),
                                            borderMode=cv2.BORDER_REPLICATE)
        diff = cv2.absdiff(grey, warped).astype(np.float32)
        diff[:3], diff[-3:], diff[:, :3], diff[:, -3:] = 0, 0, 0, 0  # borders the camera motion uncovered
        diff = np.maximum(diff - 12.0, 0)  # noise and compression
        return cv2.GaussianBlur(diff, (0, 0), 4)

    def _faces(self, grey: np.ndarray) -> np.ndarray:
        if self.face_det is None:
            return np.zeros(grey.shape, np.float32)
        if self.count % FACE_EVERY == 0:
            up = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
            found = self.face_det.detectMultiScale(up, scaleFactor=1.15, minNeighbors=6, minSize=(28, 28))
            self.faces = np.asarray(found, np.float32).reshape(-1, 4) / 2
        out = np.zeros(grey.shape, np.float32)
        for x, y, w, h in self.faces:
            cv2.rectangle(out, (int(x), int(y)), (int(x + w), int(y + h)), 1.0, -1)
        return out

    def profile(self, rgb: np.ndarray) -> tuple[np.ndarray, float, bool]:
        small = cv2.resize(rgb, self.size, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        cut = self.cut(small)
        if cut:
            self.prev = None
        motion = self._motion(grey)
        faces = self._faces(grey)
        sal = spectral_saliency(grey)
        self.prev = grey
        self.count += 1
        m_total = float(motion.sum())
        imp = sal * 0.15 * (grey.size if m_total < 1 else m_total) / max(float(sal.sum()), 1e-9) + motion
        if faces.any():
            imp = imp + faces * (3.0 * float(imp.sum()) / max(float(faces.sum()), 1.0))
        col = imp.sum(axis=0).astype(np.float64)
        total = col.sum()
        if total <= 0:
            return np.full(len(col), 1.0 / len(col)), 0.0, cut
        col /= total
        # confidence: how much more concentrated than an even spread (entropy based)
        ent = -(col * np.log(col + 1e-12)).sum() / np.log(len(col))
        return col, float(np.clip((1.0 - ent) * 4.0, 0.05, 1.0)), cut
