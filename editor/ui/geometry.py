"""Timeline geometry in plain Python (no Qt): time <-> pixels, zoom and scroll, row layout, hit-testing of clips,
edges, cuts and header switches, snapping, trim deltas and drop targets.

The view (editor/ui/timeline_view.py) draws what this module lays out and forwards mouse positions to it. Lookups go
through the model's indexes (`track.clip_at`, `track.clips_between`: O(log n)), so hit-testing costs the same at 10
clips and at 10,000. Sizes follow a `scale` (the platform font's size relative to a 9 pt font at 96 dpi), so the
timeline is readable on a HiDPI screen and with large fonts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from editor.timeline.model import Clip, Project, Track, evolve
from editor.timeline.music_edits import beat_frames

# base sizes in pixels at scale 1.0
BASE = {"ruler": 28, "header": 150, "video": 64, "audio": 50, "edge": 7, "snap": 8, "handle": 18, "switch": 24,
        "switch_h": 18, "gap": 4, "drop_zone": 40}
MIN_PX_PER_FRAME, MAX_PX_PER_FRAME = 0.02, 40.0
SWITCHES = ("mute", "solo", "lock")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h

    def intersects(self, o: "Rect") -> bool:
        return self.x < o.right and o.x < self.right and self.y < o.bottom and o.y < self.bottom

    def united(self, o: "Rect") -> "Rect":
        x, y = min(self.x, o.x), min(self.y, o.y)
        return Rect(x, y, max(self.right, o.right) - x, max(self.bottom, o.bottom) - y)

    @staticmethod
    def spanning(x0: float, y0: float, x1: float, y1: float) -> "Rect":
        return Rect(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))


class Row(NamedTuple):
    track: Track
    top: int
    height: int


class Hit(NamedTuple):
    kind: str | None  # body | in | out | handle | header | switch | ruler | None (empty track area or nothing)
    track: Track | None
    target: object = None  # the clip; (a, b) clips of a cut for "handle"; the switch name for "switch"


@dataclass(frozen=True)
class DropTarget:
    """Where a drop lands. track_id None: a new track of `kind` is made (none fits there)."""
    track_id: str | None
    kind: str  # video | audio
    start: int
    mode: str  # insert | overwrite | swap
    swap_with: str | None = None  # clip id (swap)
    new_track_index: int | None = None  # position of the new track in project.tracks


class TimelineGeometry:
    def __init__(self, scale: float = 1.0):
        self.scale = 1.0
        self.px_per_frame = 3.0
        self.scroll = 0  # first visible frame
        self.width = 800
        self.height = 300
        self.set_scale(scale)
        self._rows_of = None  # the project.tracks tuple the cached rows were laid out for
        self._rows: list[Row] = []

    # -- sizes ---------------------------------------------------------------------------------------------------
    def set_scale(self, scale: float) -> None:
        self.scale = max(1.0, float(scale))
        for k, v in BASE.items():
            setattr(self, f"{k}_px", int(round(v * self.scale)))
        self._rows_of = None

    @property
    def header_w(self) -> int:
        return self.header_px

    @property
    def ruler_h(self) -> int:
        return self.ruler_px

    def row_height(self, track: Track) -> int:
        return self.row_height_for(track.kind)

    def row_height_for(self, kind: str) -> int:
        return self.video_px if kind == "video" else self.audio_px

    # -- time <-> pixels ---------------------------------------------------------------------------------------
    def x_of(self, frame: float) -> float:
        return self.header_px + (frame - self.scroll) * self.px_per_frame

    def frame_at(self, x: float) -> int:
        return max(0, int(round((x - self.header_px) / self.px_per_frame + self.scroll)))

    def frame_floor(self, x: float) -> int:
        return max(0, int((x - self.header_px) / self.px_per_frame + self.scroll))

    def frames_in(self, x0: float, x1: float) -> tuple[int, int]:
        """[first, last] frames that the pixel columns x0..x1 show (widened by a frame each side)."""
        return max(0, self.frame_floor(x0) - 1), self.frame_floor(x1) + 2

    @property
    def visible_frames(self) -> int:
        return max(1, int((self.width - self.header_px) / self.px_per_frame))

    def frames_to_px(self, frames: float) -> float:
        return frames * self.px_per_frame

    def px_to_frames(self, px: float) -> int:
        return int(round(px / self.px_per_frame))

    # -- zoom and scroll ---------------------------------------------------------------------------------------
    def scroll_limit(self, duration: int) -> int:
        """The furthest first-visible frame: nothing to scroll when the whole project fits; otherwise its end can
        come to three quarters of the view (room to drop after it)."""
        v = self.visible_frames
        return 0 if duration <= v else duration - v + v // 4

    @property
    def scroll_step(self) -> int:
        """Frames one wheel notch (or scrollbar arrow) moves: about 60 px."""
        return int(60 * self.scale / self.px_per_frame) or 1

    def set_scroll(self, frame: float, duration: int) -> bool:
        v = max(0, min(int(frame), self.scroll_limit(duration)))
        changed = v != self.scroll
        self.scroll = v
        return changed

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        anchor_x = self.width / 2 if anchor_x is None else anchor_x
        f = self.frame_at(anchor_x)
        self.px_per_frame = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, self.px_per_frame * factor))
        self.scroll = max(0, int(f - (anchor_x - self.header_px) / self.px_per_frame))

    def zoom_to_fit(self, duration: int) -> None:
        d = max(1, duration)
        self.px_per_frame = min(MAX_PX_PER_FRAME, max(MIN_PX_PER_FRAME, (self.width - self.header_px - 20) / d))
        self.scroll = 0

    def follow(self, frame: int, duration: int) -> bool:
        """Page along when the playhead runs off either edge; True when the view scrolled."""
        visible = self.visible_frames
        if frame >= self.scroll + visible or frame < self.scroll:
            target = frame - visible * 0.1 if frame >= self.scroll else frame - visible * 0.9
            return self.set_scroll(target, duration)
        return False

    # -- rows --------------------------------------------------------------------------------------------------
    def rows(self, project: Project) -> list[Row]:
        """Captions tracks on top, video tracks top-down from the highest, then audio (cached per tracks tuple)."""
        if self._rows_of is project.tracks:  # immutable: the same tuple lays out the same
            return self._rows
        out, y = [], self.ruler_px
        for t in project.captions_tracks() + list(reversed(project.video_tracks())) + project.audio_tracks():
            h = self.row_height(t)
            out.append(Row(t, y, h))
            y += h
        self._rows_of, self._rows = project.tracks, out
        return out

    def content_height(self, project: Project) -> int:
        rows = self.rows(project)
        return (rows[-1].top + rows[-1].height if rows else self.ruler_px) + self.drop_zone_px

    def row_at(self, project: Project, y: float) -> Row | None:
        for r in self.rows(project):
            if r.top <= y < r.top + r.height:
                return r
        return None

    def row_of(self, project: Project, track_id: str) -> Row | None:
        return next((r for r in self.rows(project) if r.track.id == track_id), None)

    def track_at(self, project: Project, y: float) -> Track | None:
        r = self.row_at(project, y)
        return r.track if r else None

    # -- clips, cuts, switches ---------------------------------------------------------------------------------
    def clip_rect(self, clip: Clip, row: Row) -> Rect:
        return Rect(self.x_of(clip.start), row.top + 2, clip.duration * self.px_per_frame, row.height - 4)

    def clip_rect_in(self, project: Project, clip_id: str) -> Rect | None:
        t = project.track_of(clip_id)
        if t is None:
            return None
        row = self.row_of(project, t.id)
        return None if row is None else self.clip_rect(t.clip(clip_id), row)

    def visible_clips(self, track: Track, x0: float | None = None, x1: float | None = None) -> tuple[Clip, ...]:
        first, last = self.frames_in(self.header_px if x0 is None else x0, self.width if x1 is None else x1)
        return track.clips_between(first, last + 1)

    def show_handles(self) -> bool:
        return self.px_per_frame >= 0.3  # cuts far enough apart to click

    def cuts(self, track: Track, first: int, last: int) -> list[tuple[Clip, Clip]]:
        """(a, b) of every cut between two touching clips on a video track whose cut frame lies in [first, last]."""
        if track.kind != "video":
            return []
        near = track.clips_between(max(0, first - 1), last + 2)
        return [(a, b) for a, b in zip(near, near[1:]) if a.end == b.start and first <= b.start <= last]

    def handle_rect(self, cut_frame: int, row: Row) -> Rect:
        """The "+" of a cut: at the top of the row, above where the clips' edges are grabbed to trim."""
        s = self.handle_px
        return Rect(self.x_of(cut_frame) - s / 2, row.top + 1, s, s)

    def switch_rects(self, row: Row) -> list[tuple[str, Rect]]:
        w, h, pad = self.switch_px, self.switch_h_px, int(6 * self.scale)
        return [(name, Rect(pad + i * (w + pad // 2), row.top + row.height - h - 4, w, h))
                for i, name in enumerate(SWITCHES)]

    def edge_px_for(self, rect: Rect) -> float:
        return self.edge_px if rect.w > 3 * self.edge_px else 0

    # -- hit-testing -------------------------------------------------------------------------------------------
    def hit(self, project: Project, x: float, y: float) -> Hit:
        """What lies under a point: the ruler, a header switch, a cut's "+", a clip's in/out edge or body."""
        if y < self.ruler_px:
            return Hit("ruler", None)
        row = self.row_at(project, y)
        if row is None:
            return Hit(None, None)
        t = row.track
        if x < self.header_px:
            for name, r in self.switch_rects(row):
                if r.contains(x, y):
                    return Hit("switch", t, name)
            return Hit("header", t)
        f = self.frame_floor(x)
        if self.show_handles() and t.kind == "video":
            reach = int(self.handle_px / self.px_per_frame) + 1
            for a, b in self.cuts(t, f - reach, f + reach):
                if self.handle_rect(b.start, row).contains(x, y):
                    return Hit("handle", t, (a, b))
        reach = int((self.edge_px + 1) / self.px_per_frame) + 1
        for c in t.clips_between(max(0, f - reach), f + reach + 1):
            r = self.clip_rect(c, row)
            if r.x - 1 <= x <= r.right + 1:
                edge = self.edge_px_for(r)
                if edge and x - r.x <= edge:
                    return Hit("in", t, c)
                if edge and r.right - x <= edge:
                    return Hit("out", t, c)
                return Hit("body", t, c)
        return Hit(None, t)

    def clips_in_band(self, project: Project, band: Rect) -> list[str]:
        ids = []
        first, last = self.frames_in(band.x, band.right)
        for row in self.rows(project):
            if row.top + row.height < band.y or row.top > band.bottom:
                continue
            ids += [c.id for c in row.track.clips_between(first, last + 1) if self.clip_rect(c, row).intersects(band)]
        return ids

    # -- snapping ----------------------------------------------------------------------------------------------
    def snap_points(self, project: Project, lo: int, hi: int, ignore=(), playhead: int | None = None) -> set[int]:
        pts = {0} if lo <= 0 <= hi else set()
        if playhead is not None and lo <= playhead <= hi:
            pts.add(playhead)
        for t in project.tracks:
            for c in t.clips_between(max(0, lo - 1), hi + 1):
                if c.id in ignore:
                    continue
                pts.update(p for p in (c.start, c.end) if lo <= p <= hi)
            for c in (t.clip_at(hi),):  # a clip that ends inside the window may start far before it
                if c is not None and c.id not in ignore and lo <= c.end <= hi:
                    pts.add(c.end)
        pts.update(b for b in beat_frames(project) if lo <= b <= hi)  # the music's beats (music_edits)
        return pts

    def snap(self, project: Project, start: int, duration: int, ignore=(), playhead: int | None = None,
             enabled: bool = True) -> int:
        """Snap a span [start, start + duration) so that its start or its end meets a clip edge, the playhead or 0,
        when one is within SNAP px."""
        if not enabled:
            return max(0, start)
        tol = self.snap_px / self.px_per_frame
        best, dist = start, tol + 1
        for anchor in (start, start + duration):
            for p in self.snap_points(project, int(anchor - tol) - 1, int(anchor + tol) + 1, ignore, playhead):
                cand = p if anchor == start else p - duration
                if abs(cand - start) < dist:
                    best, dist = cand, abs(cand - start)
        return max(0, best if dist <= tol else start)

    def snap_frame(self, project: Project, frame: int, ignore=(), playhead: int | None = None,
                   enabled: bool = True) -> int:
        return self.snap(project, frame, 0, ignore, playhead, enabled)

    # -- trims ---------------------------------------------------------------------------------------------------
    def trim_delta(self, project: Project, clip: Clip, edge: str, origin_x: float, x: float, ignore=(),
                   playhead: int | None = None, enabled: bool = True) -> int:
        """Frames to move a clip's in or out edge for a drag from origin_x to x (snapped to nearby edges)."""
        raw = self.px_to_frames(x - origin_x)
        at = (clip.start if edge == "in" else clip.end) + raw
        snapped = self.snap_frame(project, at, ignore=set(ignore) | {clip.id}, playhead=playhead, enabled=enabled)
        delta = snapped - (clip.start if edge == "in" else clip.end)
        if edge == "in":
            return min(delta, clip.duration - 1)
        return max(delta, 1 - clip.duration)

    # -- drops -----------------------------------------------------------------------------------------------------
    def insert_point(self, track: Track, frame: int) -> int:
        """Insert drops land on a cut, never inside a clip: the nearer edge of the clip under the point."""
        c = track.clip_at(frame)
        if c is None:
            return frame
        return c.start if frame - c.start < c.end - frame else c.end

    def drop_target(self, project: Project, x: float, y: float, duration: int, kind: str, mode: str = "insert",
                    ignore=(), playhead: int | None = None, snapping: bool = True,
                    origin_track: str | None = None) -> DropTarget:
        """Where something of `kind` (video | audio) and `duration` frames dropped at (x, y) goes.

        Over a track of its kind that is not locked: that track. Elsewhere (a track of the other kind, a locked one,
        the ruler, below the last track, an empty project) a new track of its kind (track_id None), unless the
        thing comes from a track of its kind (a move), which then stays on that track."""
        row = self.row_at(project, y)
        frame = self.frame_at(x)
        track = row.track if row is not None and row.track.kind == kind and not row.track.lock else None
        if track is None and origin_track is not None:
            track = project.track(origin_track)
        if track is None:
            start = self.snap(project, frame, duration, ignore, playhead, snapping)
            return DropTarget(None, kind, start, "overwrite", new_track_index=self._new_track_index(project, kind, y))
        if mode == "swap":
            other = track.clip_at(frame)
            if other is not None and other.id not in ignore:
                return DropTarget(track.id, kind, other.start, "swap", swap_with=other.id)
            mode = "insert"
        if mode == "insert":
            bare = _without(track, ignore)
            if bare.clip_at(frame) is None:  # in empty time: where it is dropped, snapped to what is near
                frame = self.snap(project, frame, duration, ignore, playhead, snapping)
            return DropTarget(track.id, kind, self.insert_point(bare, frame), "insert")
        return DropTarget(track.id, kind, self.snap(project, frame, duration, ignore, playhead, snapping),
                          "overwrite")

    def move_target(self, project: Project, clip: Clip, x: float, y: float, origin_x: float, mode: str = "insert",
                    ignore=(), playhead: int | None = None, snapping: bool = True) -> DropTarget:
        """Where a clip dragged from origin_x to (x, y) goes. It keeps to tracks of its kind.

        mode "insert": where it fits (nothing else under it) it simply moves there; where it would cover another
        clip it is taken out of its place (closing the gap) and put in at the nearer cut under the pointer.
        "overwrite": it covers what it lands on. "swap": it changes places with the clip under the pointer."""
        origin = project.track_of(clip.id)
        row = self.row_at(project, y)
        track = row.track if row is not None and row.track.kind == origin.kind and not row.track.lock else origin
        ignore = set(ignore) | {clip.id}
        if mode == "swap":
            other = track.clip_at(self.frame_at(x))
            if other is not None and other.id not in ignore and track.id == origin.id:
                return DropTarget(track.id, track.kind, other.start, "swap", swap_with=other.id)
            mode = "insert"
        start = self.snap(project, clip.start + self.px_to_frames(x - origin_x), clip.duration, ignore, playhead,
                          snapping)
        if mode == "overwrite":
            return DropTarget(track.id, track.kind, start, "overwrite")
        others = [c for c in track.clips_between(start, start + clip.duration) if c.id not in ignore]
        if not others:
            return DropTarget(track.id, track.kind, start, "move")
        return DropTarget(track.id, track.kind, self.insert_point(_without(track, ignore), self.frame_at(x)), "insert")

    def _new_track_index(self, project: Project, kind: str, y: float) -> int:
        """Index in project.tracks of a new track: video above the topmost when dropped above the tracks, else on
        top of the other video tracks; audio below the last."""
        if kind == "audio":
            return len(project.tracks)
        return max((i + 1 for i, t in enumerate(project.tracks) if t.kind == "video"), default=0)


def _without(track: Track, ids) -> Track:
    if not ids or not any(track.clip(i) is not None for i in ids):
        return track
    return evolve(track, clips=tuple(c for c in track.clips if c.id not in ids))


__all__ = ["TimelineGeometry", "Rect", "Row", "Hit", "DropTarget", "BASE"]
