"""The difference between two versions of a project, small enough to keep hundreds of them as undo history.

`diff(old, new)` compares two immutable projects; because an edit shares every object it did not change, only the
changed tracks are looked into, and within a track only clips whose object changed are recorded. A ripple that moves
thousands of clips by the same amount is stored as one shift (delta, clip ids), not as thousands of clip pairs.
`delta.apply(project, forward)` replays it either way: forward turns `old` into `new`, backward `new` into `old`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from editor.timeline.index import middles, track_index
from editor.timeline.model import Clip, Node, Project, Track, evolve, shifted

_KEYED = "clips"  # the only large field; every other field is stored whole when it changes
_START = attrgetter("start")


@dataclass(frozen=True)
class ClipsDelta:
    removed: tuple[Clip, ...] = ()
    added: tuple[Clip, ...] = ()
    changed: tuple[tuple[Clip, Clip], ...] = ()  # (old, new) of the same id
    shifted: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (frames, ids) of clips whose only change is start

    def apply(self, track: Track, forward: bool) -> tuple[Clip, ...]:
        clips = track.clips
        pos = track_index(track).pos
        parts: list[tuple[int, int, list]] = []  # (from, to, what replaces clips[from:to])
        for c in (self.removed if forward else self.added):
            if c.id in pos:
                parts.append((pos[c.id], pos[c.id] + 1, []))
        for o, n in self.changed:
            old, new = (o, n) if forward else (n, o)
            if old.id in pos:
                parts.append((pos[old.id], pos[old.id] + 1, [new]))
        for d, ids in self.shifted:
            d = d if forward else -d
            first, last = pos.get(ids[0]), pos.get(ids[-1])
            if first is not None and last is not None and last - first + 1 == len(ids) and \
                    tuple(c.id for c in clips[first:last + 1]) == ids:  # a ripple: one run, shifted as a slice
                parts.append((first, last + 1, shifted(clips[first:last + 1], d)))
            else:
                parts += [(pos[cid], pos[cid] + 1, shifted([clips[pos[cid]]], d)) for cid in ids if cid in pos]
        parts.sort(key=lambda p: p[0])
        out, prev = [], 0
        for a, b, what in parts:  # untouched runs are copied as slices
            out.extend(clips[prev:a])
            out.extend(what)
            prev = b
        out.extend(clips[prev:])
        out.extend(self.added if forward else self.removed)
        out.sort(key=_START)  # moves can change the order (a swap); Timsort on an almost sorted list is linear
        return tuple(out)

    def reversed(self) -> "ClipsDelta":
        return ClipsDelta(self.added, self.removed, tuple((n, o) for o, n in self.changed),
                          tuple((-d, ids) for d, ids in self.shifted))

    @property
    def ids(self) -> set[str]:
        return {c.id for c in self.removed} | {c.id for c in self.added} | {n.id for _, n in self.changed} | {
            cid for _, ids in self.shifted for cid in ids}


def _only_start_differs(o: Clip, n: Clip) -> bool:
    d = dict(n.__dict__)
    d["start"] = o.start
    return d == o.__dict__ and o.__pydantic_extra__ == n.__pydantic_extra__


# Shift notes: an edit that moved a run of clips (edits.shift_clips: a ripple) says so, and diff_clips reads the note
# instead of comparing thousands of clips. id(new tuple) -> (new, base, first index, frames): new[:first] are
# base[:first] themselves, new[first:] are base[first:] moved by `frames`. A few at most; cleared when an edit has
# been checked (remember), so they never keep old versions alive.
_SHIFTS: dict[int, tuple] = {}


def note_shift(base: tuple[Clip, ...], new: tuple[Clip, ...], first: int, frames: int) -> None:
    _SHIFTS[id(new)] = (new, base, first, frames)
    while len(_SHIFTS) > 4:
        del _SHIFTS[next(iter(_SHIFTS))]


def _then_shifted(inner: ClipsDelta, run: tuple[Clip, ...], frames: int) -> ClipsDelta:
    """`inner` (old -> base) followed by moving `run` (clips of base, now moved by `frames`): old -> new."""
    run_ids = [c.id for c in run]
    if inner == ClipsDelta():
        return ClipsDelta(shifted=((frames, tuple(run_ids)),))
    in_run = set(run_ids)
    touched = ({c.id for c in inner.added} | {n.id for _, n in inner.changed}) & in_run
    if not touched and not inner.shifted:  # the common compound: something removed or changed, then a ripple
        return ClipsDelta(inner.removed, inner.added, inner.changed, ((frames, tuple(run_ids)),))
    now = {c.id: c for c in run if c.id in touched}
    added = tuple(now.get(c.id, c) for c in inner.added)
    changed = tuple((o, now.get(n.id, n)) for o, n in inner.changed)
    prior = {cid: d for d, ids in inner.shifted for cid in ids}
    moves = defaultdict(list)
    for d, ids in inner.shifted:
        moves[d] += [cid for cid in ids if cid not in in_run]
    for cid in run_ids:
        if cid not in touched:
            moves[prior.get(cid, 0) + frames].append(cid)
    moves.pop(0, None)  # moved there and back: the same clip as before
    return ClipsDelta(inner.removed, added, changed, tuple((d, tuple(ids)) for d, ids in moves.items() if ids))


def diff_clips(old: tuple[Clip, ...], new: tuple[Clip, ...]) -> ClipsDelta:
    note = _SHIFTS.get(id(new))
    if note is not None and note[0] is new:
        _, base, first, frames = note
        return _then_shifted(ClipsDelta() if base is old else diff_clips(old, base), new[first:], frames)
    old, new = middles(old, new)  # what both versions share at their ends is the same objects: not looked at
    kept = {id(c) for c in old}
    fresh = [c for c in new if id(c) not in kept]
    if not fresh and len(new) == len(old):
        return ClipsDelta()
    now = {id(c) for c in new}
    lost = [c for c in old if id(c) not in now]
    lost_by_id = {c.id: c for c in lost}
    fresh_ids = {c.id for c in fresh}
    changed, shifted = [], defaultdict(list)
    added = []
    for n in fresh:
        o = lost_by_id.get(n.id)
        if o is None:
            added.append(n)
        elif _only_start_differs(o, n):
            shifted[n.start - o.start].append(n.id)
        else:
            changed.append((o, n))
    removed = tuple(c for c in lost if c.id not in fresh_ids)
    return ClipsDelta(removed, tuple(added), tuple(changed), tuple((d, tuple(ids)) for d, ids in shifted.items()))


def _field_changes(old: Node, new: Node, skip: tuple[str, ...]) -> dict:
    d1, d2 = old.__dict__, new.__dict__
    out = {k: (d1.get(k), d2.get(k)) for k in d1.keys() | d2.keys()
           if k not in skip and d1.get(k) is not d2.get(k) and d1.get(k) != d2.get(k)}
    if old.__pydantic_extra__ != new.__pydantic_extra__:
        out["__pydantic_extra__"] = (old.__pydantic_extra__, new.__pydantic_extra__)
    return out


def _set_fields(obj: Node, changes: dict, forward: bool) -> Node:
    if not changes:
        return obj
    vals = {k: (n if forward else o) for k, (o, n) in changes.items()}
    extra = vals.pop("__pydantic_extra__", None)
    out = evolve(obj, **vals)
    if "__pydantic_extra__" in changes:
        object.__setattr__(out, "__pydantic_extra__", extra)
    return out


@dataclass(frozen=True)
class TrackDelta:
    id: str
    fields: dict = field(default_factory=dict)  # name -> (old, new)
    clips: ClipsDelta = ClipsDelta()

    def apply(self, track: Track, forward: bool) -> Track:
        track = _set_fields(track, self.fields, forward)
        if self.clips != ClipsDelta():
            track = evolve(track, clips=self.clips.apply(track, forward))
        return track


@dataclass(frozen=True)
class ProjectDelta:
    fields: dict = field(default_factory=dict)  # settings, name, meta, markers ... -> (old, new)
    assets: dict = field(default_factory=dict)  # id -> (old or None, new or None)
    order: tuple | None = None  # (old track ids, new track ids) when tracks were added, removed or reordered
    tracks_gone: dict = field(default_factory=dict)  # id -> Track (in old only)
    tracks_new: dict = field(default_factory=dict)  # id -> Track (in new only)
    tracks: tuple[TrackDelta, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.fields or self.assets or self.order or self.tracks)

    def apply(self, project: Project, forward: bool = True) -> Project:
        """The other version of the project; its lookup index is derived from this one's (cost: the change)."""
        out = self._apply(project, forward)
        from editor.timeline.index import derive_project_index

        before = {t.id: t for t in project.tracks}
        changed = [(t, before.get(t.id)) for t in out.tracks if before.get(t.id) is not t]
        derive_project_index(project, out, {td.id: td.clips if forward else td.clips.reversed()
                                            for td in self.tracks}, changed)
        return out

    def _apply(self, project: Project, forward: bool = True) -> Project:
        changes = {}
        if self.fields:
            project = _set_fields(project, self.fields, forward)
        if self.assets:
            assets = dict(project.assets)
            for k, (o, n) in self.assets.items():
                v = n if forward else o
                if v is None:
                    assets.pop(k, None)
                else:
                    assets[k] = v
            changes["assets"] = assets
        by_id = {t.id: t for t in project.tracks}
        by_id.update(self.tracks_new if forward else self.tracks_gone)
        for td in self.tracks:
            by_id[td.id] = td.apply(by_id[td.id], forward)
        ids = (self.order[1] if forward else self.order[0]) if self.order else [t.id for t in project.tracks]
        changes["tracks"] = tuple(by_id[i] for i in ids)
        return evolve(project, **changes)

    # what changed, for views
    @property
    def track_ids(self) -> set[str]:
        return {td.id for td in self.tracks} | set(self.tracks_gone) | set(self.tracks_new)

    @property
    def clip_ids(self) -> set[str]:
        out = set()
        for td in self.tracks:
            out |= td.clips.ids
        for t in list(self.tracks_gone.values()) + list(self.tracks_new.values()):
            out |= {c.id for c in t.clips}
        return out


