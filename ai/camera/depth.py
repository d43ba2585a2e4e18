"""Depth for 2.5D camera moves: a depth model when one is configured, else a built-in estimate.

Depth is returned as relative distance (1 = as far as the focus subject, larger = further), smooth inside objects
and with the near side of every depth edge grown a little, so parallax stretches the background next to a subject
rather than the subject itself.
"""
from __future__ import annotations

import cv2
import numpy as np

MAX_SIDE = 384


def _guided(guide: np.ndarray, src: np.ndarray, r: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter (grey guide): smooths src while keeping the guide's edges."""
    k = (2 * r + 1, 2 * r + 1)
    mean_i = cv2.boxFilter(guide, -1, k)
    mean_p = cv2.boxFilter(src, -1, k)
    cov = cv2.boxFilter(guide * src, -1, k) - mean_i * mean_p
    var = cv2.boxFilter(guide * guide, -1, k) - mean_i * mean_i
    a = cov / (var + eps)
    b = mean_p - a * mean_i
    return cv2.boxFilter(a, -1, k) * guide + cv2.boxFilter(b, -1, k)


def builtin_nearness(img: np.ndarray) -> np.ndarray:
    """A monocular guess of nearness (0 far .. 1 near) from cues that hold for most photos.

    - ground plane: lower in the picture is nearer;
    - focus: in-focus, detailed regions are the subject, defocused ones the background;
    - sky: bright, low-texture, blue-ish regions at the top are far away.
    """
    h, w = img.shape[:2]
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None] * np.ones((1, w), np.float32)
    lap = np.abs(cv2.Laplacian(cv2.GaussianBlur(grey, (0, 0), 1.0), cv2.CV_32F))
    detail = cv2.GaussianBlur(lap, (0, 0), max(h, w) / 30)
    detail = detail / (np.percentile(detail, 98) + 1e-6)
    detail = np.clip(detail, 0, 1)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV).astype(np.float32)
    sky = ((hsv[..., 2] > 150) & (lap < 0.02) & ((hsv[..., 0] > 85) & (hsv[..., 0] < 135) | (hsv[..., 1] < 40)))
    sky = cv2.GaussianBlur(sky.astype(np.float32), (0, 0), max(h, w) / 60) * (1 - ys)
    centre = np.exp(-(((np.arange(w) - w / 2) / (0.45 * w)) ** 2))[None, :].astype(np.float32)
    near = 0.45 * ys + 0.4 * detail * (0.6 + 0.4 * centre) + 0.15 * centre - 0.5 * sky
    near = (near - near.min()) / (near.max() - near.min() + 1e-6)
    return _guided(grey, near.astype(np.float32), max(2, max(h, w) // 40), 1e-3)


def model_nearness(img: np.ndarray, model: str, device: str = "cpu") -> np.ndarray:
    """Depth Anything V2 (or any transformers depth-estimation model) -> nearness 0..1."""
    from ai.models import load_depth_pipeline

    from PIL import Image

    pipe = load_depth_pipeline(model, device)
    out = pipe(Image.fromarray(img))
    pred = out["predicted_depth"]
    arr = pred.squeeze().detach().float().cpu().numpy() if hasattr(pred, "detach") else np.asarray(pred)
    arr = cv2.resize(arr.astype(np.float32), (img.shape[1], img.shape[0]), interpolation=cv2.INTER_LINEAR)
    lo, hi = np.percentile(arr, 1), np.percentile(arr, 99)
    return np.clip((arr - lo) / (hi - lo + 1e-6), 0, 1)  # Depth Anything predicts relative inverse depth


def depth_map(img: np.ndarray, focus: tuple[float, float] = (0.5, 0.5), model: str | None = None,
              device: str = "cpu", near_ratio: float = 3.0) -> np.ndarray:
    """Relative distance at MAX_SIDE resolution: 1 at the focus point, `near_ratio` x nearer to further."""
    h, w = img.shape[:2]
    s = min(1.0, MAX_SIDE / max(h, w))
    small = cv2.resize(img, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA)
    near = model_nearness(small, model, device) if model else builtin_nearness(small)
    # grow near regions over their edges, then smooth: the stretch zone falls on the background side
    k = max(3, (max(small.shape[:2]) // 60) | 1)
    near = cv2.dilate(near, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    near = cv2.GaussianBlur(near, (0, 0), k / 2)
    inv = 1.0 + (near_ratio - 1.0) * near  # inverse depth from 1 (far) to near_ratio (near)
    sh, sw = near.shape
    fy, fx = min(sh - 1, int(focus[1] * sh)), min(sw - 1, int(focus[0] * sw))
    ref = float(np.median(inv[max(0, fy - 2):fy + 3, max(0, fx - 2):fx + 3]))
    return (ref / inv).astype(np.float32)  # distance, 1 at the focus point
