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
winning candidate is then warped again with bicubic sampling, whose detail replaces the bilinear blur of the choice
in proportion to the winner's share of the weight (full detail where it is sure, the hedge where it is not:
Middlebury +1.2 dB, DAVIS and H.264 video unchanged; full detail everywhere cost DAVIS 0.12 and x264 DAVIS 0.15 dB).

When A and B are different shots no motion explains the change; the result then becomes a plain dissolve, smoothly
(the "same shot" score, 0..1, decides the mix and lets an "auto" backend choose a generative model instead).
Pictures larger than 1024 px are worked at 960 px (half of 1080p) and their detail is restored from a
full-resolution warp with the winning field.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed

import cv2
import numpy as np

from ai.transition.motion import (
    ShotStats,
    dis_flow,
    dominant_homography,
    exposure_lut,
    grey,
    grid,
    homography_field,
    leaves_frame,
    matches,
    motion_modes,
    occlusion,
    remap,
    shot_stats,
)

VERSION = "flow-7"  # bump when the output changes (invalidates cached fills)
OFFSETS = (6,)  # candidate shifts in working-resolution pixels (the homography field is smooth: not shifted)
# cost windows and their weights: a fine window keeps edges, wide ones stop a wrong motion that happens to match
# a few pixels (textureless or repeated areas) from winning (DAVIS d=1 +0.10 dB, d=3 +0.16 dB over a single 7x7)
WINDOWS = ((5, 0.4), (15, 0.3), (41, 0.3))
ALPHA, BETA = 1.0, 1.0  # softness: tau = ALPHA * best_cost + BETA (grey levels)
# Occlusion: forward and backward flow also disagree where they are merely wrong (fast, blurred, non-rigid motion;
# noise), and there a blend of both sides hedges better than either side alone. So the occlusion maps are believed
# at most BELIEF (a blend of at most ~3:1 instead of one side only: real 01_dog +0.53 -> +0.69 dB, bedroom +0.34 ->
# +0.43, phone-like +0.40 -> +0.59), and only where the two samples differ (GATE_FROM..+GATE_SPAN grey levels over
# 5x5: where they agree there is nothing to choose, and the plain blend averages their noise). Where the flow takes
# a pixel out of the picture it is hidden for certain (DAVIS-dev +0.67 -> +0.78).
BELIEF = 0.7
GATE_FROM, GATE_SPAN = 4.0, 12.0
# pictures up to NATIVE_SIDE are worked at their size; larger ones get their flow at WORK_SIDE (half of 1080p) and
# choose among the motions at EVAL_SIDE (the choice costs per pixel and per frame; 480 px: 01_dog +0.54 dB, 640: +0.66,
# 960: +0.71 over simple DIS; a 1080p frame then costs ~0.16, 0.22 and 0.5 s of one core)
NATIVE_SIDE, WORK_SIDE, EVAL_SIDE = 1024, 960, 640

__all__ = ["VERSION", "FlowInterpolator", "ShotStats"]


