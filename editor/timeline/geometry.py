"""Where a clip's picture lands in the frame: its transform (and keyframes) at a clip frame -> a 3x3 matrix.

Coordinates are continuous pixels with the origin at the picture's top-left corner (pixel i covers [i, i + 1]).
The matrix maps a point of the source picture (its native size) to the frame:

    M = T(W/2 + x W, H/2 + y H) . R(rotation, clockwise) . S(fit scale * scale, flips) . T(-w/2, -h/2)

Plain Python and numpy: the edits (Ken Burns, smart reframe keys) and the renderer share it.
"""
from __future__ import annotations

import math

import numpy as np

from editor.timeline.keyframes import value_at
from editor.timeline.model import COLOUR_KEYS, TRANSFORM_KEYS, Colour, Transform

DEFAULT_TRANSFORM = Transform()
DEFAULT_COLOUR = Colour()


def _keyed(values: dict, clip, names, k: float) -> dict:
    keys = clip.keyframes
    if keys:
        for name in names:
            ks = keys.get(name)
            if ks:
                values[name] = value_at(ks, k, values[name])
    return values


def transform_at(clip, k: float) -> dict:
    """The clip's transform values at clip frame k, keyframes applied (a dict of Transform's fields)."""
    return _keyed(dict((clip.transform or DEFAULT_TRANSFORM).__dict__), clip, TRANSFORM_KEYS, k)


def colour_at(clip, k: float) -> dict:
    return _keyed(dict((clip.colour or DEFAULT_COLOUR).__dict__), clip, COLOUR_KEYS, k)


def opacity_at(clip, k: float) -> float:
    ks = clip.keyframes.get("opacity") if clip.keyframes else None
    return value_at(ks, k, clip.opacity) if ks else clip.opacity


def fit_scale(fit: str, sw: float, sh: float, W: float, H: float) -> tuple[float, float]:
    """(sx, sy) that place a sw x sh picture in a W x H frame: fit (inside), fill (covers), stretch."""
    if fit == "stretch":
        return W / sw, H / sh
    s = max(W / sw, H / sh) if fit == "fill" else min(W / sw, H / sh)
    return s, s


def placement(v: dict, sw: float, sh: float, W: float, H: float) -> np.ndarray:
    """3x3 matrix: source picture point (native pixels) -> frame point, for transform values v."""
    bx, by = fit_scale(v.get("fit", "fit"), sw, sh, W, H)
    s = v.get("scale", 1.0)
    sx = bx * s * (-1.0 if v.get("flip_h") else 1.0)
    sy = by * s * (-1.0 if v.get("flip_v") else 1.0)
    th = math.radians(v.get("rotation", 0.0))
    c, si = math.cos(th), math.sin(th)
    tx, ty = W / 2 + v.get("x", 0.0) * W, H / 2 + v.get("y", 0.0) * H
    # T(tx, ty) . R . S . T(-sw/2, -sh/2), multiplied out
    a, b, d, e = c * sx, -si * sy, si * sx, c * sy
    return np.array([[a, b, tx - a * sw / 2 - b * sh / 2],
                     [d, e, ty - d * sw / 2 - e * sh / 2],
                     [0.0, 0.0, 1.0]])


def crop_box(v: dict, sw: float, sh: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the visible part of the source, in native pixels."""
    left, right = v.get("crop_left", 0.0) * sw, (1 - v.get("crop_right", 0.0)) * sw
    top, bottom = v.get("crop_top", 0.0) * sh, (1 - v.get("crop_bottom", 0.0)) * sh
    return left, top, max(left, right), max(top, bottom)


def apply(m: np.ndarray, pts) -> np.ndarray:
    """Map (n, 2) points through a 3x3 affine matrix."""
    p = np.asarray(pts, np.float64).reshape(-1, 2)
    return p @ m[:2, :2].T + m[:2, 2]


def rect_view(rect, sw: float, sh: float, W: float, H: float) -> dict:
    """Transform values (fit="fill", no rotation) that show the source rectangle rect = (x, y, w, h), in fractions
    of the source picture, filling the frame. A rectangle of another aspect than the frame's grows to it around its
    centre, shrinks to fit inside the picture, and moves inside it (no black edges)."""
    fx, fy, fw, fh = rect
    cx, cy = (fx + fw / 2) * sw, (fy + fh / 2) * sh
    rw, rh = fw * sw, fh * sh
    aspect = W / H
    if rw / rh < aspect:
        rw = rh * aspect
    else:
        rh = rw / aspect
    k = min(1.0, sw / rw, sh / rh)  # no bigger than the picture
    rw, rh = rw * k, rh * k
    cx = min(max(cx, rw / 2), sw - rw / 2)
    cy = min(max(cy, rh / 2), sh - rh / 2)
    base, _ = fit_scale("fill", sw, sh, W, H)
    total = W / rw
    return {"fit": "fill", "scale": total / base, "x": (sw / 2 - cx) * total / W, "y": (sh / 2 - cy) * total / H}


def window_x(centre: float, sw: float, sh: float, W: float, H: float) -> float:
    """The x value of a fill-placed picture whose point at horizontal source position `centre` (pixels) sits in the
    middle of the frame (smart reframe: the crop window's centre)."""
    base, _ = fit_scale("fill", sw, sh, W, H)
    return (sw / 2 - centre) * base / W


def window_y(centre: float, sw: float, sh: float, W: float, H: float) -> float:
    base, _ = fit_scale("fill", sw, sh, W, H)
    return (sh / 2 - centre) * base / H
