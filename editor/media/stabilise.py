"""Stabilise a clip: the camera's path from tracked features, smoothed, and a per-frame correction.

Analysis (once per file, cached on disk): features tracked frame to frame (Shi-Tomasi corners, pyramidal
Lucas-Kanade) at a working width give each step of the camera as a similarity (shift, turn; RANSAC drops what moves
on its own); summed, they are the camera's path. The smoothed path is a Gaussian average of it (strength 0..1 sets
the width, up to 1.5 s each side) or an L1-optimal path inside a corridor around it (editor/media/l1path.py: holds
still or pans steadily); the correction of frame t undoes the difference between the path and its smooth
version. With `crop`, one zoom for the whole clip (no breathing) hides the borders the corrections uncover.

`analyse` is cancellable and reports progress (the editor runs it on a worker); the compositor calls `apply`, which
uses the cached analysis if there is one (the preview shows the correction live as soon as it exists).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from editor.errors import AnalysisCancelled, MediaError

VERSION = "stab-1"
WORK_W = 640
MAX_SIGMA_S = 0.5  # Gaussian sigma at strength 1, seconds (about 1.5 s each side)
_memory: dict = {}
_lock = threading.Lock()


def _cache_file(path) -> Path:
    from editor.resources import cache_dir

    st = os.stat(path)
    key = json.dumps([os.path.abspath(path), st.st_size, st.st_mtime_ns, VERSION])
    return cache_dir() / "stabilise" / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".npz")


def analyse(path, progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> dict:
    """{"steps": (n, 3) per-frame camera steps (dx, dy, angle) in native pixels, "size", "rate"} (cached)."""
    cached = load(path)
    if cached is not None:
        return cached
    from editor.media.reader import open_visual

    reader = open_visual(path)
    try:
        n = getattr(reader, "frames", 0)
        if not n or n < 2:
            raise MediaError(path, "stabilising needs a video")
        W, H = reader.width, reader.height
        s = min(1.0, WORK_W / W)
        size = (max(16, round(W * s)), max(16, round(H * s)))
        steps = np.zeros((n, 3))
        prev = None
        for i in range(n):
            if cancelled is not None and cancelled():
                raise AnalysisCancelled("stabilising was cancelled")
            grey = cv2.cvtColor(reader.frame(i, size=size), cv2.COLOR_RGB2GRAY)
            if prev is not None:
                steps[i] = _step(prev, grey) / np.array([s, s, 1.0])
            prev = grey
            if progress is not None:
                progress((i + 1) / n)
        rate = float(getattr(reader, "rate", 30))
    finally:
        reader.close()
    result = {"steps": steps, "size": np.array([W, H]), "rate": np.array(rate)}
    f = _cache_file(path)
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, **result)
    os.replace(tmp, f)
    with _lock:
        _memory[str(f)] = result
    return result


def _step(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Camera motion from a to b as (dx, dy, angle) of the similarity mapping a's points to b's."""
    pts = cv2.goodFeaturesToTrack(a, 400, 0.01, 8)
    if pts is None or len(pts) < 8:
        return np.zeros(3)
    nxt, st, _ = cv2.calcOpticalFlowPyrLK(a, b, pts, None, winSize=(21, 21), maxLevel=3)
    ok = st.ravel() == 1
    if ok.sum() < 8:
        return np.zeros(3)
    m, _ = cv2.estimateAffinePartial2D(pts[ok], nxt[ok], method=cv2.RANSAC, ransacReprojThreshold=1.5)
    if m is None:
        return np.zeros(3)
    return np.array([m[0, 2], m[1, 2], np.arctan2(m[1, 0], m[0, 0])])


def load(path) -> dict | None:
    """The cached analysis of a file, or None (not analysed yet, or the file changed)."""
    try:
        f = _cache_file(path)
    except OSError:
        return None
    key = str(f)
    with _lock:
        hit = _memory.get(key)
    if hit is not None:
        return hit
    if not f.is_file():
        return None
    try:
        with np.load(f) as z:
            hit = {k: z[k] for k in z.files}
    except (OSError, ValueError):
        return None
    with _lock:
        _memory[key] = hit
    return hit


def corrections(analysis: dict, strength: float, crop: bool, method: str = "gaussian") -> tuple[np.ndarray, float]:
    """((n, 3) corrections (dx, dy, angle) per frame, zoom) for a strength 0..1."""
    steps = analysis["steps"]
    path = np.cumsum(steps, axis=0)
    if method == "l1":
        smooth = _l1_smooth(path, strength, *(float(v) for v in analysis["size"]))
    else:
        smooth = _gaussian_smooth(path, strength, float(analysis["rate"]))
    corr = smooth - path
    zoom = 1.0
    if crop:
        zoom = _cover_zoom(corr, *(float(v) for v in analysis["size"]))
    return corr, zoom


