"""Edit functions: `edit(project, ...) -> new project`.

A Project is immutable, so an edit builds a new one that shares everything it did not touch; the old one stays valid
(it is the undo state and any reader's snapshot). Every edit is checked by `validate.check_edit` before it is
returned: locks on every track it touched, overlaps, links in sync, clips within their media. A refused edit raises
EditError and changes nothing. Compose edits by calling them one after another inside another `@edit` function.
"""
from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from functools import wraps
from typing import Callable

from editor.timeline.model import (CLIP_PROPS, TRACK_KINDS, TRACK_PROPS, TRANSITION_KINDS, Clip, EditError,
                                   MediaAsset, Project, Track, Transition, evolve, new_id, shifted)
from editor.timeline import keyframes
from editor.timeline.cues import follow_ripple
from editor.timeline.index import track_index
from editor.timeline.delta import note_shift
from editor.timeline.validate import check_edit, kind_problem

log = logging.getLogger(__name__)
Edit = Callable[..., Project]


_nesting = threading.local()


def edit(fn):
    """Decorator: run fn(project, ...) -> Project and check the result against the project it started from.

    Edits called inside another edit are checked once, by the outermost one, on the whole change (the intermediate
    states of a compound edit need not be valid; its result must)."""

    @wraps(fn)
    def wrapper(project: Project, *args, **kwargs) -> Project:
        depth = getattr(_nesting, "depth", 0)
        _nesting.depth = depth + 1
        try:
            new = fn(project, *args, **kwargs)
        except EditError:
            raise
        except Exception as exc:  # a bug: the project is unchanged (immutable), tell the user what failed
            log.exception("edit %s failed", fn.__name__)
            raise EditError(f"{fn.__name__.replace('_', ' ')} failed: {exc}") from exc
        finally:
            _nesting.depth = depth
        if new is None:
            raise TypeError(f"edit {fn.__name__} returned nothing")
        if depth == 0:
            check_edit(project, new)
        return new

    return wrapper


# -- building blocks ------------------------------------------------------------------------------------------------
def put_tracks(project: Project, *tracks: Track) -> Project:
    """The project with these tracks replacing the ones with the same id (order kept)."""
    by_id = {t.id: t for t in tracks}
    return evolve(project, tracks=tuple(by_id.get(t.id, t) for t in project.tracks))


def with_clips(track: Track, clips, transitions=None) -> Track:
    changes = {"clips": tuple(sorted(clips, key=lambda c: c.start))}
    if transitions is not None:
        changes["transitions"] = tuple(transitions)
    return evolve(track, **changes)


def drop_transitions(track: Track, clip_ids) -> Track:
    ids = set(clip_ids)
    if not any(x.a in ids or x.b in ids for x in track.transitions):
        return track
    return evolve(track, transitions=tuple(x for x in track.transitions if x.a not in ids and x.b not in ids))


def _editable(track: Track) -> Track:
    if track.lock:
        raise EditError(f"track {track.name or track.id} is locked; unlock it to change it")
    return track


def _check_kind(project: Project, track: Track, clip: Clip) -> None:
    if clip.asset_id is not None and clip.asset_id not in project.assets:
        raise EditError("the clip's media is not in the project")
    wrong = kind_problem(project, track, clip)
    if wrong is not None:
        raise EditError(wrong)


def _split_clip(project: Project, c: Clip, frame: int, link=...) -> tuple[Clip, Clip]:
    """(left, right) halves of a clip at a project frame; markers go with the half they lie in."""
    k = frame - c.start
    left = evolve(c, duration=k, fade_out=0, markers=tuple(m for m in c.markers if m.frame < k),
                  fade_in=min(c.fade_in, k), keyframes=_rebase_keys(c, 0, k))
    right = evolve(c, id=new_id("c"), start=frame, duration=c.end - frame,
                   source_in=project.source_frame(c, frame), fade_in=0, fade_out=min(c.fade_out, c.end - frame),
                   markers=tuple(evolve(m, frame=m.frame - k) for m in c.markers if m.frame >= k),
                   keyframes=_rebase_keys(c, k), **({} if link is ... else {"link": link}))
    return left, right


