"""Edits for words on screen: title clips and caption cues (each one undoable step through the Session).

A title clip is a Clip with `title` set and no media; a caption cue is a Clip with `text` set on a captions track.
"""
from __future__ import annotations

from pydantic import ValidationError

from editor.timeline import cues as cuelib
from editor.timeline.edits import _editable, add_track, edit, overwrite, put_tracks, with_clips
from editor.timeline.model import CaptionStyle, Clip, EditError, Project, Title, evolve, new_id


def _first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(x) for x in err["loc"])
    return f"{where}: {err['msg'].removeprefix('Value error, ')}"


def _checked(cls, what: str, base, changes: dict):
    """A `cls` (Title, CaptionStyle) from `base` with changes, every value checked (EditError names a bad one)."""
    unknown = [k for k in changes if k not in cls.model_fields]
    if unknown:
        raise EditError(f"a {what} has no property {unknown[0]!r}")
    try:
        return cls.model_validate({**(base or cls()).model_dump(), **changes})
    except ValidationError as exc:
        raise EditError(f"{what} {_first_error(exc)}") from None


def make_title(base: Title | None = None, **changes) -> Title:
    return _checked(Title, "title", base, changes)


def make_caption_style(base: CaptionStyle | None = None, **changes) -> CaptionStyle:
    return _checked(CaptionStyle, "caption style", base, changes)


# -- titles ---------------------------------------------------------------------------------------------------------
@edit
def add_title(project: Project, track_id: str, start: int, duration: int, title: Title, name: str = "",
              clip_id: str | None = None) -> Project:
    """Lay a title clip on a video track (what it lands on is overwritten)."""
    if duration < 1:
        raise EditError("a title must be at least one frame long")
    first_line = (title.text.strip().splitlines() or [title.template])[0]
    clip = Clip(id=clip_id or new_id("c"), start=max(0, int(start)), duration=int(duration), title=title,
                name=name or first_line[:60])
    return overwrite(project, track_id, clip)


@edit
def set_title(project: Project, clip_id: str, **changes) -> Project:
    """Change properties of a title clip (text, font, size, colour, position, animation ...)."""
    track, clip = project.find_clip(clip_id)
    _editable(track)
    if clip.title is None:
        raise EditError(f"{clip.name or clip.id} is not a title")
    title = make_title(clip.title, **changes)
    if "anim_in_frames" in changes or "anim_out_frames" in changes:
        if title.anim_in_frames + title.anim_out_frames > clip.duration:
            raise EditError("the title's animations are longer than the clip")
    new = evolve(clip, title=title)
    return put_tracks(project, with_clips(track, [new if c.id == clip_id else c for c in track.clips]))


# -- captions tracks ------------------------------------------------------------------------------------------------
@edit
def add_captions_track(project: Project, name: str = "", track_id: str | None = None,
                       style: CaptionStyle | None = None) -> Project:
    """A captions track, on top of the others."""
    tid = track_id or new_id("t")
    out = add_track(project, "captions", name or f"Captions {len(project.captions_tracks()) + 1}", track_id=tid)
    return put_tracks(out, evolve(out.track(tid), caption_style=style)) if style is not None else out


@edit
def set_caption_style(project: Project, track_id: str, style: CaptionStyle | None = None, **changes) -> Project:
    """Apply a style (a preset, or changes to the current one) to every cue of a captions track."""
    track = _editable(project.track(track_id))
    if track.kind != "captions":
        raise EditError(f"{track.name or track.id} is not a captions track")
    new = make_caption_style(style or track.caption_style, **changes)
    return put_tracks(project, evolve(track, caption_style=new))


def _cue(start: int, end: int, text: str) -> Clip:
    text = text.strip()
    if not text:
        raise EditError("a caption cue needs some text")
    if end <= start:
        raise EditError("a caption cue must end after it starts")
    return Clip(id=new_id("q"), start=int(start), duration=int(end - start), text=text[:10_000])


