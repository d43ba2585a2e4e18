"""Clip effects across OpenTimelineIO: LinearTimeWarp (time_scalar) and FreezeFrame become Effect objects on the
clip (the one source of truth for speed, see editor/timeline/timing.py); any other effect is kept by its schema name
and metadata. A clip's length on the track is its source_range duration either way (OTIO's rule); the media a warped
clip uses runs time_scalar times as fast."""
from __future__ import annotations

from editor.timeline.model import Effect


def effects_from_otio(item) -> tuple[Effect, ...]:
    out = []
    for e in getattr(item, "effects", ()) or ():
        kind = e.schema_name()
        scalar = getattr(e, "time_scalar", None)
        if kind == "FreezeFrame":
            scalar = 0.0
        meta = dict(e.metadata) if e.metadata else {}
        out.append(Effect(kind=kind, name=e.name or "", metadata=meta,
                          time_scalar=None if scalar is None else float(scalar)))
    return tuple(out)


def effects_to_otio(clip) -> list:
    import opentimelineio as otio

    out = []
    for e in clip.effects:
        if e.kind == "FreezeFrame":
            x = otio.schema.FreezeFrame(name=e.name)
        elif e.kind == "LinearTimeWarp":
            x = otio.schema.LinearTimeWarp(name=e.name, time_scalar=e.time_scalar if e.time_scalar is not None
                                           else 1.0)
        else:
            x = otio.schema.Effect(name=e.name, effect_name=e.kind)
        x.metadata.update(e.metadata)
        out.append(x)
    return out
