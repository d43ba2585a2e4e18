"""The transitions library's pictures: two frames (A leaving, B arriving) and how far the transition is (0..1) ->
the frame shown. Used by the compositor for every transition on a video track and by the library's small animated
previews, so what the preview shows is what the export renders.

Kinds (editor.timeline.model.TRANSITION_KINDS): dissolve, dip to black, dip to white, wipes (left, right, up,
down), slides (B slides in over A), pushes (B pushes A out), zoom in/out. "wipe" is the older name of wipe-right and
"crossfade" the sound's equal-power fade (a dissolve for pictures).
"""
from __future__ import annotations

import cv2
import numpy as np

LABELS = {"dissolve": "Dissolve", "dip-to-black": "Dip to black", "dip-to-white": "Dip to white",
          "wipe-right": "Wipe right", "wipe-left": "Wipe left", "wipe-up": "Wipe up", "wipe-down": "Wipe down",
          "slide-left": "Slide left", "slide-right": "Slide right", "push-left": "Push left",
          "push-right": "Push right", "zoom-in": "Zoom in", "zoom-out": "Zoom out"}
ALIASES = {"wipe": "wipe-right", "crossfade": "dissolve"}


def transition_span(t_a, x) -> tuple[int, int]:
    """[start, end) of a transition on the cut at the end of clip a (x.frames_before of it before the cut)."""
    start = t_a.end - x.frames_before
    return start, start + x.duration


def smooth(p: float) -> float:
    p = min(1.0, max(0.0, p))
    return p * p * (3 - 2 * p)


def _mix(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    return cv2.addWeighted(a, 1.0 - w, b, w, 0.0)


def _zoom(img: np.ndarray, s: float) -> np.ndarray:
    """The picture scaled by s about its centre, cropped (s >= 1) to its own size."""
    h, w = img.shape[:2]
    m = np.float32([[s, 0, (1 - s) * w / 2], [0, s, (1 - s) * h / 2]])
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def blend(kind: str, a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    """The frame at progress p (0: all A, 1: all B) of a transition from picture a to picture b (same size)."""
    kind = ALIASES.get(kind, kind)
    h, w = a.shape[:2]
    if kind == "dissolve":
        return _mix(a, b, p)
    if kind in ("dip-to-black", "dip-to-white"):
        card = np.full_like(a, 0 if kind == "dip-to-black" else 255)
        return _mix(a, card, min(1.0, 2 * p)) if p < 0.5 else _mix(card, b, min(1.0, 2 * p - 1))
    q = smooth(p)
    if kind.startswith("wipe-"):
        out = a.copy()
        if kind == "wipe-right":
            e = int(round(q * w))
            out[:, :e] = b[:, :e]
        elif kind == "wipe-left":
            e = w - int(round(q * w))
            out[:, e:] = b[:, e:]
        elif kind == "wipe-down":
            e = int(round(q * h))
            out[:e] = b[:e]
        else:  # wipe-up
            e = h - int(round(q * h))
            out[e:] = b[e:]
        return out
    if kind in ("slide-left", "slide-right", "push-left", "push-right"):
        off = int(round(q * w))
        out = a.copy()
        if kind.startswith("push"):
            out[:] = 0
            if kind == "push-left":
                out[:, :w - off] = a[:, off:]
            else:
                out[:, off:] = a[:, :w - off]
        if kind.endswith("left"):  # B comes in from the right
            out[:, w - off:] = b[:, :off]
        else:  # B comes in from the left
            out[:, :off] = b[:, w - off:]
        return out
    if kind == "zoom-in":
        return _mix(_zoom(a, 1.0 + 0.8 * q), _zoom(b, 1.4 - 0.4 * q), q)
    if kind == "zoom-out":
        return _mix(_zoom(a, 1.0 / (1.0 + 0.5 * q)) if q > 0 else a, _zoom(b, 1.0 + 0.5 * (1 - q)), q)
    return _mix(a, b, p)  # a kind from a newer Seamline: a dissolve rather than a hard cut


def fit_duration(want: int, a_frames: int, b_frames: int) -> int:
    """The longest centred transition up to `want` frames that fits inside both clips (0 when none does)."""
    d = max(0, int(want))
    while d >= 2 and (d // 2 > a_frames or d - d // 2 > b_frames):
        d -= 1
    return d if d >= 2 else 0


def preview_frames(kind: str, size=(96, 54), count: int = 16) -> list[np.ndarray]:
    """A small looping demonstration of a transition between two cards, A (blue) and B (orange)."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w]
    a = np.zeros((h, w, 3), np.uint8)
    a[:] = (52, 96, 170)
    a[(xs // 8 + ys // 8) % 2 == 0] = (70, 120, 200)
    b = np.zeros((h, w, 3), np.uint8)
    b[:] = (230, 140, 50)
    cv2.circle(b, (w // 2, h // 2), h // 3, (255, 220, 120), -1, cv2.LINE_AA)
    cv2.putText(a, "A", (6, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
    cv2.putText(b, "B", (w - 22, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (40, 20, 0), 2, cv2.LINE_AA)
    hold = 3
    ps = [0.0] * hold + [i / (count - 1) for i in range(count)] + [1.0] * hold
    return [blend(kind, a, b, p) for p in ps]
