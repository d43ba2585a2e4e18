"""An OTIO Timeline -> a Seamline Project, faithfully, with one warning for each thing that cannot be carried over.

Record positions are exact sums of the items before a clip, rounded once to the NEAREST project frame; a clip's
length is the distance between its rounded ends, so clips that touch in the timeline touch in the project. Seamline's
own data (ids, links, gains, fades, keyframes, settings), written into OTIO metadata by to_otio, is read back, so a
Seamline round trip is lossless.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

from pydantic import ValidationError

from editor.errors import ProjectError
from editor.project.interchange.layout import (
    Cut,
    Layout,
    Piece,
    _effect_name,
    track_layout,
)
from editor.project.interchange.media import MediaTable, Source
from editor.project.otio_generators import generated_from_otio, track_from_metadata
from editor.project.interchange.times import (
    TimeError,
    exact_rate,
    nearest_frame,
    seconds,
)
from editor.timeline.model import (
    Clip,
    Effect,
    Marker,
    Project,
    ProjectSettings,
    Track,
    Transition,
    evolve,
    new_id,
)

TIME_EFFECTS = ("LinearTimeWarp", "FreezeFrame")
KINDS_IN = {"SMPTE_Dissolve": "dissolve"}


def _meta(obj) -> dict:
    m = obj.metadata.get("seamline") if hasattr(obj, "metadata") else None
    try:
        return dict(m) if m is not None and hasattr(m, "keys") else {}
    except (TypeError, ValueError):
        return {}


def _plain(v):
    """OTIO's AnyDictionary/AnyVector -> plain dicts and lists (JSON values)."""
    if hasattr(v, "keys"):
        return {str(k): _plain(v[k]) for k in v.keys()}  # noqa: SIM118 (OTIO AnyDictionary)
    if isinstance(v, (str, bytes)) or v is None or isinstance(v, (int, float, bool)):
        return v
    try:
        return [_plain(x) for x in v]
    except TypeError:
        return str(v)


def timeline_rate(tl, rate: Fraction | None) -> Fraction:
    """The project rate: asked for; Seamline's own; else the rate most items of the timeline are counted in."""
    if rate is not None:
        return rate
    settings = _plain(_meta(tl).get("settings") or {})
    if isinstance(settings, dict) and settings.get("rate"):
        try:
            return ProjectSettings.model_validate({"rate": settings["rate"]}).rate
        except ValidationError:
            pass
    import opentimelineio as otio

    counts: Counter = Counter()
    for item in tl.find_children(descended_from_type=otio.core.Item):
        r = item.source_range
        if r is not None and r.duration.rate > 0:
            counts[float(r.duration.rate)] += 1
    if tl.global_start_time is not None:
        counts[float(tl.global_start_time.rate)] += 0.5
    for r, _ in counts.most_common():
        try:
            return exact_rate(r)
        except TimeError:
            continue
    return Fraction(24)


