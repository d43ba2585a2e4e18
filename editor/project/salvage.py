"""Read what can be read of a damaged project document: every part that validates on its own is kept.

Used for recovery files (and offered for damaged projects): assets, tracks, clips and transitions are validated one
by one; a part that fails, refers to something missing, or overlaps what was already kept is dropped and counted.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from editor.errors import ProjectError
from editor.project.schema import _ENVELOPE, _check_lengths, _resolve, upgrade
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track, Transition, reserve_ids
from editor.timeline.validate import clip_problems, link_problems, transition_problems


def _one(model, value):
    try:
        return model.model_validate(value)
    except (ValidationError, TypeError, ValueError):
        return None


def salvage(data, base_dir: Path | None = None) -> tuple[Project, int]:
    """(project, number of parts dropped). ProjectError if not even the settings can be read."""
    if not isinstance(data, dict):
        raise ProjectError("not a project document")
    doc = upgrade(data)
    lost = 0
    settings = _one(ProjectSettings, doc.get("settings"))
    if settings is None:
        raise ProjectError("the project settings cannot be read")
    assets = {}
    for a in doc.get("assets") if isinstance(doc.get("assets"), list) else []:
        try:
            path, found = _resolve(a.get("path") if isinstance(a, dict) else None, base_dir, "path")
            asset = _one(MediaAsset, {**a, "path": path, "offline": not found})
        except ProjectError:
            asset = None
        if asset is None or asset.id in assets:
            lost += 1
            continue
        assets[asset.id] = asset
    shell = Project(settings=settings, assets=assets)
    tracks, seen = [], set()
    for t in doc.get("tracks") if isinstance(doc.get("tracks"), list) else []:
        if not isinstance(t, dict):
            lost += 1
            continue
        track = _one(Track, {**t, "clips": [], "transitions": []})
        if track is None or any(x.id == track.id for x in tracks):
            lost += 1
            continue
        clips = []
        for c in t.get("clips") if isinstance(t.get("clips"), list) else []:
            clip = _one(Clip, c)
            if clip is None or clip_problems(shell, track, clip) or any(
                    k.start < clip.end and clip.start < k.end for k in clips) or clip.id in seen:
                lost += 1
                continue
            seen.add(clip.id)
            clips.append(clip)
        track = track.model_copy(update={"clips": tuple(sorted(clips, key=lambda c: c.start))})
        keep = []
        for x in t.get("transitions") if isinstance(t.get("transitions"), list) else []:
            tr = _one(Transition, x)
            if tr is None or transition_problems(track.model_copy(update={"transitions": (tr,)})):
                lost += 1
                continue
            keep.append(tr)
        tracks.append(track.model_copy(update={"transitions": tuple(keep)}))
    body = {k: v for k, v in doc.items() if k not in _ENVELOPE + ("settings", "assets", "tracks")}
    name = body.get("name") if isinstance(body.get("name"), str) else "Recovered"
    project = Project(settings=settings, assets=assets, tracks=tracks, name=name[:10_000])
    # links that no longer match are broken rather than the clips dropped
    fixed = []
    for t in project.tracks:
        clips = tuple(c.model_copy(update={"link": None}) if link_problems(project, c) else c for c in t.clips)
        fixed.append(t.model_copy(update={"clips": clips}))
    project = project.model_copy(update={"tracks": tuple(fixed)})
    try:
        _check_lengths(project, list(assets))
    except ProjectError:
        raise
    reserve_ids([t.id for t in project.tracks] + [c.id for t in project.tracks for c in t.clips] + list(assets))
    return project, lost
