"""Arranging clips the way people cut a family video: insert, overwrite and swap, ripple move, close all gaps, a
blank project with V1/A1, and project settings that can change later.

Every function here is an `@edit` (editor/timeline/edits.py): pure, checked, one Session step. Insert and ripple keep
pictures, their sound and the sound layers in sync through `edits.ripple`; overwrite also clears what it covers of
the overwritten clips' linked sound, so no orphaned audio stays behind.
"""
from __future__ import annotations

from fractions import Fraction

from editor.timeline import edits
from editor.timeline.edits import clear_range, drop_transitions, edit, put_tracks, ripple, with_clips
from editor.timeline.model import (Clip, EditError, Keyframe, Marker, Project, ProjectSettings, Track, evolve,
                                   new_id)

ASPECTS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}


# -- a new project --------------------------------------------------------------------------------------------------
NEW_PROJECT_LOUDNESS = -14.0  # web and phones; Music > Loudness on Export offers -16, -23 and "as mixed"


def blank_project(settings: ProjectSettings | None = None, name: str = "Untitled") -> Project:
    """An empty project with one video track (V1) and one audio track (A1), ready for the first drop. Its export is
    normalised to -14 LUFS (true peak -1 dBTP); projects from files keep what they say (older ones: as mixed)."""
    return Project(settings=settings or ProjectSettings(loudness=NEW_PROJECT_LOUDNESS), name=name,
                   tracks=(Track(id=new_id("t"), kind="video", name="V1"), Track(id=new_id("t"), kind="audio",
                                                                                     name="A1")))


def size_for(aspect: str, short_side: int) -> tuple[int, int]:
    """(width, height) of an aspect ("16:9", "9:16", "1:1", "4:5") whose shorter side is `short_side`, both even."""
    if aspect not in ASPECTS:
        raise EditError(f"aspect must be one of {', '.join(ASPECTS)}")
    a, b = ASPECTS[aspect]
    if a >= b:
        w, h = short_side * a / b, short_side
    else:
        w, h = short_side, short_side * b / a
    return int(round(w / 2)) * 2, int(round(h / 2)) * 2


def aspect_of(width: int, height: int) -> str | None:
    for name, (a, b) in ASPECTS.items():
        if abs(width * b - height * a) <= max(width, height) * 0.01:
            return name
    return None


# -- project settings -------------------------------------------------------------------------------------------
@edit
def set_settings(project: Project, width: int | None = None, height: int | None = None, rate=None) -> Project:
    """Change the picture size and/or frame rate. A new rate keeps every clip at the same time: positions, lengths,
    fades, transitions, keyframes and markers are converted to frames of the new rate (cuts stay cuts)."""
    s = project.settings
    w, h = int(width or s.width), int(height or s.height)
    if not (16 <= w <= 16384 and 16 <= h <= 16384):
        raise EditError("the picture size must be between 16 and 16384 pixels a side")
    w, h = w - w % 2, h - h % 2
    new_rate = s.rate if rate is None else ProjectSettings(rate=rate).rate
    out = project
    if new_rate != s.rate:
        out = _convert_rate(project, Fraction(new_rate) / Fraction(s.rate), new_rate)
    return evolve(out, settings=evolve(s, width=w, height=h, rate=new_rate),
                  meta={**out.meta, "settings_chosen": True})


@edit
def choose_settings(project: Project) -> Project:
    """Remember that the project's settings were chosen (the question "match the first clip?" is asked once)."""
    if project.meta.get("settings_chosen"):
        return project
    return evolve(project, meta={**project.meta, "settings_chosen": True})


def _convert_rate(project: Project, k: Fraction, new_rate) -> Project:
    def f(n: int) -> int:
        return int(round(n * k))

    def marker(m: Marker) -> Marker:
        return evolve(m, frame=f(m.frame), duration=f(m.duration))

    assets = {}
    for aid, a in project.assets.items():  # stills and sounds count in project frames
        if a.kind in ("image", "audio"):
            a = evolve(a, rate=Fraction(a.rate) * k, frames=None if a.frames is None else f(a.frames))
        assets[aid] = a
    tracks = []
    for t in project.tracks:
        clips = []
        for c in t.clips:
            start, end = f(c.start), f(c.end)
            src = c.source_in
            a = project.assets.get(c.asset_id)
            if a is None or a.kind in ("image", "audio"):  # stills, sounds, titles, captions: project frames
                src = f(src)
            keys = {n: tuple(evolve(key, frame=f(key.frame)) for key in ks) for n, ks in c.keyframes.items()}
            dur = max(1, end - start)
            clips.append(evolve(c, start=start, duration=dur, source_in=src, fade_in=min(dur, f(c.fade_in)),
                                fade_out=min(dur, f(c.fade_out)), keyframes=_dedupe(keys),
                                markers=tuple(marker(m) for m in c.markers)))
        xs = tuple(evolve(x, duration=max(2, f(x.duration)), before=None if x.before is None else f(x.before))
                   for x in t.transitions)
        tracks.append(evolve(t, clips=tuple(clips), transitions=xs, markers=tuple(marker(m) for m in t.markers)))
    out = evolve(project, assets=assets, tracks=tuple(tracks), markers=tuple(marker(m) for m in project.markers),
                 settings=evolve(project.settings, rate=new_rate))
    # a clip may now be a frame longer than its media after rounding (at the new rate): take the frame off
    fixed = []
    for t in out.tracks:
        clips = []
        for c in t.clips:
            limit = out.max_duration(c.asset_id, c.source_in) if c.asset_id in out.assets else None
            clips.append(evolve(c, duration=limit) if limit is not None and 0 < limit < c.duration else c)
        fixed.append(evolve(t, clips=tuple(clips)))
    return evolve(out, tracks=tuple(fixed))


