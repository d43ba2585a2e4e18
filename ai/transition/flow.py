"""Built-in fill: optical-flow interpolation on the CPU, no weights.

Once per pair: DIS optical flow in both directions (solved at full working resolution, so it is sub-pixel accurate
on sharp stills) and, when the picture has a dominant camera motion, a homography fitted to ORB feature matches (it
carries large pans that DIS loses). From them comes a set of candidate motion fields (each also shifted by a few
pixels, so motion next to an object's edge can come from the right side of it).

Per in-between time t: each candidate field m says that the pixel x at time t came from x - t*m in A and goes to
x + (1-t)*m in B. The bilateral cost |A(x - t m) - B(x + (1-t) m)|, averaged over a small window, says how well the
candidate explains the pair (measured over 5, 15 and 41 px windows). The frame is a soft, per-pixel choice among
candidates: sharp where one candidate is clearly right, a hedged blend where the motion is ambiguous (fast, blurred or
non-linear motion), which is where simple flow produces tearing. Where the forward and backward flows disagree, a
pixel is being covered or uncovered: each candidate then takes it from the one frame where it is visible. The
winning candidate is then warped again with bicubic sampling, whose detail replaces the bilinear blur of the choice.

When A and B are different shots no motion explains the change; the result then becomes a plain dissolve, smoothly
(the "same shot" score, 0..1, decides the mix and lets an "auto" backend choose a generative model instead).
Pictures larger than 1024 px are worked at 960 px (half of 1080p) and their detail is restored from a
full-resolution warp with the winning field.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

import cv2
import numpy as np

from ai.transition.motion import (ShotStats, dis_flow, dominant_homography, grey, grid, homography_field, matches,
                                  motion_modes, occlusion, remap, shot_stats)

VERSION = "flow-6"  # bump when the output changes (invalidates cached fills)
OFFSETS = (6,)  # candidate shifts in working-resolution pixels
# cost windows and their weights: a fine window keeps edges, wide ones stop a wrong motion that happens to match
# a few pixels (textureless or repeated areas) from winning (DAVIS d=1 +0.10 dB, d=3 +0.16 dB over a single 7x7)
WINDOWS = ((5, 0.4), (15, 0.3), (41, 0.3))
ALPHA, BETA = 1.0, 1.0  # softness: tau = ALPHA * best_cost + BETA (grey levels)
NATIVE_SIDE, WORK_SIDE = 1024, 960  # pictures up to NATIVE_SIDE are worked at their size, larger ones at WORK_SIDE

__all__ = ["FlowInterpolator", "ShotStats", "VERSION"]


def _diff(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Per-pixel colour difference (luma-weighted sum of channel differences)."""
    return cv2.cvtColor(cv2.absdiff(pa, pb), cv2.COLOR_RGB2GRAY)


def _visible_blend(pa: np.ndarray, pb: np.ndarray, occ_a: np.ndarray, occ_b: np.ndarray, t: float) -> np.ndarray:
    """Blend the two warps, each side weighted by whether its sample is visible in the other frame: where A's
    sample is hidden in B (being covered), B's sample shows the cover, so it takes A; and the other way round."""
    eps = 1e-3  # where both are hidden (should not happen), a plain blend
    wa = cv2.subtract(1.0 + eps, occ_b) * (1.0 - t)
    wb = cv2.subtract(1.0 + eps, occ_a) * t
    return cv2.blendLinear(pa, pb, wa, wb)


def _maps(fx, fy, gx, gy, k: float):
    """Fixed-point sampling maps for x + k * field (one conversion serves every picture sampled there)."""
    return cv2.convertMaps(cv2.scaleAdd(fx, k, gx), cv2.scaleAdd(fy, k, gy), cv2.CV_16SC2)


def _sample(img, maps, interp=cv2.INTER_LINEAR):
    return cv2.remap(img, maps[0], maps[1], interp, borderMode=cv2.BORDER_REPLICATE)