def _with_hidden(img: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """RGB plus a 4th channel: 0..255, how sure it is that the pixel is hidden in the other frame."""
    return cv2.merge([*cv2.split(img), np.clip(hidden * 255 + 0.5, 0, 255).astype(np.uint8)])


def _visible_blend(pa: np.ndarray, pb: np.ndarray, t: float, gate: np.ndarray) -> np.ndarray:
    """Blend the two warps (RGB + hidden), each side weighted by whether its sample is visible in the other frame:
    where A's sample is hidden in B (being covered), B's sample shows the cover, so it takes A; and the other way
    round. `gate` (0..1) says how far to believe the hidden maps: where the two samples agree there is nothing to
    choose between them, and the plain blend averages the noise and the compression of both. float32, 4 channels
    (the 4th is meaningless)."""
    eps = 0.255  # where both are hidden (should not happen), a plain blend
    wa = cv2.subtract(255.0 + eps, cv2.multiply(cv2.extractChannel(pb, 3), gate, dtype=cv2.CV_32F)) * (1.0 - t)
    wb = cv2.subtract(255.0 + eps, cv2.multiply(cv2.extractChannel(pa, 3), gate, dtype=cv2.CV_32F)) * t
    return cv2.blendLinear(pa.astype(np.float32), pb.astype(np.float32), wa, wb)


def _gate(near_cost: np.ndarray) -> np.ndarray:
    """How far to believe the occlusion maps, from how much the two samples differ nearby (grey levels, 5x5 mean)."""
    return cv2.min(cv2.max(cv2.subtract(near_cost, GATE_FROM) * np.float32(1.0 / GATE_SPAN), 0.0), 1.0)


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
        self.lut = exposure_lut(self.wa, self.wb, f01, self.occ_a, gx, gy)
        # a pixel that the flow takes out of the other frame is hidden there for certain
        self.occ_a = cv2.max(self.occ_a * np.float32(BELIEF), leaves_frame(f01, gx, gy))
        self.occ_b = cv2.max(self.occ_b * np.float32(BELIEF), leaves_frame(f10, gx, gy))
        fields = [f01, -f10]
        H = dominant_homography(pa, pb)
        known = [np.zeros(2, np.float32)]
        if H is not None:
            hf = homography_field(H, gx, gy)
            fields.append(hf)
            known.append(hf[fh // 2, fw // 2])
        modes = [np.broadcast_to(v, (fh, fw, 2)).copy() for v in motion_modes(pa, pb, known)]
        if self.scale < 1.0 and EVAL_SIDE < work_side:  # choose among the motions at a smaller size (speed)
            k = EVAL_SIDE / work_side
            self.scale *= k
            size = (max(16, round(self.w * self.scale)), max(16, round(self.h * self.scale)))
            fields, modes = ([cv2.resize(f, size, interpolation=cv2.INTER_LINEAR) * np.float32(k) for f in group]
                             for group in (fields, modes))
            self.wa = cv2.resize(self.a, size, interpolation=cv2.INTER_AREA)
            self.wb = cv2.resize(self.b, size, interpolation=cv2.INTER_AREA)
            self.occ_a, self.occ_b = (cv2.resize(o, size, interpolation=cv2.INTER_LINEAR)
                                      for o in (self.occ_a, self.occ_b))
            self.grid = gx, gy = grid(size[1], size[0])
        candidates = []
        for m in fields[:2]:
            candidates.append(m)
            for o in OFFSETS:
                for dx, dy in ((o, 0), (-o, 0), (0, o), (0, -o)):
                    candidates.append(remap(m, gx + dx, gy + dy, cv2.INTER_NEAREST))
        candidates += fields[2:] + modes
        self.planes = [(np.ascontiguousarray(m[..., 0]), np.ascontiguousarray(m[..., 1])) for m in candidates]
        self.stack_x = np.stack([p[0].ravel() for p in self.planes])
        self.stack_y = np.stack([p[1].ravel() for p in self.planes])
        # colour plus, in the 4th channel, whether each pixel is hidden in the other frame: one sample gives both
        self.wa4, self.wb4 = _with_hidden(self.wa, self.occ_a), _with_hidden(self.wb, self.occ_b)
        self._full = None

    def _blend(self, t: float):
        """Soft choice among candidates at working resolution: (picture float32 RGBx, index of the best one, the best
        one's share of the weight)."""
        gx, gy = self.grid
        costs, outs = [], []
        best = idx = None
        for i, (mx, my) in enumerate(self.planes):
            ma, mb = _maps(mx, my, gx, gy, -t), _maps(mx, my, gx, gy, 1 - t)
            pa, pb = _sample(self.wa4, ma), _sample(self.wb4, mb)
            # luma-weighted colour difference, A taken to B's exposure
            d = cv2.cvtColor(cv2.absdiff(cv2.LUT(pa, self.lut), pb), cv2.COLOR_RGBA2GRAY)
            c = gate = None
            for size, weight in WINDOWS:
                box = cv2.boxFilter(d, cv2.CV_32F, (size, size))
                if gate is None:
                    gate = _gate(box)
                c = box * weight if c is None else cv2.scaleAdd(box, weight, c)
            if best is None:
                best, idx, bgate = c.copy(), np.zeros(c.shape, np.uint8), gate.copy()
            else:
                better = c < best
                np.copyto(idx, np.uint8(i), where=better)
                np.copyto(bgate, gate, where=better)
                np.copyto(best, c, where=better)
            costs.append(c)
            outs.append(_visible_blend(pa, pb, t, gate))
        tau = cv2.addWeighted(best, ALPHA, best, 0.0, BETA)
        acc = total = None
        for c, out in zip(costs, outs):
            w = np.exp(cv2.divide(cv2.subtract(best, c), tau))
            contrib = out * w[..., None]
            if acc is None:
                acc, total = contrib, w
            else:
                acc += contrib
                total += w
        acc /= total[..., None]
        return acc, (idx, bgate), cv2.divide(1.0, total)

    def _field(self, idx: np.ndarray):
        flat = idx.ravel()
        pix = np.arange(flat.size)
        return self.stack_x[flat, pix].reshape(idx.shape), self.stack_y[flat, pix].reshape(idx.shape)

    def _warp(self, fx, fy, t, a4, b4, g, gate, interp=cv2.INTER_LINEAR):
        """Occlusion-aware blend of A and B (RGB + hidden) warped along the field (fx, fy) to time t."""
        ma, mb = _maps(fx, fy, *g, -t), _maps(fx, fy, *g, 1 - t)
        return _visible_blend(_sample(a4, ma, interp), _sample(b4, mb, interp), t, gate)

    def frame(self, t: float) -> np.ndarray:
        """The picture at time t in [0, 1] between A (0) and B (1), RGB uint8 at the input size."""
        if t <= 0:
            return self.a.copy()
        if t >= 1:
            return self.b.copy()
        same = self.stats.same_shot
        if same <= 0.0:
            return cv2.addWeighted(self.a, 1 - t, self.b, t, 0.0)
        low, (idx, gate), own = self._blend(t)
        fx, fy = self._field(idx)
        if self.scale < 1.0:
            out = self._restore_detail(low, fx, fy, t, gate)
        else:  # bicubic detail of the winning motion in place of bilinear blur, as far as the winner owns the pixel
            sharp = self._warp(fx, fy, t, self.wa4, self.wb4, self.grid, gate, cv2.INTER_CUBIC)
            soft = self._warp(fx, fy, t, self.wa4, self.wb4, self.grid, gate)
            out = cv2.cvtColor(low + (sharp - soft) * own[..., None], cv2.COLOR_RGBA2RGB)
        if same < 1.0:
            fade = cv2.addWeighted(self.a, 1 - t, self.b, t, 0.0, dtype=cv2.CV_32F)
            out = cv2.addWeighted(out, same, fade, 1 - same, 0.0, dtype=cv2.CV_32F)
        if out.dtype == np.uint8:
            return out
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def _restore_detail(self, low: np.ndarray, fx, fy, t: float, gate: np.ndarray) -> np.ndarray:
        """Full resolution: warp A and B with the best field, then put the soft blend's low frequencies in place
        of the warp's own (out = sharp - up(down(sharp) - low)). uint8 RGB. The field and the visibility weights
        are upsampled once; the pictures are sampled once each at full size."""
        size = (self.w, self.h)
        if self._full is None:
            self._full = cv2.merge(grid(self.h, self.w))
        k = 1.0 / self.scale
        gx, gy = self.grid
        hidden_a = _sample(self.occ_a, _maps(fx, fy, gx, gy, -t)) * gate  # is A's sample hidden in B, and B's in A
        hidden_b = _sample(self.occ_b, _maps(fx, fy, gx, gy, 1 - t)) * gate
        wa = cv2.subtract(1.001, hidden_b) * np.float32(1 - t)
        wb = cv2.subtract(1.001, hidden_a) * np.float32(t)
        share_b = cv2.resize(cv2.divide(wb, wa + wb), size, interpolation=cv2.INTER_LINEAR)
        disp = cv2.resize(cv2.merge([fx, fy]), size, interpolation=cv2.INTER_LINEAR)
        ma = cv2.convertMaps(cv2.scaleAdd(disp, -t * k, self._full), None, cv2.CV_16SC2)
        mb = cv2.convertMaps(cv2.scaleAdd(disp, (1 - t) * k, self._full), None, cv2.CV_16SC2)
        sharp = cv2.blendLinear(_sample(self.a, ma), _sample(self.b, mb), cv2.subtract(1.0, share_b), share_b)
        small = (low.shape[1], low.shape[0])
        excess = cv2.subtract(cv2.resize(sharp, small, interpolation=cv2.INTER_AREA),
                              cv2.cvtColor(low, cv2.COLOR_RGBA2RGB), dtype=cv2.CV_32F)
        return cv2.subtract(sharp, cv2.resize(excess, size, interpolation=cv2.INTER_LINEAR), dtype=cv2.CV_8U)

    def frames(self, ts, progress=None, cancelled=None, workers: int = 2):
        """Frames for several times, computed on `workers` threads (OpenCV releases the GIL)."""
        inner = cv2.getNumThreads()
        if workers > 1:  # the frames keep the cores busy: OpenCV's own threads inside each would only contend
            cv2.setNumThreads(1)  # (29 frames at 1080p under load: 4.3 s instead of 5.1 s)
        try:
            return self._frames(list(ts), progress, cancelled, workers)
        finally:
            cv2.setNumThreads(inner)

    def _frames(self, ts, progress, cancelled, workers):
        out = [None] * len(ts)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(self.frame, t): i for i, t in enumerate(ts)}
            for done, fut in enumerate(as_completed(futures), 1):
                if cancelled is not None and cancelled():
                    for f in futures:
                        f.cancel()
                    from ai.errors import JobCancelled

                    raise JobCancelled("the fill was cancelled")
                out[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done / len(ts))
        return out