def _rebase_keys(c: Clip, start: int, end: int | None = None) -> dict:
    """The clip's keyframes for the part from clip frame `start` (negative: the clip grew at its head)."""
    if not c.keyframes:
        return c.keyframes
    if start < 0:
        return {n: tuple(evolve(k, frame=k.frame - start) for k in keys) for n, keys in c.keyframes.items()}
    return {n: keyframes.window(keys, start, end) for n, keys in c.keyframes.items()}


def clear_range(project: Project, track: Track, start: int, end: int) -> Track:
    """The track with whatever lies in [start, end) removed, clips that stick out trimmed or split."""
    hit = track.clips_between(start, end)
    if not hit:
        return track
    gone = {c.id for c in hit}
    kept = [c for c in track.clips if c.id not in gone]
    for c in hit:
        if c.start < start:
            kept.append(_split_clip(project, c, start)[0])
        if c.end > end:
            kept.append(_split_clip(project, c, end, link=None)[1])
    return drop_transitions(with_clips(track, kept), gone)


def shift_clips(track: Track, frame: int, delta: int) -> Track:
    """Every clip starting at or after `frame` moves by delta frames."""
    i = bisect_left(track_index(track).starts, frame)
    if not delta or i == len(track.clips):
        return track
    clips = track.clips[:i] + tuple(shifted(track.clips[i:], delta))
    note_shift(track.clips, clips, i, delta)  # so the undo history records one shift, not thousands of clips
    return evolve(track, clips=clips)


def spans(track: Track, frame: int) -> bool:
    """Whether a clip on the track runs across `frame` (starts before it and ends after it)."""
    c = track.clip_at(frame)
    return c is not None and c.start < frame


def ripple(project: Project, frame: int, delta: int, primary: set[str]) -> Project:
    """Open (delta > 0) or close (delta < 0) time at `frame` on the primary tracks and, to keep everything in sync,
    on every other unlocked track where no clip runs across the point (a music bed under the cut stays put).

    Refused when it would pull a clip out of sync with a linked clip that cannot move with it."""
    moved, still = {}, []
    for t in project.tracks:
        if t.kind == "captions" and not t.lock and t.id not in primary:  # cues follow the time they were said in
            moved[t.id] = follow_ripple(t, frame, delta)
            continue
        later = t.clips and t.clips[-1].start >= frame
        if not later:
            continue
        if t.id in primary:
            moved[t.id] = shift_clips(_editable(t), frame, delta)
        elif t.lock or spans(t, frame) or (delta < 0 and t.clips_between(frame + delta, frame)):
            still.append(t)
        else:
            moved[t.id] = shift_clips(t, frame, delta)
    out = put_tracks(project, *moved.values())
    for t in still:  # a clip that stays while its linked partner moves would go out of sync
        for c in t.clips:
            if c.start >= frame and c.link is not None:
                for pid in (x for x in project.linked(c.id) if x[0].id in moved):
                    why = " (the track is locked)" if t.lock else ": something on its track is in the way"
                    raise EditError(f"{c.name or c.id} on {t.name} cannot move with {pid[1].name or pid[1].id}{why}")
    return out


# -- tracks ---------------------------------------------------------------------------------------------------------
@edit
def add_track(project: Project, kind: str, name: str = "", index: int | None = None,
              track_id: str | None = None) -> Project:
    if kind not in TRACK_KINDS:
        raise EditError(f"unknown track kind {kind!r}")
    n = sum(1 for t in project.tracks if t.kind == kind) + 1
    track = Track(id=track_id or new_id("t"), kind=kind, name=name or f"{kind[0].upper()}{n}")
    if any(t.id == track.id for t in project.tracks):
        raise EditError(f"track id {track.id} exists")
    tracks = list(project.tracks)
    tracks.insert(len(tracks) if index is None else index, track)
    return evolve(project, tracks=tuple(tracks))


