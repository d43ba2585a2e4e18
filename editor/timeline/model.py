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

from editor.timeline.errors import EditError
from editor.timeline.index import project_index, track_index


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


def shifted(clips, delta: int) -> list:
    """Copies of clips moved by delta frames (a ripple moves thousands: this is evolve(c, start=...) without the
    per-call overhead)."""
    new, put = object.__new__, object.__setattr__
    out = []
    add = out.append
    for c in clips:
        d = c.__dict__.copy()
        d["start"] += delta
        n = new(type(c))
        put(n, "__dict__", d)
        fields = c.__pydantic_fields_set__  # shared when it has "start" already (pydantic copies it before changing)
        put(n, "__pydantic_fields_set__", fields if "start" in fields else fields | {"start"})
        put(n, "__pydantic_extra__", c.__pydantic_extra__)
        put(n, "__pydantic_private__", None)
        add(n)
    return out


# -- the objects ----------------------------------------------------------------------------------------------------
class ProjectSettings(Node):
    width: Annotated[int, Field(ge=16, le=MAX_SIDE)] = 1920
    height: Annotated[int, Field(ge=16, le=MAX_SIDE)] = 1080
    rate: Rate = Fraction(30)
    sample_rate: Annotated[int, Field(ge=8000, le=192_000)] = 48000
    channels: Annotated[int, Field(ge=1, le=2)] = 2
    # the mix normalised on export to this integrated loudness (LUFS), true peak limited to -1 dBTP; None = as mixed
    loudness: Annotated[float, Field(ge=-40.0, le=-5.0, allow_inf_nan=False)] | None = None

    def __init__(self, width=1920, height=1080, rate=Fraction(30), sample_rate=48000, channels=2, **kw):
        super().__init__(width=width, height=height, rate=rate, sample_rate=sample_rate, channels=channels, **kw)

    def frame_to_sample(self, frame: int) -> int:
        """First audio sample of a project frame (exact, floor)."""
        r = self.rate
        return (frame * self.sample_rate * r.denominator) // r.numerator

    def seconds(self, frames: int) -> float:
        return float(frames / self.rate)


Seconds = Annotated[float, Field(ge=0.0, le=MAX_FRAMES, allow_inf_nan=False)]


class Rhythm(Node):
    """The beat of a piece of music (ai/music/beats.py finds it): times in seconds of the media, beats in order;
    `downbeats` are the beats that start a bar, `phrases` the downbeats that start a phrase (4 bars)."""
    tempo: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 0.0  # beats per minute
    beats: tuple[Seconds, ...] = ()
    downbeats: tuple[Seconds, ...] = ()
    phrases: tuple[Seconds, ...] = ()
    method: Annotated[str, Field(max_length=64)] = ""


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
    rhythm: Rhythm | None = None  # music: its beats, bars and phrases (drawn as ticks, snapped to, cut to)
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


HexColor = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")]  # #rrggbb or #rrggbbaa
ANIMATIONS = ("none", "fade", "slide", "pop", "typewriter")
Animation = Literal["none", "fade", "slide", "pop", "typewriter"]
Ratio = Annotated[float, Field(ge=0.0, le=2.0, allow_inf_nan=False)]


class TextStyle(Node):
    """How words look on screen (a title clip, or every cue of a captions track). Sizes are fractions of the frame
    height (`size`) or of the text size (outline, shadow, padding, radius), so text keeps its look at any output size.
    `x`/`y` place the text block inside the title-safe area: 0 = its left/top edge, 1 = its right/bottom edge."""
    font: Annotated[str, Field(max_length=200)] = "Sans"  # "Sans": the best sans-serif installed
    size: Annotated[float, Field(ge=0.005, le=1.0, allow_inf_nan=False)] = 0.08
    weight: Annotated[int, Field(ge=100, le=900)] = 700
    italic: bool = False
    color: HexColor = "#ffffff"
    outline: Annotated[float, Field(ge=0.0, le=0.5, allow_inf_nan=False)] = 0.0
    outline_color: HexColor = "#000000"
    shadow: Annotated[float, Field(ge=0.0, le=0.5, allow_inf_nan=False)] = 0.0
    shadow_color: HexColor = "#000000b0"
    box: bool = False
    box_color: HexColor = "#000000a0"
    box_padding: Ratio = 0.35
    box_radius: Ratio = 0.15
    align: Literal["left", "center", "right"] = "center"
    x: Unit = 0.5
    y: Unit = 0.5
    line_spacing: Annotated[float, Field(ge=0.5, le=3.0, allow_inf_nan=False)] = 1.0


