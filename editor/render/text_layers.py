"""Title clips and caption cues as compositor layers: animation, placement, line breaks and a cache of drawn text.

Drawing goes through editor/render/titles.py (Qt's text engine), imported on the first frame that has words on it.
A layer is (premultiplied RGBA, (x, y, w, h) inside the frame, opacity), the same shape as a media layer.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np

from editor.timeline.cues import wrap
from editor.timeline.model import CaptionStyle, Clip, Project, Title

DEFAULT_CAPTIONS = CaptionStyle()
SLIDE = 0.06  # a slide moves the text by this much of the frame height


def has_words(project: Project) -> bool:
    """Whether anything in the project is drawn by the text engine."""
    return any(t.clips for t in project.captions_tracks()) or any(
        c.title is not None for t in project.video_tracks() for c in t.clips)


def prepare(project: Project) -> None:
    """Start the text engine on this (the main) thread when the project has words (renders off the main thread
    need it started first)."""
    if has_words(project):
        from editor.render.titles import ensure_engine

        ensure_engine()


def ease_out(p: float) -> float:
    return 1 - (1 - p) ** 3


def ease_out_back(p: float) -> float:
    c = 1.70158
    return 1 + (c + 1) * (p - 1) ** 3 + c * (p - 1) ** 2


_CACHE: OrderedDict = OrderedDict()  # shared by every compositor (the preview makes one per frame)
_CACHE_ITEMS = 64
_LOCK = threading.Lock()


class TextLayers:
    """Drawn words for one output size, cached across compositors (a still title is drawn once, not once a frame);
    entries are keyed by the style object itself, which an edit replaces, so a changed title is drawn afresh."""

    def __init__(self, size: tuple[int, int]):
        self.size = size

    def _drawn(self, style, text: str, subtitle: str, sub_scale: float, scale: float, reveal: int | None):
        key = (id(style), self.size, text, subtitle, round(scale, 3), reveal)
        with _LOCK:
            hit = _CACHE.get(key)
            if hit is not None and hit[0] is style:
                _CACHE.move_to_end(key)
                return hit[1]
        from editor.render import titles

        block, px = titles.layout(style, text, subtitle, self.size, scale, sub_scale)
        img, margin = titles.draw_block(style, block, px, reveal)
        pos = titles.place(style, block, margin, px, self.size) if scale == 1 else None
        value = (img, margin, block.width, block.height, px, pos)
        with _LOCK:
            _CACHE[key] = (style, value)
            while len(_CACHE) > _CACHE_ITEMS:
                _CACHE.popitem(last=False)
        return value

    def _crop(self, img: np.ndarray, x: float, y: float):
        """(part of img inside the frame, its rect) with img's top-left at (x, y) rounded to whole pixels."""
        W, H = self.size
        x, y = int(round(x)), int(round(y))
        h, w = img.shape[:2]
        x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
        if x1 <= x0 or y1 <= y0:
            return None
        return img[y0 - y:y1 - y, x0 - x:x1 - x], (x0, y0, x1 - x0, y1 - y0)

    # -- titles ---------------------------------------------------------------------------------------------------
    def title(self, clip: Clip, n: int) -> tuple[np.ndarray, tuple, float, str] | None:
        """(img, rect, alpha, background) for a title clip at project frame n; background is "none", "color" or
        "blur" (the compositor blurs what is under a blur card)."""
        t: Title = clip.title
        W, H = self.size
        k, d = n - clip.start, clip.duration
        alpha = clip.opacity
        if clip.fade_in and k < clip.fade_in:
            alpha *= (k + 1) / (clip.fade_in + 1)
        if clip.fade_out and clip.end - 1 - n < clip.fade_out:
            alpha *= (clip.end - n) / (clip.fade_out + 1)
        scale, dy, reveal_p = 1.0, 0.0, None
        text_alpha = 1.0
        for kind, frames, p in ((t.anim_in, t.anim_in_frames, (k + 1) / max(1, t.anim_in_frames)),
                                (t.anim_out, t.anim_out_frames, (d - k) / max(1, t.anim_out_frames))):
            if kind == "none" or not frames or p >= 1 or t.roll:
                continue
            p = max(0.0, p)
            if kind == "fade":
                text_alpha *= p
            elif kind == "slide":
                dy += (1 - ease_out(p)) * SLIDE * H
                text_alpha *= min(1.0, 1.5 * p)
            elif kind == "pop":
                scale *= 0.6 + 0.4 * ease_out_back(p)
                text_alpha *= min(1.0, 2 * p)
            elif kind == "typewriter":
                reveal_p = p if reveal_p is None else min(reveal_p, p)
        reveal = None
        if reveal_p is not None:
            from editor.render.titles import graphemes

            ends = graphemes(t.text + ("\n" + t.subtitle if t.subtitle else ""))
            shown = int(math.floor(reveal_p * len(ends) + 1e-9))
            reveal = ends[shown - 1] if shown > 0 else 0
        img, margin, bw, bh, px, pos = self._drawn(t, t.text, t.subtitle, t.subtitle_scale, scale, reveal)
        if t.roll:  # from just under the frame to just over it across the clip
            x = pos[0]
            travel = H + img.shape[0]
            y = H - travel * (k / max(1, d - 1))
        elif pos is not None:
            x, y = pos
        else:  # popping: scaled about the centre of where the full-size block sits
            full = self._drawn(t, t.text, t.subtitle, t.subtitle_scale, 1.0, reveal)
            cx = full[5][0] + full[0].shape[1] / 2
            cy = full[5][1] + full[0].shape[0] / 2
            x, y = cx - img.shape[1] / 2, cy - img.shape[0] / 2
        if t.background != "none":
            card = np.zeros((H, W, 4), np.uint8)
            if t.background == "color":
                from editor.render.titles import qcolor

                c = qcolor(t.background_color)
                card[:] = (c.red(), c.green(), c.blue(), 255)
            part = self._crop(img, x, y + dy)
            if part is not None:
                sub, (px0, py0, pw, ph) = part
                layer = (sub.astype(np.float32) * text_alpha + 0.5).astype(np.uint8) if text_alpha < 1 else sub
                from editor.render.titles import over

                over(card[py0:py0 + ph, px0:px0 + pw], layer)
            return card, (0, 0, W, H), alpha, t.background
        part = self._crop(img, x, y + dy)
        if part is None:
            return None
        return part[0], part[1], alpha * text_alpha, "none"

    # -- captions -------------------------------------------------------------------------------------------------
    def caption(self, text: str, style: CaptionStyle | None) -> tuple[np.ndarray, tuple] | None:
        style = style or DEFAULT_CAPTIONS
        lines = "\n".join(wrap(text, style.max_chars))
        img, margin, bw, bh, px, pos = self._drawn(style, lines, "", 1.0, 1.0, None)
        return self._crop(img, *pos)
