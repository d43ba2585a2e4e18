"""What makes a project valid, checked for a whole project (`problems`) or for what one edit touched (`check_edit`).

Rules: clips on a track never overlap and lie inside their media; a clip's media is in the project and fits its
track's kind; fades fit their clip; a transition joins two touching clips and fits inside them; clips that share a
link and a media file show the same source time at the same record time; clip ids are unique; and an edit changes
nothing on a locked track but its lock, mute and solo switches.
"""
from __future__ import annotations

import numpy as np

from editor.timeline import motion_problems
from editor.timeline.index import derive_project_index, middles, project_index, track_index
from editor.timeline.model import UNLOCKED_TRACK_PROPS, Clip, EditError, Project, Track


def _name(c) -> str:
    return c.name or c.id


def kind_problem(project: Project, track: Track, c: Clip) -> str | None:
    """Why a clip cannot be on a track (None: it can). Media clips go on the tracks of their kind; a title (no media)
    on a video track; a caption cue (text, no media) on a captions track and nothing else there."""
    if track.kind == "captions":
        if c.asset_id is not None or c.title is not None or c.text is None:
            return f"clip {_name(c)}: only caption cues can be on a captions track"
        return None
    if c.asset_id is None:
        if c.title is not None and track.kind == "video":
            return None
        what = "a title" if c.title is not None else "a caption cue" if c.text is not None else "a clip with no media"
        return f"clip {_name(c)}: {what} cannot be on a {track.kind} track"
    asset = project.assets.get(c.asset_id)
    if asset is None:
        return f"clip {_name(c)} refers to media that is not in the project"
    ok = asset.kind in ("video", "image") if track.kind == "video" else (
        asset.kind == "audio" or (asset.kind == "video" and asset.has_audio))
    if not ok:
        return f"clip {_name(c)}: a {asset.kind} clip cannot be on a {track.kind} track"
    return None


def clip_problems(project: Project, track: Track, c: Clip) -> list[str]:
    out = []
    wrong = kind_problem(project, track, c)
    if wrong is not None and c.asset_id is not None and c.asset_id not in project.assets:
        return [wrong]
    if c.duration < 1:
        out.append(f"clip {_name(c)} must be at least one frame long")
    if c.start < 0:
        out.append(f"clip {_name(c)} cannot start before the beginning of the timeline")
    if c.source_in < 0:
        out.append(f"clip {_name(c)} cannot start before the beginning of its media")
    if c.fade_in > c.duration or c.fade_out > c.duration:
        out.append(f"clip {_name(c)}: a fade cannot be longer than the clip")
    if wrong is not None:
        out.append(wrong)
    limit = project.max_duration(c.asset_id, c.source_in, c)
    if limit is not None and c.duration > limit:
        where = "start" if c.effects and motion_problems.reversed_(c) else "end"
        out.append(f"clip {_name(c)} runs past the {where} of its media")
    asset = project.assets.get(c.asset_id) if c.asset_id is not None else None
    if asset is not None and asset.frames is not None and c.source_in >= asset.frames and c.effects:
        out.append(f"clip {_name(c)} starts after the end of its media")
    out += motion_problems.problems(project, c)
    return out


def _neighbour_problems(track: Track, i: int) -> list[str]:
    clips = track.clips
    out = []
    if i > 0 and (clips[i - 1].end > clips[i].start):
        out.append(f"clips {_name(clips[i - 1])} and {_name(clips[i])} overlap on {track.name or track.id}")
    if i + 1 < len(clips) and (clips[i].end > clips[i + 1].start):
        out.append(f"clips {_name(clips[i])} and {_name(clips[i + 1])} overlap on {track.name or track.id}")
    return out


def transition_problem(track: Track, x) -> str | None:
    a, b = track.clip(x.a), track.clip(x.b)
    if a is None or b is None or a.end != b.start:
        return f"a transition on {track.name or track.id} needs two clips that touch"
    if x.duration < 2 or x.frames_before < 0 or x.frames_after < 0 or x.frames_before > a.duration or \
            x.frames_after > b.duration:
        return f"the transition between {_name(a)} and {_name(b)} is longer than the clips around it"
    return None


def transition_problems(track: Track) -> list[str]:
    out = []
    seen = set()
    for x in track.transitions:
        problem = transition_problem(track, x)
        if problem:
            out.append(problem)
            continue
        if x.a in seen:
            out.append(f"the cut after {_name(track.clip(x.a))} has two transitions")
        seen.add(x.a)
    return out


