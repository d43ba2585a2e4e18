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


@edits.edit
def place_asset(project: Project, asset_id: str, track_id: str, frame: int) -> Project:
    """Drop media on a track at a frame (overwriting); a video with sound also lays its audio, linked, on the
    first audio track (added if there is none)."""
    asset = project.assets[asset_id]
    track = project.track(track_id)
    parts = clips_for_asset(project, asset, max(0, frame))
    if track.kind == "audio":
        parts = [(k, evolve(c, link=None)) for k, c in parts if k == "audio"]
    if not parts:
        raise edits.EditError(f"{asset.name} has no {track.kind}")
    for kind, clip in parts:
        tid = track.id
        if kind != track.kind:
            project, tid = ensure_track(project, kind)
        project = edits.overwrite(project, tid, clip)
    return project


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