def _l1_smooth(path: np.ndarray, strength: float, W: float, H: float) -> np.ndarray:
    """An L1-optimal path inside a corridor around the camera's (Grundmann et al.'s weights: motion 10, curvature 1,
    jerk 100): it holds still or pans at a steady speed; strength widens the corridor (2-12 % of the picture, 0.5-3.5
    degrees), i.e. how much shake it may take out."""
    from editor.media.l1path import l1_path

    margins = ((0.02 + 0.10 * strength) * W, (0.02 + 0.10 * strength) * H, np.radians(0.5 + 3.0 * strength))
    return np.stack([l1_path(path[:, j], 0.0, path[:, j] - r, path[:, j] + r, (10.0, 1.0, 100.0))
                     for j, r in enumerate(margins)], axis=1)


def _gaussian_smooth(path: np.ndarray, strength: float, rate: float) -> np.ndarray:
    sigma = max(1e-3, strength * MAX_SIGMA_S * rate)
    radius = int(3 * sigma) + 1
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    reach = min(radius, len(path) - 1)  # odd reflection: a steady pan carries on past the ends, so it is kept there
    padded = np.pad(path, ((reach, reach), (0, 0)), mode="reflect", reflect_type="odd") if reach else path
    if reach < radius:
        padded = np.pad(padded, ((radius - reach, radius - reach), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], k, mode="valid") for j in range(3)], axis=1)


def _cover_zoom(corr: np.ndarray, W: float, H: float) -> float:
    """One zoom for the clip at which every corrected frame still covers the picture (at most 1.5)."""
    corners = np.array([(-W / 2, -H / 2), (W / 2, -H / 2), (W / 2, H / 2), (-W / 2, H / 2)])
    x = corners[None, :, 0] - corr[:, None, 0]  # each frame corner in the corrected picture's coordinates
    y = corners[None, :, 1] - corr[:, None, 1]
    c, s = np.cos(-corr[:, None, 2]), np.sin(-corr[:, None, 2])
    px, py = c * x - s * y, s * x + c * y
    zoom = max(1.0, float(np.max(2 * np.abs(px) / W)), float(np.max(2 * np.abs(py) / H)))
    return min(zoom, 1.5)


def matrix(corr_row, zoom: float, w: float, h: float, native_w: float) -> np.ndarray:
    """3x3 correction in the pixels of a w x h picture (the source decoded at w / native_w of its size)."""
    dx, dy, a = corr_row
    s = w / native_w
    c, si = np.cos(a) * zoom, np.sin(a) * zoom
    cx, cy = w / 2, h / 2
    return np.array([[c, -si, cx + dx * s - c * cx + si * cy],
                     [si, c, cy + dy * s - si * cx - c * cy],
                     [0, 0, 1.0]])


def apply(img: np.ndarray, path, settings, frame: int) -> np.ndarray:
    """The picture of source frame `frame` with its correction (unchanged until the file has been analysed)."""
    analysis = load(path)
    if analysis is None or settings.strength <= 0:
        return img
    method = getattr(settings, "method", "gaussian")
    key = ("corr", str(path), settings.strength, settings.crop, method)
    with _lock:
        hit = _memory.get(key)
    if hit is None:
        hit = corrections(analysis, settings.strength, settings.crop, method)
        with _lock:
            _memory[key] = hit
    corr, zoom = hit
    f = min(max(frame, 0), len(corr) - 1)
    h, w = img.shape[:2]
    m = matrix(corr[f], zoom, w, h, float(analysis["size"][0]))
    cv = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]]) @ m @ np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    return cv2.warpAffine(img, cv[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def ensure_analysed(project, progress=None, cancelled=None) -> int:
    """Analyse every file a stabilised clip of the project uses that is not analysed yet; returns how many."""
    paths = sorted({project.assets[c.asset_id].path for t in project.video_tracks() for c in t.clips
                    if c.stabilisation is not None and project.assets[c.asset_id].kind == "video"
                    and not project.assets[c.asset_id].offline})
    todo = [p for p in paths if load(p) is None]
    for i, p in enumerate(todo):
        analyse(p, None if progress is None else (lambda x, i=i: progress((i + x) / len(todo))), cancelled)
    return len(todo)
