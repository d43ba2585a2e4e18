"""The photo story's choices, as pure functions (no pictures, no files): a camera move per photo, where the cuts fall
(on the music's beats near the chosen pace), how long each transition is, and where the story and its music end.

A transition is heard and seen at its middle, so every cut time here is the MIDDLE of the transition placed on it.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from ai.story.photos import PhotoLook

LOOKS = ("gentle", "lively")
ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
PACE_BOUNDS = (0.6, 1.6)  # a photo lasts from 0.6x to 1.6x the chosen seconds per photo
MIN_PACE, MAX_PACE = 1.0, 20.0
MAX_CLIP_SECONDS = 20.0  # a video in a story plays at most this long
TRANSITION_SECONDS = {"gentle": 0.8, "lively": 0.5}  # dissolve (gentle) / fill (lively)
INTENSITY = {"gentle": 0.45, "lively": 0.75}
MIN_FADE_OUT = 2.0


@dataclass(frozen=True)
class Item:
    kind: str  # "photo" | "video"
    seconds: float | None = None  # a video's length


# -- camera moves ---------------------------------------------------------------------------------------------------
def move_scores(look: PhotoLook, frame_aspect: float) -> dict[str, float]:
    """How well each move suits a picture: push in on a face or one subject, pan across a wide view, pull out of a
    detail (its moves are scored, the story takes the best that differs from the last one)."""
    wide = look.aspect / frame_aspect  # > 1: the picture is wider than the frame (there is room to pan)
    s = {"push-in": 1.0 + (2.5 if look.faces else 0.0) + (1.0 - look.spread),
         "zoom-in": 0.9 + 0.5 * (1.0 - look.spread) + (1.0 if look.faces else 0.0),
         "pull-out": 0.8 + 2.0 * max(0.0, 0.5 - look.spread) * 2 - (1.5 if look.faces else 0.0),
         "pan-right" if look.side >= 0 else "pan-left": 0.7 + 2.5 * max(0.0, wide - 1.0) + 1.5 * look.spread,
         "pan-left" if look.side >= 0 else "pan-right": 0.5 + 2.0 * max(0.0, wide - 1.0) + 1.0 * look.spread,
         "tilt-up": 0.3 + 2.5 * max(0.0, 1.0 / wide - 1.0),
         "zoom-out": 0.6 + 0.6 * max(0.0, 0.5 - look.spread)}
    return s


def choose_moves(looks: list[PhotoLook | None], frame_aspect: float) -> list[str | None]:
    """A move for every photo (None for a video): the best-suited one, never the same as the photo before."""
    out: list[str | None] = []
    last = None
    for lk in looks:
        if lk is None:
            out.append(None)
            continue
        ranked = sorted(move_scores(lk, frame_aspect).items(), key=lambda kv: -kv[1])
        move = next(m for m, _ in ranked if m != last)
        out.append(move)
        last = move
    return out


# -- cuts on the beat -----------------------------------------------------------------------------------------------
def _nearest(times: list[float], lo: float, hi: float, want: float, downbeats: set[float], prefer_bar: bool):
    """The beat in [lo, hi] nearest `want` (a downbeat wins a close call when prefer_bar); None when none."""
    i, j = bisect_left(times, lo), bisect_left(times, hi + 1e-9)
    best, cost = None, None
    period = (times[-1] - times[0]) / max(1, len(times) - 1) if len(times) > 1 else 0.5
    for t in times[i:j]:
        c = abs(t - want) - (0.6 * period if prefer_bar and t in downbeats else 0.0)
        if cost is None or c < cost:
            best, cost = t, c
    return best


def plan_cuts(items: list[Item], pace: float, beats: list[float] | None = None,
              downbeats: list[float] | None = None, look: str = "gentle", start: float = 0.0) -> list[float]:
    """Cut times (seconds): [start, cut 1, ..., end of the last item]. A photo lasts about `pace` seconds (within
    PACE_BOUNDS), a video its own length (at most MAX_CLIP_SECONDS); each cut lands on the beat nearest where it
    would fall, a downbeat preferred when the look is gentle."""
    if not MIN_PACE <= pace <= MAX_PACE:
        raise ValueError(f"seconds per photo go from {MIN_PACE:g} to {MAX_PACE:g}, not {pace:g}")
    beats = sorted(beats or [])
    bars = set(downbeats or [])
    cuts = [start]
    t = start
    for it in items:
        if it.kind == "photo":
            want, lo, hi = pace, pace * PACE_BOUNDS[0], pace * PACE_BOUNDS[1]
        else:
            length = min(it.seconds or pace, MAX_CLIP_SECONDS)
            want, lo, hi = length, min(length, 1.0), length
        b = _nearest(beats, t + lo, t + hi, t + want, bars, look == "gentle") if beats else None
        t = b if b is not None else t + want
        cuts.append(t)
    return cuts


def end_of_story(cuts: list[float], items: list[Item], pace: float, phrases: list[float] | None,
                 downbeats: list[float] | None, song_end: float | None) -> float:
    """Where the story (and its music) ends: the phrase boundary nearest the last item's planned end that keeps the
    last item within its bounds (a downbeat when no phrase fits), never past the song."""
    last = items[-1] if items else Item("photo")
    start = cuts[-2] if len(cuts) >= 2 else 0.0
    if last.kind == "photo":
        lo, hi = start + pace * PACE_BOUNDS[0], start + pace * PACE_BOUNDS[1]
    else:
        lo, hi = start + min(1.0, last.seconds or pace), start + min(last.seconds or pace, MAX_CLIP_SECONDS)
    want = cuts[-1]
    for marks in (phrases or [], downbeats or []):
        fits = [p for p in marks if lo <= p <= hi and (song_end is None or p <= song_end)]
        if fits:
            return min(fits, key=lambda p: abs(p - want))
    return min(want, song_end) if song_end is not None else want


def fit_pace(items: list[Item], pace: float, song_seconds: float | None) -> float:
    """The pace, slowed or quickened within the photo bounds so the story fits the song when it can."""
    if not song_seconds:
        return pace
    fixed = sum(min(i.seconds or 0.0, MAX_CLIP_SECONDS) for i in items if i.kind != "photo")
    photos = sum(1 for i in items if i.kind == "photo")
    if not photos:
        return pace
    need = fixed + photos * pace
    if need <= song_seconds:
        return pace
    return max(MIN_PACE, pace * PACE_BOUNDS[0], (song_seconds - fixed - 0.5) / photos)


def fade_out_seconds(end: float, downbeats: list[float] | None) -> float:
    """The music's fade-out: at least 2 s, lengthened to start on a downbeat when one lies 2-4 s before the end."""
    for d in sorted(downbeats or [], reverse=True):
        if MIN_FADE_OUT <= end - d <= 2 * MIN_FADE_OUT:
            return end - d
    return MIN_FADE_OUT
