"""Edits for music: the music track, a song's beats on the timeline, ducking as a volume line, cut to the beat.

The music track is an audio track with role "music". A song's beats are stored on its asset (`MediaAsset.rhythm`, in
seconds of the file) and mapped onto the timeline through each clip that uses it. Ducking is written as the music
clips' "volume" keyframes (values are gains, 1.0 = the clip as recorded), so the line drawn on the clip is exactly
what the mixer plays and the user can drag its keys.
"""
from __future__ import annotations

import math
from bisect import bisect_left

from editor.timeline import edits
from editor.timeline.edits import edit, put_tracks, ripple, with_clips
from editor.timeline.model import (Clip, Ducking, EditError, Keyframe, MediaAsset, Project, Rhythm, Track, evolve,
                                   new_id)


# -- the music track ------------------------------------------------------------------------------------------------
def music_tracks(project: Project) -> list[Track]:
    return [t for t in project.tracks if t.kind == "audio" and t.role == "music"]


@edit
def add_music_track(project: Project, name: str = "Music", track_id: str | None = None) -> Project:
    """An audio track for music, at the bottom of the audio tracks (under the clips' own sound)."""
    tid = track_id or new_id("t")
    out = edits.add_track(project, "audio", name=name, track_id=tid)
    return put_tracks(out, evolve(out.track(tid), role="music", ducking=Ducking()))


@edit
def set_track_role(project: Project, track_id: str, role: str | None) -> Project:
    track = project.track(track_id)
    if role not in (None, "music"):
        raise EditError(f"a track's role is music or none, not {role!r}")
    if role == "music" and track.kind != "audio":
        raise EditError("only an audio track can carry music")
    return put_tracks(project, evolve(track, role=role, ducking=track.ducking or (Ducking() if role else None)))


@edit
def place_music(project: Project, asset_id: str, start: int = 0, track_id: str | None = None,
                duration: int | None = None) -> Project:
    """Lay a song on the music track (made when there is none) at `start`, overwriting what is there."""
    asset = project.assets.get(asset_id)
    if asset is None or not (asset.kind == "audio" or asset.has_audio):
        raise EditError("music needs a file with sound")
    out = project
    if track_id is None:
        tracks = music_tracks(out)
        if tracks:
            track_id = tracks[0].id
        else:
            track_id = new_id("t")
            out = add_music_track(out, track_id=track_id)
    length = out.max_duration(asset_id, 0)
    d = duration or length or int(round(60 * out.settings.rate))
    clip = Clip(id=new_id("c"), asset_id=asset_id, start=max(0, start), duration=d, name=asset.name)
    return edits.overwrite(out, track_id, clip)


@edit
def set_rhythm(project: Project, asset_id: str, tempo: float, beats, downbeats=(), phrases=(),
               method: str = "") -> Project:
    """Store the beat found in a song on its asset (one undoable step; the clips' ticks follow)."""
    asset = project.assets.get(asset_id)
    if asset is None:
        raise EditError("no such media in the project")
    rhythm = Rhythm(tempo=float(tempo), beats=tuple(float(b) for b in beats),
                    downbeats=tuple(float(b) for b in downbeats), phrases=tuple(float(b) for b in phrases),
                    method=method)
    return edits.set_asset(project, evolve(asset, rhythm=rhythm))


# -- beats on the timeline ------------------------------------------------------------------------------------------
def clip_beats(project: Project, clip: Clip, which: str = "beats") -> list[int]:
    """Timeline frames of a music clip's beats (or "downbeats", "phrases") that fall inside the clip."""
    asset: MediaAsset | None = project.assets.get(clip.asset_id) if clip.asset_id else None
    if asset is None or asset.rhythm is None:
        return []
    times = getattr(asset.rhythm, which)
    src0 = float(clip.source_in / asset.rate)
    rate = project.settings.rate
    out = []
    for t in times:
        f = clip.start + math.floor((t - src0) * rate + 0.5)
        if clip.start <= f < clip.end:
            out.append(f)
    return out


def beat_frames(project: Project, which: str = "beats") -> list[int]:
    """Every beat on the music tracks (sorted, timeline frames): what snapping and cut-to-the-beat aim at."""
    frames = set()
    for t in music_tracks(project):
        for c in t.clips:
            frames.update(clip_beats(project, c, which))
    return sorted(frames)


def snap(frame: int, beats: list[int], tolerance: int) -> int:
    """The nearest beat within `tolerance` frames of `frame`, else `frame`."""
    i = bisect_left(beats, frame)
    best = frame
    for j in (i - 1, i):
        if 0 <= j < len(beats) and abs(beats[j] - frame) <= tolerance and (
                best == frame or abs(beats[j] - frame) < abs(best - frame)):
            best = beats[j]
    return best