def _order_problems(t: Track) -> list[str]:
    """Clips of a track in order, apart, and not before the timeline's start (numpy over the track's index)."""
    ix = track_index(t)
    if not t.clips:
        return []
    starts, ends = np.asarray(ix.starts), np.asarray(ix.ends)
    bad = np.flatnonzero(starts[1:] < ends[:-1])
    if len(bad):
        i = int(bad[0])
        a, b = t.clips[i], t.clips[i + 1]
        if b.start < a.start:
            return [f"clips on {t.name or t.id} are out of order"]
        return [f"clips {_name(a)} and {_name(b)} overlap on {t.name or t.id}"]
    if starts[0] < 0:
        return [f"clip {_name(t.clips[0])} cannot start before the beginning of the timeline"]
    return []


def link_problems(project: Project, c: Clip) -> list[str]:
    if c.link is None:
        return []
    out = []
    for cid in project_index(project).links.get(c.link, ()):
        if cid == c.id:
            continue
        other = project.track_of(cid).clip(cid)
        if other.asset_id != c.asset_id or c.asset_id is None:
            continue
        if abs(project.source_frame(other, c.start) - c.source_in) > 1:
            out.append(f"clip {_name(c)} is out of sync with its linked clip {_name(other)}")
    return out


def _locked_change(old: Track, new: Track) -> bool:
    d1, d2 = old.__dict__, new.__dict__
    for k in d1.keys() | d2.keys():
        if k in UNLOCKED_TRACK_PROPS:
            continue
        a, b = d1.get(k), d2.get(k)
        if a is not b and a != b:
            return True
    return old.__pydantic_extra__ != new.__pydantic_extra__


def lock_problems(before: Project, after: Project) -> list[str]:
    out = []
    now = {t.id: t for t in after.tracks}
    for old in before.tracks:
        new = now.get(old.id)
        if new is old:
            continue
        if new is None:
            if old.lock:
                out.append(f"track {old.name or old.id} is locked; unlock it to remove it")
        elif old.lock and _locked_change(old, new):
            out.append(f"track {old.name or old.id} is locked; unlock it to change it")
    return out


def problems(project: Project, before: Project | None = None) -> list[str]:
    """Everything wrong with a project (and, given the project an edit started from, lock violations)."""
    out = lock_problems(before, project) if before is not None else []
    ids = set()
    for t in project.tracks:
        for i, c in enumerate(t.clips):
            if c.id in ids:
                out.append(f"clip id {c.id} is used twice")
            ids.add(c.id)
            out += clip_problems(project, t, c)
            if i and t.clips[i - 1].start > c.start:
                out.append(f"clips on {t.name or t.id} are out of order")
            if i and t.clips[i - 1].end > c.start:
                out.append(f"clips {_name(t.clips[i - 1])} and {_name(c)} overlap on {t.name or t.id}")
            out += link_problems(project, c)
        out += transition_problems(t)
    return out


def validate(project: Project) -> None:
    """Raise EditError naming the first problem of a project."""
    found = problems(project)
    if found:
        raise EditError(found[0])


def _new_objects(old: tuple, new: tuple) -> list:
    """The objects of `new` that are not in `old` (by identity); what both share at their ends is skipped unlooked."""
    old, new = middles(old, new)
    before = {id(x) for x in old}
    return [x for x in new if id(x) not in before]


def _transitions_to_check(track: Track, fresh: list, full_ids: set, gone: set, moved: dict, cd) -> list:
    """The transitions of a changed track that an edit may have broken: new ones, those of clips it added, changed
    or removed, and those between clips it moved by different amounts. A run of clips moved together (a ripple) can
    only break the transitions at its two ends (transitions join neighbours), so those are all it looks at."""
    ix = track_index(track)
    out = {id(x): x for x in fresh}
    for cid in full_ids | gone:
        for x in (ix.by_a.get(cid), ix.by_b.get(cid)):
            if x is not None:
                out[id(x)] = x
    pos, clips = ix.pos, track.clips
    for _, ids in (cd.shifted if cd is not None else ()):
        at = [pos[cid] for cid in ids if cid in pos]
        lo, hi = (min(at), max(at)) if at else (0, -1)
        if len(at) != len(ids) or hi - lo + 1 != len(ids):  # not one unbroken run: look at every transition
            get = moved.get
            return [x for x in track.transitions if id(x) in out or get(x.a) != get(x.b)]
        for x in (ix.by_b.get(clips[lo].id), ix.by_a.get(clips[hi].id)):
            if x is not None:
                out[id(x)] = x
    return list(out.values())


