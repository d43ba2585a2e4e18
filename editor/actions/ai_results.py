"""Turn AI results into timeline edits (each one undoable edit)."""
from __future__ import annotations

from pathlib import Path

from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.timeline import edits
from editor.timeline.edits import edit
from editor.timeline.model import Clip, EditError, Project, Transition, evolve, new_id


def _linked_audio(project: Project, clip: Clip):
    """(track, clip) of the audio linked to a video clip, or None."""
    if clip.link is None:
        return None
    for t, c in project.linked(clip.id):
        if t.kind == "audio":
            return t, c
    return None


@edit
def insert_fill(project: Project, track_id: str, a_id: str, b_id: str, asset, frames: int) -> Project:
    """Put a generated fill of `frames` frames between clips A and B (touching on one track).

    Everything from B on moves right by the fill's length, on B's track and on every track that follows a ripple
    (B's linked sound, the sound layers under it; see edits.ripple), and the linked audio of A and B crossfades
    (equal power) across the fill, using the media beyond A's out and before B's in.
    """
    track = project.track(track_id)
    a, b = track.clip(a_id), track.clip(b_id)
    if a is None or b is None or a.end != b.start:
        raise EditError("a fill goes on a cut between two touching clips")
    if track.lock:
        raise EditError(f"track {track.name} is locked; unlock it to fill the cut")
    out = project if asset.id in project.assets else edits.add_asset(project, asset)
    cut = b.start
    x = track.transition_between(a_id, b_id)
    if x is not None:
        out = edits.remove_transition(out, x.id)
    out = edits.ripple(out, cut, frames, {track_id})
    out = edits.overwrite(out, track_id, Clip(id=new_id("c"), asset_id=asset.id, start=cut, duration=frames,
                                              name=asset.name))
    audio_a, audio_b = _linked_audio(out, out.find_clip(a_id)[1]), _linked_audio(out, out.find_clip(b_id)[1])
    if audio_a and audio_b and audio_a[0].id == audio_b[0].id:
        out = _crossfade_across(out, audio_a[0].id, audio_a[1].id, audio_b[1].id, cut, frames)
    return out


def _media_after(project: Project, c: Clip) -> int:
    limit = project.max_duration(c.asset_id, c.source_in)
    return 10 ** 9 if limit is None else limit - c.duration


def _media_before(project: Project, c: Clip) -> int:
    asset = project.assets[c.asset_id]
    return int(c.source_in * project.settings.rate / asset.rate)


def _crossfade_across(project: Project, track_id: str, a_id: str, b_id: str, cut: int, frames: int) -> Project:
    """A's sound runs on into the fill and B's starts early; they meet mid-fill and crossfade (equal power)."""
    track = project.track(track_id)
    ca, cb = track.clip(a_id), track.clip(b_id)
    if ca.end != cut or cb.start != cut + frames:
        return project
    half_a, half_b = frames // 2, frames - frames // 2
    after, before = _media_after(project, ca), _media_before(project, cb)
    grow_a, grow_b = min(half_a, after), min(half_b, before)
    ca = evolve(ca, duration=ca.duration + grow_a)
    if grow_b:
        cb = evolve(cb, source_in=project.source_frame(cb, cb.start - grow_b), start=cb.start - grow_b,
                    duration=cb.duration + grow_b)
    transitions = track.transitions
    if grow_a < half_a or grow_b < half_b:  # not enough media to meet: fade each side out/in
        ca = evolve(ca, fade_out=min(ca.duration, max(ca.fade_out, grow_a or 4)))
        cb = evolve(cb, fade_in=min(cb.duration, max(cb.fade_in, grow_b or 4)))
    else:
        d = min(frames, 2 * min(after - grow_a, before - grow_b))
        if d >= 2:
            transitions = tuple(x for x in transitions if x.a != ca.id and x.b != cb.id) + (
                Transition(id=new_id("x"), a=ca.id, b=cb.id, kind="crossfade", duration=d),)
    clips = [ca if c.id == a_id else cb if c.id == b_id else c for c in track.clips]
    return edits.put_tracks(project, edits.with_clips(track, clips, transitions))


def fill_asset(project: Project, video_path: Path, provenance: dict | None = None, name: str = ""):
    info = probe(video_path)
    return asset_from_info(info, project.settings.rate, provenance=provenance, name=name)


@edit
def add_generated_clip(project: Project, asset, track_id: str, start: int, duration: int | None = None) -> Project:
    """Place a generated clip (camera move) at `start` on a video track, overwriting what is there."""
    out = project if asset.id in project.assets else edits.add_asset(project, asset)
    d = duration or out.max_duration(asset.id, 0) or 1
    return edits.overwrite(out, track_id, Clip(id=new_id("c"), asset_id=asset.id, start=start, duration=d,
                                               name=asset.name))


def placeable_layers(provenance: dict, names) -> tuple[list[str], str]:
    """The layers of a sound job worth a track (empty ones are not placed as silent tracks), and a message
    saying which were left out and why ("" when none were)."""
    empty = provenance.get("empty", {})
    return [n for n in names if n not in empty], "; ".join(f"{n.capitalize()}: {r}" for n, r in empty.items())


