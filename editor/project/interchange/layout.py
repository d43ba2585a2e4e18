"""Where everything of an OTIO track lands, in exact seconds: clips (nested stacks and tracks flattened the way
`otio.algorithms.flatten_stack` does: the top-most visible layer wins), cuts with transitions, and markers.

Times stay Fractions of a second here; they become frames only when the project is built (nearest frame).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

from editor.project.interchange.times import TimeError, seconds


@dataclass
class Piece:
    clip: object  # the otio Clip
    start: Fraction  # record seconds on the track
    end: Fraction
    src: Fraction  # the clip's own (source) time at `start`, seconds
    scalar: float = 1.0  # source seconds per record second (LinearTimeWarp), for trims
    nested: str = ""  # name of the nested stack/track it came from

    def trimmed(self, start: Fraction, end: Fraction) -> Piece:
        return replace(self, start=start, end=end, src=self.src + (start - self.start) * Fraction(self.scalar))


@dataclass
class Cut:
    transition: object  # the otio Transition
    at: Fraction  # record seconds of the cut
    before: Fraction  # in_offset, seconds
    after: Fraction  # out_offset, seconds


@dataclass
class MarkerAt:
    marker: object
    start: Fraction
    duration: Fraction


@dataclass
class Layout:
    pieces: list[Piece] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    markers: list[MarkerAt] = field(default_factory=list)
    duration: Fraction = Fraction(0)


def _time_scalar(item) -> float:
    import opentimelineio as otio

    s = 1.0
    for e in item.effects:
        if isinstance(e, otio.schema.LinearTimeWarp):
            v = float(e.time_scalar)
            s *= v if math.isfinite(v) and abs(v) < 1e6 else 1.0
    return s


def _range(item, warn):
    """(start, duration) of an item's trimmed range in its own time, seconds; None when it has none."""
    import opentimelineio as otio

    r = item.source_range
    try:
        if r is not None:
            return seconds(r.start_time), seconds(r.duration)
        if isinstance(item, otio.schema.Clip):
            ref = item.media_reference
            avail = getattr(ref, "available_range", None) if ref is not None else None
            if avail is None:
                warn(f"clip {item.name!r} has neither a source range nor a media range: left out")
                return None
            return seconds(avail.start_time), seconds(avail.duration)
        return Fraction(0), None  # a composition without a source range: its natural length
    except TimeError as exc:
        warn(f"{type(item).__name__.lower()} {item.name!r}: {exc}: left out")
        return None


def track_layout(track, warn, depth: int = 0) -> Layout:
    """The items of a track one after another, compositions flattened in place."""
    import opentimelineio as otio

    out = Layout()
    pos = Fraction(0)
    for item in track:
        if isinstance(item, otio.schema.Transition):
            try:
                out.cuts.append(Cut(item, pos, seconds(item.in_offset), seconds(item.out_offset)))
            except TimeError as exc:
                warn(f"transition {item.name!r}: {exc}: left out")
            continue
        rng = _range(item, warn)
        if rng is None:
            continue
        start, dur = rng
        if isinstance(item, otio.core.Composition):
            inner = composition_layout(item, warn, depth + 1)
            if dur is None:
                dur = inner.duration
            _place_nested(out, item, inner, pos, start, dur, warn)
        elif dur is not None and dur > 0:
            if isinstance(item, otio.schema.Clip):
                if item.enabled:
                    out.pieces.append(Piece(item, pos, pos + dur, start, _time_scalar(item)))
                else:
                    warn(f"clip {item.name!r} is disabled in the timeline: left out (a gap)")
            elif not isinstance(item, otio.schema.Gap):
                warn(f"{type(item).__name__} {item.name!r} is not something Seamline can place: left out (a gap)")
            for m in item.markers:  # markers on gaps belong to the track at that time
                if isinstance(item, otio.schema.Gap):
                    _add_marker(out.markers, m, pos - start, warn)
        elif dur is not None and dur < 0:
            warn(f"{type(item).__name__.lower()} {item.name!r} has a negative duration: left out")
        pos += dur if dur is not None and dur > 0 else 0
    out.duration = pos
    for m in track.markers:
        _add_marker(out.markers, m, Fraction(0), warn)
    return out