class Title(TextStyle):
    """A generated picture of words (a title clip has a Title and no media file)."""
    text: Name = "Title"
    subtitle: Name = ""  # a second, smaller block under the text (a lower third's line, a stamp's place)
    subtitle_scale: Annotated[float, Field(ge=0.1, le=2.0, allow_inf_nan=False)] = 0.55
    template: Annotated[str, Field(max_length=64)] = "centered"
    background: Literal["none", "color", "blur"] = "none"  # a full-screen card on a colour or the blurred picture
    background_color: HexColor = "#101418"
    anim_in: Animation = "fade"
    anim_in_frames: Frames = 12
    anim_out: Animation = "fade"
    anim_out_frames: Frames = 12
    roll: bool = False  # end credits: the block rolls up through the frame over the clip's length


class CaptionStyle(TextStyle):
    """The look of a captions track: readable by default (white with an outline, bottom centre, two lines of at most
    42 characters, broken automatically)."""
    preset: Annotated[str, Field(max_length=64)] = "outline"
    size: Annotated[float, Field(ge=0.005, le=1.0, allow_inf_nan=False)] = 0.055
    weight: Annotated[int, Field(ge=100, le=900)] = 600
    outline: Annotated[float, Field(ge=0.0, le=0.5, allow_inf_nan=False)] = 0.09
    y: Unit = 1.0
    max_lines: Annotated[int, Field(ge=1, le=6)] = 2
    max_chars: Annotated[int, Field(ge=8, le=200)] = 42


FITS = ("fit", "fill", "stretch")
BLENDS = ("normal", "add", "multiply", "screen", "overlay", "darken", "lighten", "difference")
Fraction1 = Annotated[float, Field(ge=0.0, lt=1.0, allow_inf_nan=False)]


class Transform(Node):
    """Where a clip's picture sits in the frame (editor/render/transform.py does the maths).

    The picture is first placed by `fit` (fit: whole picture inside the frame; fill: the frame covered, the rest cut
    off; stretch: both sides to the frame), then scaled by `scale` and turned by `rotation` (degrees, clockwise)
    about its centre, flipped, and its centre moved by (x, y) in fractions of the frame's width and height (0, 0 =
    centred). The crop values cut fractions of the source picture off each side; the picture does not move. `blend`
    says how it mixes with the tracks below; `backdrop="blur"` fills what `fit` leaves empty with a blurred copy."""
    x: Annotated[float, Field(ge=-10.0, le=10.0, allow_inf_nan=False)] = 0.0
    y: Annotated[float, Field(ge=-10.0, le=10.0, allow_inf_nan=False)] = 0.0
    scale: Annotated[float, Field(ge=0.01, le=100.0, allow_inf_nan=False)] = 1.0
    rotation: Annotated[float, Field(ge=-36_000.0, le=36_000.0, allow_inf_nan=False)] = 0.0
    crop_left: Fraction1 = 0.0
    crop_top: Fraction1 = 0.0
    crop_right: Fraction1 = 0.0
    crop_bottom: Fraction1 = 0.0
    flip_h: bool = False
    flip_v: bool = False
    fit: Literal["fit", "fill", "stretch"] = "fit"
    backdrop: Literal["none", "blur"] = "none"
    blend: Literal["normal", "add", "multiply", "screen", "overlay", "darken", "lighten", "difference"] = "normal"


