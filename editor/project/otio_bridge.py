"""OpenTimelineIO import and export: tracks, clips, gaps and transitions round-trip."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from editor.errors import ProjectError
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track, Transition, new_id

_KINDS = {"dissolve": "SMPTE_Dissolve", "wipe": "Custom_Transition", "crossfade": "SMPTE_Dissolve"}


def _rt(frames, rate):
    import opentimelineio as otio

    return otio.opentime.RationalTime(frames, float(rate))


def to_otio(project: Project):
    import opentimelineio as otio

    rate = project.settings.rate
    tl = otio.schema.Timeline(name=project.name)
    tl.metadata["seamline"] = {"settings": {"width": project.settings.width, "height": project.settings.height,
                                            "rate": str(rate), "sample_rate": project.settings.sample_rate,
                                            "channels": project.settings.channels}}
    for t in project.tracks:
        kind = otio.schema.TrackKind.Video if t.kind == "video" else otio.schema.TrackKind.Audio
        ot = otio.schema.Track(name=t.name, kind=kind)
        ot.metadata["seamline"] = {"id": t.id, "mute": t.mute, "solo": t.solo, "lock": t.lock,
                                   "volume": t.volume, "pan": t.pan}
        ot.enabled = not t.mute
        pos = 0
        by_a = {x.a: x for x in t.transitions}
        for c in sorted(t.clips, key=lambda c: c.start):
            if c.start > pos:
                ot.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(_rt(0, rate),
                                                                               _rt(c.start - pos, rate))))
            a = project.assets[c.asset_id]
            avail = None
            if a.frames is not None:
                avail = otio.opentime.TimeRange(_rt(0, a.rate), _rt(a.frames, a.rate))
            ref = otio.schema.ExternalReference(target_url=Path(os.path.abspath(a.path)).as_uri(),
                                                available_range=avail)
            ref.metadata["seamline"] = {"id": a.id, "kind": a.kind, "rate": str(a.rate), "frames": a.frames,
                                        "width": a.width, "height": a.height, "has_audio": a.has_audio,
                                        "provenance": a.provenance}
            src_dur = Fraction(c.duration) * a.rate / rate
            clip = otio.schema.Clip(name=c.name or a.name, media_reference=ref,
                                    source_range=otio.opentime.TimeRange(_rt(c.source_in, a.rate),
                                                                         _rt(float(src_dur), a.rate)))
            clip.metadata["seamline"] = {"id": c.id, "start": c.start, "duration": c.duration, "volume": c.volume,
                                         "pan": c.pan, "opacity": c.opacity, "fade_in": c.fade_in,
                                         "fade_out": c.fade_out, "link": c.link}
            ot.append(clip)
            pos = c.end
            x = by_a.get(c.id)
            if x is not None:
                tr = otio.schema.Transition(name=x.kind, transition_type=_KINDS[x.kind],
                                            in_offset=_rt(x.duration // 2, rate),
                                            out_offset=_rt(x.duration - x.duration // 2, rate))
                tr.metadata["seamline"] = {"id": x.id, "kind": x.kind}
                ot.append(tr)
        tl.tracks.append(ot)
    return tl


def write_otio(project: Project, path) -> None:
    import opentimelineio as otio

    otio.adapters.write_to_file(to_otio(project), str(path))


def from_otio(tl) -> Project:
    import opentimelineio as otio
    from urllib.parse import unquote, urlparse

    meta = tl.metadata.get("seamline", {}).get("settings")
    rate = Fraction(meta["rate"]) if meta else None
    if rate is None:  # foreign file: take the rate of the first clip
        for clip in tl.find_clips():
            rate = Fraction(clip.source_range.duration.rate).limit_denominator(1001) if clip.source_range else None
            if rate:
                break
    rate = rate or Fraction(30)
    settings = ProjectSettings(int(meta["width"]), int(meta["height"]), rate, int(meta["sample_rate"]),
                               int(meta["channels"])) if meta else ProjectSettings(rate=rate)
    assets: dict[str, MediaAsset] = {}
    tracks = []
    for ot in tl.tracks:
        m = dict(ot.metadata.get("seamline", {}))
        kind = "video" if ot.kind == otio.schema.TrackKind.Video else "audio"
        clips, transitions = [], []
        pos = 0
        pending = None
        for item in ot:
            if isinstance(item, otio.schema.Transition):
                pending = item
                continue
            dur = int(round(item.source_range.duration.to_frames(float(rate)))) if item.source_range else 0
            if isinstance(item, otio.schema.Clip):
                cm = dict(item.metadata.get("seamline", {}))
                ref = item.media_reference
                rm = dict(ref.metadata.get("seamline", {})) if ref is not None else {}
                url = getattr(ref, "target_url", "") or ""
                path = unquote(urlparse(url).path) if url.startswith("file:") else url
                aid = rm.get("id") or new_id("m")
                if aid not in assets:
                    arate = Fraction(rm["rate"]) if rm.get("rate") else Fraction(
                        item.source_range.start_time.rate).limit_denominator(1001)
                    frames = rm.get("frames")
                    if frames is None and getattr(ref, "available_range", None) is not None:
                        frames = int(round(ref.available_range.duration.value))
                    assets[aid] = MediaAsset(
                        id=aid, path=path, kind=rm.get("kind", "video" if kind == "video" else "audio"),
                        rate=arate, frames=frames, width=rm.get("width", 0), height=rm.get("height", 0),
                        has_audio=rm.get("has_audio", False), provenance=rm.get("provenance"),
                        offline=not os.path.exists(path))
                a = assets[aid]
                dur = cm.get("duration", dur)
                clip = Clip(id=cm.get("id") or new_id("c"), asset_id=aid, start=pos, duration=dur,
                            source_in=int(round(item.source_range.start_time.to_frames(float(a.rate)))),
                            volume=cm.get("volume", 1.0), pan=cm.get("pan", 0.0), opacity=cm.get("opacity", 1.0),
                            fade_in=cm.get("fade_in", 0), fade_out=cm.get("fade_out", 0), link=cm.get("link"),
                            name=item.name)
                if pending is not None and clips:
                    xm = pending.metadata.get("seamline", {})
                    d = int(round(pending.in_offset.to_frames(float(rate)) + pending.out_offset.to_frames(
                        float(rate))))
                    transitions.append(Transition(id=xm.get("id") or new_id("x"), a=clips[-1].id, b=clip.id,
                                                  kind=xm.get("kind", "dissolve"), duration=d))
                clips.append(clip)
            pending = None
            pos += dur
        tracks.append(Track(id=m.get("id") or new_id("t"), kind=kind, name=ot.name,
                            mute=m.get("mute", not ot.enabled), solo=m.get("solo", False), lock=m.get("lock", False),
                            volume=m.get("volume", 1.0), pan=m.get("pan", 0.0), clips=clips,
                            transitions=transitions))
    project = Project(settings=settings, name=tl.name or "Imported", assets=assets, tracks=tracks)
    from editor.timeline.model import reserve_ids
    from editor.timeline.validate import problems

    found = problems(project)
    if found:
        raise ProjectError(f"the OTIO timeline cannot be used: {found[0]}")
    reserve_ids([t.id for t in project.tracks] + [c.id for t in project.tracks for c in t.clips] + list(assets))
    return project


def read_otio(path) -> Project:
    import opentimelineio as otio

    try:
        tl = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # otio raises many types for bad files
        raise ProjectError(f"{path}: not a readable OpenTimelineIO file ({exc})") from None
    if not isinstance(tl, otio.schema.Timeline):
        raise ProjectError(f"{path}: the file holds no timeline")
    return from_otio(tl)
