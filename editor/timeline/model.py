"""The timeline model: plain Python, no Qt, no PyAV.

Positions and durations on the timeline are integer frames at the project rate (an exact Fraction).
A clip's source in point is an integer frame of its source media at the source's own rate.
"""
from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


class EditError(Exception):
    """An edit that cannot be applied; the model is left unchanged."""


_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


@dataclass
class ProjectSettings:
    width: int = 1920
    height: int = 1080
    rate: Fraction = Fraction(30)
    sample_rate: int = 48000
    channels: int = 2

    def __post_init__(self):
        self.rate = Fraction(self.rate)
        if self.width <= 0 or self.height <= 0 or self.rate <= 0:
            raise EditError("project size and frame rate must be positive")

    def frame_to_sample(self, frame: int) -> int:
        """First audio sample of a project frame (exact, floor)."""
        return math.floor(Fraction(frame) * self.sample_rate / self.rate)


@dataclass
class MediaAsset:
    id: str
    path: str
    kind: str  # "video" | "image" | "audio"
    name: str = ""
    rate: Fraction = Fraction(30)  # source frame rate (images and audio: the project rate)
    frames: int | None = None  # length in source frames; None = unlimited (stills)
    width: int = 0
    height: int = 0
    has_audio: bool = False
    audio_rate: int = 0
    audio_channels: int = 0
    provenance: dict | None = None
    offline: bool = False

    def __post_init__(self):
        self.rate = Fraction(self.rate)
        if not self.name:
            self.name = self.path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class Clip:
    id: str
    asset_id: str
    start: int  # record position, project frames
    duration: int  # project frames
    source_in: int = 0  # source frames
    volume: float = 1.0
    pan: float = 0.0
    opacity: float = 1.0
    fade_in: int = 0
    fade_out: int = 0
    link: str | None = None  # clips sharing a link id edit together
    name: str = ""

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass
class Transition:
    id: str
    a: str  # clip id on the left of the cut
    b: str  # clip id on the right of the cut
    kind: str = "dissolve"  # dissolve | wipe | crossfade
    duration: int = 15


@dataclass
class Track:
    id: str
    kind: str  # "video" | "audio"
    name: str = ""
    mute: bool = False
    solo: bool = False
    lock: bool = False
    volume: float = 1.0
    pan: float = 0.0
    clips: list[Clip] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)

    def sort(self) -> None:
        self.clips.sort(key=lambda c: c.start)

    def clip_at(self, frame: int) -> Clip | None:
        for c in self.clips:
            if c.start <= frame < c.end:
                return c
        return None

    def clip(self, clip_id: str) -> Clip | None:
        for c in self.clips:
            if c.id == clip_id:
                return c
        return None

    def transition_between(self, a: str, b: str) -> Transition | None:
        for t in self.transitions:
            if t.a == a and t.b == b:
                return t
        return None

    @property
    def end(self) -> int:
        return max((c.end for c in self.clips), default=0)


CLIP_PROPS = {"volume": (0.0, 4.0), "pan": (-1.0, 1.0), "opacity": (0.0, 1.0), "fade_in": (0, None),
              "fade_out": (0, None), "name": None}
TRACK_PROPS = {"name": None, "mute": None, "solo": None, "lock": None, "volume": (0.0, 4.0), "pan": (-1.0, 1.0)}


@dataclass
class Project:
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    assets: dict[str, MediaAsset] = field(default_factory=dict)
    tracks: list[Track] = field(default_factory=list)
    name: str = "Untitled"
    meta: dict[str, Any] = field(default_factory=dict)

    # -- lookup -------------------------------------------------------------------------------------------
    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise EditError(f"no track {track_id!r}")

    def find_clip(self, clip_id: str) -> tuple[Track, Clip]:
        for t in self.tracks:
            c = t.clip(clip_id)
            if c is not None:
                return t, c
        raise EditError(f"no clip {clip_id!r}")

    def linked(self, clip_id: str) -> list[tuple[Track, Clip]]:
        """The clip and every clip linked to it."""
        track, clip = self.find_clip(clip_id)
        if clip.link is None:
            return [(track, clip)]
        return [(t, c) for t in self.tracks for c in t.clips if c.link == clip.link]

    def video_tracks(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == "video"]

    def audio_tracks(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == "audio"]

    @property
    def duration(self) -> int:
        return max((t.end for t in self.tracks), default=0)

    def source_frame(self, clip: Clip, frame: int) -> int:
        """The source frame a clip shows at project frame `frame` (may lie outside the clip: handles)."""
        asset = self.assets[clip.asset_id]
        offset = Fraction(frame - clip.start) * asset.rate / self.settings.rate
        return clip.source_in + math.floor(offset + Fraction(1, 1000))

    def source_frames_needed(self, clip: Clip, duration: int | None = None) -> int:
        asset = self.assets[clip.asset_id]
        d = clip.duration if duration is None else duration
        return math.ceil(Fraction(d) * asset.rate / self.settings.rate - Fraction(1, 1000))

    def max_duration(self, asset_id: str, source_in: int) -> int | None:
        """Longest clip (project frames) that fits in the media from source_in; None if unbounded."""
        asset = self.assets[asset_id]
        if asset.frames is None:
            return None
        left = asset.frames - source_in
        return max(0, math.floor(Fraction(left) * self.settings.rate / asset.rate + Fraction(1, 1000)))

    def snapshot(self) -> "Project":
        return copy.deepcopy(self)

    def state(self) -> tuple:
        """A comparable value of everything an edit can change (for tests and dirty checks)."""
        return (self.settings, sorted(self.assets.items()), copy.deepcopy(self.tracks), self.name)
