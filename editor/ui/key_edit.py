"""Keyframe diamonds on timeline clips as things to grab, in plain Python (no Qt): where each diamond is, which one a
point hits, where a dragged one may go (inside the clip, never onto or past a neighbouring key of the same property,
snapping to the playhead) and the edits that move, remove or re-ease the keys under one diamond.

One diamond stands for every key at that clip frame (whatever property): moving it moves them all, so a move made on
the preview (x and y keyed together) stays together. editor/ui/key_marks.py draws the diamonds and drives the mouse.
"""
from __future__ import annotations

from typing import NamedTuple

from editor.timeline import edits
from editor.timeline.model import EditError

SIZE = 4.0  # half the diagonal of a diamond, pixels (key_marks paints with it)
GRAB_PX = 6.0  # how near a press must be to a diamond's centre
MIN_ROW_PX = 14  # clips lower than this show no diamonds


class KeyHit(NamedTuple):
    clip_id: str
    frame: int  # clip frame of the key(s)


def key_frames(clip) -> dict[int, bool]:
    """Keyed clip frames -> whether a speed key is among them."""
    out: dict[int, bool] = {}
    for prop, keys in (clip.keyframes or {}).items():
        for k in keys:
            out[k.frame] = out.get(k.frame, False) or prop == "speed"
    return out


def diamond_xy(left: float, bottom: float, frame: int, px_per_frame: float) -> tuple[float, float]:
    """Centre of the diamond of clip frame `frame` on a clip drawn from x = left whose bottom edge is at `bottom`."""
    return left + (frame + 0.5) * px_per_frame, bottom - SIZE - 2


def _clip_box(geo, row, clip) -> tuple[float, float, float]:
    """(left, right, bottom) of a clip as the painter draws it (its picture is int(height) tall)."""
    r = geo.clip_rect(clip, row)
    return r.x, r.x + r.w, r.y + int(r.h)


def diamond_at(geo, project, x: float, y: float) -> KeyHit | None:
    """The diamond under a point of the timeline (the nearest within GRAB_PX), or None."""
    row = geo.row_at(project, y)
    if row is None or x < geo.header_px or row.height - 4 < MIN_ROW_PX:
        return None
    reach = int(GRAB_PX / geo.px_per_frame) + 1
    f = geo.frame_floor(x)
    best = None
    for clip in row.track.clips_between(max(0, f - reach), f + reach + 1):
        if not clip.keyframes:
            continue
        left, right, bottom = _clip_box(geo, row, clip)
        for frame in key_frames(clip):
            dx, dy = diamond_xy(left, bottom, frame, geo.px_per_frame)
            if dx > right:
                continue
            d = max(abs(x - dx), abs(y - dy))
            if d <= GRAB_PX and (best is None or d < best[0]):
                best = (d, KeyHit(clip.id, frame))
    return None if best is None else best[1]


def allowed(clip, frame: int) -> tuple[int, int]:
    """The clip frames the keys at `frame` may move to: inside the clip, strictly between their neighbours."""
    lo, hi = 0, clip.duration - 1
    for keys in (clip.keyframes or {}).values():
        frames = [k.frame for k in keys]
        if frame not in frames:
            continue
        lo = max([lo] + [f + 1 for f in frames if f < frame])
        hi = min([hi] + [f - 1 for f in frames if f > frame])
    return lo, hi


def drag_frame(clip, frame: int, wanted: int, playhead: int | None = None, snap_frames: float = 0.0) -> int:
    """Where a key dragged from clip frame `frame` towards `wanted` lands: clamped to `allowed`, and on the playhead
    (a project frame) when within snap_frames of it."""
    lo, hi = allowed(clip, frame)
    if playhead is not None and snap_frames > 0:
        at = playhead - clip.start
        if abs(wanted - at) <= snap_frames and lo <= at <= hi:
            return at
    return max(lo, min(hi, wanted))


def _props_at(clip, frame: int):
    return [(prop, next(k for k in keys if k.frame == frame)) for prop, keys in (clip.keyframes or {}).items()
            if any(k.frame == frame for k in keys)]


def describe(clip, frame: int) -> str:
    """What a diamond stands for, for its tooltip: the properties keyed at that clip frame."""
    names = sorted(prop.replace("_", " ") for prop, _key in _props_at(clip, frame))
    return f"Keys: {', '.join(names)} (clip frame {frame}). Drag to move, Delete removes, double-click goes there"


def move_keys(project, clip_id: str, frame: int, to: int):
    """Every key of the clip at clip frame `frame` moved to `to` (value and ease kept). One pure edit."""
    _, clip = project.find_clip(clip_id)
    lo, hi = allowed(clip, frame)
    if not lo <= to <= hi:
        raise EditError("a key cannot move onto or past another key of the same property, nor off the clip")
    if to == frame:
        return project
    for prop, key in _props_at(clip, frame):
        project = edits.remove_keyframe(project, clip_id, prop, frame)
        project = edits.set_keyframe(project, clip_id, prop, to, key.value, key.ease)
    return project


def remove_keys(project, clip_id: str, frame: int):
    """Every key of the clip at clip frame `frame` removed."""
    _, clip = project.find_clip(clip_id)
    props = _props_at(clip, frame)
    if not props:
        raise EditError("there is no keyframe there")
    for prop, _key in props:
        project = edits.remove_keyframe(project, clip_id, prop, frame)
    return project


def set_ease(project, clip_id: str, frame: int, ease: str):
    """How the curve leaves the keys at `frame` (linear, ease-in, ease-out, ease-in-out, hold)."""
    _, clip = project.find_clip(clip_id)
    for prop, key in _props_at(clip, frame):
        project = edits.set_keyframe(project, clip_id, prop, frame, key.value, ease)
    return project
