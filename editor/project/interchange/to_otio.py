"""A Seamline Project -> an OTIO Timeline.

The edit is spoken in OTIO's own terms (clips with source ranges against media references with available ranges, gaps,
transitions with in/out offsets, markers, LinearTimeWarp/FreezeFrame effects), so other tools read it; what only
Seamline has (ids, links, gains, pans, opacity, fades, keyframes, settings, unknown fields) rides along in each
object's metadata["seamline"], so reading the file back gives the same project.
"""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from editor.project.interchange.times import rational
from editor.project.otio_generators import generated_to_otio, track_kind_metadata
from editor.timeline.model import Clip, Marker, MediaAsset, Project, Track

COLORS = {"black", "blue", "cyan", "green", "magenta", "orange", "pink", "purple", "red", "white", "yellow"}
KINDS_OUT = {"dissolve": "SMPTE_Dissolve", "crossfade": "SMPTE_Dissolve"}


def _range(start, duration, rate: Fraction):
    import opentimelineio as otio

    return otio.opentime.TimeRange(rational(start, rate), rational(duration, rate))


def _extras(obj) -> dict:
    return dict(obj.model_dump(mode="json", include=set(obj.__pydantic_extra__ or ())))


def to_otio(project: Project):
    import opentimelineio as otio

    rate = project.settings.rate
    tl = otio.schema.Timeline(name=project.name)
    meta = dict(project.meta)
    start = meta.pop("otio_global_start_time", None)
    tl.global_start_time = rational(0, rate)
    if isinstance(start, str) and start:
        try:
            tl.global_start_time = otio.opentime.RationalTime.from_timecode(start, float(rate))
        except ValueError:
            pass
    tl.metadata["seamline"] = {"settings": project.settings.model_dump(mode="json"), "meta": meta,
                               **_extras(project)}
    refs: dict[str, object] = {}
    for t in project.tracks:
        tl.tracks.append(_track(project, t, refs))
    for m in project.markers:
        tl.tracks.markers.append(_marker(m, Fraction(m.frame), rate))
    return tl


def _track(project: Project, t: Track, refs: dict):
    import opentimelineio as otio

    rate = project.settings.rate
    ot = otio.schema.Track(name=t.name, kind=otio.schema.TrackKind.Video if t.kind == "video" else
                           otio.schema.TrackKind.Audio)
    ot.metadata["seamline"] = {"id": t.id, "mute": t.mute, "solo": t.solo, "lock": t.lock, "volume": t.volume,
                               "pan": t.pan, **_extras(t), **track_kind_metadata(t)}
    ot.enabled = not t.mute
    pos = 0
    for c in t.clips:
        if c.start > pos:
            ot.append(otio.schema.Gap(source_range=_range(0, c.start - pos, rate)))
        x_in, _ = t.transitions_of(c.id)
        if x_in is not None and pos == c.start and len(ot) and isinstance(ot[-1], otio.schema.Clip):
            ot.append(_transition(x_in, rate))
        generated = generated_to_otio(c, rate)  # a title or a caption cue: a generator reference
        ot.append(generated if generated is not None else _clip(project, c, refs))
        pos = c.end
    for m in t.markers:
        ot.markers.append(_marker(m, Fraction(m.frame), rate))
    return ot


def _transition(x, rate: Fraction):
    import opentimelineio as otio

    tr = otio.schema.Transition(name=x.kind, transition_type=KINDS_OUT.get(x.kind, otio.schema.TransitionTypes.Custom),
                                in_offset=rational(x.frames_before, rate), out_offset=rational(x.frames_after, rate))
    tr.metadata["seamline"] = {"id": x.id, "kind": x.kind, "centred": x.before is None, **_extras(x)}
    return tr


def _reference(a: MediaAsset, project: Project):
    import opentimelineio as otio

    rate = a.rate if a.kind == "video" else project.settings.rate
    avail = _range(0, a.frames, rate) if a.frames is not None else None
    if a.path:
        ref = otio.schema.ExternalReference(target_url=Path(os.path.abspath(a.path)).as_uri(), available_range=avail)
    else:
        ref = otio.schema.MissingReference(name=a.name, available_range=avail)
    ref.metadata["seamline"] = a.model_dump(mode="json", exclude={"path", "offline"})
    return ref


def _clip(project: Project, c: Clip, refs: dict):
    import opentimelineio as otio

    a = project.assets[c.asset_id]
    if c.asset_id not in refs:
        refs[c.asset_id] = _reference(a, project)
    arate = a.rate if a.kind == "video" else project.settings.rate
    ratio = arate / project.settings.rate  # source frames per record frame
    clip = otio.schema.Clip(name=c.name or a.name, media_reference=refs[c.asset_id].clone(),
                            source_range=_range(c.source_in, Fraction(c.duration) * ratio, arate))
    clip.metadata["seamline"] = c.model_dump(mode="json", exclude={"asset_id", "start", "duration", "source_in",
                                                                   "effects", "markers"})
    for e in c.effects:
        extra = {"seamline": _extras(e)} if e.__pydantic_extra__ else {}
        if e.kind == "FreezeFrame":
            fx = otio.schema.FreezeFrame(name=e.name, metadata={**e.metadata, **extra})
        elif e.kind == "LinearTimeWarp":
            fx = otio.schema.LinearTimeWarp(name=e.name, time_scalar=1.0 if e.time_scalar is None else e.time_scalar,
                                            metadata={**e.metadata, **extra})
        else:
            fx = otio.schema.Effect(name=e.name, effect_name=e.kind, metadata={**e.metadata, **extra})
        clip.effects.append(fx)
    for m in c.markers:  # in the clip's own time: source start + the marker's offset into the clip
        clip.markers.append(_marker(m, Fraction(c.source_in) / ratio + m.frame, project.settings.rate, ratio))
    return clip


def _marker(m: Marker, frame: Fraction, rate: Fraction, ratio: Fraction = Fraction(1)):
    import opentimelineio as otio

    color = m.color.upper() if m.color.lower() in COLORS else otio.schema.MarkerColor.RED
    out = otio.schema.Marker(name=m.name, marked_range=_range(frame * ratio, m.duration * ratio, rate * ratio),
                             color=color)
    out.comment = m.comment
    out.metadata["seamline"] = {"color": m.color, **_extras(m)}
    return out
