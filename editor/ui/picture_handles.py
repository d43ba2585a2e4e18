"""The selected clip's picture on the preview, as something to grab: its outline (the transformed, cropped picture),
corner handles (scale), the body (move) and a rotation knob; what a drag from one point to another makes of the
clip's x, y, scale and rotation, with snapping to the frame's edges and centre lines. Plain Python and numpy (no Qt):
editor/ui/preview_handles.py draws it and feeds it the mouse.

All maths goes through editor/timeline/geometry.py (`placement`, the same matrix the renderer warps with), so the
outline is exactly where the compositor puts the picture. Points are in frame pixels (project size) unless a name
says screen; `View` maps between the two.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from editor.timeline import edits, geometry
from editor.timeline import motion_edits as me

HANDLE_PX = 6.0  # half the side of a corner handle, screen pixels
ROTATE_PX = 28.0  # the rotation knob sits this far outside the picture's top edge
SNAP_PX = 8.0  # snapping reach, screen pixels
ANGLE_SNAP = 4.0  # degrees: a rotation this close to a multiple of 90 lands on it
MOVED = ("x", "y", "scale", "rotation")


@dataclass(frozen=True)
class View:
    """Where the frame is drawn on the widget: its top-left corner and screen pixels per frame pixel."""
    left: float
    top: float
    k: float

    @staticmethod
    def fit(widget_w: float, widget_h: float, W: int, H: int) -> View:
        """The frame W x H shown as large as fits, centred (what the preview paints)."""
        k = max(1e-6, min(widget_w / W, widget_h / H))  # (a widget squeezed to nothing)
        return View((widget_w - W * k) / 2, (widget_h - H * k) / 2, k)

    def to_screen(self, pt) -> tuple[float, float]:
        return self.left + pt[0] * self.k, self.top + pt[1] * self.k

    def to_frame(self, sx: float, sy: float) -> tuple[float, float]:
        return (sx - self.left) / self.k, (sy - self.top) / self.k


@dataclass(frozen=True)
class Picture:
    clip_id: str
    k: int  # clip frame (the playhead's)
    values: dict  # transform values at k (keyframes applied)
    quad: np.ndarray  # (4, 2): the visible picture's corners, source top-left, top-right, bottom-right, bottom-left
    centre: tuple[float, float]  # the picture's centre (what it scales and turns about)
    W: int
    H: int

    def knob(self, view: View) -> tuple[float, float]:
        """The rotation knob: beyond the middle of the picture's top edge, ROTATE_PX screen pixels out."""
        mid = (self.quad[0] + self.quad[1]) / 2
        out = mid - (self.quad[3] + self.quad[2]) / 2
        n = float(np.hypot(*out))
        if n < 1e-9:
            out, n = np.array([0.0, -1.0]), 1.0
        p = mid + out / n * (ROTATE_PX / view.k)
        return float(p[0]), float(p[1])


def picture_of(project, clip, frame: int) -> Picture | None:
    """The clip's picture at project frame `frame` (None when the clip is not there then or its size is unknown)."""
    asset = project.assets.get(clip.asset_id) if clip.asset_id else None
    if asset is None or not asset.width or not asset.height or not clip.start <= frame < clip.end:
        return None
    W, H = project.settings.width, project.settings.height
    k = frame - clip.start
    v = geometry.transform_at(clip, k)
    sw, sh = asset.width, asset.height
    m = geometry.placement(v, sw, sh, W, H)
    left, top, right, bottom = geometry.crop_box(v, sw, sh)
    quad = geometry.apply(m, [(left, top), (right, top), (right, bottom), (left, bottom)])
    centre = geometry.apply(m, [(sw / 2, sh / 2)])[0]
    return Picture(clip.id, k, v, quad, (float(centre[0]), float(centre[1])), W, H)


def _inside(quad: np.ndarray, pt) -> bool:
    sign = 0.0
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        cross = (b[0] - a[0]) * (pt[1] - a[1]) - (b[1] - a[1]) * (pt[0] - a[0])
        if abs(cross) < 1e-12:
            continue
        if sign and (cross > 0) != (sign > 0):
            return False
        sign = cross
    return True


def hit(pic: Picture, view: View, sx: float, sy: float) -> str | None:
    """What a press at screen point (sx, sy) grabs: "rotate", "corner0".."corner3", "body" or None."""
    kx, ky = pic.knob(view)
    qx, qy = view.to_screen((kx, ky))
    if math.hypot(sx - qx, sy - qy) <= HANDLE_PX + 2:
        return "rotate"
    for i, c in enumerate(pic.quad):
        cx, cy = view.to_screen(c)
        if abs(sx - cx) <= HANDLE_PX + 1 and abs(sy - cy) <= HANDLE_PX + 1:
            return f"corner{i}"
    return "body" if _inside(pic.quad, view.to_frame(sx, sy)) else None


@dataclass
class Drag:
    """One gesture on the picture: what was grabbed, where, and the picture as it was then."""
    kind: str
    start: tuple[float, float]  # frame pixels
    pic: Picture
    turned: float = 0.0  # rotation so far (degrees), accumulated so a drag can go round more than once
    last_angle: float | None = None
    guides: list = field(default_factory=list)  # ("v", x) / ("h", y) lines that snapped, frame pixels

    @property
    def values0(self) -> dict:
        return {n: self.pic.values[n] for n in MOVED}


def _snap_axis(candidates, tol: float):
    """candidates: (value, target) pairs; the smallest correction target - value within tol, and its target."""
    best = None
    for value, target in candidates:
        d = target - value
        if abs(d) <= tol and (best is None or abs(d) < abs(best[0])):
            best = (d, target)
    return best


