"""Built-in camera-move renderer: exact homographies for rotations and zooms, 2.5D parallax for travel.

Geometry: the output camera has focal length f = (W/2) / tan(hfov/2) pixels and its principal point at the focus
point. The source picture is treated as seen by a camera of focal f/Z, Z >= 1 being an overscan chosen once for the
whole move so that no frame ever samples outside the picture (no border, no black). For a pose (rotation R, focal
factor, translation T in units of the subject's distance) the source pixel seen at output pixel x is

    q = pi(R K^-1 x)                      (rotation and zoom: exact for a single image)
    u = T_xy / d(u) + (1 - T_z / d(u)) q  (parallax: solved by fixed-point iteration on the depth map d)

Maps are computed on a coarse grid and upsampled (they are smooth), then one cv2.remap per frame at full size.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ai.camera.paths import CameraPath, Pose

GRID_STEP = 4  # output pixels per map sample


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Camera rotation (degrees): pan right, tilt up, roll clockwise positive; image y points down."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return ry @ rx @ rz


@dataclass
class Frame:
    width: int
    height: int
    hfov: float = 60.0
    focus: tuple[float, float] = (0.5, 0.5)

    @property
    def f(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.hfov) / 2)

    @property
    def c(self) -> tuple[float, float]:
        return self.focus[0] * self.width, self.focus[1] * self.height


class MoveRenderer:
    """Renders a CameraPath over a still (or per-frame pictures of a clip) at an output size."""

    def __init__(self, source: np.ndarray, path: CameraPath, size: tuple[int, int], hfov: float = 60.0,
                 focus: tuple[float, float] = (0.5, 0.5), depth: np.ndarray | None = None):
        self.path = path
        self.poses = path.poses()
        self.out = Frame(size[0], size[1], hfov, focus)
        self.source = self._cover(source)
        self.sh, self.sw = self.source.shape[:2]
        self.depth = depth  # distance map (any size), 1 at the focus point; needed for travel moves
        if depth is not None:
            self.depth = cv2.resize(depth, (self.sw, self.sh), interpolation=cv2.INTER_LINEAR)
        gw, gh = math.ceil(size[0] / GRID_STEP) + 1, math.ceil(size[1] / GRID_STEP) + 1
        xs = np.linspace(0, size[0] - 1, gw, dtype=np.float64)
        ys = np.linspace(0, size[1] - 1, gh, dtype=np.float64)
        self.gx, self.gy = np.meshgrid(xs, ys)
        self.cs = (focus[0] * self.sw, focus[1] * self.sh)
        self.Z = self._fit_overscan()

    def _cover(self, img: np.ndarray) -> np.ndarray:
        """Scale the source so it covers the output (same as the timeline's fill framing)."""
        h, w = img.shape[:2]
        W, H = self.out.width, self.out.height
        s = max(W / w, H / h)
        if abs(s - 1) < 1e-6:
            return img
        return cv2.resize(img, (max(W, round(w * s)), max(H, round(h * s))),
                          interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)

    # -- geometry ----------------------------------------------------------------------------------------------
    def _normalised(self, pose: Pose, gx, gy):
        """Source ray (normalised image coords, z=1) for output pixels: q = pi(R K_k^-1 x)."""
        f, (cx, cy) = self.out.f * pose.zoom, self.out.c
        if pose.dolly_zoom:  # focal follows the travel so the subject at distance 1 keeps its size
            f *= max(0.05, 1.0 - pose.tz)
        d = np.stack([(gx - cx) / f, (gy - cy) / f, np.ones_like(gx)], axis=-1)
        r = d @ rotation(pose.yaw, pose.pitch, pose.roll).T
        rz = np.where(np.abs(r[..., 2]) < 1e-6, 1e-6, r[..., 2])
        return r[..., 0] / rz, r[..., 1] / rz

    def _source_coords(self, pose: Pose, gx, gy, Z: float, depth: np.ndarray | None):
        qx, qy = self._normalised(pose, gx, gy)
        fs = self.out.f / Z
        if not pose.translational() or depth is None:
            return self.cs[0] + fs * qx, self.cs[1] + fs * qy
        ux, uy = qx.copy(), qy.copy()
        dmap = depth.astype(np.float32)
        for _ in range(6):
            px = (self.cs[0] + fs * ux).astype(np.float32)
            py = (self.cs[1] + fs * uy).astype(np.float32)
            shape = px.shape
            d = cv2.remap(dmap, px.reshape(shape[0], -1), py.reshape(shape[0], -1), cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE).astype(np.float64).reshape(shape)
            d = np.maximum(d, pose.tz + 0.05)  # never behind the camera
            ux = pose.tx / d + (1 - pose.tz / d) * qx
            uy = -pose.ty / d + (1 - pose.tz / d) * qy
        return self.cs[0] + fs * ux, self.cs[1] + fs * uy

    def _fit_overscan(self) -> float:
        """Smallest Z >= 1 for which every frame samples inside the source (checked on the output's border)."""
        bx = np.concatenate([self.gx[0], self.gx[-1], self.gx[:, 0], self.gx[:, -1]])
        by = np.concatenate([self.gy[0], self.gy[-1], self.gy[:, 0], self.gy[:, -1]])
        idx = sorted(set(np.linspace(0, len(self.poses) - 1, min(len(self.poses), 24)).round().astype(int)))
        Z = 1.0
        for _ in range(3):  # the depth lookups depend on Z a little: refine
            need = 1.0
            for k in idx:
                u, v = self._source_coords(self.poses[k], bx, by, Z, self.depth)
                # source offsets scale as 1/Z: the Z that brings the worst point inside
                ox = max(np.max(u - self.cs[0]) / (self.sw - 1.5 - self.cs[0]),
                         np.max(self.cs[0] - u) / (self.cs[0] - 0.5))
                oy = max(np.max(v - self.cs[1]) / (self.sh - 1.5 - self.cs[1]),
                         np.max(self.cs[1] - v) / (self.cs[1] - 0.5))
                need = max(need, Z * ox, Z * oy)
            if abs(need - Z) < 1e-3:
                break
            Z = need
        return max(1.0, Z * 1.002)

    def maps(self, k: int, depth: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Full-size remap coordinates for frame k."""
        u, v = self._source_coords(self.poses[k], self.gx, self.gy, self.Z,
                                   self.depth if depth is None else depth)
        W, H = self.out.width, self.out.height
        mx = cv2.resize(u.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
        my = cv2.resize(v.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
        return mx, my

    def frame(self, k: int, source: np.ndarray | None = None) -> np.ndarray:
        """Frame k; `source` replaces the still for moving-picture moves (already the same size as the still)."""
        src = self.source if source is None else self._cover(source)
        mx, my = self.maps(k)
        return cv2.remap(src, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    def source_point(self, k: int, x: float, y: float) -> tuple[float, float]:
        """Where output pixel (x, y) of frame k samples the (cover-scaled) source."""
        u, v = self._source_coords(self.poses[k], np.array([x]), np.array([y]), self.Z, self.depth)
        return float(u[0]), float(v[0])

    def output_point(self, k: int, u: float, v: float) -> tuple[float, float]:
        """Where source point (u, v) appears in frame k (inverse of source_point, by Newton steps)."""
        x, y = self.out.c
        x += (u - self.cs[0]) * self.Z
        y += (v - self.cs[1]) * self.Z
        for _ in range(30):
            su, sv = self.source_point(k, x, y)
            e = 0.5
            jx = (self.source_point(k, x + e, y)[0] - self.source_point(k, x - e, y)[0]) / (2 * e)
            jy = (self.source_point(k, x, y + e)[1] - self.source_point(k, x, y - e)[1]) / (2 * e)
            x += (u - su) / (jx if abs(jx) > 1e-6 else 1e-6)
            y += (v - sv) / (jy if abs(jy) > 1e-6 else 1e-6)
        return x, y