def _dedupe(keys: dict) -> dict:
    out = {}
    for n, ks in keys.items():
        by_frame: dict[int, Keyframe] = {}
        for key in ks:
            by_frame[key.frame] = key
        out[n] = tuple(sorted(by_frame.values(), key=lambda key: key.frame))
    return out


# -- placing clips --------------------------------------------------------------------------------------------------
def _clear_linked(project: Project, covered: dict[str, tuple[int, int]], skip: set[str]) -> Project:
    """Clear [start, end) of each clip linked to an overwritten clip (its sound, or its picture), only that clip."""
    out = project
    for cid, (s, e) in covered.items():
        if project.track_of(cid) is None:
            continue
        for t, partner in project.linked(cid):
            if partner.id == cid or partner.id in skip or out.track_of(partner.id) is None:
                continue
            track = edits._editable(out.track(t.id))
            lo, hi = max(s, partner.start), min(e, partner.end)
            if lo >= hi:
                continue
            others = [c for c in track.clips if c.id != partner.id]
            alone = with_clips(track, [partner])
            cleared = clear_range(out, alone, lo, hi)
            kept_x = [x for x in track.transitions if x.a != partner.id and x.b != partner.id]
            out = put_tracks(out, with_clips(track, others + list(cleared.clips), kept_x))
    return out


def _overwrite_one(project: Project, track_id: str, clip: Clip, skip: set[str]) -> Project:
    track = edits._editable(project.track(track_id))
    edits._check_kind(project, track, clip)
    hit = {c.id: (max(c.start, clip.start), min(c.end, clip.end)) for c in track.clips_between(clip.start, clip.end)
           if c.link is not None and c.id not in skip}
    project = _clear_linked(project, hit, skip | {c.id for c in track.clips_between(clip.start, clip.end)})
    track = project.track(track_id)
    track = clear_range(project, track, clip.start, clip.end)
    return put_tracks(project, with_clips(track, track.clips + (clip,)))


@edit
def overwrite(project: Project, parts: list[tuple[str, Clip]]) -> Project:
    """Lay clips (track id, clip) over whatever is there; what they cover of other clips goes, and so does the same
    stretch of those clips' linked sound or picture."""
    out = project
    for tid, clip in parts:
        out = _overwrite_one(out, tid, clip, set())
    return out


def _room_needed(project: Project, track_ids, at: int, duration: int) -> int:
    """Frames to push later clips by so that [at, at + duration) is free on the tracks."""
    need = 0
    for tid in track_ids:
        nxt = project.track(tid).clips_between(at, at + duration)
        if nxt:
            need = max(need, at + duration - nxt[0].start)
    return need


@edit
def insert(project: Project, parts: list[tuple[str, Clip]]) -> Project:
    """Insert clips (track id, clip, all starting at the same frame): what lies at or after that point moves right
    just enough to make room, on their tracks and on every track that follows a ripple (so a picture's sound and
    the sound layers stay in sync). A clip under the insert point is split there."""
    if not parts:
        return project
    at = parts[0][1].start
    duration = max(c.duration for _, c in parts)
    out = project
    for tid, _ in parts:  # a clip running across the insert point is split (with its linked clips)
        c = out.track(tid).clip_at(at)
        if c is not None and c.start < at:
            out = edits.split(out, c.id, at)
    primary = {tid for tid, _ in parts}
    for tid in list(primary):  # the split halves' partners move too
        c = out.track(tid).clip_at(at)
        if c is not None and c.start == at:
            primary |= {t.id for t, _ in out.linked(c.id)}
    need = _room_needed(out, primary, at, duration)
    if need:
        out = ripple(out, at, need, primary)
    for tid, clip in parts:
        track = edits._editable(out.track(tid))
        edits._check_kind(out, track, clip)
        out = put_tracks(out, with_clips(track, track.clips + (clip,)))
    return out


