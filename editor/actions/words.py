"""Words on the timeline as one edit each: a title from a template at the playhead, subtitle files and generated
cues onto a captions track, a caption style preset onto a track."""
from __future__ import annotations

from editor.timeline import edits
from editor.timeline import text_edits as te
from editor.timeline.cues import Cue, cues_to_frames
from editor.timeline.model import EditError, Project, new_id


def free_title_track(project: Project, start: int, end: int) -> tuple[str | None, int]:
    """Where a title over [start, end) goes: (the id of the highest free video track above the first, index None),
    or (None, the index a new track on top of the video tracks would take)."""
    video = project.video_tracks()
    for t in reversed(video[1:]):
        if not t.lock and not t.clips_between(start, end):
            return t.id, None
    return None, max((i + 1 for i, t in enumerate(project.tracks) if t.kind == "video"), default=0)


def title_track(project: Project, start: int, end: int) -> tuple[Project, str]:
    """A video track above the footage that is free over [start, end) (free_title_track), made when there is none."""
    track_id, index = free_title_track(project, start, end)
    if track_id is not None:
        return project, track_id
    tid = new_id("t")
    return edits.add_track(project, "video", index=index, track_id=tid), tid


@edits.edit
def add_title_from_template(project: Project, template_key: str, frame: int, track_id: str | None = None,
                            **changes) -> Project:
    """A title from a template at `frame` (default length from the template, 4 s for most)."""
    from editor.render.title_templates import template

    tpl = template(template_key)
    rate = project.settings.rate
    d = tpl.frames(rate)
    if track_id is None:
        project, track_id = title_track(project, frame, frame + d)
    return te.add_title(project, track_id, frame, d, tpl.title(rate, **changes), name=tpl.name)


def captions_track(project: Project) -> tuple[Project, str]:
    """The first captions track (one is added when there is none)."""
    tracks = project.captions_tracks()
    if tracks:
        return project, tracks[0].id
    tid = new_id("t")
    return te.add_captions_track(project, track_id=tid), tid


@edits.edit
def place_captions(project: Project, cues: list[Cue], offset: int = 0, track_id: str | None = None,
                   replace: tuple[int, int] | None = None) -> Project:
    """Cues (seconds from `offset`, a project frame) onto a captions track; `replace` clears that range first."""
    if track_id is None:
        project, track_id = captions_track(project)
    frames = cues_to_frames(cues, project.settings.rate, offset)
    if not frames and replace is None:
        raise EditError("there are no captions to place")
    return te.place_cues(project, track_id, frames, replace=replace)


@edits.edit
def import_subtitles(project: Project, path, offset: int = 0, track_id: str | None = None) -> Project:
    """A subtitle file (SRT, WebVTT, ASS) onto a captions track, its time 0 at `offset`."""
    from editor.project.subtitles import read_subtitles

    return place_captions(project, read_subtitles(path), offset, track_id)


@edits.edit
def apply_caption_preset(project: Project, track_id: str, preset: str) -> Project:
    from editor.render.title_templates import caption_preset

    return te.set_caption_style(project, track_id, caption_preset(preset))
