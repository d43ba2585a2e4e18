"""Seamline's generated clips in OpenTimelineIO: a title or a caption cue is a Clip with a GeneratorReference
(generator_kind "SeamlineTitle" / "SeamlineCaption", its properties as parameters). Another tool shows a generator
placeholder of the right length; Seamline reads it back as the same title or cue. A captions track is an OTIO video
track marked {"seamline": {"kind": "captions", "caption_style": ...}}.

Small functions for the OTIO bridge to call: `generated_to_otio`, `generated_from_otio`, `track_kind_metadata`,
`track_from_metadata`.
"""
from __future__ import annotations

from editor.timeline.model import CaptionStyle, Clip, Title, Track, new_id

TITLE = "SeamlineTitle"
CAPTION = "SeamlineCaption"


def _rt(frames, rate):
    import opentimelineio as otio

    return otio.opentime.RationalTime(frames, float(rate))


def generated_to_otio(c: Clip, rate):
    """An OTIO clip for a title clip or a caption cue (None for a clip with media)."""
    import opentimelineio as otio

    if c.title is not None:
        kind, params, name = TITLE, c.title.model_dump(mode="json"), c.name or c.title.text.split("\n")[0]
    elif c.text is not None:
        kind, params, name = CAPTION, {"text": c.text}, c.text[:40]
    else:
        return None
    rng = otio.opentime.TimeRange(_rt(0, rate), _rt(c.duration, rate))
    ref = otio.schema.GeneratorReference(name=name, generator_kind=kind, parameters=params, available_range=rng)
    clip = otio.schema.Clip(name=name, media_reference=ref, source_range=rng)
    clip.metadata["seamline"] = {"id": c.id, "start": c.start, "duration": c.duration, "opacity": c.opacity,
                                 "fade_in": c.fade_in, "fade_out": c.fade_out}
    return clip


def generated_from_otio(item, start: int, duration: int) -> Clip | None:
    """The title or cue an OTIO clip holds (None when it is not a Seamline generator)."""
    import opentimelineio as otio

    ref = item.media_reference
    if not isinstance(ref, otio.schema.GeneratorReference) or ref.generator_kind not in (TITLE, CAPTION):
        return None
    cm = dict(item.metadata.get("seamline", {}))
    params = dict(ref.parameters)
    common = dict(id=cm.get("id") or new_id("c"), start=start, duration=int(cm.get("duration", duration)),
                  opacity=cm.get("opacity", 1.0), fade_in=cm.get("fade_in", 0), fade_out=cm.get("fade_out", 0),
                  name=item.name)
    if ref.generator_kind == TITLE:
        return Clip(title=Title.model_validate(params), **common)
    return Clip(text=str(params.get("text", "")), **{**common, "name": ""})


def track_kind_metadata(track: Track) -> dict:
    """What to add to an OTIO track's "seamline" metadata for a captions track."""
    if track.kind != "captions":
        return {}
    return {"kind": "captions",
            "caption_style": track.caption_style.model_dump(mode="json") if track.caption_style else None}


def track_from_metadata(meta: dict, kind: str) -> tuple[str, CaptionStyle | None]:
    """(track kind, caption style) from an OTIO track's "seamline" metadata and its OTIO kind."""
    if meta.get("kind") == "captions":
        style = meta.get("caption_style")
        return "captions", CaptionStyle.model_validate(style) if style else None
    return kind, None
