"""Edits of how a clip moves and looks: transform, colour, speed (constant, reverse, freeze frame, ramp),
stabilisation, Ken Burns, keyframe paths. Pure functions like editor/timeline/edits.py (same @edit check).

Speed has one source of truth, the clip's effects (OpenTimelineIO's LinearTimeWarp / FreezeFrame, see timing.py);
a ramp is keyframes["speed"] with the warp kept at +-1 for its direction. A speed change applies to the clip and the
clips linked to it (its sound), keeps the same source material and ripples what follows so the timeline stays in sync.
"""
from __future__ import annotations

from pydantic import ValidationError

from editor.timeline import geometry, keyframes, timing
from editor.timeline.edits import _editable, edit, put_tracks, ripple, with_clips
from editor.timeline.model import (ANIMATABLE, EASES, Clip, Colour, Effect, EditError, Keyframe, Project, Retime,
                                   Stabilisation, Transform, evolve, new_id)


def _replace(project: Project, *clips: Clip) -> Project:
    out = project
    for c in clips:
        t = _editable(out.track_of(c.id))
        out = put_tracks(out, with_clips(t, [c if x.id == c.id else x for x in t.clips]))
    return out


def _merged(cls, current, values: dict, what: str):
    unknown = set(values) - set(cls.model_fields)
    if unknown:
        raise EditError(f"{what} has no setting {sorted(unknown)[0]!r}")
    base = current.__dict__ if current is not None else {}
    try:
        return cls.model_validate({**base, **values})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise EditError(f"{what} {'.'.join(map(str, err['loc']))}: {err['msg'].removeprefix('Value error, ')}") \
            from None


@edit
def set_transform(project: Project, clip_id: str, **values) -> Project:
    """Set transform values of a clip (x, y, scale, rotation, crop_*, flip_h/v, fit, backdrop, blend)."""
    _, clip = project.find_clip(clip_id)
    t = _merged(Transform, clip.transform, values, "transform")
    return _replace(project, evolve(clip, transform=None if t == geometry.DEFAULT_TRANSFORM else t))


@edit
def set_colour(project: Project, clip_id: str, **values) -> Project:
    """Set colour values (exposure, contrast, saturation, temperature, tint, lut, lut_mix)."""
    _, clip = project.find_clip(clip_id)
    c = _merged(Colour, clip.colour, values, "colour")
    return _replace(project, evolve(clip, colour=None if c == geometry.DEFAULT_COLOUR else c))


@edit
def set_retime(project: Project, clip_id: str, **values) -> Project:
    """How a speed change looks and sounds (frames: auto/nearest/blend/flow; sound: auto/on/off), linked clips too."""
    out = project
    for _, c in project.linked(clip_id):
        out = _replace(out, evolve(c, retime=_merged(Retime, c.retime, values, "speed options")))
    return out


@edit
def set_stabilisation(project: Project, clip_id: str, enabled: bool = True, **values) -> Project:
    _, clip = project.find_clip(clip_id)
    s = _merged(Stabilisation, clip.stabilisation, values, "stabilisation") if enabled else None
    return _replace(project, evolve(clip, stabilisation=s))


# -- speed --------------------------------------------------------------------------------------------------------
def _speed_effects(clip: Clip, scalar: float | None, frozen: bool = False) -> tuple[Effect, ...]:
    kept = tuple(e for e in clip.effects if e.kind not in (timing.WARP, timing.FREEZE))
    if frozen:
        return kept + (Effect(kind=timing.FREEZE, name="freeze frame", time_scalar=0.0),)
    if scalar is None or scalar == 1.0:
        return kept
    return kept + (Effect(kind=timing.WARP, name="speed", time_scalar=scalar),)


def _check_speed(speed) -> float:
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or speed != speed:
        raise EditError("speed must be a number")
    if not timing.MIN_SPEED <= abs(speed) <= timing.MAX_SPEED:
        raise EditError(f"speed must be between {timing.MIN_SPEED:g}x and {timing.MAX_SPEED:g}x")
    return float(speed)


