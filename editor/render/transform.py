"""A clip's picture moved, scaled, rotated, cropped, flipped, colour-corrected, stabilised and retimed: the
compositor's motion path (Compositor._layer hands a clip here when `moves(clip)`; every other clip stays on the plain
fitted-copy path).

Exact placement: the matrix of editor/timeline/geometry.py (continuous pixel coordinates) is applied with one
cv2.warpAffine, bilinear, to a premultiplied RGBA picture, so edges, crops and sub-pixel positions are filtered and
there is no dark fringe. The source is decoded at about the size it is shown at (in quarter-octave steps, never
above its own size), so a big photo shrunk into a corner is area-filtered first and a zoom reads full resolution.
Only the box the picture lands in is warped. A picture that covers the whole frame opaquely comes back as plain RGB,
which keeps the compositor's "nothing below is decoded" shortcut. The preview uses the same code at its own size.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from editor.render import colour as colour_mod
from editor.render.interpolate import InBetweens, choose
from editor.timeline import geometry, timing
from editor.timeline.model import COLOUR_KEYS, TRANSFORM_KEYS

_MOTION_KEYS = frozenset(TRANSFORM_KEYS + COLOUR_KEYS + ("opacity",))


class BlendImage(np.ndarray):
    """A layer picture that mixes with what is below by a blend mode (compositor _place reads `.blend`)."""
    blend = "normal"


def moves(clip) -> bool:
    """Whether a clip needs this path (a fitted, centred picture at a constant opacity does not)."""
    if clip.transform is not None or clip.colour is not None or clip.stabilisation is not None:
        return True
    if clip.keyframes and not _MOTION_KEYS.isdisjoint(clip.keyframes):
        return True
    if clip.effects or "speed" in clip.keyframes:
        w = timing.warp_of(clip)
        if w.identity or w.frozen:
            return False
        mode = clip.retime.frames if clip.retime is not None else "auto"
        if mode == "nearest":
            return False
        slowest = min(k.value for k in w.keys) if w.keys else abs(w.scalar)
        return mode != "auto" or choose("auto", slowest) != "nearest"
    return False


def _decode_scale(m: np.ndarray) -> float:
    """How much the picture is shrunk or grown (largest axis), rounded up to a quarter octave, at most 1."""
    s = max(math.hypot(m[0, 0], m[1, 0]), math.hypot(m[0, 1], m[1, 1]))
    if s >= 1.0:
        return 1.0
    return min(1.0, 2.0 ** (math.ceil(math.log2(max(s, 1e-4)) * 4) / 4))


def _read(reader, n: int, size):
    if getattr(reader, "has_alpha", False):
        return reader.frame_rgba(n, size=size)
    return reader.frame(n, size=size)


def source_picture(comp, clip, n: int, reader, asset, size):
    """The clip's source picture for project frame n at decode size `size`: retimed (with in-betweens for slow
    motion) and stabilised. Returns (picture, source frame)."""
    project = comp.project
    last = asset.frames - 1 if asset.frames is not None else None

    def clamp(f):
        return f if last is None else min(max(f, 0), last)

    w = timing.warp_of(clip) if (clip.effects or "speed" in clip.keyframes) else None
    if w is None or w.identity or w.frozen:
        f0 = clamp(project.source_frame(clip, n))
        img = _read(reader, f0, size)
    else:
        pos = timing.source_position(project, clip, n)
        f0 = timing.whole_frame(pos, clip.source_in)
        t = abs(pos - f0)
        mode = choose(clip.retime.frames if clip.retime is not None else "auto", w.speed_at(n - clip.start))
        f0c, f1c = clamp(f0), clamp(f0 + w.direction)
        img = _read(reader, f0c, size)
        if t > 1e-3 and mode != "nearest" and f1c != f0c:
            inb = comp.__dict__.setdefault("_inbetweens", InBetweens())
            img = inb.frame((asset.path, f0c, f1c, size), img, _read(reader, f1c, size), t, mode)
        f0 = f0c
    if clip.stabilisation is not None:
        from editor.media import stabilise

        img = stabilise.apply(img, asset.path, clip.stabilisation, f0)
    return img, f0


def _coverage(lo: float, hi: float, n: int) -> np.ndarray:
    """How much of each pixel [i, i+1) lies inside [lo, hi]."""
    i = np.arange(n, dtype=np.float32)
    return np.clip(np.minimum(i + 1, hi) - np.maximum(i, lo), 0.0, 1.0)


def _inside(quad: np.ndarray, pts: np.ndarray, slack: float = 0.01) -> bool:
    """All points inside a convex quad (either winding), or within `slack` pixels of it."""
    dist = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        cross = (b[0] - a[0]) * (pts[:, 1] - a[1]) - (b[1] - a[1]) * (pts[:, 0] - a[0])
        dist.append(cross / max(float(np.hypot(*(b - a))), 1e-12))  # signed distance from the edge
    d = np.stack(dist)
    return bool(np.all(d >= -slack) or np.all(d <= slack))


def layer(comp, clip, n: int, reader, asset):
    """(picture, rect, alpha) of a moving clip at project frame n, for the compositor's _place."""
    W, H = comp.size
    k = n - clip.start
    v = geometry.transform_at(clip, k)
    sw, sh = reader.width, reader.height
    m = geometry.placement(v, sw, sh, W, H)
    f = _decode_scale(m)
    dw, dh = max(1, round(sw * f)), max(1, round(sh * f))
    img, _ = source_picture(comp, clip, n, reader, asset, (dw, dh))
    graded = clip.colour is not None or (clip.keyframes and not set(COLOUR_KEYS).isdisjoint(clip.keyframes))
    if graded and not getattr(comp.pool, "colour_bypass", False):  # the preview's before/after switch
        img = colour_mod.apply(img, geometry.colour_at(clip, k))
    alpha = geometry.opacity_at(clip, k) * _fades(clip, n)
    md = m @ np.diag([sw / dw, sh / dh, 1.0])  # decoded pixels -> frame
    left, top, right, bottom = geometry.crop_box(v, sw, sh)
    cl, cr, ct, cb = left * dw / sw, right * dw / sw, top * dh / sh, bottom * dh / sh
    quad = geometry.apply(md, [(cl, ct), (cr, ct), (cr, cb), (cl, cb)])
    opaque = img.shape[2] == 3
    blend = v["blend"]
    frame_corners = np.array([(0, 0), (W, 0), (W, H), (0, H)], np.float64)
    if opaque and blend == "normal" and _inside(quad, frame_corners):
        out = cv2.warpAffine(img, _cv(md)[:2], (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return out, (0, 0, W, H), alpha
    # crop box on whole decoded pixels, its fractional edges as coverage in the alpha
    x0, y0 = max(0, math.floor(cl)), max(0, math.floor(ct))
    x1, y1 = min(dw, math.ceil(cr)), min(dh, math.ceil(cb))
    bx0, by0 = max(0, math.floor(quad[:, 0].min())), max(0, math.floor(quad[:, 1].min()))
    bx1, by1 = min(W, math.ceil(quad[:, 0].max())), min(H, math.ceil(quad[:, 1].max()))
    if x1 <= x0 or y1 <= y0 or bx1 <= bx0 or by1 <= by0:
        return np.zeros((1, 1, 4), np.uint8), (0, 0, 1, 1), 0.0
    part = img[y0:y1, x0:x1]
    cov = np.outer(_coverage(ct - y0, cb - y0, y1 - y0), _coverage(cl - x0, cr - x0, x1 - x0))
    if opaque:
        rgba = cv2.cvtColor(np.ascontiguousarray(part), cv2.COLOR_RGB2RGBA)
    else:
        rgba = np.ascontiguousarray(part)
    if cov.min() < 1.0:
        rgba = (rgba * cov[..., None] + 0.5).astype(np.uint8)  # premultiplied: all four channels
    shift = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], np.float64)
    move = np.array([[1, 0, -bx0], [0, 1, -by0], [0, 0, 1]], np.float64)
    out = cv2.warpAffine(rgba, _cv(move @ md @ shift)[:2], (bx1 - bx0, by1 - by0), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    rect = (bx0, by0, bx1 - bx0, by1 - by0)
    if v["backdrop"] == "blur":
        canvas = blurred_backdrop(img[..., :3] if not opaque else img, sw, sh, W, H)
        place(canvas[by0:by1, bx0:bx1], out, 1.0)
        return canvas, (0, 0, W, H), alpha
    if blend != "normal":
        out = out.view(BlendImage)
        out.blend = blend
    return out, rect, alpha


def _cv(m: np.ndarray) -> np.ndarray:
    """A continuous-coordinates matrix in OpenCV's pixel-centre convention."""
    return np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]]) @ m @ np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])


