"""Put a smart-reframe path on clips, and fit a project into another frame (export presets): letterbox, crop,
blurred backdrop or smart reframe. The path becomes x (or y) keyframes of a fill-placed clip: the user corrects keys.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable

import numpy as np

from editor.timeline import geometry, motion_edits as me
from editor.timeline.model import Project, ProjectSettings, evolve

FITS = ("letterbox", "crop", "blur", "reframe")


def reframe_clip(project: Project, clip_id: str, result) -> Project:
    """The clip placed to fill the frame with its window following `result` (ai.reframe.ReframeResult)."""
    from ai.reframe import keys

    _, clip = project.find_clip(clip_id)
    asset = project.assets[clip.asset_id]
    W, H = project.settings.width, project.settings.height
    sw, sh = result.width, result.height
    ratio = float(asset.rate / project.settings.rate) if asset.kind == "video" else 1.0
    prop = "y" if result.axis == "y" else "x"
    to_value = geometry.window_y if prop == "y" else geometry.window_x
    base, _ = geometry.fit_scale("fill", sw, sh, W, H)
    reach = (W if prop == "x" else H) / base / 2  # half the window, in source pixels, at this frame size
    length = sw if prop == "x" else sh
    path = []
    for f, centre in keys(result):
        k = (f - clip.source_in) / ratio
        centre = min(max(centre, reach), length - reach) if reach < length / 2 else length / 2  # inside the picture
        path.append((k, to_value(centre, sw, sh, W, H)))
    # keys inside the clip, plus the path's value at each end so the clip starts and ends on it
    inside = [(round(k), v) for k, v in path if 0 <= k < clip.duration]
    ks, vs = [k for k, _ in path], [v for _, v in path]
    ends = [(0, float(np.interp(0, ks, vs))), (clip.duration - 1, float(np.interp(clip.duration - 1, ks, vs)))]
    out = me.set_transform(project, clip_id, fit="fill", scale=1.0, rotation=0.0, x=0.0, y=0.0)
    return me.set_keys(out, clip_id, prop, sorted({k: v for k, v in ends + inside}.items()))


def fit_project(project: Project, size: tuple[int, int], fit: str,
                progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None
                ) -> Project:
    """The project rendered at `size` with every picture clip fitted one way (see FITS)."""
    if fit not in FITS:
        raise ValueError(f"fit must be one of {', '.join(FITS)}, not {fit!r}")
    s = project.settings
    out = evolve(project, settings=ProjectSettings(size[0], size[1], s.rate, s.sample_rate, s.channels))
    clips = [c for t in out.video_tracks() for c in t.clips]
    results = {}
    for i, c in enumerate(clips):
        asset = out.assets[c.asset_id]
        if fit == "reframe" and asset.kind == "video" and not asset.offline:
            if asset.id not in results:
                from ai.reframe import analyse

                def part(x, i=i):
                    if progress is not None:
                        progress((i + x) / len(clips))

                results[asset.id] = analyse(asset.path, Fraction(size[0], size[1]), progress=part,
                                            cancelled=cancelled)
            out = reframe_clip(out, c.id, results[asset.id])
        elif fit in ("crop", "reframe"):
            out = me.set_transform(out, c.id, fit="fill")
        elif fit == "blur":
            out = me.set_transform(out, c.id, fit="fit", backdrop="blur")
        else:
            out = me.set_transform(out, c.id, fit="fit")
    return out


def reframe_video(video, out_path, aspect: str, mode: str = "smart", analysis_progress=None, progress=None,
                  cancelled=None):
    """A copy of a video cropped to another aspect (full height when narrower, full width when wider, not
    rescaled), same frame count and rate, sound kept; the window follows the subject (smart) or stays centred."""
    from ai.reframe import analyse, parse_aspect

    from editor.actions.media import asset_from_info
    from editor.errors import MediaError
    from editor.media.probe import probe
    from editor.render.exporter import export
    from editor.timeline import edits
    from editor.timeline.model import Clip

    info = probe(video)
    if info.kind != "video":
        raise MediaError(video, "reframe takes a video")
    result = analyse(video, parse_aspect(aspect), mode, progress=analysis_progress, cancelled=cancelled)
    asset = asset_from_info(info, info.rate)
    s = ProjectSettings(result.crop_w, result.crop_h, info.rate)
    p = edits.add_asset(Project(settings=s, name="reframe"), asset)
    p = edits.add_track(p, "video", track_id="v")
    n = asset.frames or 1
    link = "L" if asset.has_audio else None
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=asset.id, start=0, duration=n, link=link))
    if asset.has_audio:
        p = edits.add_track(p, "audio", track_id="a")
        p = edits.overwrite(p, "a", Clip(id="ca", asset_id=asset.id, start=0, duration=n, link=link))
    p = reframe_clip(p, "c", result)
    return export(p, out_path, preset=None, progress=progress, cancelled=cancelled)