def _retimed_group(project: Project, clip_id: str, make) -> Project:
    """Apply make(clip) -> new clip to a clip and its linked clips; ripple the timeline by the change in length."""
    group = project.linked(clip_id)
    _, main = project.find_clip(clip_id)
    new = {c.id: make(c) for _, c in group}
    delta = new[clip_id].duration - main.duration
    end = main.end
    out = project
    for t, c in group:  # take the group off, ripple, put it back
        t = _editable(out.track(t.id))
        out = put_tracks(out, with_clips(t, [x for x in t.clips if x.id != c.id]))
    if delta:
        out = ripple(out, end, delta, {t.id for t, _ in group})
    for t, c in group:
        t = out.track(t.id)
        out = put_tracks(out, with_clips(t, t.clips + (new[c.id],)))
    return out


def _same_material(project: Project, clip: Clip, scalar: float) -> Clip:
    """The clip at a new constant speed showing the same source material (duration from the source length)."""
    old_len = abs(timing.warp_of(clip).offset(clip.duration))  # source travel in record frames at 1x
    duration = max(1, int(round(old_len / abs(scalar))))
    src_in = clip.source_in
    if (scalar < 0) != (timing.warp_of(clip).direction < 0):  # direction flips: start from the other end
        last = project.source_frame(clip, clip.end - 1)
        src_in = last
    new = evolve(clip, effects=_speed_effects(clip, scalar), source_in=src_in, duration=duration,
                 keyframes={k: v for k, v in clip.keyframes.items() if k != "speed"},
                 fade_in=min(clip.fade_in, duration), fade_out=min(clip.fade_out, duration))
    return new


@edit
def set_speed(project: Project, clip_id: str, speed: float, reverse: bool | None = None) -> Project:
    """Constant speed (0.1x-16x) for a clip and its sound; reverse=True plays it backwards (None keeps the
    direction). The clip keeps its source material: twice as fast is half as long; what follows moves along."""
    s = abs(_check_speed(speed))
    _, clip = project.find_clip(clip_id)
    backwards = timing.warp_of(clip).direction < 0 if reverse is None else bool(reverse)
    return _retimed_group(project, clip_id, lambda c: _same_material(project, c, -s if backwards else s))


@edit
def reverse(project: Project, clip_id: str) -> Project:
    """Play a clip (and its sound) backwards, or forwards again; same material, same length."""
    _, clip = project.find_clip(clip_id)
    w = timing.warp_of(clip)
    if w.frozen:
        raise EditError("a freeze frame has no direction to reverse")
    if w.keys:
        raise EditError("remove the speed ramp before reversing the clip")
    return _retimed_group(project, clip_id, lambda c: _same_material(project, c, -w.scalar))