class FlowInterpolator:
    """In-between frames of two RGB uint8 pictures of the same size: flows once, then frame(t) for any t."""

    def __init__(self, a: np.ndarray, b: np.ndarray, work_side: int | None = None):
        if a.shape != b.shape:
            raise ValueError("both frames must have the same size")
        self.a, self.b = np.ascontiguousarray(a), np.ascontiguousarray(b)
        self.h, self.w = a.shape[:2]
        if work_side is None:
            work_side = max(self.h, self.w) if max(self.h, self.w) <= NATIVE_SIDE else WORK_SIDE
        self.scale = min(1.0, work_side / max(self.h, self.w))
        if self.scale < 1.0:
            size = (max(16, round(self.w * self.scale)), max(16, round(self.h * self.scale)))
            self.wa = cv2.resize(self.a, size, interpolation=cv2.INTER_AREA)
            self.wb = cv2.resize(self.b, size, interpolation=cv2.INTER_AREA)
        else:
            self.wa, self.wb = self.a, self.b
        ga, gb = grey(self.wa), grey(self.wb)
        fh, fw = ga.shape
        self.grid = grid(fh, fw)
        gx, gy = self.grid
        with ThreadPoolExecutor(max_workers=2) as pool:  # OpenCV releases the GIL: the two flows run side by side
            jobs = [pool.submit(dis_flow, ga, gb, 0), pool.submit(dis_flow, gb, ga, 0),
                    pool.submit(shot_stats, self.a, self.b), pool.submit(matches, ga, gb)]
            f01, f10, self.stats, (pa, pb) = (j.result() for j in jobs)
        self.occ_a, self.occ_b = occlusion(f01, f10, gx, gy), occlusion(f10, f01, gx, gy)
        fields = [f01, -f10]
        H = dominant_homography(pa, pb)
        known = [np.zeros(2, np.float32)]
        if H is not None:
            hf = homography_field(H, gx, gy)
            fields.append(hf)
            known.append(hf[fh // 2, fw // 2])
        modes = [np.broadcast_to(v, (fh, fw, 2)).copy() for v in motion_modes(pa, pb, known)]
        candidates = []
        for m in fields:
            candidates.append(m)
            for o in OFFSETS:
                for dx, dy in ((o, 0), (-o, 0), (0, o), (0, -o)):
                    candidates.append(remap(m, gx + dx, gy + dy, cv2.INTER_NEAREST))
        candidates += modes  # constant fields: shifting them changes nothing
        self.planes = [(np.ascontiguousarray(m[..., 0]), np.ascontiguousarray(m[..., 1])) for m in candidates]
        self._full = None

    def _evaluate(self, t: float):
        gx, gy = self.grid
        costs, outs = [], []
        for mx, my in self.planes:
            ma, mb = _maps(mx, my, gx, gy, -t), _maps(mx, my, gx, gy, 1 - t)
            pa, pb = _sample(self.wa, ma), _sample(self.wb, mb)
            d = _diff(pa, pb)
            c = None
            for size, weight in WINDOWS:
                box = cv2.boxFilter(d, cv2.CV_32F, (size, size))
                c = box * weight if c is None else cv2.scaleAdd(box, weight, c)
            costs.append(c)
            outs.append(_visible_blend(pa.astype(np.float32), pb.astype(np.float32), _sample(self.occ_a, ma),
                                       _sample(self.occ_b, mb), t))
        return np.stack(costs), outs

    def _blend(self, t: float):
        """Soft choice among candidates at working resolution: (picture float32, index of the best candidate)."""
        costs, outs = self._evaluate(t)
        best = costs.min(axis=0)
        costs -= best
        costs /= ALPHA * best + BETA
        np.negative(costs, out=costs)
        weights = np.exp(costs, out=costs)
        acc = np.zeros_like(outs[0])
        for wgt, out in zip(weights, outs):
            acc += out * wgt[..., None]
        acc /= weights.sum(axis=0)[..., None]
        return acc, weights.argmax(axis=0)

    def _best_field(self, idx: np.ndarray):
        fx = np.choose(idx, [p[0] for p in self.planes]).astype(np.float32)
        fy = np.choose(idx, [p[1] for p in self.planes]).astype(np.float32)
        return fx, fy

    def _warp(self, fx, fy, t, a, b, occ, g, interp):
        """Occlusion-aware blend of A and B warped along the field (fx, fy) to time t."""
        ma, mb = _maps(fx, fy, *g, -t), _maps(fx, fy, *g, 1 - t)
        return _visible_blend(_sample(a, ma, interp).astype(np.float32), _sample(b, mb, interp).astype(np.float32),
                              _sample(occ[0], ma), _sample(occ[1], mb), t)

    def frame(self, t: float) -> np.ndarray:
        """The picture at time t in [0, 1] between A (0) and B (1), RGB uint8 at the input size."""
        if t <= 0:
            return self.a.copy()
        if t >= 1:
            return self.b.copy()
        same = self.stats.same_shot
        if same <= 0.0:
            return cv2.addWeighted(self.a, 1 - t, self.b, t, 0.0)
        low, idx = self._blend(t)
        fx, fy = self._best_field(idx)
        if self.scale < 1.0:
            out = self._restore_detail(low, fx, fy, t)
        else:  # bicubic detail of the winning motion in place of bilinear blur
            occ = (self.occ_a, self.occ_b)
            sharp = self._warp(fx, fy, t, self.wa, self.wb, occ, self.grid, cv2.INTER_CUBIC)
            soft = self._warp(fx, fy, t, self.wa, self.wb, occ, self.grid, cv2.INTER_LINEAR)
            out = low + (sharp - soft)
        if same < 1.0:
            fade = cv2.addWeighted(self.a, 1 - t, self.b, t, 0.0, dtype=cv2.CV_32F)
            out = cv2.addWeighted(out, same, fade, 1 - same, 0.0)
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def _restore_detail(self, low: np.ndarray, fx, fy, t: float) -> np.ndarray:
        """Full resolution: warp A and B with the best field, then take the low frequencies from the soft blend."""
        if self._full is None:
            occ = tuple(cv2.resize(o, (self.w, self.h), interpolation=cv2.INTER_LINEAR)
                        for o in (self.occ_a, self.occ_b))
            self._full = (grid(self.h, self.w), occ)
        g, occ = self._full
        k = 1.0 / self.scale
        size = (self.w, self.h)
        ux = cv2.resize(fx, size, interpolation=cv2.INTER_LINEAR) * np.float32(k)
        uy = cv2.resize(fy, size, interpolation=cv2.INTER_LINEAR) * np.float32(k)
        sharp = self._warp(ux, uy, t, self.a, self.b, occ, g, cv2.INTER_LINEAR)
        small = (low.shape[1], low.shape[0])
        blur = cv2.resize(cv2.resize(sharp, small, interpolation=cv2.INTER_AREA), size, interpolation=cv2.INTER_LINEAR)
        up = cv2.resize(low, size, interpolation=cv2.INTER_LINEAR)
        return cv2.add(cv2.subtract(sharp, blur), up)

    def frames(self, ts, progress=None, cancelled=None, workers: int = 2):
        """Frames for several times, computed on `workers` threads (OpenCV releases the GIL)."""
        ts = list(ts)
        out = [None] * len(ts)
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(self.frame, t): i for i, t in enumerate(ts)}
            for fut in as_completed(futures):
                if cancelled is not None and cancelled():
                    for f in futures:
                        f.cancel()
                    from ai.errors import JobCancelled

                    raise JobCancelled("the fill was cancelled")
                out[futures[fut]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done / len(ts))
        return out
