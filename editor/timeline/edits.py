"""Edit functions. Each validates, applies, and returns its inverse.

Calling an inverse restores the model exactly and returns the redo (itself an inverse). An edit that fails raises
EditError and leaves the model unchanged; `composite` makes a sequence of edits all-or-nothing.
"""
from __future__ import annotations

import dataclasses
from functools import wraps
from typing import Callable

from .model import CLIP_PROPS, TRACK_PROPS, Clip, EditError, Project, Track, Transition, new_id

Inverse = Callable[[], "Inverse"]


def _copy_track(t: Track) -> Track:
    return dataclasses.replace(t, clips=[dataclasses.replace(c) for c in t.clips],
                               transitions=[dataclasses.replace(x) for x in t.transitions])


def checkpoint(project: Project) -> Inverse:
    """An inverse that puts tracks and assets back to what they are now."""
    tracks = [_copy_track(t) for t in project.tracks]
    order = list(project.tracks)
    assets = dict(project.assets)

    def restore() -> Inverse:
        redo = checkpoint(project)
        project.tracks[:] = order
        for live, saved in zip(order, tracks):
            fresh = _copy_track(saved)
            for f in dataclasses.fields(Track):
                setattr(live, f.name, getattr(fresh, f.name))
        project.assets.clear()
        project.assets.update(assets)
        return redo

    return restore


def validate(project: Project) -> None:
    ids = set()
    for t in project.tracks:
        t.sort()
        prev = None
        for c in t.clips:
            if c.id in ids:
                raise EditError(f"clip id {c.id} used twice")
            ids.add(c.id)
            if c.asset_id not in project.assets:
                raise EditError(f"clip {c.name or c.id} refers to unknown media")
            if c.duration < 1:
                raise EditError("a clip must be at least one frame long")
            if c.start < 0:
                raise EditError("a clip cannot start before the beginning of the timeline")
            if c.source_in < 0:
                raise EditError("a clip cannot start before the beginning of its media")
            limit = project.max_duration(c.asset_id, c.source_in)
            if limit is not None and c.duration > limit:
                raise EditError(f"clip {c.name or c.id} would run past the end of its media")
            if prev is not None and c.start < prev.end:
                raise EditError(f"clips {prev.name or prev.id} and {c.name or c.id} would overlap on {t.name}")
            prev = c
        for x in t.transitions:
            a, b = t.clip(x.a), t.clip(x.b)
            if a is None or b is None or a.end != b.start:
                raise EditError("a transition needs two clips that touch on the same track")
            if x.duration < 2 or x.duration // 2 > a.duration or x.duration - x.duration // 2 > b.duration:
                raise EditError("the transition is longer than the clips around it")


def edit(fn):
    """Decorator: run fn on the project; validate; roll back whole on any failure; return the inverse."""

    @wraps(fn)
    def wrapper(project: Project, *args, **kwargs) -> Inverse:
        undo = checkpoint(project)
        try:
            fn(project, *args, **kwargs)
            validate(project)
        except EditError:
            undo()
            raise
        except Exception as exc:  # a bug must not leave a half-applied edit behind
            undo()
            raise EditError(f"{fn.__name__} failed: {exc}") from exc
        return undo

    return wrapper


@edit
def composite(project: Project, steps: list[tuple[Callable, tuple, dict]]) -> None:
    """Apply several edits as one; the first failure rolls all of them back."""
    for fn, args, kwargs in steps:
        fn(project, *args, **kwargs)


def _editable(track: Track) -> Track:
    if track.lock:
        raise EditError(f"track {track.name or track.id} is locked")
    return track


def _drop_transitions(project: Project, clip_ids: set[str]) -> None:
    for t in project.tracks:
        t.transitions = [x for x in t.transitions if x.a not in clip_ids and x.b not in clip_ids]


def _clear_range(project: Project, track: Track, start: int, end: int) -> None:
    """Remove whatever lies in [start, end) on a track, trimming or splitting clips that stick out."""
    kept: list[Clip] = []
    touched: set[str] = set()
    for c in track.clips:
        if c.end <= start or c.start >= end:
            kept.append(c)
            continue
        touched.add(c.id)
        if c.start < start:
            kept.append(dataclasses.replace(c, duration=start - c.start))
        if c.end > end:
            src = project.source_frame(c, end)
            kept.append(dataclasses.replace(c, id=new_id("c"), start=end, duration=c.end - end, source_in=src,
                                            link=None))
    track.clips = kept
    _drop_transitions(project, touched)


