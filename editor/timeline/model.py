"""The timeline model: plain Python (pydantic), no Qt, no PyAV.

Every object is immutable. An edit builds a new Project that shares every track and clip it did not change with the
old one, so a Project is its own snapshot: hand it to any thread, no later edit changes it. Change objects with
`evolve(obj, field=value)` (cheap, no re-validation); files are read through `Project.model_validate` (every value
typed and limited, see editor/project/schema.py).

Positions and durations on the timeline are integer frames at the project rate (an exact Fraction). A clip's source in
point is an integer frame of its source media at the source's own rate. Unknown fields (from a newer Seamline or
another tool) are kept on the object and written back on save.
"""
from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema, field_validator

from editor.timeline.index import project_index, track_index


class EditError(Exception):
    """An edit that cannot be applied; the model is left unchanged."""


# -- ids ------------------------------------------------------------------------------------------------------------
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def reserve_ids(names) -> None:
    """Keep new ids from colliding with ids read from a file (any trailing number counts)."""
    global _ids
    nums = [int(m.group(1)) for x in names if x for m in [re.search(r"(\d+)$", x)] if m]
    current = next(_ids)
    _ids = itertools.count(max([current] + [n + 1 for n in nums]))


# -- exact rates ----------------------------------------------------------------------------------------------------
MAX_RATE = 1000


def _fraction(v) -> Fraction:
    if isinstance(v, bool):
        raise ValueError("must be a number like 30 or \"30000/1001\"")
    try:
        if isinstance(v, Fraction):
            f = v
        elif isinstance(v, int):
            f = Fraction(v)
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError
            f = Fraction(v).limit_denominator(1001)
        elif isinstance(v, str) and len(v) <= 40:
            f = Fraction(v.strip())
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ValueError("must be a number like 30 or \"30000/1001\"") from None
    if not 0 < f <= MAX_RATE or f.denominator > 1_000_000:
        raise ValueError(f"must be above 0 and at most {MAX_RATE} per second")
    return f


Rate = Annotated[Fraction, PlainValidator(_fraction), PlainSerializer(str, return_type=str),
                 WithJsonSchema({"type": "string", "pattern": r"^\d+(/\d+)?$", "examples": ["30000/1001", "25"]})]