_memo: tuple = (None, None, {})  # (before, after, {track id: ClipsDelta}) of the last checked edit


def remember(before: Project, after: Project, clip_deltas: dict) -> None:
    """validate.check_edit found these per-track differences; diff(before, after) reuses them."""
    global _memo
    _memo = (before, after, clip_deltas)
    _SHIFTS.clear()


def diff(old: Project, new: Project) -> ProjectDelta:
    if old is new:
        return ProjectDelta()
    memo = _memo
    known = memo[2] if memo[0] is old and memo[1] is new else {}
    fields = _field_changes(old, new, ("tracks", "assets"))
    assets = {}
    if old.assets is not new.assets:
        assets = {k: (old.assets.get(k), new.assets.get(k)) for k in old.assets.keys() | new.assets.keys()
                  if old.assets.get(k) is not new.assets.get(k)}
    o_ids, n_ids = [t.id for t in old.tracks], [t.id for t in new.tracks]
    o_map, n_map = dict(zip(o_ids, old.tracks)), dict(zip(n_ids, new.tracks))
    tds = []
    for t in new.tracks:
        o = o_map.get(t.id)
        if o is None or o is t:
            continue
        cd = known.get(t.id) or (diff_clips(o.clips, t.clips) if o.clips is not t.clips else ClipsDelta())
        fc = _field_changes(o, t, (_KEYED,))
        if fc or cd != ClipsDelta():
            tds.append(TrackDelta(t.id, fc, cd))
    return ProjectDelta(
        fields=fields, assets=assets, order=(tuple(o_ids), tuple(n_ids)) if o_ids != n_ids else None,
        tracks_gone={i: o_map[i] for i in o_ids if i not in n_map},
        tracks_new={i: n_map[i] for i in n_ids if i not in o_map}, tracks=tuple(tds))
