"""Motion between two pictures for the built-in fill: DIS optical flow, feature matches, the dominant (camera)
homography, occlusion from forward/backward disagreement, and whether two pictures are one shot at all."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

OCC_PX, OCC_SIGMA = 0.5, 3.0  # forward/backward flow disagreement (px, plus 5 % of the motion) that means occluded


def grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def grid(h: int, w: int):
    return np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))


def remap(img, mx, my, interp=cv2.INTER_LINEAR):
    return cv2.remap(img, mx, my, interp, borderMode=cv2.BORDER_REPLICATE)


def dis_flow(a_grey: np.ndarray, b_grey: np.ndarray, finest_scale: int = 1) -> np.ndarray:
    """DIS flow from A to B. finest_scale 0 solves at full resolution (sub-pixel accurate, ~4x the time of the
    preset's half resolution)."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    dis.setFinestScale(finest_scale)
    return dis.calc(a_grey, b_grey, None)


def matches(a_grey: np.ndarray, b_grey: np.ndarray, n: int = 3000):
    orb = cv2.ORB_create(n)
    ka, da = orb.detectAndCompute(a_grey, None)
    kb, db = orb.detectAndCompute(b_grey, None)
    if da is None or db is None or len(ka) < 8 or len(kb) < 8:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(da, db)
    pa = np.float32([ka[m.queryIdx].pt for m in matches]).reshape(-1, 2)
    pb = np.float32([kb[m.trainIdx].pt for m in matches]).reshape(-1, 2)
    return pa, pb


def dominant_homography(pa: np.ndarray, pb: np.ndarray) -> np.ndarray | None:
    """A homography mapping A's pixels to B's for the dominant (camera) motion, or None."""
    if len(pa) < 12:
        return None
    H, inliers = cv2.findHomography(pa, pb, cv2.RANSAC, 3.0)
    if H is None or inliers is None or inliers.sum() < 10 or not np.isfinite(H).all():
        return None
    return H


def motion_modes(pa: np.ndarray, pb: np.ndarray, exclude: list[np.ndarray], most: int = 3, min_count: int = 6,
                 bin_px: float = 4.0) -> list[np.ndarray]:
    """The most common displacements among feature matches (objects moving on their own), as 2-vectors.

    DIS loses small objects that move further than their own size; a constant-motion candidate found from
    matches lets the bilateral cost pick that motion exactly where it fits.
    """
    if len(pa) < min_count:
        return []
    d = pb - pa
    keys = np.round(d / bin_px).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    modes: list[np.ndarray] = []
    for i in np.argsort(-counts):
        if counts[i] < min_count or len(modes) >= most:
            break
        v = np.median(d[inverse.ravel() == i], axis=0).astype(np.float32)
        if any(np.hypot(*(v - e)) < 2 * bin_px for e in exclude + modes):
            continue
        modes.append(v)
    return modes


def homography_field(H: np.ndarray, gx, gy) -> np.ndarray:
    den = H[2, 0] * gx + H[2, 1] * gy + H[2, 2]
    den = np.where(np.abs(den) < 1e-6, 1e-6, den)
    return np.dstack([(H[0, 0] * gx + H[0, 1] * gy + H[0, 2]) / den - gx,
                      (H[1, 0] * gx + H[1, 1] * gy + H[1, 2]) / den - gy]).astype(np.float32)


def occlusion(f01: np.ndarray, f10: np.ndarray, gx, gy) -> np.ndarray:
    """0..1 per pixel of the first frame: how sure it is that the pixel is hidden in the second (its flow there and
    back does not return to it)."""
    back = remap(f10, gx + f01[..., 0], gy + f01[..., 1])
    err = cv2.magnitude(f01[..., 0] + back[..., 0], f01[..., 1] + back[..., 1])
    slack = OCC_PX + 0.05 * cv2.magnitude(np.ascontiguousarray(f01[..., 0]), np.ascontiguousarray(f01[..., 1]))
    occ = np.clip((err - slack) / OCC_PX, 0, 1).astype(np.float32)
    return cv2.GaussianBlur(occ, (0, 0), OCC_SIGMA)


def exposure_lut(a: np.ndarray, b: np.ndarray, f01: np.ndarray, occ_a: np.ndarray, gx, gy,
                 step: int = 3) -> np.ndarray:
    """A per-channel LUT (1x256x4 uint8, the 4th channel unchanged) taking A's colours to B's exposure: a gain and
    an offset per channel fitted between A and B sampled along the flow where the flow is trusted. Auto-exposure
    and flicker change the brightness between two frames; the cost that compares them must not see that as a
    wrong motion."""
    warped = remap(b, gx + f01[..., 0], gy + f01[..., 1])
    keep = (occ_a[::step, ::step] < 0.05).ravel()
    lut = np.empty((1, 256, 4), np.uint8)
    lut[0, :, 3] = np.arange(256)
    v = np.arange(256, dtype=np.float32)
    for c in range(3):
        x = a[::step, ::step, c].ravel()[keep].astype(np.float32)
        y = warped[::step, ::step, c].ravel()[keep].astype(np.float32)
        gain, off = 1.0, 0.0
        if x.size > 100 and x.std() > 2.0:
            gain = float(np.clip(np.cov(x, y)[0, 1] / x.var(), 0.7, 1.4))
            off = float(y.mean() - gain * x.mean())
        lut[0, :, c] = np.clip(gain * v + off + 0.5, 0, 255).astype(np.uint8)
    return lut


def leaves_frame(f01: np.ndarray, gx, gy, margin: float = 0.5) -> np.ndarray:
    """0/1 per pixel of the first frame: its flow takes it out of the second frame (certainly hidden there)."""
    h, w = f01.shape[:2]
    x, y = gx + f01[..., 0], gy + f01[..., 1]
    out = (x < -margin) | (x > w - 1 + margin) | (y < -margin) | (y > h - 1 + margin)
    return out.astype(np.float32)


@dataclass
class ShotStats:
    inliers: int  # ORB matches consistent with one epipolar geometry (a rigid scene seen twice)
    consistent: float  # fraction of pixels whose forward and backward flow agree
    same_shot: float  # 0..1


def shot_stats(a: np.ndarray, b: np.ndarray, side: int = 480) -> ShotStats:
    """Are A and B the same shot? Measured at a fixed size so the answer does not depend on resolution.

    Two pictures of one scene share many feature matches that fit one epipolar geometry and have flow that agrees
    forward and backward; two different shots have neither (random matches give ~20 inliers at this size).
    """
    s = side / max(a.shape[:2])
    size = (max(16, round(a.shape[1] * s)), max(16, round(a.shape[0] * s)))
    ga = grey(cv2.resize(a, size, interpolation=cv2.INTER_AREA))
    gb = grey(cv2.resize(b, size, interpolation=cv2.INTER_AREA))
    if float(cv2.absdiff(ga, gb).mean()) < 3.0:
        return ShotStats(0, 1.0, 1.0)  # all but identical
    gx, gy = grid(*ga.shape)
    f01, f10 = dis_flow(ga, gb), dis_flow(gb, ga)
    back = remap(f10, gx + f01[..., 0], gy + f01[..., 1])
    consistent = float(np.mean(np.hypot(*(f01 + back).transpose(2, 0, 1)) < 2.0))
    inliers = 0
    orb = cv2.ORB_create(1500)
    ka, da = orb.detectAndCompute(ga, None)
    kb, db = orb.detectAndCompute(gb, None)
    if da is not None and db is not None and len(ka) >= 8 and len(kb) >= 8:
        matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(da, db)
        if len(matches) >= 8:
            pa = np.float32([ka[m.queryIdx].pt for m in matches])
            pb = np.float32([kb[m.trainIdx].pt for m in matches])
            _, mask = cv2.findFundamentalMat(pa, pb, cv2.FM_RANSAC, 2.0, 0.99)
            inliers = 0 if mask is None else int(mask.sum())
    same = float(max(np.clip((inliers - 30) / 40, 0, 1), np.clip((consistent - 0.05) / 0.1, 0, 1)))
    return ShotStats(inliers, consistent, same if same >= 0.05 else 0.0)