# -- tracks ---------------------------------------------------------------------------------------------------
@edit
def add_track(project: Project, kind: str, name: str = "", index: int | None = None,
              track_id: str | None = None) -> None:
    if kind not in ("video", "audio"):
        raise EditError(f"unknown track kind {kind!r}")
    n = sum(1 for t in project.tracks if t.kind == kind) + 1
    track = Track(id=track_id or new_id("t"), kind=kind, name=name or f"{'V' if kind == 'video' else 'A'}{n}")
    if any(t.id == track.id for t in project.tracks):
        raise EditError(f"track id {track.id} exists")
    project.tracks.insert(len(project.tracks) if index is None else index, track)


@edit
def remove_track(project: Project, track_id: str) -> None:
    project.tracks.remove(_editable(project.track(track_id)))


@edit
def move_track(project: Project, track_id: str, index: int) -> None:
    track = project.track(track_id)
    if not 0 <= index < len(project.tracks):
        raise EditError("track position out of range")
    project.tracks.remove(track)
    project.tracks.insert(index, track)


# -- clips ----------------------------------------------------------------------------------------------------
@edit
def overwrite(project: Project, track_id: str, clip: Clip) -> None:
    track = _editable(project.track(track_id))
    _check_kind(project, track, clip)
    _clear_range(project, track, clip.start, clip.end)
    track.clips.append(dataclasses.replace(clip))


@edit
def insert(project: Project, track_id: str, clip: Clip) -> None:
    """Insert a clip at its start; what lies at or after that point on the track moves right by its length."""
    track = _editable(project.track(track_id))
    _check_kind(project, track, clip)
    at = clip.start
    cut = track.clip_at(at)
    if cut is not None and cut.start < at:
        _split_one(project, track, cut, at)
    for c in track.clips:
        if c.start >= at:
            c.start += clip.duration
    track.clips.append(dataclasses.replace(clip))


def _check_kind(project: Project, track: Track, clip: Clip) -> None:
    asset = project.assets.get(clip.asset_id)
    if asset is None:
        raise EditError("the clip's media is not in the project")
    ok = asset.kind in ("video", "image") if track.kind == "video" else (
        asset.kind == "audio" or (asset.kind == "video" and asset.has_audio))
    if not ok:
        raise EditError(f"a {asset.kind} clip cannot go on a {track.kind} track")


@edit
def move(project: Project, clip_id: str, start: int, track_id: str | None = None) -> None:
    """Move a clip (and its linked clips by the same amount); what it lands on is overwritten."""
    if start < 0:
        raise EditError("a clip cannot start before the beginning of the timeline")
    group = project.linked(clip_id)
    src_track, clip = project.find_clip(clip_id)
    delta = start - clip.start
    moved = []
    for t, c in group:
        _editable(t)
        t.clips.remove(c)
        moved.append((t, c))
    _drop_transitions(project, {c.id for _, c in moved})
    for t, c in moved:
        dest = t
        if c.id == clip_id and track_id is not None:
            dest = _editable(project.track(track_id))
            if dest.kind != t.kind:
                raise EditError(f"a clip cannot move from a {t.kind} track to a {dest.kind} track")
        new = dataclasses.replace(c, start=c.start + delta)
        if new.start < 0:
            raise EditError("a linked clip would start before the beginning of the timeline")
        _clear_range(project, dest, new.start, new.end)
        dest.clips.append(new)


@edit
def trim(project: Project, clip_id: str, edge: str, delta: int) -> None:
    """Move a clip's in edge (edge="in") or out edge (edge="out") by delta project frames, with linked clips."""
    if edge not in ("in", "out"):
        raise EditError("edge must be 'in' or 'out'")
    for t, c in project.linked(clip_id):
        _editable(t)
        if edge == "in":
            if delta >= c.duration:
                raise EditError("trimmed past the clip's end")
            new_in = project.source_frame(c, c.start + delta)
            if new_in < 0:
                raise EditError(f"clip {c.name or c.id} has no media before its in point")
            c.source_in = new_in
            c.start += delta
            c.duration -= delta
        else:
            c.duration += delta
            if c.duration < 1:
                raise EditError("trimmed past the clip's start")
        _drop_transitions(project, {c.id} if abs(delta) else set())


