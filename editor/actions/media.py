"""Bring media into a project and lay it on the timeline."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from editor.media.probe import MediaInfo, frames_for, probe
from editor.timeline import edits
from editor.timeline.model import Clip, MediaAsset, Project, evolve, new_id

STILL_SECONDS = 4


def asset_from_info(info: MediaInfo, rate: Fraction, asset_id: str | None = None,
                    provenance: dict | None = None, name: str = "") -> MediaAsset:
    return MediaAsset(
        id=asset_id or new_id("m"), path=str(Path(info.path).resolve()), kind=info.kind, name=name,
        rate=info.rate if info.kind == "video" else rate, frames=frames_for(info, rate), width=info.width,
        height=info.height, has_audio=info.has_audio, audio_rate=info.audio[0].rate if info.audio else 0,
        audio_channels=info.audio[0].channels if info.audio else 0, provenance=provenance)


def asset_at_rate(asset: MediaAsset, rate: Fraction) -> MediaAsset:
    """A probed asset for a project of another rate: stills and sounds count in project frames."""
    if asset.kind == "video" or asset.rate == rate:
        return asset
    frames = None if asset.frames is None else max(1, int(asset.frames * Fraction(rate) / Fraction(asset.rate)))
    return evolve(asset, rate=Fraction(rate), frames=frames)


def ensure_track(project: Project, kind: str, index: int = 0) -> tuple[Project, str]:
    """The project with at least index + 1 tracks of a kind (added as needed), and the id of the index-th one."""
    while len([t for t in project.tracks if t.kind == kind]) <= index:
        pos = None
        if kind == "video":  # video tracks sit before audio tracks in the list
            pos = max((i + 1 for i, t in enumerate(project.tracks) if t.kind == "video"), default=0)
        project = edits.add_track(project, kind, index=pos)
    return project, [t for t in project.tracks if t.kind == kind][index].id


def clips_for_asset(project: Project, asset: MediaAsset, start: int, duration: int | None = None,
                    source_in: int = 0) -> list[tuple[str, Clip]]:
    """The clips (video and linked audio) that lay an asset at `start`, with the kinds of track they need."""
    if duration is None:
        duration = project.max_duration(asset.id, source_in)
        if duration is None:
            duration = int(round(STILL_SECONDS * project.settings.rate))
    out = []
    link = new_id("L") if asset.kind == "video" and asset.has_audio else None
    if asset.kind in ("video", "image"):
        out.append(("video", Clip(id=new_id("c"), asset_id=asset.id, start=start, duration=duration,
                                  source_in=source_in, link=link, name=asset.name)))
    if asset.kind == "audio" or link:
        out.append(("audio", Clip(id=new_id("c"), asset_id=asset.id, start=start, duration=duration,
                                  source_in=source_in, link=link, name=asset.name)))
    return out


@edits.edit
def append_files(project: Project, paths) -> Project:
    """Import files and lay them one after another on V1/A1."""
    for path in paths:
        asset = asset_from_info(probe(path), project.settings.rate)
        project = edits.add_asset(project, asset)
        project, _ = ensure_track(project, "video")
        start = max(project.duration, 0)
        for kind, clip in clips_for_asset(project, asset, start):
            project, tid = ensure_track(project, kind)
            project = edits.overwrite(project, tid, clip)
    return project


def project_for_files(paths, size: tuple[int, int] | None = None, rate: Fraction | None = None) -> Project:
    """A new project whose settings follow the first video (or image), with the files laid in order."""
    from editor.timeline.model import ProjectSettings

    first = None
    for p in paths:
        info = probe(p)
        if info.kind in ("video", "image"):
            first = info
            break
    w, h = size or ((first.width, first.height) if first else (1920, 1080))
    r = rate or (first.rate if first is not None and first.rate else Fraction(30))
    project = Project(settings=ProjectSettings(w - w % 2, h - h % 2, r))
    return append_files(project, paths)


def _track_for(project: Project, kind: str, index: int | None = None, fresh: bool = False) -> tuple[Project, str]:
    """The first unlocked track of a kind, or (none, or fresh=True) a new one at `index` in project.tracks (default:
    video on top of the other video tracks, audio below the last track)."""
    if not fresh:
        for t in project.tracks:
            if t.kind == kind and not t.lock:
                return project, t.id
    if index is None and kind == "video":
        index = max((i + 1 for i, t in enumerate(project.tracks) if t.kind == "video"), default=0)
    tid = new_id("t")
    return edits.add_track(project, kind, index=index, track_id=tid), tid


@edits.edit
def lay_asset(project: Project, asset_id: str, track_id: str | None, frame: int, mode: str = "overwrite",
              new_track_index: int | None = None) -> Project:
    """Lay media on a track at a frame. A video with sound also lays its sound, linked, on the first audio track.
    Where the track is missing (None), of the other kind or locked, a track of the media's kind is made, so a drop
    never silently does nothing. mode "insert" pushes what follows along (in sync on every track); "overwrite"
    covers what is there, and the covered part of those clips' linked sound goes too."""
    from editor.timeline import arrange

    if asset_id not in project.assets:
        raise edits.EditError("that media is not in the project")
    asset = project.assets[asset_id]
    want = "audio" if asset.kind == "audio" else "video"
    track = project.track(track_id) if track_id is not None else None
    fits = track is not None and not track.lock and (track.kind == want or (
        track.kind == "audio" and asset.kind == "video" and asset.has_audio))
    if not fits:  # dropped beside the tracks, or on a locked one: a new track; on the other kind: one of its kind
        fresh = track is None or track.kind == want
        project, track_id = _track_for(project, want, new_track_index, fresh=fresh)
        track = project.track(track_id)
    parts = clips_for_asset(project, asset, max(0, frame))
    if track.kind == "audio":
        parts = [(k, evolve(c, link=None)) for k, c in parts if k == "audio"]
    placed = []
    for kind, clip in parts:
        tid = track.id
        if kind != track.kind:
            project, tid = _track_for(project, kind)
        placed.append((tid, clip))
    if mode == "insert":
        return arrange.insert(project, placed)
    return arrange.overwrite(project, placed)


@edits.edit
def place_asset(project: Project, asset_id: str, track_id: str, frame: int) -> Project:
    """Drop media on a track at a frame, overwriting (see lay_asset)."""
    return lay_asset(project, asset_id, track_id, frame, "overwrite")


def import_asset(project: Project, path) -> MediaAsset:
    """Probe a file into a new asset (not yet in the project)."""
    return asset_from_info(probe(path), project.settings.rate)


@edits.edit
def relink(project: Project, asset_id: str, path) -> Project:
    """Point an (offline) asset at a new file; its clips come back online."""
    asset = project.assets[asset_id]
    info = probe(path)
    if info.kind != asset.kind:
        raise edits.EditError(f"{path} is a {info.kind} file; {asset.name} was a {asset.kind}")
    fresh = asset_from_info(info, project.settings.rate, asset_id=asset.id, provenance=asset.provenance,
                            name=asset.name)
    return edits.set_asset(project, fresh)