@edit
def cut_to_beat(project: Project, clip_ids: list[str], max_shift: int | None = None) -> Project:
    """Trim the selected clips at their out edge so that each cut lands on the nearest beat of the music track; what
    follows on the clip's track (and its linked sound) moves with the cut, the music stays put."""
    beats = beat_frames(project)
    if not beats:
        raise EditError("the music has no beats yet: put a song on the music track and find its beat first")
    spacing = max(1, int(sum(b - a for a, b in zip(beats, beats[1:])) / max(1, len(beats) - 1)))
    limit = spacing // 2 + 1 if max_shift is None else max_shift
    out = project
    ordered = sorted(clip_ids, key=lambda cid: project.find_clip(cid)[1].start)
    for cid in ordered:
        track, clip = out.find_clip(cid)
        if track.kind == "audio" and track.role == "music":
            continue
        target = snap(clip.end, beats, limit)
        delta = target - clip.end
        if delta == 0 or clip.duration + delta < 1:
            continue
        room = out.max_duration(clip.asset_id, clip.source_in, clip)
        if delta > 0 and room is not None and clip.duration + delta > room:
            earlier = snap(clip.end - spacing // 2, beats, spacing)  # not enough media: the beat before
            delta = earlier - clip.end if earlier < clip.end else 0
            if delta == 0 or clip.duration + delta < 1:
                continue
        primary = {t.id for t, _ in out.linked(cid)}
        if delta > 0:
            out = ripple(out, clip.end, delta, primary)
            out = edits.trim(out, cid, "out", delta)
        else:
            out = edits.trim(out, cid, "out", delta)
            out = ripple(out, clip.end, delta, primary)
    return out


# -- ducking --------------------------------------------------------------------------------------------------------
def duck_keys(regions, clip: Clip, rate, base: float, ducking: Ducking) -> tuple[Keyframe, ...]:
    """Volume keys of a music clip that dip `ducking.amount_db` under each speech region (timeline seconds): down
    over `attack` seconds ending where the speech starts, up over `release` seconds after it ends; speech regions
    closer than `bridge` seconds stay one dip. Empty when no speech touches the clip."""
    r = float(rate)
    low = base * 10 ** (ducking.amount_db / 20)
    merged: list[list[float]] = []
    for a, b in sorted(regions):
        if merged and a - merged[-1][1] <= ducking.bridge + ducking.attack + ducking.release:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    c0, c1 = clip.start, clip.end
    points: list[tuple[int, float, str]] = []
    for a, b in merged:
        down0 = math.floor((a - ducking.attack) * r + 0.5) - c0
        down1 = math.floor(a * r + 0.5) - c0
        up0 = math.ceil(b * r) - c0
        up1 = math.ceil((b + ducking.release) * r) - c0
        if up1 < 0 or down0 >= c1 - c0:
            continue
        points += [(down0, base, "ease-in-out"), (max(down1, down0 + 1), low, "linear"),
                   (max(up0, down1 + 1), low, "ease-in-out"), (max(up1, up0 + 1), base, "linear")]
    if not points:
        return ()
    d = clip.duration
    pts = sorted({f: (f, v, e) for f, v, e in points}.values())

    def value(f: float) -> float:
        from editor.timeline.keyframes import ease

        if f <= pts[0][0]:
            return pts[0][1]
        for (fa, va, ea), (fb, vb, _) in zip(pts, pts[1:]):
            if fa <= f < fb:
                return va + (vb - va) * ease(ea, (f - fa) / (fb - fa))
        return pts[-1][1]

    inside = [Keyframe(frame=f, value=v, ease=e) for f, v, e in pts if 0 <= f < d]
    if not inside or inside[0].frame > 0:  # a dip under way when the clip starts: its value there
        inside.insert(0, Keyframe(frame=0, value=value(0), ease="linear"))
    if pts[-1][0] >= d and inside[-1].frame < d - 1:
        inside.append(Keyframe(frame=d - 1, value=value(d - 1)))
    return tuple(inside)


@edit
def apply_ducking(project: Project, track_id: str, regions, ducking: Ducking | None = None) -> Project:
    """Write the dips under `regions` (speech, timeline seconds) as the volume line of every clip on a music track
    (replacing its volume keys), and keep the settings on the track for the next run."""
    track = project.track(track_id)
    if track.kind != "audio":
        raise EditError("ducking works on an audio track")
    ducking = ducking or track.ducking or Ducking()
    rate = project.settings.rate
    clips = []
    for c in track.clips:
        keys = duck_keys(regions, c, rate, c.volume, ducking)
        kf = {k: v for k, v in c.keyframes.items() if k != "volume"}
        if keys:
            kf["volume"] = keys
        clips.append(evolve(c, keyframes=kf))
    return put_tracks(project, evolve(with_clips(edits._editable(track), clips), ducking=ducking))