def composition_layout(comp, warn, depth: int) -> Layout:
    """A nested composition's contents in its own time (a Stack's layers flattened, top-most wins)."""
    import opentimelineio as otio

    if isinstance(comp, otio.schema.Track):
        return track_layout(comp, warn, depth)
    layers = []
    for child in comp:
        if isinstance(child, otio.schema.Track):
            layers.append(track_layout(child, warn, depth))
        elif isinstance(child, otio.schema.Transition):
            warn(f"transition {child.name!r} directly inside stack {comp.name!r} has no neighbours: left out")
        else:  # a clip, gap or stack directly in a stack: a layer of its own that starts at 0
            t = otio.schema.Track()
            t.append(child.clone())
            layers.append(track_layout(t, warn, depth))
    out = Layout()
    for layer in layers:  # bottom to top: each layer covers what is below it
        for p in layer.pieces:
            out.pieces = _cover(out.pieces, p.start, p.end) + [p]
        out.markers += layer.markers
        out.duration = max(out.duration, layer.duration)
        if layer.cuts and len(layers) > 1:
            warn(f"{len(layer.cuts)} transition(s) inside nested stack {comp.name!r} left out (cuts) when it was "
                 f"flattened")
        elif layer.cuts:
            out.cuts += layer.cuts
    for m in comp.markers:
        _add_marker(out.markers, m, Fraction(0), warn)
    out.pieces.sort(key=lambda p: p.start)
    return out


def _cover(pieces: list[Piece], a: Fraction, b: Fraction) -> list[Piece]:
    """Pieces with [a, b) cut out of them."""
    out = []
    for p in pieces:
        if p.end <= a or p.start >= b:
            out.append(p)
            continue
        if p.start < a:
            out.append(p.trimmed(p.start, a))
        if p.end > b:
            out.append(p.trimmed(b, p.end))
    return out


def _place_nested(out: Layout, item, inner: Layout, pos: Fraction, start: Fraction, dur: Fraction, warn) -> None:
    """Put what a nested composition shows of [start, start + dur) of its own time at `pos`."""
    end = start + dur
    shift = pos - start
    kept, lost = 0, []
    for p in inner.pieces:
        a, b = max(p.start, start), min(p.end, end)
        if b <= a:
            lost.append(p.clip.name)
            continue
        q = p.trimmed(a, b)
        out.pieces.append(replace(q, start=a + shift, end=b + shift, nested=item.name))
        kept += 1
    for c in inner.cuts:
        if start <= c.at <= end:
            out.cuts.append(replace(c, at=c.at + shift))
    for m in inner.markers:
        if start <= m.start <= end:
            out.markers.append(replace(m, start=m.start + shift))
    what = "stack" if type(item).__name__ == "Stack" else "track"
    if not inner.pieces:
        warn(f"nested {what} {item.name!r} is empty: kept as a gap of {float(dur):.2f} s")
        return
    msg = f"nested {what} {item.name!r} flattened into its track ({kept} clip(s) kept"
    if lost:
        msg += f"; hidden or outside its range: {', '.join(repr(n) for n in lost[:5])}" + (
            f" and {len(lost) - 5} more" if len(lost) > 5 else "")
    warn(msg + ")")
    if item.effects:
        warn(f"effects on nested {what} {item.name!r} ({', '.join(_effect_name(e) for e in item.effects)}) are not "
             f"carried over: Seamline keeps effects on clips")


def _effect_name(e) -> str:
    return e.effect_name or e.schema_name()


def _add_marker(markers: list, m, offset: Fraction, warn) -> None:
    try:
        markers.append(MarkerAt(m, seconds(m.marked_range.start_time) + offset, seconds(m.marked_range.duration)))
    except TimeError as exc:
        warn(f"marker {m.name!r}: {exc}: left out")