class Colour(Node):
    """Colour correction of a clip: exposure in stops, contrast/temperature/tint -1..1 (0 = as shot), saturation
    0..4 (1 = as shot), and a 3D LUT (.cube file) applied after them, mixed in by lut_mix."""
    exposure: Annotated[float, Field(ge=-5.0, le=5.0, allow_inf_nan=False)] = 0.0
    contrast: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] = 0.0
    saturation: Annotated[float, Field(ge=0.0, le=4.0, allow_inf_nan=False)] = 1.0
    temperature: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] = 0.0
    tint: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] = 0.0
    lut: Annotated[str, Field(max_length=4096)] = ""
    lut_mix: Unit = 1.0


class Retime(Node):
    """How a clip whose speed was changed looks and sounds. The speed itself lives in the clip's effects
    (LinearTimeWarp, FreezeFrame: the OpenTimelineIO vocabulary) and, for a ramp, in keyframes["speed"].
    frames: nearest / blend / flow for the frames between source frames (auto: flow below 0.75x, else nearest);
    sound: auto mutes it below 0.25x and above 4x, on keeps it (pitch kept), off mutes it."""
    frames: Literal["auto", "nearest", "blend", "flow"] = "auto"
    sound: Literal["auto", "on", "off"] = "auto"


class Stabilisation(Node):
    """Stabilise a clip: strength 0..1 (how much of the camera's shake is taken out), the smoothing (gaussian: an
    average over up to 1.5 s; l1: an L1-optimal path that holds still or pans steadily inside a corridor), and whether
    to zoom in just enough to hide the borders the correction uncovers. The camera path is analysed once and cached
    (editor/media/stabilise.py)."""
    strength: Unit = 0.5
    method: Literal["gaussian", "l1"] = "gaussian"
    crop: bool = True


# what keyframes can animate, with their limits (clip.keyframes[name]); values at a frame override the clip's own
ANIMATABLE = {
    "x": (-10.0, 10.0), "y": (-10.0, 10.0), "scale": (0.01, 100.0), "rotation": (-36_000.0, 36_000.0),
    "crop_left": (0.0, 0.999), "crop_top": (0.0, 0.999), "crop_right": (0.0, 0.999), "crop_bottom": (0.0, 0.999),
    "opacity": (0.0, 1.0), "volume": (0.0, 4.0),
    "exposure": (-5.0, 5.0), "contrast": (-1.0, 1.0), "saturation": (0.0, 4.0), "temperature": (-1.0, 1.0),
    "tint": (-1.0, 1.0), "speed": (0.1, 16.0),
}
TRANSFORM_KEYS = ("x", "y", "scale", "rotation", "crop_left", "crop_top", "crop_right", "crop_bottom")
COLOUR_KEYS = ("exposure", "contrast", "saturation", "temperature", "tint")


class Clip(Node):
    id: Id
    asset_id: Id | None = None  # None for a generated clip (a title; a caption cue)
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
    title: Title | None = None  # a title clip (video track): what it shows
    text: Name | None = None  # a caption cue (captions track): its words

    @property
    def generated(self) -> bool:
        """A clip with no media file behind it (a title or a caption cue)."""
        return self.asset_id is None
    transform: Transform | None = None  # None: fitted and centred, as before transforms existed
    colour: Colour | None = None
    retime: Retime | None = None  # options of a speed change (the speed itself: effects / keyframes["speed"])
    stabilisation: Stabilisation | None = None

    @field_validator("keyframes")
    @classmethod
    def _keys_sorted(cls, v):
        return {name: tuple(sorted(keys, key=lambda k: k.frame)) for name, keys in v.items()}

    @property
    def end(self) -> int:
        return self.start + self.duration


