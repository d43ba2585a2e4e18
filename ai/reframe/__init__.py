"""Smart reframe: a crop window of another aspect ratio that follows what matters in a video, on a calm path.

`analyse(path, aspect)` reads the video once (cues.py: motion that is not the camera's, faces, saliency), picks a
target per frame and solves a calm-operator path per shot (path.py). Cancellable, with progress; the result is cached
on disk (keyed by the file's path, size, mtime, the aspect and the algorithm version). `keys(result, ...)` turns the
path into a few keyframes the user can correct (editor/actions/reframe.py places them on a clip).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from ai.errors import AIError, JobCancelled

VERSION = "reframe-4"  # 4: faces (scikit-image LBP under OpenCV 5), tracked between detections
ASPECTS = {"9:16": Fraction(9, 16), "1:1": Fraction(1), "4:5": Fraction(4, 5), "16:9": Fraction(16, 9)}


@dataclass
class ReframeResult:
    width: int  # source picture
    height: int
    crop_w: int  # the window, full height when narrower than the source (full width when wider)
    crop_h: int
    axis: str  # "x": the window slides sideways; "y": up and down; "": it is the whole picture
    centres: list[float]  # window centre along the axis per source frame (pixels)
    targets: list[float]  # what the cues asked for (for inspection)
    cuts: list[int]

    def to_json(self) -> dict:
        return asdict(self)


def parse_aspect(text: str) -> Fraction:
    if text in ASPECTS:
        return ASPECTS[text]
    try:
        a, b = (int(x) for x in str(text).split(":"))
        if a <= 0 or b <= 0 or a > 100 or b > 100:
            raise ValueError
        return Fraction(a, b)
    except ValueError:
        raise AIError(f"aspect must look like 9:16, 1:1, 4:5 or 16:9, not {text!r}") from None


def crop_size(width: int, height: int, aspect: Fraction) -> tuple[int, int, str]:
    """The largest window of the aspect inside the picture (even sizes, for video encoders)."""
    if Fraction(width, height) > aspect:
        h = height - height % 2
        w = min(width, int(round(h * aspect)))
        return w - w % 2, h, "x"
    w = width - width % 2
    h = min(height, int(round(w / aspect)))
    return w, h - h % 2, ("y" if h < height else "")


def _cache_file(path, aspect: Fraction, mode: str) -> Path:
    from editor.resources import cache_dir

    st = os.stat(path)
    key = json.dumps([os.path.abspath(path), st.st_size, st.st_mtime_ns, str(aspect), mode, VERSION])
    return cache_dir() / "reframe" / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")


def analyse(path, aspect, mode: str = "smart", progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None, faces: bool = True) -> ReframeResult:
    """The window path for a video file (cached). mode "center" is the plain centre crop; faces=False leaves the
    face cue out (to compare)."""
    from editor.media.reader import open_visual

    from ai.reframe import path as pathmod
    from ai.reframe.cues import WORK_W, Cues

    aspect = parse_aspect(aspect) if isinstance(aspect, str) else Fraction(aspect)
    if mode not in ("smart", "center"):
        raise AIError(f"reframe mode must be smart or center, not {mode!r}")
    cache = _cache_file(path, aspect, mode if faces else mode + "-nofaces")
    if cache.is_file():
        try:
            return ReframeResult(**json.loads(cache.read_text()))
        except (ValueError, TypeError):
            pass
    reader = open_visual(path)
    try:
        W, H = reader.width, reader.height
        cw, ch, axis = crop_size(W, H, aspect)
        n = getattr(reader, "frames", 1) or 1
        length = W if axis == "x" else H
        win = cw if axis == "x" else ch
        middle = length / 2
        if mode == "center" or not axis:
            res = ReframeResult(W, H, cw, ch, axis, [middle] * n, [middle] * n, [])
        else:
            k = min(1.0, 2 * WORK_W / max(W, H))
            small = (max(16, round(W * k / 2) * 2), max(16, round(H * k / 2) * 2))
            cues = Cues(*small, faces=faces) if axis == "x" else Cues(small[1], small[0], transposed=True, faces=faces)
            cuts = []
            for i in range(n):
                if cancelled is not None and cancelled():
                    raise JobCancelled("smart reframe was cancelled")
                img = reader.frame(i, size=small)  # scaled while converting: cheaper than full size
                if axis == "y":
                    img = np.ascontiguousarray(np.transpose(img, (1, 0, 2)))
                if cues.feed(img):
                    cuts.append(i)
                if progress is not None:
                    progress(0.95 * (i + 1) / n)
            profiles, confs = cues.profiles()
            scale = cues.scale * (small[0] / W if axis == "x" else small[1] / H)
            tgt, mass = pathmod.targets(profiles, win * scale, cuts)
            tgt = tgt / scale
            weight = confs * np.clip(mass * 2, 0.2, 1.0)
            centres = pathmod.calm_path(tgt, weight, win / 2, length - win / 2, win, length, cuts)
            res = ReframeResult(W, H, cw, ch, axis, [float(x) for x in centres], [float(x) for x in tgt], cuts)
    finally:
        reader.close()
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(res.to_json()))
    os.replace(tmp, cache)  # a reader never sees half a file
    if progress is not None:
        progress(1.0)
    return res


def keys(res: ReframeResult, tolerance_px: float = 0.75) -> list[tuple[int, float]]:
    """The path as few keyframes (source frame, centre in pixels) that a linear interpolation follows within
    `tolerance_px`: the user corrects a handful of keys, not one per frame."""
    from ai.reframe.path import simplify

    c = np.asarray(res.centres)
    return [(int(i), float(c[i])) for i in simplify(c, tolerance_px)]