@edit
def place_cues(project: Project, track_id: str, cues: list[tuple[int, int, str]],
               replace: tuple[int, int] | None = None) -> Project:
    """Put cues (start frame, end frame, text) on a captions track. `replace`: first clear that range (generating
    captions again for a clip replaces its old ones). Cues that overlap each other are trimmed to the next start."""
    track = _editable(project.track(track_id))
    if track.kind != "captions":
        raise EditError(f"{track.name or track.id} is not a captions track")
    items = sorted((max(0, int(a)), int(b), t) for a, b, t in cues if t and t.strip())
    fixed = []
    for i, (a, b, t) in enumerate(items):
        if i + 1 < len(items):
            b = min(b, items[i + 1][0])
        if b > a:
            fixed.append(_cue(a, b, t))
    lo = min([c.start for c in fixed] + ([replace[0]] if replace else []), default=0)
    hi = max([c.end for c in fixed] + ([replace[1]] if replace else []), default=0)
    kept = [c for c in track.clips if c.end <= lo or c.start >= hi]
    return put_tracks(project, with_clips(track, kept + fixed))


def _cue_of(project: Project, clip_id: str):
    track, clip = project.find_clip(clip_id)
    _editable(track)
    if track.kind != "captions":
        raise EditError(f"{clip.name or clip.id} is not a caption cue")
    return track, clip


@edit
def set_cue(project: Project, clip_id: str, text: str | None = None, start: int | None = None,
            end: int | None = None) -> Project:
    """Change a cue's words or times (times in project frames; a cue cannot run into its neighbours)."""
    track, clip = _cue_of(project, clip_id)
    s = clip.start if start is None else int(start)
    e = clip.end if end is None else int(end)
    if e <= s:
        raise EditError("a caption cue must end after it starts")
    if s < 0:
        raise EditError("a caption cue cannot start before the beginning of the timeline")
    words = clip.text if text is None else str(text).strip()
    if not words:
        raise EditError("a caption cue needs some text (delete the cue to remove it)")
    new = evolve(clip, start=s, duration=e - s, text=words[:10_000])
    for other in track.clips_between(s, e):
        if other.id != clip_id:
            raise EditError("a caption cue cannot overlap the next one; move that one first")
    return put_tracks(project, with_clips(track, [new if c.id == clip_id else c for c in track.clips]))


def split_text(text: str, fraction: float) -> tuple[str, str]:
    """Two halves of a cue's text, broken at the word (or CJK character) nearest `fraction` of its width."""
    toks = cuelib.tokens(text)
    if len(toks) < 2:
        raise EditError("a cue of one word cannot be split")
    target = fraction * cuelib.width(text)
    cum, acc = [], 0
    for t in toks[:-1]:
        acc += cuelib.width(t)
        cum.append(acc)
    best = 1 + min(range(len(cum)), key=lambda i: abs(cum[i] - target))
    return "".join(toks[:best]).strip(), "".join(toks[best:]).strip()


@edit
def split_cue(project: Project, clip_id: str, frame: int) -> Project:
    """Split a cue at a frame; its words are shared out in proportion to the time on each side."""
    track, clip = _cue_of(project, clip_id)
    if not clip.start < frame < clip.end:
        raise EditError("the split point must lie inside the cue")
    a, b = split_text(clip.text, (frame - clip.start) / clip.duration)
    left = evolve(clip, duration=frame - clip.start, text=a)
    right = evolve(clip, id=new_id("q"), start=frame, duration=clip.end - frame, text=b)
    return put_tracks(project, with_clips(track, [c for c in track.clips if c.id != clip_id] + [left, right]))


@edit
def merge_cues(project: Project, clip_ids: list[str]) -> Project:
    """Join cues of one captions track into one: from the first one's start to the last one's end."""
    if len(clip_ids) < 2:
        raise EditError("choose two or more cues to merge")
    found = [_cue_of(project, cid) for cid in clip_ids]
    track = found[0][0]
    if any(t.id != track.id for t, _ in found):
        raise EditError("cues from different captions tracks cannot be merged")
    parts = sorted((c for _, c in found), key=lambda c: c.start)
    text = parts[0].text
    for c in parts[1:]:
        text = text + cuelib.joiner(text, c.text) + c.text
    gone = {c.id for c in parts}
    between = [c for c in track.clips_between(parts[0].start, parts[-1].end) if c.id not in gone]
    if between:
        raise EditError("only neighbouring cues can be merged")
    merged = evolve(parts[0], duration=parts[-1].end - parts[0].start, text=text)
    return put_tracks(project, with_clips(track, [c for c in track.clips if c.id not in gone] + [merged]))