def check_edit(before: Project, after: Project) -> None:
    """Check what an edit touched. Cost: what changed, plus a C-speed pass over the changed tracks' clip tuples.

    Clips the edit added or changed get every check; clips it only moved (a ripple) get the checks a move can break:
    order and overlap where a moved run meets clips that did not move with it, a start inside the timeline, and
    linked partners that moved by the same amount. The per-track differences found here are kept for the Session's
    undo history (delta.remember), so they are computed once per edit."""
    from editor.timeline.delta import ClipsDelta, diff_clips, remember

    if after is before:
        return
    found = lock_problems(before, after)
    if found:
        raise EditError(found[0])
    old_tracks = {t.id: t for t in before.tracks}
    assets_changed = after.assets is not before.assets and {
        k for k in before.assets.keys() | after.assets.keys() if before.assets.get(k) is not after.assets.get(k)}
    full: list[tuple[Track, Clip]] = []  # every check
    moved: dict[str, int] = {}  # clip id -> frames it moved (only moved)
    moved_tracks: dict[str, Track] = {}
    deltas: dict[str, ClipsDelta] = {}
    gone: set[str] = set()
    changed_tracks = []
    for t in after.tracks:
        old = old_tracks.get(t.id)
        if old is t:
            if assets_changed:
                full += [(t, c) for c in t.clips if c.asset_id in assets_changed]
            continue
        changed_tracks.append((t, old))
        if old is None:
            full += [(t, c) for c in t.clips]
            continue
        if old.clips is t.clips:
            continue
        cd = deltas[t.id] = diff_clips(old.clips, t.clips)
        gone |= {c.id for c in cd.removed}
        full += [(t, c) for c in cd.added] + [(t, n) for _, n in cd.changed]
        for d, ids in cd.shifted:
            moved.update(dict.fromkeys(ids, d))
            moved_tracks[t.id] = t
        if assets_changed:
            full += [(t, c) for c in t.clips if c.asset_id in assets_changed and c.id in moved]
    for t in before.tracks:
        if t.id not in {x.id for x in after.tracks}:
            gone |= {c.id for c in t.clips}
    full_ids = {c.id for _, c in full}
    ix = derive_project_index(before, after, deltas, changed_tracks)
    for t, c in full:
        found += clip_problems(after, t, c)
        i = t.position(c.id)
        found += _neighbour_problems(t, i)
        if i and t.clips[i - 1].start > c.start or i + 1 < len(t.clips) and t.clips[i + 1].start < c.start:
            found.append(f"clips on {t.name or t.id} are out of order")
        found += link_problems(after, c)
        if found:
            raise EditError(found[0])
    if moved:
        # clips an edit only moved: order, overlap and start on their tracks in one vectorised pass per track
        for t in moved_tracks.values():
            found += _order_problems(t)
            if found:
                raise EditError(found[0])
        # linked clips stay in sync when every member moved by the same amount; otherwise check the link
        step = moved.get
        for link, members in project_index(before).links.items():
            if len(members) == 2:  # picture and its sound, the common case: a quick look
                a, b = members
                if step(a) == step(b) or a in gone or b in gone:
                    continue
            ds = {step(p) for p in members if p not in gone}
            if len(ds) > 1:
                for p in members:
                    tr = ix.track_of(p)
                    found += link_problems(after, tr.clip(p)) if tr is not None else []
                if found:
                    raise EditError(found[0])
    for t, old in changed_tracks:
        if old is None:
            found += transition_problems(t)
            continue
        fresh = [] if old.transitions is t.transitions else _new_objects(old.transitions, t.transitions)
        if fresh and len(track_index(t).by_a) != len(t.transitions):
            found.append(f"a cut on {t.name or t.id} has two transitions")
        for x in _transitions_to_check(t, fresh, full_ids, gone, moved, deltas.get(t.id)):
            problem = transition_problem(t, x)
            if problem:
                found.append(problem)
    if found:
        raise EditError(found[0])
    if full and len(ix.clip_track) != sum(len(t.clips) for t in after.tracks):
        raise EditError("a clip id is used twice")
    remember(before, after, deltas)