def _split_one(project: Project, track: Track, c: Clip, frame: int) -> Clip:
    right = dataclasses.replace(c, id=new_id("c"), start=frame, duration=c.end - frame,
                                source_in=project.source_frame(c, frame), fade_in=0)
    c.duration = frame - c.start
    c.fade_out = 0
    for x in track.transitions:
        if x.a == c.id:
            x.a = right.id
    track.clips.append(right)
    return right


@edit
def split(project: Project, clip_id: str, frame: int) -> None:
    """Split a clip (and its linked clips) at a project frame. The right halves are linked to each other."""
    group = project.linked(clip_id)
    link = new_id("L") if len(group) > 1 else None
    for t, c in group:
        _editable(t)
        if not c.start < frame < c.end:
            raise EditError("the split point must lie inside the clip")
        _split_one(project, t, c, frame).link = link


@edit
def delete(project: Project, clip_ids: list[str]) -> None:
    gone = {c.id for cid in clip_ids for _, c in project.linked(cid)}
    for t in project.tracks:
        if any(c.id in gone for c in t.clips):
            _editable(t)
        t.clips = [c for c in t.clips if c.id not in gone]
    _drop_transitions(project, gone)


@edit
def ripple_delete(project: Project, clip_ids: list[str]) -> None:
    """Delete clips and pull what follows on their tracks left to close the hole."""
    victims = [(t, c) for cid in clip_ids for t, c in project.linked(cid)]
    seen = set()
    victims = [(t, c) for t, c in sorted(victims, key=lambda tc: -tc[1].start)
               if not (c.id in seen or seen.add(c.id))]
    for t, c in victims:
        _editable(t)
        t.clips.remove(c)
        for o in t.clips:
            if o.start >= c.end:
                o.start -= c.duration
    _drop_transitions(project, seen)


@edit
def close_gap(project: Project, track_id: str, frame: int) -> None:
    track = _editable(project.track(track_id))
    if track.clip_at(frame) is not None:
        raise EditError("there is no gap at that point")
    before = max((c.end for c in track.clips if c.end <= frame), default=0)
    after = [c for c in track.clips if c.start > frame]
    if not after:
        raise EditError("there is no clip after the gap")
    gap = min(c.start for c in after) - before
    moving = {id(c): c for c in after}
    for c in after:  # linked clips on other tracks keep their sync
        for t, o in project.linked(c.id):
            _editable(t)
            moving[id(o)] = o
    for c in moving.values():
        c.start -= gap


@edit
def set_clip_property(project: Project, clip_id: str, name: str, value) -> None:
    _set(project.find_clip(clip_id), CLIP_PROPS, name, value, project)


@edit
def set_track_property(project: Project, track_id: str, name: str, value) -> None:
    _set((project.track(track_id), project.track(track_id)), TRACK_PROPS, name, value, project)


def _set(owner, allowed, name, value, project):
    track, obj = owner
    if name not in allowed:
        raise EditError(f"{name!r} cannot be set here")
    if name != "lock":
        _editable(track)
    bounds = allowed[name]
    if bounds is not None:
        lo, hi = bounds
        if not isinstance(value, (int, float)) or value < lo or (hi is not None and value > hi):
            raise EditError(f"{name} must be between {lo} and {hi if hi is not None else 'any'}")
        if isinstance(getattr(obj, name), int) and not isinstance(getattr(obj, name), bool):
            value = int(value)
    if name in ("fade_in", "fade_out") and value > obj.duration:
        raise EditError("a fade cannot be longer than the clip")
    setattr(obj, name, value)


@edit
def add_transition(project: Project, track_id: str, a: str, b: str, kind: str = "dissolve",
                   duration: int = 15, transition_id: str | None = None) -> None:
    track = _editable(project.track(track_id))
    if kind not in ("dissolve", "wipe", "crossfade"):
        raise EditError(f"unknown transition {kind!r}")
    if track.transition_between(a, b):
        raise EditError("that cut already has a transition")
    track.transitions.append(Transition(id=transition_id or new_id("x"), a=a, b=b, kind=kind, duration=duration))


@edit
def remove_transition(project: Project, transition_id: str) -> None:
    for t in project.tracks:
        for x in t.transitions:
            if x.id == transition_id:
                _editable(t).transitions.remove(x)
                return
    raise EditError("no such transition")


@edit
def add_asset(project: Project, asset) -> None:
    if asset.id in project.assets:
        raise EditError("media already in the project")
    project.assets[asset.id] = asset


@edit
def unlink(project: Project, clip_id: str) -> None:
    for _, c in project.linked(clip_id):
        c.link = None