class Importer:
    def __init__(self, tl, rate: Fraction | None, base_dir: Path | None, warn, probe_files: bool = True):
        self.tl = tl
        self.warn = warn
        self.rate = timeline_rate(tl, rate)
        self.media = MediaTable(self.rate, base_dir, warn, probe_files)
        self.unrendered: dict[str, list[str]] = {}
        self.record_start = None  # an EDL track's first record timecode
        self.total = Fraction(0)  # seconds: the longest track
        self._clip_ids: set[str] = set()

    def frame(self, secs: Fraction) -> int:
        return nearest_frame(secs, self.rate)

    # -- the timeline ---------------------------------------------------------------------------------------------
    def project(self) -> Project:
        import opentimelineio as otio

        tl, meta = self.tl, _plain(_meta(self.tl))
        tracks = []
        for i, ot in enumerate(tl.tracks):
            if not isinstance(ot, otio.schema.Track):
                self.warn(f"{type(ot).__name__} {ot.name!r} at the top of the timeline is not a track: left out")
                continue
            if ot.kind not in (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio):
                self.warn(f"track {ot.name or i + 1!r} is a {ot.kind!r} track, which Seamline does not have: left out")
                continue
            tracks.append(self.track(ot, i))
        if not len(tl.tracks):
            self.warn("the timeline holds no tracks")
        for name, clips in self.unrendered.items():
            self.warn(f"effect {name} on {len(clips)} clip(s) ({', '.join(repr(c) for c in clips[:3])}"
                      f"{'...' if len(clips) > 3 else ''}) is kept in the project but Seamline does not apply it")
        markers = []
        for m in tl.tracks.markers:
            mk = self.marker(m, seconds(m.marked_range.start_time), seconds(m.marked_range.duration), "the timeline")
            if mk is not None:
                markers.append(mk)
        for e in tl.tracks.effects:
            self.warn(f"effect {_effect_name(e)} on the whole timeline is not carried over")
        end = max((t.end for t in tracks), default=0)
        if self.frame(self.total) > end:
            self.warn(f"the timeline runs {self.frame(self.total) - end} frame(s) past its last clip (a gap at the end); "
                      f"a Seamline timeline ends with its last clip")
        settings = self.settings(meta.get("settings"))
        project_meta = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
        start = tl.global_start_time if tl.global_start_time is not None else self.record_start
        if start is not None and start.value != 0:
            try:
                project_meta = {**project_meta, "otio_global_start_time": start.to_timecode(start.rate)}
            except (ValueError, TypeError):
                self.warn("the timeline's start timecode is unusable: the timeline starts at 00:00:00:00")
        assets = self.media.finish()
        try:
            return Project.model_validate({"settings": settings, "assets": assets, "tracks": tracks,
                                           "name": (tl.name or "Imported")[:200], "meta": project_meta,
                                           "markers": markers})
        except ValidationError as exc:
            from editor.project.schema import _first_error

            raise ProjectError(f"the timeline cannot be used: {_first_error(exc)}") from None

    def settings(self, meta) -> ProjectSettings:
        base = {"rate": self.rate}
        sized = [s for s in self.media.sources.values() if s.online and s.kind == "video" and s.width >= 16
                 and s.height >= 16]
        if sized and not isinstance(meta, dict):  # another editor's timeline: the picture size of its first video
            base.update(width=sized[0].width - sized[0].width % 2, height=sized[0].height - sized[0].height % 2)
        if isinstance(meta, dict):
            try:
                return ProjectSettings.model_validate({**meta, **base})
            except ValidationError:
                self.warn("the timeline's Seamline settings are damaged: default size and sound settings used")
        return ProjectSettings.model_validate(base)

    # -- a track --------------------------------------------------------------------------------------------------
    def track(self, ot, index: int) -> Track:
        import opentimelineio as otio

        kind = "video" if ot.kind == otio.schema.TrackKind.Video else "audio"
        kind, style = track_from_metadata(_plain(_meta(ot)), kind)  # Seamline's captions tracks
        label = ot.name or f"{kind} track {index + 1}"
        lay = track_layout(ot, self.warn)
        lay = self._track_range(ot, lay, label)
        self.total = max(self.total, lay.duration)
        clips: list[Clip] = []
        for p in lay.pieces:
            c = self.clip(p, kind, label)
            if c is not None:
                if clips and c.start < clips[-1].end:  # rounding can make two clips share a frame
                    clips[-1] = evolve(clips[-1], duration=max(1, c.start - clips[-1].start))
                clips.append(c)
        transitions, clips = self.transitions(lay.cuts, lay.pieces, clips, label, kind)
        m = _plain(_meta(ot))
        markers = [mk for mk in (self.marker(x.marker, x.start, x.duration, f"track {label!r}") for x in lay.markers)
                   if mk is not None]
        for e in ot.effects:
            self.warn(f"effect {_effect_name(e)} on track {label!r} is not carried over")
        data = {k: v for k, v in m.items() if k not in ("clips", "transitions", "markers", "kind")}
        data.update({"id": m.get("id") if isinstance(m.get("id"), str) else new_id("t"), "kind": kind,
                     "name": ot.name, "clips": clips, "transitions": transitions, "markers": markers,
                     "caption_style": style})
        data.setdefault("mute", not ot.enabled)
        try:
            return Track.model_validate(data)
        except ValidationError:
            self.warn(f"track {label!r}: its Seamline settings are damaged: defaults used")
            return Track.model_validate({k: data[k] for k in ("id", "kind", "name", "clips", "transitions",
                                                              "markers", "mute", "caption_style")})

    def _track_range(self, ot, lay: Layout, label: str) -> Layout:
        """A track's own source_range trims and shifts what it shows."""
        if ot.source_range is None:
            return lay
        try:
            start, dur = seconds(ot.source_range.start_time), seconds(ot.source_range.duration)
        except TimeError as exc:
            self.warn(f"track {label!r}: its range is unusable ({exc}): ignored")
            return lay
        end = start + dur
        inside = [p for p in lay.pieces if p.end > start and p.start < end]
        if start < 0 and end <= 0 and not inside:
            # the EDL reader's way of saying "the track starts at record timecode -start": keep it as the start
            import opentimelineio as otio

            st = ot.source_range.start_time
            self.record_start = self.record_start or otio.opentime.RationalTime(-st.value, st.rate)
            return lay
        if lay.pieces and not inside:
            self.warn(f"track {label!r}: its source range ({float(start):.2f} s for {float(dur):.2f} s) shows none of "
                      f"its clips: ignored, the clips are kept where they are")
            return lay
        out = Layout(duration=dur)
        for p in lay.pieces:
            a, b = max(p.start, start), min(p.end, end)
            if b > a:
                q = p.trimmed(a, b)
                out.pieces.append(Piece(q.clip, a - start, b - start, q.src, q.scalar, q.nested))
            else:
                self.warn(f"clip {p.clip.name!r} lies outside the range track {label!r} shows: left out")
        out.cuts = [Cut(c.transition, c.at - start, c.before, c.after) for c in lay.cuts if start <= c.at <= end]
        out.markers = [type(m)(m.marker, m.start - start, m.duration) for m in lay.markers]
        return out

    # -- a clip ---------------------------------------------------------------------------------------------------
    def clip(self, p: Piece, kind: str, label: str) -> Clip | None:
        oc = p.clip
        start, end = self.frame(p.start), self.frame(p.end)
        if end <= start:
            self.warn(f"clip {oc.name!r} on {label!r} is shorter than one frame at {float(self.rate):g} fps: left out")
            return None
        try:
            generated = generated_from_otio(oc, start, end - start)  # a Seamline title or caption cue
        except ValidationError:
            self.warn(f"title or caption {oc.name!r} on {label!r} is damaged: left out")
            return None
        if generated is not None:
            self._clip_ids.add(generated.id)
            return generated
        src: Source = self.media.source_for(oc, kind)
        why = self.media.usable_on(src, kind)
        if why:
            self.warn(f"clip {oc.name!r} on {label!r} left out: {why}")
            return None
        source_in = 0
        if src.kind != "image":
            source_in = nearest_frame(p.src - src.origin, src.rate)
            if source_in < 0:
                self.warn(f"clip {oc.name!r} starts {-source_in} frame(s) before its media begins: moved to the "
                          f"media's first frame")
                source_in = 0
        m = _plain(_meta(oc))
        cid = m.get("id") if isinstance(m.get("id"), str) and m.get("id") not in self._clip_ids else new_id("c")
        self._clip_ids.add(cid)
        base = {"id": cid, "asset_id": src.asset_id, "start": start, "duration": end - start,
                "source_in": source_in, "name": oc.name, "effects": self.effects(oc),
                "markers": self.clip_markers(oc, p)}
        if isinstance(m.get("name"), str) and oc.name in (m["name"], src.name):  # Seamline's unnamed clip
            base["name"] = m["name"]
        keep = {k: v for k, v in m.items() if k not in ("id", "asset_id", "start", "duration", "source_in", "name",
                                                        "effects", "markers")}
        try:
            clip = Clip.model_validate({**keep, **base})
        except ValidationError:
            self.warn(f"clip {oc.name!r}: its Seamline settings (volume, fades, keyframes...) are damaged: defaults "
                      f"used")
            clip = Clip.model_validate(base)
        if clip.fade_in + clip.fade_out > clip.duration:
            clip = evolve(clip, fade_in=min(clip.fade_in, clip.duration), fade_out=min(clip.fade_out, clip.duration))
        return self._fit_media(clip, src, oc.name)

    def _fit_media(self, clip: Clip, src: Source, name: str) -> Clip | None:
        if src.kind == "image":
            return clip
        scalar = 1.0
        for e in clip.effects:
            if e.kind == "LinearTimeWarp" and e.time_scalar is not None:
                scalar *= abs(e.time_scalar)
            elif e.kind == "FreezeFrame":
                scalar = 0.0
        used = -((-Fraction(clip.duration) * src.rate * max(1, Fraction(scalar).limit_denominator(1000))) // self.rate)
        need = clip.source_in + max(1, int(used))  # (at least the unretimed length: that is what validation checks)
        if not src.online or src.frames is None:
            src.needed = max(src.needed, need)
            return clip
        if need <= src.frames:
            return clip
        if clip.source_in >= src.frames:
            self.warn(f"clip {name!r} starts after the end of its media file: left out")
            return None
        room = (src.frames - clip.source_in) * self.rate / src.rate / Fraction(scalar or 1).limit_denominator(1000)
        duration = max(1, int(room))
        self.warn(f"clip {name!r} runs {clip.duration - duration} frame(s) past the end of its media file: shortened")
        return evolve(clip, duration=duration, fade_out=min(clip.fade_out, duration), fade_in=min(clip.fade_in, duration))

    def effects(self, oc) -> tuple[Effect, ...]:
        import opentimelineio as otio

        out = []
        for e in oc.effects:
            kind = "FreezeFrame" if isinstance(e, otio.schema.FreezeFrame) else (
                "LinearTimeWarp" if isinstance(e, otio.schema.LinearTimeWarp) else (e.effect_name or e.schema_name()))
            data = {"kind": kind[:200] or "Effect", "name": e.name, "metadata": _plain(e.metadata)}
            if kind in TIME_EFFECTS:
                data["time_scalar"] = float(e.time_scalar)
            else:
                self.unrendered.setdefault(data["kind"], []).append(oc.name)
            try:
                out.append(Effect.model_validate(data))
            except ValidationError:
                self.warn(f"effect {kind} on clip {oc.name!r} has values Seamline cannot hold "
                          f"(time_scalar {data.get('time_scalar')}): left out")
        return tuple(out)

    def clip_markers(self, oc, p: Piece) -> tuple[Marker, ...]:
        out = []
        for m in oc.markers:  # in the clip's own (source) time
            try:
                at = (seconds(m.marked_range.start_time) - p.src) / Fraction(p.scalar or 1).limit_denominator(1000)
                dur = seconds(m.marked_range.duration)
            except TimeError as exc:
                self.warn(f"marker {m.name!r} on clip {oc.name!r}: {exc}: left out")
                continue
            span = p.end - p.start
            if at < 0 or at > span:
                self.warn(f"marker {m.name!r} on clip {oc.name!r} lies outside the part of the clip that is used: "
                          f"moved to its {'start' if at < 0 else 'end'}")
                at = min(max(at, Fraction(0)), span)
            mk = self.marker(m, at, dur, f"clip {oc.name!r}")
            if mk is not None:
                out.append(mk)
        return tuple(out)

    def marker(self, m, start: Fraction, duration: Fraction, where: str) -> Marker | None:
        meta = _plain(_meta(m))
        frame = self.frame(start)
        if frame < 0:
            self.warn(f"marker {m.name!r} on {where} lies before the start: moved to frame 0")
            frame = 0
        color = meta.get("color") if isinstance(meta.get("color"), str) else str(m.color or "red").lower()
        data = {"frame": frame, "duration": max(0, self.frame(duration)), "name": m.name, "color": color[:40],
                "comment": getattr(m, "comment", "") or ""}
        try:
            return Marker.model_validate(data)
        except ValidationError:
            self.warn(f"marker {m.name!r} on {where} has values Seamline cannot hold: left out")
            return None

    # -- transitions ----------------------------------------------------------------------------------------------
    def transitions(self, cuts: list[Cut], pieces: list[Piece], clips: list[Clip], label: str, kind: str):
        by_start = {c.start: i for i, c in enumerate(clips)}
        by_end = {c.end: i for i, c in enumerate(clips)}
        out, used = [], set()
        for cut in cuts:
            x = cut.transition
            at = self.frame(cut.at)
            start, end = self.frame(cut.at - cut.before), self.frame(cut.at + cut.after)
            ia, ib = by_end.get(at), by_start.get(at)
            name = x.name or x.transition_type
            if ia is None and ib is None:
                self.warn(f"transition {name!r} on {label!r} has no clip on either side: left out")
                continue
            if ia is None or ib is None:  # from or to a gap: a fade of the clip that is there
                i = ib if ia is None else ia
                c = clips[i]
                n = min(c.duration, end - start)
                field_ = "fade_in" if ia is None else "fade_out"
                clips[i] = evolve(c, **{field_: max(getattr(c, field_), n)})
                self.warn(f"transition {name!r} on {label!r} {'from' if ia is None else 'to'} a gap becomes a "
                          f"{n}-frame {field_.replace('_', '-')} of clip {c.name!r}")
                continue
            a, b = clips[ia], clips[ib]
            before, after = at - start, end - at
            if before > a.duration or after > b.duration:
                self.warn(f"transition {name!r} on {label!r} is longer than the clips around it: shortened to fit")
                before, after = min(before, a.duration), min(after, b.duration)
            if before + after < 2 or a.id in used:
                self.warn(f"transition {name!r} on {label!r} is shorter than 2 frames: left out (a cut)")
                continue
            m = _plain(_meta(x))
            xkind = m.get("kind") if isinstance(m.get("kind"), str) else KINDS_IN.get(x.transition_type)
            if xkind is None:
                self.warn(f"transition {name!r} on {label!r} is a {x.transition_type!r}, which Seamline does not "
                          f"have: kept as a dissolve")
                xkind = "dissolve"
            if kind == "audio" and xkind == "dissolve" and not m.get("kind"):
                xkind = "crossfade"
            try:
                out.append(Transition.model_validate({
                    "id": m.get("id") if isinstance(m.get("id"), str) else new_id("x"), "a": a.id, "b": b.id,
                    "kind": xkind[:64], "duration": before + after,
                    "before": None if m.get("centred") and before == (before + after) // 2 else before}))
                used.add(a.id)
            except ValidationError:
                self.warn(f"transition {name!r} on {label!r} has values Seamline cannot hold: left out")
        return out, clips