@edit
def remove_track(project: Project, track_id: str) -> Project:
    _editable(project.track(track_id))
    return evolve(project, tracks=tuple(t for t in project.tracks if t.id != track_id))


@edit
def move_track(project: Project, track_id: str, index: int) -> Project:
    track = project.track(track_id)
    if not 0 <= index < len(project.tracks):
        raise EditError("track position out of range")
    tracks = [t for t in project.tracks if t.id != track_id]
    tracks.insert(index, track)
    return evolve(project, tracks=tuple(tracks))


# -- clips ----------------------------------------------------------------------------------------------------------
@edit
def overwrite(project: Project, track_id: str, clip: Clip) -> Project:
    track = _editable(project.track(track_id))
    _check_kind(project, track, clip)
    track = clear_range(project, track, clip.start, clip.end)
    return put_tracks(project, with_clips(track, track.clips + (clip,)))


@edit
def insert(project: Project, track_id: str, clip: Clip) -> Project:
    """Insert a clip at its start; what lies at or after that point on the track moves right by its length."""
    track = _editable(project.track(track_id))
    _check_kind(project, track, clip)
    at = clip.start
    cut = track.clip_at(at)
    if cut is not None and cut.start < at:
        left, right = _split_clip(project, cut, at, link=None)
        track = with_clips(track, [c for c in track.clips if c.id != cut.id] + [left, right],
                           [evolve(x, a=right.id) if x.a == cut.id else x for x in track.transitions])
    track = shift_clips(track, at, clip.duration)
    return put_tracks(project, with_clips(track, track.clips + (clip,)))


@edit
def move(project: Project, clip_id: str, start: int, track_id: str | None = None) -> Project:
    """Move a clip (and its linked clips by the same amount); what it lands on is overwritten."""
    if start < 0:
        raise EditError("a clip cannot start before the beginning of the timeline")
    group = project.linked(clip_id)
    _, clip = project.find_clip(clip_id)
    delta = start - clip.start
    ids = {c.id for _, c in group}
    out = project
    for t, _ in group:  # lift the group off its tracks
        t = _editable(out.track(t.id))
        out = put_tracks(out, drop_transitions(with_clips(t, [c for c in t.clips if c.id not in ids]), ids))
    for t, c in group:
        dest = out.track(t.id)
        if c.id == clip_id and track_id is not None:
            dest = _editable(out.track(track_id))
            if dest.kind != t.kind:
                raise EditError(f"a clip cannot move from a {t.kind} track to a {dest.kind} track")
        new = evolve(c, start=c.start + delta)
        if new.start < 0:
            raise EditError("a linked clip would start before the beginning of the timeline")
        dest = clear_range(out, dest, new.start, new.end)
        out = put_tracks(out, with_clips(dest, dest.clips + (new,)))
    return out


@edit
def trim(project: Project, clip_id: str, edge: str, delta: int) -> Project:
    """Move a clip's in edge (edge="in") or out edge (edge="out") by delta project frames, with linked clips."""
    if edge not in ("in", "out"):
        raise EditError("edge must be 'in' or 'out'")
    out = project
    for t, c in project.linked(clip_id):
        t = _editable(out.track(t.id))
        if edge == "in":
            if delta >= c.duration:
                raise EditError("trimmed past the clip's end")
            new_in = project.source_frame(c, c.start + delta)
            if new_in < 0:
                raise EditError(f"clip {c.name or c.id} has no media before its in point")
            new = evolve(c, source_in=new_in, start=c.start + delta, duration=c.duration - delta,
                         keyframes=_rebase_keys(c, delta))
        else:
            if c.duration + delta < 1:
                raise EditError("trimmed past the clip's start")
            new = evolve(c, duration=c.duration + delta)
        new = evolve(new, fade_in=min(new.fade_in, new.duration), fade_out=min(new.fade_out, new.duration))
        t = with_clips(t, [new if x.id == c.id else x for x in t.clips])
        out = put_tracks(out, drop_transitions(t, {c.id} if delta else ()))
    return out