TRANSITION_KINDS = ("dissolve", "dip-to-black", "dip-to-white", "wipe-right", "wipe-left", "wipe-up", "wipe-down",
                    "slide-left", "slide-right", "push-left", "push-right", "zoom-in", "zoom-out",
                    "wipe", "crossfade")  # the library's kinds (editor/render/transitions.py draws them); sound: crossfade


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


class Ducking(Node):
    """How a music track dips under speech on the other tracks (editor/actions/music.py writes the dips as volume
    keyframes on its clips): `amount_db` below the clip's level, reached `attack` seconds before the speech starts and
    left `release` seconds after it ends (pauses shorter than `bridge` seconds stay ducked)."""
    amount_db: Annotated[float, Field(ge=-60.0, le=0.0, allow_inf_nan=False)] = -12.0
    attack: Annotated[float, Field(ge=0.0, le=5.0, allow_inf_nan=False)] = 0.3
    release: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 0.8
    bridge: Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)] = 1.0


TRACK_ROLES = ("music",)


class Track(Node):
    id: Id
    kind: Literal["video", "audio", "captions"]
    name: Name = ""
    role: Literal["music"] | None = None  # an audio track for the music bed (ducks under speech, shows beats)
    ducking: Ducking | None = None  # a music track: dip under the speech on the other tracks
    mute: bool = False
    solo: bool = False
    lock: bool = False
    volume: Gain = 1.0
    pan: Pan = 0.0
    clips: tuple[Clip, ...] = ()  # sorted by start
    transitions: tuple[Transition, ...] = ()
    markers: tuple[Marker, ...] = ()
    caption_style: CaptionStyle | None = None  # captions tracks: None = the default preset

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


TRACK_KINDS = ("video", "audio", "captions")
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
        for t in self.tracks:  # a project has a few tracks: no index to build for a new version
            if t.id == track_id:
                return t
        raise EditError(f"no track {track_id!r}")

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

    def captions_tracks(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == "captions"]

    def _rate_of(self, clip: Clip) -> Fraction:
        """The rate of a clip's source frames (a generated clip counts in project frames)."""
        return self.settings.rate if clip.asset_id is None else self.assets[clip.asset_id].rate

    @property
    def duration(self) -> int:
        return max((t.end for t in self.tracks), default=0)

    # -- time ---------------------------------------------------------------------------------------------------
    def source_frame(self, clip: Clip, frame: int) -> int:
        """The source frame a clip shows at project frame `frame` (may lie outside the clip: handles). Speed changes
        (effects LinearTimeWarp/FreezeFrame, keyframes["speed"]) are honoured: editor/timeline/timing.py."""
        if clip.effects or "speed" in clip.keyframes:
            from editor.timeline import timing

            if not timing.warp_of(clip).identity:
                return timing.source_frame(self, clip, frame)
        a, p = self._rate_of(clip), self.settings.rate
        num = (frame - clip.start) * a.numerator * p.denominator
        den = a.denominator * p.numerator
        return clip.source_in + (1000 * num + den) // (1000 * den)  # floor(offset + 1/1000)

    def source_frames_needed(self, clip: Clip, duration: int | None = None) -> int:
        a, p = self._rate_of(clip), self.settings.rate
        d = clip.duration if duration is None else duration
        num, den = d * a.numerator * p.denominator, a.denominator * p.numerator
        return -((den - 1000 * num) // (1000 * den))  # ceil(x - 1/1000)

    def max_duration(self, asset_id: str | None, source_in: int, clip: Clip | None = None) -> int | None:
        """Longest clip (project frames) that fits in the media from source_in; None if unbounded (a still, or a
        generated clip). Given a clip, its speed change counts (a 2x clip can be half as long, a reversed one runs
        back to the media's start)."""
        if asset_id is None:
            return None
        if clip is not None and (clip.effects or "speed" in clip.keyframes):
            from editor.timeline import timing

            if not timing.warp_of(clip).identity:
                return timing.max_duration(self, evolve(clip, asset_id=asset_id, source_in=source_in))
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