@edit
def insert_generated_clip(project: Project, asset, track_id: str, start: int, duration: int | None = None) -> Project:
    """Put a generated clip (camera move) in at `start` on a video track: a clip under that point is split and what
    follows moves along, in sync on every track; no footage is covered."""
    from editor.timeline import arrange

    out = project if asset.id in project.assets else edits.add_asset(project, asset)
    d = duration or out.max_duration(asset.id, 0) or 1
    return arrange.insert(out, [(track_id, Clip(id=new_id("c"), asset_id=asset.id, start=start, duration=d,
                                                 name=asset.name))])


@edit
def add_sound_layers(project: Project, layers: list[tuple[str, object]], start: int, duration: int) -> Project:
    """One new audio track per layer (named after it), each with its WAV aligned to the clip."""
    out = project
    for name, asset in layers:
        if asset.id not in out.assets:
            out = edits.add_asset(out, asset)
        tid = new_id("t")
        out = edits.add_track(out, "audio", name=name, track_id=tid)
        d = min(duration, out.max_duration(asset.id, 0) or duration)
        out = edits.overwrite(out, tid, Clip(id=new_id("c"), asset_id=asset.id, start=start, duration=d, name=name))
    return out


def cuts(project: Project, track_id: str) -> list[tuple[str, str, int]]:
    """(a_id, b_id, frame) for every cut between two touching clips on a track."""
    t = project.track(track_id)
    cl = sorted(t.clips, key=lambda c: c.start)
    return [(x.id, y.id, y.start) for x, y in zip(cl, cl[1:]) if x.end == y.start]


def clip_pictures(project: Project, clip: Clip, width: int = 160, progress=None, cancelled=None) -> list:
    """What a clip shows on the timeline, frame by frame, small (the sound tools analyse this)."""
    from editor.render.compositor import Compositor
    from editor.render.sources import StreamingPool

    s = project.settings
    pool = StreamingPool(s.sample_rate, s.channels)  # each frame read once: no frame cache
    comp = Compositor(project, size=(width, max(8, round(width * s.height / s.width))), pool=pool)
    frames = []
    try:
        for k in range(clip.duration):
            frames.append(comp._layer(clip, clip.start + k)[0])
            if progress is not None and k % 30 == 0:
                progress(k / clip.duration)
            if cancelled is not None and cancelled():
                from ai.errors import JobCancelled

                raise JobCancelled("cancelled")
    finally:
        comp.pool.close()
    return frames


def clip_frame(project: Project, clip: Clip, frame: int, pool=None):
    """The picture a clip shows at a project frame, fitted to the project size (no other tracks)."""
    from editor.render.compositor import Compositor

    comp = Compositor(project, pool=pool)
    img, rect, _ = comp._layer(evolve(clip, opacity=1.0, fade_in=0, fade_out=0), frame)
    if rect == (0, 0, *comp.size):
        return img
    import numpy as np

    return comp._place(np.zeros((comp.size[1], comp.size[0], 3), np.uint8), img, rect, 1.0)  # letterboxed


def fill_spec_for_cut(project: Project, track_id: str, a_id: str, b_id: str, seconds: float = 1.0,
                      backend: str = "builtin", prompt: str = "", seed: int = 0, model_settings: dict | None = None):
    """The fill job for a cut: A's last and B's first picture as the timeline shows them. The timeline is not
    touched."""
    from ai.transition.fill import FillRequest, fill_spec, frames_for_seconds

    track = project.track(track_id)
    a, b = track.clip(a_id), track.clip(b_id)
    if a is None or b is None or a.end != b.start:
        raise EditError("a fill goes on a cut between two touching clips")
    n = frames_for_seconds(seconds, project.settings.rate)
    req = FillRequest(a=clip_frame(project, a, a.end - 1), b=clip_frame(project, b, b.start), frames=n,
                      fps=project.settings.rate, backend=backend, prompt=prompt, seed=seed,
                      model_settings=model_settings or {})
    return fill_spec(req, [{"clip": a.id, "asset": a.asset_id, "source_frame": project.source_frame(a, a.end - 1)},
                           {"clip": b.id, "asset": b.asset_id, "source_frame": project.source_frame(b, b.start)}])


def placed_fill(project: Project, track_id: str, a_id: str, b_id: str, result, generated: Path):
    """(asset, frames) for `insert_fill` from a finished fill job; its fill.mp4 is placed in `generated` (the
    project's folder), so the project never depends on the job cache."""
    from ai.cache import place

    video = place(result, Path(generated), ["fill.mp4"])["fill.mp4"]
    track = project.track(track_id)
    a, b = track.clip(a_id), track.clip(b_id)
    asset = fill_asset(project, video, provenance={**result.provenance, "folder": str(video.parent)},
                       name=f"Fill {project.assets[a.asset_id].name} \u2192 {project.assets[b.asset_id].name}")
    return asset, result.provenance["params"]["frames"]


def make_fill(project: Project, track_id: str, a_id: str, b_id: str, generated: Path, seconds: float = 1.0,
              backend: str = "builtin", prompt: str = "", seed: int = 0, progress=None, cancelled=None,
              model_settings: dict | None = None, cluster: str | None = None):
    """Run the fill job for a cut; returns (asset, frames) ready for `insert_fill`. The timeline is not touched."""
    from ai.jobs import run_job

    spec = fill_spec_for_cut(project, track_id, a_id, b_id, seconds, backend, prompt, seed, model_settings)
    result = run_job(spec, None, progress, cancelled, cluster=cluster)
    return placed_fill(project, track_id, a_id, b_id, result, generated)
