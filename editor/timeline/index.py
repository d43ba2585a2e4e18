"""Lookup indexes over immutable tracks and projects, built once per object and shared by every reader.

A Track or Project never changes, so an index built for one stays right for as long as the object lives. Indexes are
kept in a small identity-keyed LRU (the object itself is held, so its id cannot be reused while cached). Building one
is O(n); a lookup is O(log n) (clip at a frame) or O(1) (clip by id). An edit that changes one track leaves every other
track's index valid, because the other tracks are the same objects in the new project.
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict


class TrackIndex:
    __slots__ = ("clips", "starts", "ends", "pos", "by_a", "by_b", "longest_transition")

    def __init__(self, track):
        self.clips = track.clips
        self.starts = [c.start for c in self.clips]
        self.ends = [c.start + c.duration for c in self.clips]
        self.pos = {c.id: i for i, c in enumerate(self.clips)}
        self.by_a = {x.a: x for x in track.transitions}
        self.by_b = {x.b: x for x in track.transitions}
        self.longest_transition = max((x.duration for x in track.transitions), default=0)

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


class _IdentityCache:
    def __init__(self, build, size: int):
        self.build, self.size = build, size
        self._items: OrderedDict[int, tuple[object, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, obj):
        key = id(obj)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is obj:
                self._items.move_to_end(key)
                return hit[1]
        value = self.build(obj)
        with self._lock:
            self._items[key] = (obj, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_tracks = _IdentityCache(TrackIndex, 4096)
_projects = _IdentityCache(ProjectIndex, 64)


def track_index(track) -> TrackIndex:
    return _tracks.get(track)


def project_index(project) -> ProjectIndex:
    return _projects.get(project)