@edit
def split(project: Project, clip_id: str, frame: int) -> Project:
    """Split a clip (and its linked clips) at a project frame. The right halves are linked to each other."""
    group = project.linked(clip_id)
    link = new_id("L") if len(group) > 1 else None
    out = project
    for t, c in group:
        t = _editable(out.track(t.id))
        if not c.start < frame < c.end:
            raise EditError("the split point must lie inside the clip")
        left, right = _split_clip(project, c, frame, link=link)
        i = t.position(c.id)
        out_x = t.transitions_of(c.id)[1]
        x = t.transitions if out_x is None else tuple(evolve(x, a=right.id) if x is out_x else x
                                                      for x in t.transitions)
        out = put_tracks(out, evolve(t, clips=t.clips[:i] + (left, right) + t.clips[i + 1:], transitions=x))
    return out


@edit
def delete(project: Project, clip_ids: list[str]) -> Project:
    gone = {c.id for cid in clip_ids for _, c in project.linked(cid)}
    out = project
    for t in project.tracks:
        at = sorted(i for i in (t.position(cid) for cid in gone) if i >= 0)
        if at:
            _editable(t)
            clips, prev, kept = t.clips, 0, ()
            for i in at:  # the clips between the deleted ones, as slices (the track stays in order)
                kept += clips[prev:i]
                prev = i + 1
            xs = {id(x) for cid in gone for x in t.transitions_of(cid) if x is not None}  # by identity: no hashing
            out = put_tracks(out, evolve(t, clips=kept + clips[prev:],
                                         transitions=tuple(x for x in t.transitions if id(x) not in xs) if xs
                                         else t.transitions))
    return out


@edit
def ripple_delete(project: Project, clip_ids: list[str]) -> Project:
    """Delete clips (with their linked clips) and close the time they took, on every track that can follow (see
    `ripple`), so pictures, their sound and the sound layers under them stay in sync."""
    victims = {c.id: (t.id, c) for cid in clip_ids for t, c in project.linked(cid)}
    out = delete(project, list(victims))
    # close each deleted clip's time, latest first, on the tracks it was on
    spans_ = sorted({(c.start, c.end) for _, c in victims.values()}, reverse=True)
    for s, e in spans_:
        primary = {tid for tid, c in victims.values() if (c.start, c.end) == (s, e)}
        free = all(not out.track(tid).clips_between(s, e) for tid in primary)
        if free:
            out = ripple(out, e, s - e, primary)
    return out


@edit
def close_gap(project: Project, track_id: str, frame: int) -> Project:
    """Close the empty stretch of a track at `frame`, pulling what follows left on every track that can follow."""
    track = _editable(project.track(track_id))
    if track.clip_at(frame) is not None:
        raise EditError("there is no gap at that point")
    before = max((c.end for c in track.clips if c.end <= frame), default=0)
    after = [c for c in track.clips if c.start > frame]
    if not after:
        raise EditError("there is no clip after the gap")
    gap_end = min(c.start for c in after)
    return ripple(project, gap_end, before - gap_end, {track_id})


@edit
def set_clip_property(project: Project, clip_id: str, name: str, value) -> Project:
    track, clip = project.find_clip(clip_id)
    value = _checked(CLIP_PROPS, name, value, clip)
    if name in ("fade_in", "fade_out") and value > clip.duration:
        raise EditError("a fade cannot be longer than the clip")
    return put_tracks(project, with_clips(track, [evolve(clip, **{name: value}) if c.id == clip_id else c
                                                  for c in track.clips]))


@edit
def set_track_property(project: Project, track_id: str, name: str, value) -> Project:
    track = project.track(track_id)
    return put_tracks(project, evolve(track, **{name: _checked(TRACK_PROPS, name, value, track)}))


