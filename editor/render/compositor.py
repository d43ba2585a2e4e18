"""Project frame n -> RGB uint8 array. Video tracks stack bottom (first) to top; gaps are black."""
from __future__ import annotations

import math

import cv2
import numpy as np

from editor.render.sources import MediaPool
from editor.timeline.model import Clip, Project, Track, Transition


def fit_rect(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int, int, int]:
    """Letterbox: (x, y, w, h) of a src_w x src_h picture fitted inside dst, centred, aspect kept."""
    s = min(dst_w / src_w, dst_h / src_h)
    w = max(1, min(dst_w, int(round(src_w * s))))
    h = max(1, min(dst_h, int(round(src_h * s))))
    return (dst_w - w) // 2, (dst_h - h) // 2, w, h


def transition_span(t_a: Clip, x: Transition) -> tuple[int, int]:
    """[start, end) of a transition on the cut at the end of clip a (x.frames_before of it before the cut)."""
    start = t_a.end - x.frames_before
    return start, start + x.duration


class Compositor:
    def __init__(self, project: Project, size: tuple[int, int] | None = None, pool: MediaPool | None = None):
        self.project = project
        self.size = size or (project.settings.width, project.settings.height)
        self.pool = pool or MediaPool(project.settings.sample_rate, project.settings.channels)

    # one clip's picture at project frame n, fitted, with its alpha (opacity x fades)
    def _layer(self, clip: Clip, n: int, lane: str = ""):
        asset = self.project.assets[clip.asset_id]
        reader = self.pool.visual(asset, lane)
        W, H = self.size
        if reader is None:  # offline media: a dark red card so the user sees what is missing
            img = np.zeros((H, W, 3), np.uint8)
            img[:] = (90, 0, 0)
            return img, (0, 0, W, H), clip.opacity
        x, y, w, h = fit_rect(reader.width, reader.height, W, H)
        src = self.project.source_frame(clip, n)
        if asset.frames is not None:
            src = min(max(src, 0), asset.frames - 1)
        img = reader.frame(src, size=(w, h))
        a = clip.opacity
        k = n - clip.start
        if clip.fade_in and k < clip.fade_in:
            a *= (k + 1) / (clip.fade_in + 1)
        if clip.fade_out and clip.end - 1 - n < clip.fade_out:
            a *= (clip.end - n) / (clip.fade_out + 1)
        return img, (x, y, w, h), a

    def _track_layer(self, track: Track, n: int):
        """(img, rect, alpha) for what a track shows at n, transitions included; None for a gap. O(log n): the clip
        at n from the track's index, then only its own two transitions."""
        clip = track.clip_at(n)
        if clip is None:
            return None
        for x in track.transitions_of(clip.id):
            if x is None:
                continue
            a, b = track.clip(x.a), track.clip(x.b)
            if a is None or b is None:
                continue
            t0, t1 = transition_span(a, x)
            if t0 <= n < t1:
                p = (n - t0 + 0.5) / x.duration
                la, lb = self._layer(a, n, track.id + "/a"), self._layer(b, n, track.id + "/b")
                W, H = self.size
                ca = self._place(np.zeros((H, W, 3), np.uint8), *la)
                cb = self._place(np.zeros((H, W, 3), np.uint8), *lb)
                if x.kind == "wipe":
                    edge = int(round(p * W))
                    ca[:, :edge] = cb[:, :edge]
                    out = ca
                else:
                    out = cv2.addWeighted(ca, 1.0 - p, cb, p, 0.0)
                return out, (0, 0, W, H), 1.0
        return self._layer(clip, n, track.id)

    @staticmethod
    def _place(canvas: np.ndarray, img: np.ndarray, rect, alpha: float) -> np.ndarray:
        x, y, w, h = rect
        region = canvas[y:y + h, x:x + w]
        if alpha >= 0.999:
            region[...] = img
        elif alpha > 0.001:
            cv2.addWeighted(region, 1.0 - alpha, img, alpha, 0.0, dst=region)
        return canvas

    def frame(self, n: int) -> np.ndarray:
        W, H = self.size
        layers = []  # top-down; nothing under an opaque full-frame layer is decoded at all
        for track in reversed(self.project.video_tracks()):
            if track.mute:
                continue
            layer = self._track_layer(track, n)
            if layer is not None:
                layers.append(layer)
                if layer[2] >= 0.999 and layer[1] == (0, 0, W, H):
                    break
        layers.reverse()
        if len(layers) == 1 and layers[0][2] >= 0.999 and layers[0][1] == (0, 0, W, H):
            return layers[0][0]
        canvas = np.zeros((H, W, 3), np.uint8)
        for img, rect, a in layers:
            self._place(canvas, img, rect, a)
        return canvas

    @property
    def frame_count(self) -> int:
        return self.project.duration


def scaled_size(w: int, h: int, scale: float) -> tuple[int, int]:
    return max(2, int(math.ceil(w * scale / 2) * 2)), max(2, int(math.ceil(h * scale / 2) * 2))
