"""Shared plumbing for the diffusers video backends: sizes, frame counts, progress/cancel, resampling, seams."""
from __future__ import annotations

import math
from typing import Callable

import cv2
import numpy as np

from ai.errors import JobCancelled

# per backend: (multiple for height/width, frame-count rule k*step+1, most frames, default area, default steps)
RULES = {
    "wan": (16, 4, 81, 1280 * 720, 30),
    "wan-i2v": (16, 4, 81, 832 * 480, 30),
    "ltx": (32, 8, 161, 768 * 512, 8),
    "ltx-i2v": (32, 8, 161, 768 * 512, 8),
    "animatediff": (8, 1, 32, 512 * 512, 25),
}


def gen_size(backend: str, out_w: int, out_h: int, override=None) -> tuple[int, int]:
    """The generation size: the output's aspect at the model's native area, rounded to the model's multiple."""
    mult, _, _, area, _ = RULES[backend]
    if override:
        w, h = override
    else:
        s = math.sqrt(area / (out_w * out_h))
        w, h = out_w * s, out_h * s
    return max(mult, int(round(w / mult)) * mult), max(mult, int(round(h / mult)) * mult)


def frame_count(backend: str, needed: int) -> int:
    """Smallest valid frame count (k*step + 1) covering `needed`, capped at the model's maximum."""
    _, step, most, _, _ = RULES[backend]
    k = max(1, math.ceil((needed - 1) / step))
    return min(k * step + 1, most)


def default_steps(backend: str) -> int:
    return RULES[backend][4]


def step_callback(total_steps: int, report: Callable[[float, str], None], cancelled: Callable[[], bool] | None,
                  lo: float = 0.1, hi: float = 0.95):
    """A `callback_on_step_end` that reports progress and interrupts the pipeline when cancelled."""

    def cb(pipe, step, timestep, kwargs):
        report(lo + (hi - lo) * (step + 1) / max(1, total_steps), "generating")
        if cancelled is not None and cancelled():
            pipe._interrupt = True
        return kwargs

    return cb


def check_cancel(cancelled, what: str) -> None:
    if cancelled is not None and cancelled():
        raise JobCancelled(f"{what} was cancelled")


def run_pipeline(pipe, backend: str, size: tuple[int, int], cancelled, what: str, **kwargs) -> list[np.ndarray]:
    """Call a video pipeline: out-of-memory becomes an OutOfMemory the user can act on, a cancel during the last
    step is honoured, and the frames come back as RGB uint8 at size=(w, h)."""
    from ai import models

    try:
        out = pipe(**kwargs)
    except Exception as exc:
        if models.is_oom(exc):
            raise models.oom_error(backend) from None
        raise
    check_cancel(cancelled, what)
    return fit_frames(to_uint8_frames(out.frames), size)


def to_uint8_frames(frames) -> list[np.ndarray]:
    """Pipeline output (np float [0,1] (b, f, h, w, c), or PIL lists) -> list of RGB uint8."""
    if isinstance(frames, np.ndarray):
        arr = frames[0] if frames.ndim == 5 else frames
        if arr.dtype != np.uint8:
            arr = np.clip(arr * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return [np.ascontiguousarray(f) for f in arr]
    first = frames[0]
    if isinstance(first, (list, tuple)):
        first = list(first)
    else:
        first = list(frames)
    return [np.asarray(im.convert("RGB")) for im in first]


def resample(frames: list[np.ndarray], times: list[float]) -> list[np.ndarray]:
    """Frames at fractional positions t in [0, 1] of a generated clip (linear between neighbours)."""
    n = len(frames)
    out = []
    for t in times:
        pos = t * (n - 1)
        i = min(int(math.floor(pos)), n - 2) if n > 1 else 0
        f = pos - i
        if n == 1 or f < 1e-3:
            out.append(frames[i].copy())
        else:
            out.append(cv2.addWeighted(frames[i], 1 - f, frames[i + 1], f, 0.0))
    return out


def fit_frames(frames: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    from ai.media_io import cover

    return [cover(f, size) for f in frames]


def match_seams(frames: list[np.ndarray], times: list[float], a: np.ndarray, b: np.ndarray,
                gen_a: np.ndarray, gen_b: np.ndarray) -> list[np.ndarray]:
    """Remove the colour/brightness drift a model leaves at the ends, so the fill joins A and B without a jump."""
    sigma = max(a.shape[:2]) / 40
    da = cv2.GaussianBlur(a.astype(np.float32) - gen_a.astype(np.float32), (0, 0), sigma)
    db = cv2.GaussianBlur(b.astype(np.float32) - gen_b.astype(np.float32), (0, 0), sigma)
    return [np.clip(f.astype(np.float32) + (1 - t) * da + t * db + 0.5, 0, 255).astype(np.uint8)
            for f, t in zip(frames, times)]


def pil(img: np.ndarray, size: tuple[int, int]):
    from PIL import Image

    from ai.media_io import cover

    return Image.fromarray(cover(img, size))