def drag_to(drag: Drag, pt, view: View, snap: bool = True, fine_angle: bool = False) -> dict:
    """The transform values (x, y, scale, rotation) for the mouse at frame point pt. Sets drag.guides."""
    pic, v = drag.pic, dict(drag.values0)
    W, H = pic.W, pic.H
    tol = SNAP_PX / view.k
    drag.guides = []
    if drag.kind == "body":
        dx, dy = pt[0] - drag.start[0], pt[1] - drag.start[1]
        xs, ys = pic.quad[:, 0] + dx, pic.quad[:, 1] + dy
        if snap:
            for axis, lo, hi, mid, size in (("v", xs.min(), xs.max(), xs.mean(), W), ("h", ys.min(), ys.max(),
                                                                                      ys.mean(), H)):
                cands = [(e, t) for e in (lo, hi) for t in (0.0, size / 2, float(size))] + [(mid, size / 2)]
                best = _snap_axis(cands, tol)
                if best is not None:
                    if axis == "v":
                        dx += best[0]
                    else:
                        dy += best[0]
                    drag.guides.append((axis, best[1]))
        v["x"] = drag.values0["x"] + dx / W
        v["y"] = drag.values0["y"] + dy / H
    elif drag.kind.startswith("corner"):
        c = np.array(pic.centre)
        arm = pic.quad[int(drag.kind[-1])] - c
        reach = float(arm @ arm)
        r = float((np.asarray(pt) - c) @ arm) / reach if reach > 1e-9 else 1.0  # along the diagonal: keeps aspect
        r = max(r, 0.01 / max(v["scale"], 1e-9))
        if snap:
            r = _snap_scale(drag, r, c, tol)
        v["scale"] = min(100.0, max(0.01, drag.values0["scale"] * r))
    elif drag.kind == "rotate":
        c = pic.centre
        a0 = math.degrees(math.atan2(drag.start[1] - c[1], drag.start[0] - c[0]))
        a = math.degrees(math.atan2(pt[1] - c[1], pt[0] - c[0]))  # y down: a larger angle turns clockwise
        last = a0 if drag.last_angle is None else drag.last_angle
        drag.turned += (a - last + 180.0) % 360.0 - 180.0
        drag.last_angle = a
        rot = drag.values0["rotation"] + drag.turned
        if fine_angle:
            rot = round(rot / 15.0) * 15.0
        elif snap and abs(rot - round(rot / 90.0) * 90.0) <= ANGLE_SNAP:
            rot = round(rot / 90.0) * 90.0
        v["rotation"] = rot
    return tidy(v)


def _snap_scale(drag: Drag, r: float, c: np.ndarray, tol: float) -> float:
    """Scale factor r snapped so that an edge of the picture's bounding box meets a frame edge or centre line, or so
    that the picture is back at its fitted size (scale 1) when the corner is near that."""
    pic = drag.pic
    best = None
    for axis, lo, hi, size in ((0, pic.quad[:, 0].min(), pic.quad[:, 0].max(), pic.W),
                               (1, pic.quad[:, 1].min(), pic.quad[:, 1].max(), pic.H)):
        for e0 in (lo, hi):
            arm = e0 - c[axis]
            if abs(arm) < 1e-9:
                continue
            for t in (0.0, size / 2, float(size)):
                rt = (t - c[axis]) / arm
                if rt <= 0:
                    continue
                d = abs((rt - r) * arm)  # how far that edge is from the line now, frame pixels
                if d <= tol and (best is None or d < best[0]):
                    best = (d, rt, ("v" if axis == 0 else "h", t))
    s0 = drag.values0["scale"]
    corner = float(np.hypot(*(pic.quad[int(drag.kind[-1])] - c)))
    d1 = abs((1.0 / s0 - r) * corner)
    if d1 <= tol and (best is None or d1 < best[0]):
        return 1.0 / s0  # the fitted size
    if best is None:
        return r
    drag.guides.append(best[2])
    return best[1]


def tidy(v: dict) -> dict:
    """Values rounded to what anyone can see (0.000001 of the frame is under 0.01 px at 8K): tidy project files,
    exact centres."""
    out = dict(v)
    for n in ("x", "y", "scale"):
        out[n] = round(out[n], 6) + 0.0
    out["rotation"] = round(out["rotation"], 4) + 0.0
    return out


def changed(drag: Drag, values: dict) -> dict:
    """The values a drag changed (nothing: the release makes no edit)."""
    v0 = tidy(drag.values0)
    return {n: values[n] for n in MOVED if abs(values[n] - v0[n]) > 1e-9}


def set_at(project, clip_id: str, k: int, values: dict):
    """The project with the clip's transform values set at clip frame k: a keyframed property gets (or replaces) its
    key at k, keeping that key's ease; the others change the clip's transform. x and y are one position: when one
    of them is keyed, a change of the other is keyed too. One pure edit (one undo step)."""
    _, clip = project.find_clip(clip_id)
    kf = clip.keyframes or {}
    plain = {}
    for name, value in values.items():
        keys = kf.get(name)
        if keys or (name in ("x", "y") and (kf.get("x") or kf.get("y"))):
            keys = keys or ()
            ease = next((key.ease for key in keys if key.frame == k), "linear")
            project = edits.set_keyframe(project, clip_id, name, k, value, ease)
        else:
            plain[name] = value
    if plain:
        project = me.set_transform(project, clip_id, **plain)
    return project