@edit
def freeze_frame(project: Project, clip_id: str, frame: int, seconds: float) -> Project:
    """Hold the picture at project frame `frame` for `seconds`: the clip is split there and a freeze frame clip is
    put in between; everything after it (the clip's sound too) moves later by that time."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
        raise EditError("a freeze frame lasts between 0 and 3600 seconds")
    track, clip = project.find_clip(clip_id)
    if not clip.start <= frame < clip.end:
        raise EditError("the freeze frame must lie inside the clip")
    length = max(1, int(round(seconds * project.settings.rate)))
    if track.kind != "video":
        raise EditError("freeze a picture clip (its sound pauses with it)")
    held = project.source_frame(clip, frame)
    out = project
    if frame > clip.start:  # split the clip (and its sound) at the frame
        from editor.timeline.edits import split

        out = split(out, clip_id, frame)
    group = [t.id for t, _ in out.linked(out.track(track.id).clip_at(frame).id)]
    out = ripple(out, frame, length, set(group))
    frozen = Clip(id=new_id("c"), asset_id=clip.asset_id, start=frame, duration=length, source_in=held,
                  name=(clip.name or "") + " (freeze)", transform=clip.transform, colour=clip.colour,
                  effects=(Effect(kind=timing.FREEZE, name="freeze frame", time_scalar=0.0),))
    t = out.track(track.id)
    return put_tracks(out, with_clips(t, t.clips + (frozen,)))


@edit
def set_speed_ramp(project: Project, clip_id: str, keys) -> Project:
    """A speed ramp: keys (frame, speed[, ease]) with speeds 0.1..16; the clip keeps its length and direction.
    An empty list removes the ramp (back to the clip's constant speed)."""
    out = project
    for _, c in project.linked(clip_id):
        w = timing.warp_of(c)
        if w.frozen:
            raise EditError("a freeze frame cannot have a speed ramp")
        kf = {k: v for k, v in c.keyframes.items() if k != "speed"}
        if keys:
            ks = []
            for item in keys:
                f, v, e = (tuple(item) + ("ease-in-out",))[:3]
                if not 0 <= f < c.duration:
                    raise EditError("a speed key must lie inside the clip")
                if e not in EASES:
                    raise EditError(f"ease must be one of {', '.join(EASES)}")
                ks.append(Keyframe(frame=int(f), value=_check_speed(v), ease=e))
            kf["speed"] = keyframes.sorted_keys(ks)
            new = evolve(c, keyframes=kf, effects=_speed_effects(c, float(w.direction)))
        else:
            new = evolve(c, keyframes=kf)
        out = _replace(out, new)
    return out


# -- keyframed paths ------------------------------------------------------------------------------------------------
@edit
def set_keys(project: Project, clip_id: str, prop: str, keys) -> Project:
    """Replace all keys of one property: keys = [(frame, value[, ease]), ...] (empty removes the property's keys)."""
    if prop not in ANIMATABLE:
        raise EditError(f"{prop!r} cannot be keyframed; choose one of {', '.join(ANIMATABLE)}")
    _, clip = project.find_clip(clip_id)
    ks = []
    for item in keys:
        f, v, e = (tuple(item) + ("linear",))[:3]
        if e not in EASES:
            raise EditError(f"ease must be one of {', '.join(EASES)}")
        ks.append(Keyframe(frame=max(0, int(f)), value=float(v), ease=e))
    kf = {k: v for k, v in clip.keyframes.items() if k != prop}
    if ks:
        kf[prop] = keyframes.sorted_keys(ks)
    return _replace(project, evolve(clip, keyframes=kf))


@edit
def ken_burns(project: Project, clip_id: str, start_rect, end_rect, ease: str = "ease-in-out") -> Project:
    """A slow move across a still (or any clip) from one rectangle to another: (x, y, w, h) in fractions of the
    picture, each shown filling the frame (grown to the frame's aspect). Becomes x/y/scale keyframes."""
    _, clip = project.find_clip(clip_id)
    asset = project.assets[clip.asset_id]
    if not asset.width or not asset.height:
        raise EditError("the picture's size is unknown; open its media first")
    for r in (start_rect, end_rect):
        if len(r) != 4 or not all(0 <= v <= 1 for v in r) or r[2] <= 0 or r[3] <= 0:
            raise EditError("a Ken Burns rectangle is (x, y, w, h) with values from 0 to 1")
    W, H = project.settings.width, project.settings.height
    a = geometry.rect_view(start_rect, asset.width, asset.height, W, H)
    b = geometry.rect_view(end_rect, asset.width, asset.height, W, H)
    last = max(1, clip.duration - 1)
    kf = dict(clip.keyframes)
    for name in ("x", "y", "scale"):
        kf[name] = (Keyframe(frame=0, value=a[name], ease=ease), Keyframe(frame=last, value=b[name], ease=ease))
    t = _merged(Transform, clip.transform, {"fit": "fill", "rotation": 0.0}, "transform")
    return _replace(project, evolve(clip, keyframes=kf, transform=t))
