"""Lookup indexes over immutable tracks and projects, built once per object and shared by every reader.

A Track or Project never changes, so an index built for one stays right for as long as the object lives. Indexes are
kept by identity and dropped with their object (a weak reference: its id cannot be reused while cached). Building one
is O(n); a lookup is O(log n) (clip at a frame) or O(1) (clip by id). An edit that changes one track leaves every other
track's index valid, because the other tracks are the same objects in the new project.
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
import weakref


class TrackIndex:
    """Parts are built on first use: an edit that only needs positions never pays for the transition maps."""
    __slots__ = ("clips", "transitions", "_starts", "_ends", "_pos", "_by_a", "_by_b", "_longest")

    def __init__(self, track):
        self.clips = track.clips
        self.transitions = track.transitions
        self._starts = self._ends = self._pos = self._by_a = self._by_b = self._longest = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [c.start for c in self.clips]
        return self._starts

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            self._ends = [c.start + c.duration for c in self.clips]
        return self._ends

    @property
    def pos(self) -> dict:
        if self._pos is None:
            self._pos = {c.id: i for i, c in enumerate(self.clips)}
        return self._pos

    @property
    def by_a(self) -> dict:
        if self._by_a is None:
            self._by_a = {x.a: x for x in self.transitions}
        return self._by_a

    @property
    def by_b(self) -> dict:
        if self._by_b is None:
            self._by_b = {x.b: x for x in self.transitions}
        return self._by_b

    @property
    def longest_transition(self) -> int:
        if self._longest is None:
            self._longest = max((x.duration for x in self.transitions), default=0)
        return self._longest

    def clip_at(self, frame: int):
        i = bisect_right(self.starts, frame) - 1
        if i >= 0 and frame < self.ends[i]:
            return self.clips[i]
        return None

    def clip(self, clip_id: str):
        i = self.pos.get(clip_id)
        return None if i is None else self.clips[i]

    def between(self, start: int, end: int) -> tuple:
        """Clips overlapping [start, end) (clips on a valid track never overlap, so ends are sorted too)."""
        lo = bisect_right(self.ends, start)
        hi = bisect_left(self.starts, end)
        return self.clips[lo:hi] if hi > lo else ()


class ProjectIndex:
    __slots__ = ("tracks", "clip_track", "links")

    def __init__(self, project):
        self.tracks = {t.id: t for t in project.tracks}
        self.clip_track: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        for t in project.tracks:
            for c in t.clips:
                self.clip_track[c.id] = t.id
                if c.link is not None:
                    self.links.setdefault(c.link, []).append(c.id)

    def track_of(self, clip_id: str):
        tid = self.clip_track.get(clip_id)
        return None if tid is None else self.tracks[tid]


def derive_project_index(before, after, deltas: dict, changed_tracks) -> ProjectIndex:
    """The index of `after` made from the index of `before` and what changed (cost: the change, not the project).
    `deltas`: track id -> ClipsDelta; `changed_tracks`: (new track, old track or None) pairs."""
    hit = _projects.peek(after)
    if hit is not None:
        return hit
    ix = object.__new__(ProjectIndex)
    old = _projects.get(before)
    ix.tracks = {t.id: t for t in after.tracks}
    ix.clip_track = dict(old.clip_track)
    links = dict(old.links)
    touched_links = set()

    def drop(c):
        if ix.clip_track.get(c.id) is not None:
            del ix.clip_track[c.id]
        if c.link is not None and c.link in links:
            if c.link not in touched_links:
                links[c.link] = list(links[c.link])
                touched_links.add(c.link)
            if c.id in links[c.link]:
                links[c.link].remove(c.id)
            if not links[c.link]:
                del links[c.link]

    def add(tid, c):
        ix.clip_track[c.id] = tid
        if c.link is not None:
            if c.link not in touched_links:
                links[c.link] = list(links.get(c.link, ()))
                touched_links.add(c.link)
            links[c.link].append(c.id)

    now = {t.id for t in after.tracks}
    for t in before.tracks:
        if t.id not in now:
            for c in t.clips:
                drop(c)
    adds = []  # every removal first: a clip that moves to another track is dropped there and added here
    for t, prev in changed_tracks:
        if prev is None:
            adds += [(t.id, c) for c in t.clips]
            continue
        d = deltas.get(t.id)
        if d is None:
            continue
        for c in d.removed:
            drop(c)
        for o, n in d.changed:
            if o.link != n.link:
                drop(o)
                adds.append((t.id, n))
        adds += [(t.id, c) for c in d.added]
    for tid, c in adds:
        add(tid, c)
    ix.links = links
    _projects.put(after, ix)
    return ix


class _IdentityCache:
    """Index per live object, dropped when the object dies (weak reference): the cache never keeps an old version
    of the project alive, so the undo history's memory is what the history itself holds."""

    def __init__(self, build):
        self.build = build
        self._items: dict[int, tuple[weakref.ref, object]] = {}
        self._lock = threading.Lock()

    def peek(self, obj):
        hit = self._items.get(id(obj))
        return hit[1] if hit is not None and hit[0]() is obj else None

    def put(self, obj, value) -> None:
        key = id(obj)

        def gone(_ref, key=key):
            with self._lock:
                item = self._items.get(key)
                if item is not None and item[0] is _ref:
                    del self._items[key]

        with self._lock:
            self._items[key] = (weakref.ref(obj, gone), value)

    def get(self, obj):
        key = id(obj)
        hit = self._items.get(key)
        if hit is not None and hit[0]() is obj:
            return hit[1]
        value = self.build(obj)
        self.put(obj, value)
        return value


_tracks = _IdentityCache(TrackIndex)
_projects = _IdentityCache(ProjectIndex)


def track_index(track) -> TrackIndex:
    return _tracks.get(track)


def project_index(project) -> ProjectIndex:
    return _projects.get(project)


def middles(old: tuple, new: tuple) -> tuple[tuple, tuple]:
    """`old` and `new` without what they share (the same objects) at their start and at their end: two versions of
    a track differ only there (an edit shares every object it did not change)."""
    lo, n_old, n_new = 0, len(old), len(new)
    while lo < n_old and lo < n_new and old[lo] is new[lo]:
        lo += 1
    hi_old, hi_new = n_old, n_new
    while hi_old > lo and hi_new > lo and old[hi_old - 1] is new[hi_new - 1]:
        hi_old -= 1
        hi_new -= 1
    return old[lo:hi_old], new[lo:hi_new]