def _checked(allowed: dict, name: str, value, obj):
    if name not in allowed:
        raise EditError(f"{name!r} cannot be set here")
    bounds = allowed[name]
    current = getattr(obj, name)
    if bounds is None:
        if isinstance(current, bool):
            return bool(value)
        if isinstance(current, str):
            if not isinstance(value, str) or len(value) > 10_000:
                raise EditError(f"{name} must be text")
        return value
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < lo or (
            hi is not None and value > hi):
        raise EditError(f"{name} must be between {lo} and {hi if hi is not None else 'any'}")
    return int(value) if isinstance(current, int) else float(value)


@edit
def set_keyframe(project: Project, clip_id: str, prop: str, frame: int, value: float,
                 ease: str = "linear") -> Project:
    """Add a key to a clip property (or replace the key at that frame)."""
    from editor.timeline.model import EASES, Keyframe

    track, clip = project.find_clip(clip_id)
    if not isinstance(prop, str) or not 0 < len(prop) <= 64:
        raise EditError("a keyframed property needs a name")
    if ease not in EASES:
        raise EditError(f"ease must be one of {', '.join(EASES)}")
    if not 0 <= frame < clip.duration:
        raise EditError("a keyframe must lie inside the clip")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 1e6:
        raise EditError(f"{prop} must be a number")
    keys = keyframes.sorted_keys(clip.keyframes.get(prop, ()) + (Keyframe(frame=frame, value=value, ease=ease),))
    new = evolve(clip, keyframes={**clip.keyframes, prop: keys})
    return put_tracks(project, with_clips(track, [new if c.id == clip_id else c for c in track.clips]))


@edit
def remove_keyframe(project: Project, clip_id: str, prop: str, frame: int) -> Project:
    track, clip = project.find_clip(clip_id)
    keys = tuple(k for k in clip.keyframes.get(prop, ()) if k.frame != frame)
    if len(keys) == len(clip.keyframes.get(prop, ())):
        raise EditError("there is no keyframe there")
    kf = {**clip.keyframes, prop: keys} if keys else {n: v for n, v in clip.keyframes.items() if n != prop}
    new = evolve(clip, keyframes=kf)
    return put_tracks(project, with_clips(track, [new if c.id == clip_id else c for c in track.clips]))


@edit
def add_transition(project: Project, track_id: str, a: str, b: str, kind: str = "dissolve",
                   duration: int = 15, transition_id: str | None = None, before: int | None = None) -> Project:
    track = _editable(project.track(track_id))
    if kind not in TRANSITION_KINDS:
        raise EditError(f"unknown transition {kind!r}")
    if track.transition_between(a, b):
        raise EditError("that cut already has a transition")
    x = Transition(id=transition_id or new_id("x"), a=a, b=b, kind=kind, duration=max(2, int(duration)),
                   before=before)
    return put_tracks(project, evolve(track, transitions=track.transitions + (x,)))


@edit
def remove_transition(project: Project, transition_id: str) -> Project:
    for t in project.tracks:
        if any(x.id == transition_id for x in t.transitions):
            return put_tracks(project, evolve(_editable(t), transitions=tuple(
                x for x in t.transitions if x.id != transition_id)))
    raise EditError("no such transition")


@edit
def add_asset(project: Project, asset: MediaAsset) -> Project:
    if asset.id in project.assets:
        raise EditError("media already in the project")
    return evolve(project, assets={**project.assets, asset.id: asset})


@edit
def set_asset(project: Project, asset: MediaAsset) -> Project:
    """Replace an asset (relink, rename); the clips that use it are checked against the new media."""
    if asset.id not in project.assets:
        raise EditError("no such media in the project")
    return evolve(project, assets={**project.assets, asset.id: asset})


@edit
def unlink(project: Project, clip_id: str) -> Project:
    out = project
    for t, c in project.linked(clip_id):
        t = _editable(out.track(t.id))
        out = put_tracks(out, with_clips(t, [evolve(x, link=None) if x.id == c.id else x for x in t.clips]))
    return out


@edit
def rename_project(project: Project, name: str) -> Project:
    return evolve(project, name=str(name)[:10_000])
