"""What makes a project valid, checked for a whole project (`problems`) or for what one edit touched (`check_edit`).

Rules: clips on a track never overlap and lie inside their media; a clip's media is in the project and fits its
track's kind; fades fit their clip; a transition joins two touching clips and fits inside them; clips that share a
link and a media file show the same source time at the same record time; clip ids are unique; and an edit changes
nothing on a locked track but its lock, mute and solo switches.
"""
from __future__ import annotations

from editor.timeline.index import project_index
from editor.timeline.model import UNLOCKED_TRACK_PROPS, Clip, EditError, Project, Track


def _name(c) -> str:
    return c.name or c.id


def clip_problems(project: Project, track: Track, c: Clip) -> list[str]:
    out = []
    asset = project.assets.get(c.asset_id)
    if asset is None:
        return [f"clip {_name(c)} refers to media that is not in the project"]
    if c.duration < 1:
        out.append(f"clip {_name(c)} must be at least one frame long")
    if c.start < 0:
        out.append(f"clip {_name(c)} cannot start before the beginning of the timeline")
    if c.source_in < 0:
        out.append(f"clip {_name(c)} cannot start before the beginning of its media")
    if c.fade_in > c.duration or c.fade_out > c.duration:
        out.append(f"clip {_name(c)}: a fade cannot be longer than the clip")
    ok = asset.kind in ("video", "image") if track.kind == "video" else (
        asset.kind == "audio" or (asset.kind == "video" and asset.has_audio))
    if not ok:
        out.append(f"clip {_name(c)}: a {asset.kind} clip cannot be on a {track.kind} track")
    limit = project.max_duration(c.asset_id, c.source_in)
    if limit is not None and c.duration > limit:
        out.append(f"clip {_name(c)} runs past the end of its media")
    return out


def _neighbour_problems(track: Track, i: int) -> list[str]:
    clips = track.clips
    out = []
    if i > 0 and (clips[i - 1].end > clips[i].start):
        out.append(f"clips {_name(clips[i - 1])} and {_name(clips[i])} overlap on {track.name or track.id}")
    if i + 1 < len(clips) and (clips[i].end > clips[i + 1].start):
        out.append(f"clips {_name(clips[i])} and {_name(clips[i + 1])} overlap on {track.name or track.id}")
    return out


def transition_problems(track: Track) -> list[str]:
    out = []
    seen = set()
    for x in track.transitions:
        a, b = track.clip(x.a), track.clip(x.b)
        if a is None or b is None or a.end != b.start:
            out.append(f"a transition on {track.name or track.id} needs two clips that touch")
            continue
        if x.a in seen:
            out.append(f"the cut after {_name(a)} has two transitions")
        seen.add(x.a)
        if x.duration < 2 or x.frames_before < 0 or x.frames_after < 0 or x.frames_before > a.duration or \
                x.frames_after > b.duration:
            out.append(f"the transition between {_name(a)} and {_name(b)} is longer than the clips around it")
    return out


def link_problems(project: Project, c: Clip) -> list[str]:
    if c.link is None:
        return []
    out = []
    for cid in project_index(project).links.get(c.link, ()):
        if cid == c.id:
            continue
        other = project.track_of(cid).clip(cid)
        if other.asset_id != c.asset_id:
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


def check_edit(before: Project, after: Project) -> None:
    """Check what an edit touched (cost: the changed tracks' clip lists, not the whole project)."""
    if after is before:
        return
    found = lock_problems(before, after)
    if found:
        raise EditError(found[0])
    old_tracks = {t.id: t for t in before.tracks}
    assets_changed = after.assets is not before.assets and {
        k for k in before.assets.keys() | after.assets.keys() if before.assets.get(k) is not after.assets.get(k)}
    touched_clips: list[tuple[Track, int]] = []
    counted = 0
    for t in after.tracks:
        counted += len(t.clips)
        old = old_tracks.get(t.id)
        if old is t:
            if assets_changed:
                touched_clips += [(t, i) for i, c in enumerate(t.clips) if c.asset_id in assets_changed]
            continue
        if old is None:
            touched_clips += [(t, i) for i in range(len(t.clips))]
        elif old.clips is not t.clips:
            kept = {id(c) for c in old.clips}
            touched_clips += [(t, i) for i, c in enumerate(t.clips)
                              if id(c) not in kept or (assets_changed and c.asset_id in assets_changed)]
        if old is None or old.transitions is not t.transitions or old.clips is not t.clips:
            found += transition_problems(t)
    for t, i in touched_clips:
        c = t.clips[i]
        found += clip_problems(after, t, c)
        found += _neighbour_problems(t, i)
        if i and t.clips[i - 1].start > c.start or i + 1 < len(t.clips) and t.clips[i + 1].start < c.start:
            found.append(f"clips on {t.name or t.id} are out of order")
        found += link_problems(after, c)
        if found:
            raise EditError(found[0])
    if found:
        raise EditError(found[0])
    if touched_clips and len(project_index(after).clip_track) != counted:
        raise EditError("a clip id is used twice")
