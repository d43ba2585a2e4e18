"""The one-click photo story: photos (and clips), an optional song and a title -> a normal, editable project.

Photos are put in capture order (EXIF; the given order for undated ones), each gets a built-in camera move chosen
for it (ai/story/plan.py), rendered by the camera tool as a clip; cuts land on the song's beats near the chosen pace,
with a dissolve (gentle) or a built-in fill (lively) centred on each beat; the title sits on the first seconds; the
song ends faded out at the end of a phrase and ducks under speech in the clips; the mix is normalised to -14 LUFS on
export. A picture of another shape than the frame is fitted over a blurred copy of itself.

`build_story` runs on a worker (progress, cancel); it returns a Project that the UI applies as ONE Session edit (and
the CLI saves and renders). When ai/jobs.py's catalog lands, it registers as the "photo-story" job.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from ai.errors import AIError, JobCancelled
from ai.story import plan as P
from editor.actions.ai_results import clip_frame, fill_asset
from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.timeline import edits
from editor.timeline.model import Clip, Project, ProjectSettings, Transform, new_id

Report = Callable[[float, str], None]
# a picture within 20% of the frame's shape fills it (a 3:2 photo in 16:9 loses a sliver top and bottom: thin blurred
# strips beside it looked like a mistake when watched); beyond, it is fitted over a blurred copy of itself
ASPECT_TOLERANCE = 0.2


@dataclass
class StoryOptions:
    title: str = ""
    aspect: str = "16:9"
    seconds_per_photo: float = 3.5
    look: str = "gentle"
    music: str | None = None
    loudness: float | None = -14.0
    rate: Fraction = Fraction(30)
    size: tuple[int, int] | None = None  # overrides the aspect's size (tests build small stories)
    notes: list[str] = field(default_factory=list)  # what the builder could not do as asked (shown to the user)

    def check(self) -> None:
        if self.aspect not in P.ASPECTS:
            raise AIError(f"the aspect is one of {', '.join(P.ASPECTS)}, not {self.aspect!r}")
        if self.look not in P.LOOKS:
            raise AIError(f"the look is gentle or lively, not {self.look!r}")
        if not P.MIN_PACE <= self.seconds_per_photo <= P.MAX_PACE:
            raise AIError(f"seconds per photo go from {P.MIN_PACE:g} to {P.MAX_PACE:g}")

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.size or P.ASPECTS[self.aspect]


@dataclass
class _Entry:
    info: object  # MediaInfo
    kind: str  # photo | video
    look: object = None  # PhotoLook
    move: str | None = None
    asset: object = None  # MediaAsset of what goes on the timeline


def _stage(report: Report, lo: float, hi: float, text: str) -> Callable[[float, str], None]:
    return lambda f, s="": report(lo + (hi - lo) * max(0.0, min(1.0, f)), text)


def _check(cancelled) -> None:
    if cancelled is not None and cancelled():
        raise JobCancelled("the photo story was cancelled")


def _even(n: int) -> int:
    return max(2, n - n % 2)


def _fits(w: int, h: int, W: int, H: int) -> bool:
    return abs(math.log((w / h) / (W / H))) <= math.log(1 + ASPECT_TOLERANCE)


def _move_size(w: int, h: int, W: int, H: int) -> tuple[int, int]:
    """The size a photo's move is rendered at: the frame, or the photo's own shape fitted inside the frame."""
    if _fits(w, h, W, H):
        return W, H
    s = min(W / w, H / h)
    return max(16, int(w * s) // 2 * 2), max(16, int(h * s) // 2 * 2)


def _read_media(paths, report, cancelled) -> list[_Entry]:
    from ai.story.photos import capture_time, look_at, load_picture, story_order

    entries, times = [], []
    for i, p in enumerate(paths):
        _check(cancelled)
        info = probe(p)
        if info.kind == "audio":
            raise AIError(f"{Path(p).name} is sound only: give a song with --music (the story's pictures are "
                          f"photos and clips)")
        e = _Entry(info, "photo" if info.kind == "image" else "video")
        if e.kind == "photo":
            e.look = look_at(load_picture(p))
        entries.append(e)
        times.append(capture_time(p, info.kind))
        report((i + 1) / len(paths), "looking at the photos")
    return story_order(entries, times)


def _song(project: Project, music, opts: StoryOptions, report, cancelled):
    """(project with the song's asset, asset, beat grid or None)."""
    from editor.timeline.music_edits import set_rhythm

    info = probe(music)
    if not info.has_audio:
        raise AIError(f"{Path(music).name} has no sound to use as music")
    asset = asset_from_info(info, opts.rate)
    project = edits.add_asset(project, asset)
    try:
        from ai.music.beats import analyse_file

        grid = analyse_file(music, lambda f: report(f, "finding the beat"), cancelled)
    except JobCancelled:
        raise
    except AIError as exc:  # no beat (or no librosa): the story cuts at its pace
        opts.notes.append(f"the music's beat could not be used ({exc}); cuts follow the pace")
        return project, asset, None
    project = set_rhythm(project, asset.id, grid.tempo, grid.beats, grid.downbeats, grid.phrases, grid.method)
    return project, project.assets[asset.id], grid


def build_story(paths, opts: StoryOptions, generated: Path, progress: Report | None = None,
                cancelled: Callable[[], bool] | None = None) -> Project:
    """The story as a new project (nothing is rendered to the output here; the moves and fills are cached jobs)."""
    opts.check()
    if not paths:
        raise AIError("a photo story needs at least one photo or clip")
    report = progress or (lambda f, s="": None)
    W, H = opts.frame_size
    rate = opts.rate
    project = Project(settings=ProjectSettings(W, H, rate, loudness=opts.loudness), name=opts.title or "Photo story")
    entries = _read_media(paths, _stage(report, 0.0, 0.1, "looking at the photos"), cancelled)
    grid, song = None, None
    if opts.music:
        project, song, grid = _song(project, opts.music, opts, _stage(report, 0.1, 0.15, "finding the beat"),
                                    cancelled)
    look = opts.look
    x_seconds = P.TRANSITION_SECONDS[look]
    items = [P.Item("photo") if e.kind == "photo" else
             P.Item("video", max(0.5, e.info.duration - (x_seconds if look == "gentle" else 0.0))) for e in entries]
    song_seconds = (song.frames / song.rate) if song is not None and song.frames else None
    pace = P.fit_pace(items, opts.seconds_per_photo, float(song_seconds) if song_seconds else None)
    beats = list(grid.beats) if grid else None
    cuts = P.plan_cuts(items, pace, beats, list(grid.downbeats) if grid else None, look)
    if song is not None:
        cuts[-1] = P.end_of_story(cuts, items, pace, list(grid.phrases) if grid else None,
                                  list(grid.downbeats) if grid else None, float(song_seconds or 0) or None)
    frames = [int(round(c * rate)) for c in cuts]
    for i in range(1, len(frames)):  # at least a frame each, even when two beats round together
        frames[i] = max(frames[i], frames[i - 1] + 2)
    moves = P.choose_moves([e.look for e in entries], W / H)
    for e, m in zip(entries, moves):
        e.move = m
    xf = [0] + [min(_even(int(round(x_seconds * rate))), _even(min(frames[i] - frames[i - 1],
                                                                    frames[i + 1] - frames[i]) // 2))
                for i in range(1, len(frames) - 1)] + [0]  # transition frames at each inner cut
    project = _lay_pictures(project, entries, frames, xf, opts, generated, _stage(report, 0.15, 0.8, "camera moves"),
                            cancelled)
    if look == "lively":
        project = _fills(project, frames, xf, generated, _stage(report, 0.8, 0.9, "transitions"), cancelled)
    if opts.title:
        project = _title(project, opts.title, frames, W, H)
    if song is not None:
        project = _music(project, song, frames[-1], grid, _stage(report, 0.9, 1.0, "music"), cancelled)
    report(1.0, "done")
    return project


def _lay_pictures(project, entries, frames, xf, opts, generated, report, cancelled) -> Project:
    """V1: a camera-move clip per photo and the clips themselves (with their sound on A1), touching at each cut
    (gentle: a centred dissolve; lively: a gap of the fill's length, centred on the cut)."""
    from ai.camera.move import MoveRequest, run_move_job
    from ai.story.photos import load_picture

    W, H = opts.frame_size
    rate = opts.rate
    lively = opts.look == "lively"
    project = edits.add_track(project, "video", name="Story", track_id="story-v1")
    project = edits.add_track(project, "audio", name="Clips' sound", track_id="story-a1")
    placed = []
    for i, e in enumerate(entries):
        _check(cancelled)
        cut_in, cut_out = frames[i], frames[i + 1]
        half_in, half_out = xf[i] // 2, xf[i + 1] // 2
        start, end = (cut_in + half_in, cut_out - half_out) if lively else (cut_in, cut_out)
        head, tail = (0, 0) if lively else (half_in, half_out)
        if e.kind == "photo":
            src = load_picture(e.info.path)
            n = (end - start) + head + tail
            size = _move_size(src.shape[1], src.shape[0], W, H)
            req = MoveRequest(source=src, moves=[e.move], size=size, fps=rate, duration=n / float(rate),
                              intensity=P.INTENSITY[opts.look], focus=e.look.focus)
            result = run_move_job(req, generated, progress=lambda f, s="", k=i: report((k + f) / len(entries), s),
                                  sources=[{"file": str(e.info.path)}])
            e.asset = fill_asset(project, result.folder / "move.mp4", {**result.provenance,
                                 "folder": str(result.folder), "story_photo": str(e.info.path)},
                                 name=f"{Path(e.info.path).stem} ({e.move})")
            fitted = size != (W, H)
            w, h = size
        else:
            e.asset = asset_from_info(e.info, rate)
            w, h = e.info.width, e.info.height
            fitted = not _fits(w, h, W, H)
            head = min(head, int(e.info.duration * float(rate)) // 4)
        project = edits.add_asset(project, e.asset)
        link = new_id("L") if e.kind == "video" and e.asset.has_audio else None
        clip = Clip(id=new_id("c"), asset_id=e.asset.id, start=start, duration=end - start,
                    source_in=head if e.kind == "photo" else 0, link=link, name=e.asset.name,
                    transform=Transform(fit="fit", backdrop="blur") if fitted else None)
        if e.kind == "video" and head:  # the dissolve in shows the frames before the cut: start the clip later
            clip = clip.model_copy(update={"source_in": project.source_frame(clip, start + head)})
        project = edits.overwrite(project, "story-v1", clip)
        if link:
            project = edits.overwrite(project, "story-a1", clip.model_copy(update={
                "id": new_id("c"), "transform": None}))
        placed.append(clip)
        report((i + 1) / len(entries), f"camera move {i + 1}")
    last = placed[-1]
    project = edits.set_clip_property(project, last.id, "fade_out", min(last.duration // 2, int(rate)))
    if not lively:
        for i, (a, b) in enumerate(zip(placed, placed[1:])):
            if xf[i + 1] >= 2:
                project = edits.add_transition(project, "story-v1", a.id, b.id, "dissolve", duration=xf[i + 1])
    return project


def _fills(project, frames, xf, generated, report, cancelled) -> Project:
    """Lively: a built-in fill in each gap, its middle on the beat."""
    from ai.media_io import read_pngs, write_video
    from ai.transition.fill import FillRequest, run_fill_job

    track = project.track("story-v1")
    clips = list(track.clips)
    for i, (a, b) in enumerate(zip(clips, clips[1:])):
        _check(cancelled)
        n = b.start - a.end
        if n < 2:
            continue
        req = FillRequest(a=clip_frame(project, a, a.end - 1), b=clip_frame(project, b, b.start), frames=n,
                          fps=project.settings.rate)
        result = run_fill_job(req, generated, progress=lambda f, s="": report((i + f) / len(clips), s),
                              cancelled=cancelled,
                              sources=[{"clip": a.id, "asset": a.asset_id}, {"clip": b.id, "asset": b.asset_id}])
        video = result.folder / "fill.mp4"
        if not video.exists():
            write_video(read_pngs([p for p in result.files if p.suffix == ".png"]), video, project.settings.rate)
        asset = fill_asset(project, video, {**result.provenance, "folder": str(result.folder)},
                           name=f"Fill {i + 1}")
        project = edits.add_asset(project, asset)
        project = edits.overwrite(project, "story-v1", Clip(id=new_id("c"), asset_id=asset.id, start=a.end,
                                                            duration=n, name=asset.name))
    return project


def _title(project, text: str, frames, W: int, H: int) -> Project:
    from editor.render.title_templates import template
    from editor.timeline.text_edits import add_title

    rate = project.settings.rate
    t = template("centered")
    portrait = H > W
    # low in the frame (faces are mostly in the upper half), smaller on a tall frame so the words fit across
    title = t.title(rate, text=text, size=0.05 if portrait else 0.085, y=0.8)
    n = min(t.frames(rate), max(2, frames[1] - frames[0]))  # gone by the first cut: it belongs to the opening
    project = edits.add_track(project, "video", name="Title", track_id="story-title", index=1)
    return add_title(project, "story-title", 0, n, title, name=text[:60])


def _music(project, song, end: int, grid, report, cancelled) -> Project:
    from editor.actions.music import find_speech
    from editor.timeline.music_edits import apply_ducking, music_tracks, place_music

    rate = project.settings.rate
    room = project.max_duration(song.id, 0) or end
    project = place_music(project, song.id, 0, duration=min(end, room))
    track = music_tracks(project)[0]
    clip = track.clips[0]
    fade = P.fade_out_seconds(clip.end / float(rate), [d for d in (grid.downbeats if grid else ())])
    project = edits.set_clip_property(project, clip.id, "fade_out", min(clip.duration, int(round(fade * rate))))
    project = edits.set_clip_property(project, clip.id, "fade_in", min(clip.duration // 4, int(round(0.3 * rate))))
    regions = find_speech(project, progress=report, cancelled=cancelled)
    if regions:
        project = apply_ducking(project, track.id, regions)
    return project