def _fades(clip, n: int) -> float:
    a = 1.0
    k = n - clip.start
    if clip.fade_in and k < clip.fade_in:
        a *= (k + 1) / (clip.fade_in + 1)
    if clip.fade_out and clip.end - 1 - n < clip.fade_out:
        a *= (clip.end - n) / (clip.fade_out + 1)
    return a


def blurred_backdrop(img: np.ndarray, sw: int, sh: int, W: int, H: int) -> np.ndarray:
    """The picture filling the frame, strongly blurred and a little darker (what Fit leaves empty)."""
    small_w = max(8, W // 16)
    small_h = max(8, H // 16)
    m = geometry.placement({"fit": "fill"}, img.shape[1], img.shape[0], small_w, small_h)
    small = cv2.warpAffine(img, _cv(m)[:2], (small_w, small_h), flags=cv2.INTER_AREA,
                           borderMode=cv2.BORDER_REPLICATE)
    small = cv2.GaussianBlur(small, (0, 0), max(small_w, small_h) / 40)
    return cv2.convertScaleAbs(cv2.resize(small, (W, H), interpolation=cv2.INTER_LINEAR), alpha=0.8)


# -- mixing a premultiplied layer into the picture below --------------------------------------------------------
def place(region: np.ndarray, img: np.ndarray, alpha: float) -> None:
    """Mix premultiplied RGBA img into an RGB region in place: "over", or the image's blend mode."""
    if alpha <= 0.001:
        return
    blend = getattr(img, "blend", "normal")
    img = np.asarray(img)
    if blend != "normal":
        _blend(region, img, alpha, blend)
        return
    if alpha < 0.999:
        img = cv2.convertScaleAbs(img, alpha=alpha)  # all four channels: stays premultiplied
    a = np.ascontiguousarray(img[..., 3])
    if a.min() == 255:
        region[...] = img[..., :3]
        return
    keep = cv2.cvtColor(255 - a, cv2.COLOR_GRAY2RGB)
    cv2.add(np.ascontiguousarray(img[..., :3]), cv2.multiply(region, keep, scale=1 / 255), dst=region)


def _blend(region: np.ndarray, img: np.ndarray, alpha: float, mode: str) -> None:
    d = region.astype(np.float32) / 255
    a = img[..., 3:].astype(np.float32) / 255
    s = img[..., :3].astype(np.float32) / 255 / np.maximum(a, 1e-6)
    if mode == "add":
        b = d + s
    elif mode == "multiply":
        b = d * s
    elif mode == "screen":
        b = 1 - (1 - d) * (1 - s)
    elif mode == "overlay":
        b = np.where(d < 0.5, 2 * d * s, 1 - 2 * (1 - d) * (1 - s))
    elif mode == "darken":
        b = np.minimum(d, s)
    elif mode == "lighten":
        b = np.maximum(d, s)
    elif mode == "difference":
        b = np.abs(d - s)
    else:
        b = s
    a = a * alpha
    region[...] = np.clip((d * (1 - a) + np.clip(b, 0, 1) * a) * 255 + 0.5, 0, 255).astype(np.uint8)