def _group(project: Project, clip_id: str) -> list[tuple[Track, Clip]]:
    return project.linked(clip_id)


def _lift(project: Project, ids: set[str]) -> Project:
    out = project
    for t in project.tracks:
        if any(t.clip(i) is not None for i in ids):
            t = edits._editable(t)
            out = put_tracks(out, drop_transitions(with_clips(t, [c for c in t.clips if c.id not in ids]), ids))
    return out


@edit
def move(project: Project, clip_id: str, start: int, track_id: str | None = None, mode: str = "overwrite") -> Project:
    """Move a clip with its linked clips. overwrite: what it lands on goes (with that clip's linked sound);
    insert: the clip leaves no gap where it was and pushes what follows the insert point (a reorder)."""
    if start < 0:
        raise EditError("a clip cannot start before the beginning of the timeline")
    if mode not in ("overwrite", "insert"):
        raise EditError("a move is an overwrite or an insert (swap has its own edit)")
    group = _group(project, clip_id)
    _, clip = project.find_clip(clip_id)
    ids = {c.id for _, c in group}
    if mode == "insert":
        out = edits.ripple_delete(project, [clip_id])
        if start >= clip.end:
            start -= clip.duration
        delta = start - clip.start
        parts = [(track_id if c.id == clip_id and track_id else t.id, evolve(c, start=c.start + delta))
                 for t, c in group]
        _check_destination(project, parts, group)
        return insert(out, parts)
    delta = start - clip.start
    out = _lift(project, ids)
    parts = [(track_id if c.id == clip_id and track_id else t.id, evolve(c, start=c.start + delta))
             for t, c in group]
    _check_destination(project, parts, group)
    for tid, c in parts:
        if c.start < 0:
            raise EditError("a linked clip would start before the beginning of the timeline")
        out = _overwrite_one(out, tid, c, ids)
    return out


def _check_destination(project: Project, parts, group) -> None:
    kinds = {c.id: t.kind for t, c in group}
    for tid, c in parts:
        if project.track(tid).kind != kinds[c.id]:
            raise EditError(f"a clip cannot move from a {kinds[c.id]} track to a {project.track(tid).kind} track")


@edit
def swap(project: Project, a_id: str, b_id: str) -> Project:
    """Exchange two clips of one track (with their linked clips): the later one takes the earlier one's place and
    the earlier one follows it after the same gap; nothing else moves."""
    ta, a = project.find_clip(a_id)
    tb, b = project.find_clip(b_id)
    if ta.id != tb.id:
        raise EditError("swap two clips on the same track")
    if a.id == b.id:
        return project
    first, second = (a, b) if a.start < b.start else (b, a)
    gap = second.start - first.end
    d_second = first.start - second.start
    d_first = first.start + second.duration + gap - first.start
    group_f, group_s = _group(project, first.id), _group(project, second.id)
    ids = {c.id for _, c in group_f} | {c.id for _, c in group_s}
    out = _lift(project, ids)
    for group, d in ((group_f, d_first), (group_s, d_second)):
        for t, c in group:
            track = out.track(t.id)
            out = put_tracks(out, with_clips(track, track.clips + (evolve(c, start=c.start + d),)))
    return out


@edit
def ripple_move(project: Project, clip_id: str, delta: int) -> Project:
    """Move a clip and everything after it (on its tracks and every track in sync with them) by delta frames: it
    opens (delta > 0) or takes up (delta < 0, only empty time) the space before the clip."""
    if not delta:
        return project
    track, clip = project.find_clip(clip_id)
    primary = {t.id for t, _ in project.linked(clip_id)}
    if delta < 0:
        for tid in primary:
            t = project.track(tid)
            c = t.clip(clip_id) or next(x for _, x in project.linked(clip_id) if project.track_of(x.id).id == tid)
            if c.start + delta < 0 or t.clips_between(c.start + delta, c.start):
                raise EditError("there is not enough empty time before the clip to move it there")
    return ripple(project, clip.start, delta, primary)


@edit
def close_all_gaps(project: Project, track_id: str) -> Project:
    """Close every empty stretch on a track, the one before its first clip too; what follows each gap moves left on
    every track in sync with it."""
    track = edits._editable(project.track(track_id))
    gaps, prev_end = [], 0
    for c in track.clips:
        if c.start > prev_end:
            gaps.append((prev_end, c.start))
        prev_end = max(prev_end, c.end)
    if not gaps:
        raise EditError(f"{track.name or 'the track'} has no gaps")
    out = project
    for s, e in reversed(gaps):  # latest first: earlier gaps keep their place
        out = ripple(out, e, s - e, {track_id})
    return out


__all__ = ["blank_project", "choose_settings", "size_for", "aspect_of", "set_settings", "overwrite", "insert", "move", "swap",
           "ripple_move", "close_all_gaps", "ASPECTS"]