# limits on every number a file can hold (the schema names the JSON path when one is broken)
MAX_FRAMES = 1_000 * 86_400  # a day at the highest rate; per-rate limits (24 h) are checked in the schema
MAX_SIDE = 16_384
MAX_TEXT = 10_000
Frames = Annotated[int, Field(ge=0, le=MAX_FRAMES)]
Gain = Annotated[float, Field(ge=0.0, le=4.0, allow_inf_nan=False)]
Pan = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]
Unit = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Name = Annotated[str, Field(max_length=MAX_TEXT)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class Node(BaseModel):
    """Base of every model object: frozen, typed, unknown fields kept."""
    model_config = ConfigDict(frozen=True, extra="allow", revalidate_instances="never", validate_default=False,
                              ser_json_inf_nan="constants")


def evolve(obj: Node, **changes) -> Node:
    """A copy of a model object with some fields changed (no re-validation: edits check their own results)."""
    new = object.__new__(type(obj))
    d = obj.__dict__.copy()
    d.update(changes)
    object.__setattr__(new, "__dict__", d)
    object.__setattr__(new, "__pydantic_fields_set__", obj.__pydantic_fields_set__ | changes.keys())
    object.__setattr__(new, "__pydantic_extra__", obj.__pydantic_extra__)
    object.__setattr__(new, "__pydantic_private__", None)
    return new


# -- the objects ----------------------------------------------------------------------------------------------------
class ProjectSettings(Node):
    width: Annotated[int, Field(ge=16, le=MAX_SIDE)] = 1920
    height: Annotated[int, Field(ge=16, le=MAX_SIDE)] = 1080
    rate: Rate = Fraction(30)
    sample_rate: Annotated[int, Field(ge=8000, le=192_000)] = 48000
    channels: Annotated[int, Field(ge=1, le=2)] = 2

    def __init__(self, width=1920, height=1080, rate=Fraction(30), sample_rate=48000, channels=2, **kw):
        super().__init__(width=width, height=height, rate=rate, sample_rate=sample_rate, channels=channels, **kw)

    def frame_to_sample(self, frame: int) -> int:
        """First audio sample of a project frame (exact, floor)."""
        r = self.rate
        return (frame * self.sample_rate * r.denominator) // r.numerator

    def seconds(self, frames: int) -> float:
        return float(frames / self.rate)


class MediaAsset(Node):
    id: Id
    path: Annotated[str, Field(max_length=4096)]
    kind: Literal["video", "image", "audio"]
    name: Name = ""
    rate: Rate = Fraction(30)  # source frame rate (images and audio: the project rate)
    frames: Frames | None = None  # length in source frames; None = unlimited (stills)
    width: Annotated[int, Field(ge=0, le=MAX_SIDE)] = 0
    height: Annotated[int, Field(ge=0, le=MAX_SIDE)] = 0
    has_audio: bool = False
    audio_rate: Annotated[int, Field(ge=0, le=768_000)] = 0
    audio_channels: Annotated[int, Field(ge=0, le=64)] = 0
    provenance: dict[str, Any] | None = None
    offline: bool = Field(default=False, exclude=True)  # found missing when the project was opened (not saved)

    def model_post_init(self, _ctx) -> None:
        if not self.name:
            self.__dict__["name"] = self.path.replace("\\", "/").rsplit("/", 1)[-1]


class Effect(Node):
    """An effect carried on a clip. Kinds Seamline reads from OpenTimelineIO: LinearTimeWarp (time_scalar) and
    FreezeFrame; any other kind is kept as it came."""
    kind: Annotated[str, Field(min_length=1, max_length=200)]
    name: Name = ""
    time_scalar: Annotated[float, Field(ge=-16.0, le=16.0, allow_inf_nan=False)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Marker(Node):
    frame: Frames  # project frames (on the timeline) or frames of the clip's range (on a clip)
    duration: Frames = 0
    name: Name = ""
    color: Annotated[str, Field(max_length=40)] = "red"
    comment: Name = ""


EASES = ("linear", "ease-in", "ease-out", "ease-in-out", "hold")


class Keyframe(Node):
    """One key of a keyframed clip property (editor/timeline/keyframes.py does the interpolation)."""
    frame: Frames  # frames from the clip's first frame
    value: Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]
    ease: Literal["linear", "ease-in", "ease-out", "ease-in-out", "hold"] = "linear"


class Clip(Node):
    id: Id
    asset_id: Id
    start: Frames  # record position, project frames
    duration: Annotated[int, Field(ge=1, le=MAX_FRAMES)]  # project frames
    source_in: Frames = 0  # source frames
    volume: Gain = 1.0
    pan: Pan = 0.0
    opacity: Unit = 1.0
    fade_in: Frames = 0
    fade_out: Frames = 0
    link: Id | None = None  # clips sharing a link id edit together
    name: Name = ""
    effects: tuple[Effect, ...] = ()
    markers: tuple[Marker, ...] = ()
    keyframes: dict[str, tuple[Keyframe, ...]] = Field(default_factory=dict)  # property name -> keys by frame

    @field_validator("keyframes")
    @classmethod
    def _keys_sorted(cls, v):
        return {name: tuple(sorted(keys, key=lambda k: k.frame)) for name, keys in v.items()}

    @property
    def end(self) -> int:
        return self.start + self.duration


TRANSITION_KINDS = ("dissolve", "wipe", "crossfade")


class Transition(Node):
    id: Id
    a: Id  # clip id on the left of the cut
    b: Id  # clip id on the right of the cut
    kind: Annotated[str, Field(min_length=1, max_length=64)] = "dissolve"
    duration: Annotated[int, Field(ge=2, le=MAX_FRAMES)] = 15
    before: Frames | None = None  # frames before the cut; None = centred (duration // 2)

    @property
    def frames_before(self) -> int:
        return self.duration // 2 if self.before is None else self.before

    @property
    def frames_after(self) -> int:
        return self.duration - self.frames_before


class Track(Node):
    id: Id
    kind: Literal["video", "audio"]
    name: Name = ""
    mute: bool = False
    solo: bool = False
    lock: bool = False
    volume: Gain = 1.0
    pan: Pan = 0.0
    clips: tuple[Clip, ...] = ()  # sorted by start
    transitions: tuple[Transition, ...] = ()
    markers: tuple[Marker, ...] = ()

    @field_validator("clips")
    @classmethod
    def _sorted(cls, v):
        return tuple(sorted(v, key=lambda c: c.start))

    # -- lookup (O(log n) / O(1) through an index built once per track object) --------------------------------
    def clip_at(self, frame: int) -> Clip | None:
        return track_index(self).clip_at(frame)

    def clip(self, clip_id: str) -> Clip | None:
        return track_index(self).clip(clip_id)

    def position(self, clip_id: str) -> int:
        """Index of a clip in `clips` (-1 when absent)."""
        return track_index(self).pos.get(clip_id, -1)

    def clips_between(self, start: int, end: int) -> tuple[Clip, ...]:
        """The clips that overlap [start, end)."""
        return track_index(self).between(start, end)

    def transition_between(self, a: str, b: str) -> Transition | None:
        x = track_index(self).by_a.get(a)
        return x if x is not None and x.b == b else None

    def transitions_of(self, clip_id: str) -> tuple[Transition | None, Transition | None]:
        """(the transition into a clip, the transition out of it)."""
        ix = track_index(self)
        return ix.by_b.get(clip_id), ix.by_a.get(clip_id)

    @property
    def end(self) -> int:
        return self.clips[-1].end if self.clips else 0  # clips never overlap, so the last one ends last


TRACK_KINDS = ("video", "audio")
CLIP_PROPS = {"volume": (0.0, 4.0), "pan": (-1.0, 1.0), "opacity": (0.0, 1.0), "fade_in": (0, None),
              "fade_out": (0, None), "name": None}
TRACK_PROPS = {"name": None, "mute": None, "solo": None, "lock": None, "volume": (0.0, 4.0), "pan": (-1.0, 1.0)}
UNLOCKED_TRACK_PROPS = ("lock", "mute", "solo")  # what may change on a locked track


class Project(Node):
    settings: ProjectSettings = Field(default_factory=ProjectSettings)
    assets: dict[str, MediaAsset] = Field(default_factory=dict)
    tracks: tuple[Track, ...] = ()
    name: Name = "Untitled"
    meta: dict[str, Any] = Field(default_factory=dict)
    markers: tuple[Marker, ...] = ()

    # -- lookup -------------------------------------------------------------------------------------------------
    def track(self, track_id: str) -> Track:
        t = project_index(self).tracks.get(track_id)
        if t is None:
            raise EditError(f"no track {track_id!r}")
        return t

    def track_of(self, clip_id: str) -> Track | None:
        return project_index(self).track_of(clip_id)

    def find_clip(self, clip_id: str) -> tuple[Track, Clip]:
        t = self.track_of(clip_id)
        if t is None:
            raise EditError(f"no clip {clip_id!r}")
        return t, t.clip(clip_id)

    def linked(self, clip_id: str) -> list[tuple[Track, Clip]]:
        """The clip and every clip linked to it."""
        track, clip = self.find_clip(clip_id)
        if clip.link is None:
            return [(track, clip)]
        return [(self.track_of(cid), self.track_of(cid).clip(cid)) for cid in project_index(self).links[clip.link]]

    def video_tracks(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == "video"]

    def audio_tracks(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == "audio"]

    @property
    def duration(self) -> int:
        return max((t.end for t in self.tracks), default=0)

    # -- time ---------------------------------------------------------------------------------------------------
    def source_frame(self, clip: Clip, frame: int) -> int:
        """The source frame a clip shows at project frame `frame` (may lie outside the clip: handles)."""
        a, p = self.assets[clip.asset_id].rate, self.settings.rate
        num = (frame - clip.start) * a.numerator * p.denominator
        den = a.denominator * p.numerator
        return clip.source_in + (1000 * num + den) // (1000 * den)  # floor(offset + 1/1000)

    def source_frames_needed(self, clip: Clip, duration: int | None = None) -> int:
        a, p = self.assets[clip.asset_id].rate, self.settings.rate
        d = clip.duration if duration is None else duration
        num, den = d * a.numerator * p.denominator, a.denominator * p.numerator
        return -((den - 1000 * num) // (1000 * den))  # ceil(x - 1/1000)

    def max_duration(self, asset_id: str, source_in: int) -> int | None:
        """Longest clip (project frames) that fits in the media from source_in; None if unbounded."""
        asset = self.assets[asset_id]
        if asset.frames is None:
            return None
        left = asset.frames - source_in
        a, p = asset.rate, self.settings.rate
        num, den = left * p.numerator * a.denominator, p.denominator * a.numerator
        return max(0, (1000 * num + den) // (1000 * den))

    def snapshot(self) -> "Project":
        """A Project never changes: it is its own snapshot."""
        return self

    def state(self) -> dict:
        """A comparable value of everything an edit can change (for tests and dirty checks)."""
        return self.model_dump()
