"""The .seam project file: JSON with a schema version, media paths relative to the file, atomic saves."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

from editor.errors import ProjectError
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track, Transition

SCHEMA = 1
KIND = "seamline-project"


def to_dict(project: Project, base_dir: Path | None = None) -> dict:
    def rel(p: str) -> dict:
        entry = {"abs": os.path.abspath(p)}
        if base_dir is not None:
            try:
                entry["rel"] = os.path.relpath(os.path.abspath(p), base_dir).replace(os.sep, "/")
            except ValueError:  # another drive on Windows
                pass
        return entry

    s = project.settings
    return {
        "kind": KIND,
        "schema": SCHEMA,
        "name": project.name,
        "settings": {"width": s.width, "height": s.height, "rate": str(s.rate), "sample_rate": s.sample_rate,
                     "channels": s.channels},
        "assets": [
            {"id": a.id, "path": rel(a.path), "kind": a.kind, "name": a.name, "rate": str(a.rate),
             "frames": a.frames, "width": a.width, "height": a.height, "has_audio": a.has_audio,
             "audio_rate": a.audio_rate, "audio_channels": a.audio_channels, "provenance": a.provenance}
            for a in project.assets.values()
        ],
        "tracks": [
            {**{f.name: getattr(t, f.name) for f in dataclasses.fields(Track) if f.name not in ("clips", "transitions")},
             "clips": [dataclasses.asdict(c) for c in t.clips],
             "transitions": [dataclasses.asdict(x) for x in t.transitions]}
            for t in project.tracks
        ],
        "meta": project.meta,
    }


def from_dict(data: dict, base_dir: Path | None = None) -> Project:
    from editor.timeline.edits import validate

    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ProjectError("this is not a Seamline project file")
    schema = data.get("schema")
    if not isinstance(schema, int):
        raise ProjectError("the project file has no schema version")
    if schema > SCHEMA:
        raise ProjectError(f"the project was saved by a newer Seamline (file format {schema}, this version reads "
                           f"up to {SCHEMA}); update Seamline to open it")
    try:
        st = data["settings"]
        settings = ProjectSettings(int(st["width"]), int(st["height"]), Fraction(st["rate"]),
                                   int(st["sample_rate"]), int(st["channels"]))
        project = Project(settings=settings, name=str(data.get("name", "Untitled")), meta=dict(data.get("meta", {})))
        for a in data["assets"]:
            path = a["path"]
            candidates = []
            if base_dir is not None and path.get("rel"):
                candidates.append(os.path.normpath(os.path.join(base_dir, path["rel"])))
            candidates.append(path["abs"])
            found = next((c for c in candidates if os.path.exists(c)), None)
            asset = MediaAsset(id=a["id"], path=found or candidates[0], kind=a["kind"], name=a.get("name", ""),
                               rate=Fraction(a["rate"]), frames=a.get("frames"), width=a.get("width", 0),
                               height=a.get("height", 0), has_audio=a.get("has_audio", False),
                               audio_rate=a.get("audio_rate", 0), audio_channels=a.get("audio_channels", 0),
                               provenance=a.get("provenance"), offline=found is None)
            project.assets[asset.id] = asset
        for t in data["tracks"]:
            track = Track(**{k: v for k, v in t.items() if k not in ("clips", "transitions")})
            track.clips = [Clip(**c) for c in t["clips"]]
            track.transitions = [Transition(**x) for x in t["transitions"]]
            project.tracks.append(track)
    except ProjectError:
        raise
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise ProjectError(f"the project file is damaged ({type(exc).__name__}: {exc})") from None
    try:
        validate(project)
    except Exception as exc:
        raise ProjectError(f"the project file is inconsistent: {exc}") from None
    _bump_ids(project)
    return project


def _bump_ids(project: Project) -> None:
    """Keep new ids from colliding with ids read from a file."""
    import itertools
    import re

    from editor.timeline import model

    nums = [int(m.group(1)) for t in project.tracks for x in [t.id] + [c.id for c in t.clips] +
            [c.link or "" for c in t.clips] + [y.id for y in t.transitions] for m in [re.search(r"(\d+)$", x)] if m]
    nums += [int(m.group(1)) for a in project.assets for m in [re.search(r"(\d+)$", a)] if m]
    current = next(model._ids)
    model._ids = itertools.count(max([current] + [n + 1 for n in nums]))


def missing_media(project: Project) -> list[MediaAsset]:
    return [a for a in project.assets.values() if a.offline]


def save(project: Project, path) -> Path:
    """Atomic save: temp file + fsync + rename; the previous version is kept as <name>.bak."""
    path = Path(path).resolve()
    text = json.dumps(to_dict(project, path.parent), indent=1)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if path.exists():
                backup = path.with_name(path.name + ".bak")
                try:
                    shutil.copy2(path, backup)
                except OSError:
                    pass
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
    except OSError as exc:
        raise ProjectError(f"cannot save {path}: {exc.strerror or exc}") from None
    return path


def load(path) -> Project:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectError(f"{path}: the project file does not exist") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{path}: the project file is damaged or truncated ({exc})") from None
    project = from_dict(data, path.resolve().parent)
    if project.name in ("", "Untitled"):
        project.name = path.stem
    return project
