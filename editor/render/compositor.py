"""Project frame n -> RGB uint8 array. Video tracks stack bottom (first) to top; gaps are black.

Media with transparency (PNG/WebP/GIF with alpha, ProRes 4444 ...) comes from its reader as premultiplied RGBA and is
laid over the tracks below it; opaque media stays RGB and takes the plain copy/blend path.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from editor.render.fit import fit_rect  # noqa: F401  (compositor.fit_rect: the callers' name)
from editor.render.sources import MediaPool
from editor.render.text_layers import TextLayers
from editor.render.text_layers import prepare as prepare_text
from editor.render.transform import layer as motion_layer, moves, place
from editor.render.transitions import blend, transition_span  # noqa: F401  (compositor.transition_span)
from editor.timeline.model import Clip, Project, Track


class Compositor:
    def __init__(self, project: Project, size: tuple[int, int] | None = None, pool: MediaPool | None = None,
                 captions: bool = True):
        """captions=False: cues on captions tracks are not burnt in (they go out as a subtitle stream)."""
        self.project = project
        self.size = size or (project.settings.width, project.settings.height)
        self.pool = pool or MediaPool(project.settings.sample_rate, project.settings.channels)
        self.captions = captions
        self.text = TextLayers(self.size)
        prepare_text(project)

    # one clip's picture at project frame n, fitted, with its alpha (opacity x fades)
    def _layer(self, clip: Clip, n: int, lane: str = ""):
        if clip.title is not None:
            return self._title_layer(clip, n)
        asset = self.project.assets[clip.asset_id]
        reader = self.pool.visual(asset, lane)
        W, H = self.size
        if reader is None:  # offline media: a dark red card so the user sees what is missing
            img = np.zeros((H, W, 3), np.uint8)
            img[:] = (90, 0, 0)
            return img, (0, 0, W, H), clip.opacity
        if moves(clip):  # transform, colour, stabilise, slow-motion in-betweens: editor/render/transform.py
            return motion_layer(self, clip, n, reader, asset)
        x, y, w, h = fit_rect(reader.width, reader.height, W, H)
        src = self.project.source_frame(clip, n)
        if asset.frames is not None:
            src = min(max(src, 0), asset.frames - 1)
        if getattr(reader, "has_alpha", False):
            img = reader.frame_rgba(src, size=(w, h))  # premultiplied: 4 channels mark a see-through layer
        else:
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
                la = self._layer(a, n, track.id + "/a") or _NOTHING
                lb = self._layer(b, n, track.id + "/b") or _NOTHING
                W, H = self.size
                depth = 4 if la[0].shape[2] == 4 or lb[0].shape[2] == 4 else 3  # see-through: mix with alpha
                ca = self._place(np.zeros((H, W, depth), np.uint8), *la)
                cb = self._place(np.zeros((H, W, depth), np.uint8), *lb)
                return blend(x.kind, ca, cb, p), (0, 0, W, H), 1.0  # the library's kinds (render/transitions.py)
        return self._layer(clip, n, track.id)  # None: a title with nothing in the frame yet

    def _title_layer(self, clip: Clip, n: int):
        drawn = self.text.title(clip, n)
        if drawn is None:
            return None
        img, rect, alpha, background = drawn
        return _TextLayer((img, rect, alpha), blur=background == "blur")

    @staticmethod
    def _place(canvas: np.ndarray, img: np.ndarray, rect, alpha: float) -> np.ndarray:
        x, y, w, h = rect
        region = canvas[y:y + h, x:x + w]
        if getattr(img, "blend", "normal") != "normal":  # a moved clip with a blend mode
            place(region, img, alpha)
        elif img.shape[2] == 4 or canvas.shape[2] == 4:
            _over(region, img, alpha)
        elif alpha >= 0.999:
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
                if _covers(layer, W, H):
                    break
        layers.reverse()
        cues = self._cues(n) if self.captions else []
        if len(layers) == 1 and _covers(layers[0], W, H) and not cues:
            return layers[0][0]
        canvas = np.zeros((H, W, 3), np.uint8)
        for layer in layers:
            if getattr(layer, "blur", False):
                blur_under(canvas, layer[2])
            self._place(canvas, *layer)
        for img, rect in cues:
            self._place(canvas, img, rect, 1.0)
        return canvas

    def _cues(self, n: int) -> list:
        """The caption cues shown at n (every unmuted captions track), drawn."""
        out = []
        for t in self.project.captions_tracks():
            cue = None if t.mute else t.clip_at(n)
            if cue is not None and cue.text:
                drawn = self.text.caption(cue.text, t.caption_style)
                if drawn is not None:
                    out.append(drawn)
        return out

    @property
    def frame_count(self) -> int:
        return self.project.duration


_NOTHING = (np.zeros((1, 1, 4), np.uint8), (0, 0, 1, 1), 0.0)  # a title not yet in the frame, in a transition


class _TextLayer(tuple):
    """A title's layer; `blur`: a full-screen card over the blurred picture below it."""

    def __new__(cls, layer, blur: bool = False):
        obj = super().__new__(cls, layer)
        obj.blur = blur
        return obj


def blur_under(canvas: np.ndarray, alpha: float) -> None:
    """Blur the picture under a blur card in place (mixed in by the card's opacity), cheaply: at a quarter size."""
    H, W = canvas.shape[:2]
    small = cv2.resize(canvas, (max(1, W // 4), max(1, H // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(1.0, W / 160))
    soft = cv2.resize(small, (W, H), interpolation=cv2.INTER_LINEAR)
    cv2.addWeighted(soft, alpha, canvas, 1 - alpha, 0.0, dst=canvas)


def _covers(layer, W: int, H: int) -> bool:
    """An opaque layer over the whole frame: nothing below it shows."""
    img, rect, alpha = layer
    return alpha >= 0.999 and rect == (0, 0, W, H) and img.shape[2] == 3


def _over(region: np.ndarray, img: np.ndarray, alpha: float) -> None:
    """Porter-Duff "over" in place: region = img * alpha + region * (1 - img's alpha * alpha).

    img is premultiplied RGBA (or opaque RGB); region is RGB (the canvas) or premultiplied RGBA (a transition's).
    Only the box where img is not fully transparent is touched (a lower third is a small part of the frame).
    """
    if alpha <= 0.001:
        return
    if img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2RGBA)  # alpha 255
    a = cv2.extractChannel(img, 3)
    x, y, w, h = cv2.boundingRect(a)
    if w == 0 or h == 0:
        return
    img, a, region = img[y:y + h, x:x + w], a[y:y + h, x:x + w], region[y:y + h, x:x + w]
    if alpha < 0.999:
        img = cv2.convertScaleAbs(img, alpha=alpha)  # scale all four channels (premultiplied), rounded
        a = cv2.extractChannel(img, 3)
    if region.shape[2] == 3:
        src, keep = cv2.cvtColor(img, cv2.COLOR_RGBA2RGB), cv2.cvtColor(255 - a, cv2.COLOR_GRAY2RGB)
    else:
        src, keep = img, cv2.cvtColor(255 - a, cv2.COLOR_GRAY2RGBA)
    if a.min() == 255:
        region[...] = src
        return
    cv2.add(src, cv2.multiply(region, keep, scale=1 / 255), dst=region)


def scaled_size(w: int, h: int, scale: float) -> tuple[int, int]:
    return max(2, int(math.ceil(w * scale / 2) * 2)), max(2, int(math.ceil(h * scale / 2) * 2))
