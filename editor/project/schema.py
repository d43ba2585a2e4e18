"""The .seam document: a versioned JSON form of the Project model, read through typed validation with limits.

A file is {"kind": "seamline-project", "version": N, ...the Project fields...}, assets as a list with their path both
absolute and relative to the project file. Reading a file from an older version runs the upgrade chain; a file from a
newer version is refused with a message. Every bad value gives one line naming its JSON path
(`tracks[2].clips[5].duration: must be <= 86400 s`). Fields this version does not know are kept and written back.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from pydantic import TypeAdapter, ValidationError

from editor.errors import ProjectError
from editor.timeline.model import MediaAsset, Project, reserve_ids
from editor.timeline.validate import problems

KIND = "seamline-project"
VERSION = 2
MAX_SECONDS = 86_400  # a timeline, a clip or a media file of at most 24 hours
MAX_TRACKS = 1_000
MAX_CLIPS = 200_000
MAX_ASSETS = 100_000
_ENVELOPE = ("kind", "version", "schema", "recovery")


# -- upgrades: each takes a document of version N and returns version N + 1 ------------------------------------------
def _v1_to_v2(doc: dict) -> dict:
    """Version 1 (Seamline 0.1) named its version "schema"; transitions were always centred, clips had no effects or
    markers: the defaults of version 2 say exactly that."""
    doc = dict(doc)
    doc.pop("schema", None)
    doc["version"] = 2
    return doc


UPGRADES: dict[int, Callable[[dict], dict]] = {1: _v1_to_v2}


def upgrade(doc: dict) -> dict:
    version = doc.get("version", doc.get("schema"))
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError("version: the project file has no version number")
    if version > VERSION:
        raise ProjectError(f"the project was saved by a newer Seamline (file format {version}, this version reads up "
                           f"to {VERSION}); update Seamline to open it")
    if version < 1:
        raise ProjectError(f"version: {version} is not a Seamline file format")
    while version < VERSION:
        doc = UPGRADES[version](doc)
        version += 1
    return doc


# -- errors -----------------------------------------------------------------------------------------------------------
def json_path(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


_MESSAGES = {
    "less_than_equal": lambda c: f"must be <= {c.get('le')}",
    "greater_than_equal": lambda c: f"must be >= {c.get('ge')}",
    "less_than": lambda c: f"must be < {c.get('lt')}",
    "greater_than": lambda c: f"must be > {c.get('gt')}",
    "missing": lambda c: "is missing",
    "int_type": lambda c: "must be a whole number",
    "int_from_float": lambda c: "must be a whole number",
    "int_parsing": lambda c: "must be a whole number",
    "float_type": lambda c: "must be a number",
    "float_parsing": lambda c: "must be a number",
    "finite_number": lambda c: "must be a finite number",
    "bool_type": lambda c: "must be true or false",
    "bool_parsing": lambda c: "must be true or false",
    "string_type": lambda c: "must be text",
    "string_too_long": lambda c: f"is too long (at most {c.get('max_length')} characters)",
    "string_too_short": lambda c: "must not be empty",
    "literal_error": lambda c: f"must be one of {c.get('expected')}",
    "dict_type": lambda c: "must be an object",
    "list_type": lambda c: "must be a list",
    "tuple_type": lambda c: "must be a list",
    "model_type": lambda c: "must be an object",
    "model_attributes_type": lambda c: "must be an object",
}


def _first_error(exc: ValidationError, prefix: tuple = ()) -> str:
    err = exc.errors(include_url=False)[0]
    msg = _MESSAGES.get(err["type"])
    text = msg(err.get("ctx") or {}) if msg else err["msg"].removeprefix("Value error, ")
    return f"{json_path(prefix + tuple(err['loc']))}: {text}"


# -- reading ----------------------------------------------------------------------------------------------------------
_ASSET_LIST = TypeAdapter(list[MediaAsset])


def _resolve(path, base_dir: Path | None, where: str) -> tuple[str, bool]:
    """(path to use, found on disk) from a saved path: {"abs": ..., "rel": ...} or a plain string."""
    if isinstance(path, str):
        candidates = [path] if os.path.isabs(path) or base_dir is None else [os.path.join(base_dir, path), path]
    elif isinstance(path, dict) and isinstance(path.get("abs", ""), str) and isinstance(path.get("rel", ""), str):
        candidates = []
        if base_dir is not None and path.get("rel"):
            candidates.append(os.path.normpath(os.path.join(base_dir, path["rel"])))
        if path.get("abs"):
            candidates.append(path["abs"])
    else:
        raise ProjectError(f"{where}: must be a file path")
    if isinstance(path, dict) and path.get("abs") == "" and not path.get("rel"):
        return "", False  # media with no file (an offline clip imported from another editor)
    if not candidates or any(len(c) > 4096 or "\0" in c for c in candidates):
        raise ProjectError(f"{where}: must be a file path")
    found = next((c for c in candidates if os.path.exists(c)), None)
    return found or candidates[0], found is not None


def from_document(data: Any, base_dir: Path | None = None) -> Project:
    """A Project from a parsed .seam document (any JSON value), or ProjectError with one line saying what is wrong."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ProjectError("this is not a Seamline project file")
    doc = upgrade(data)
    body = {k: v for k, v in doc.items() if k not in _ENVELOPE}
    assets = body.get("assets", [])
    if not isinstance(assets, list):
        raise ProjectError("assets: must be a list")
    if len(assets) > MAX_ASSETS:
        raise ProjectError(f"assets: at most {MAX_ASSETS} media files")
    tracks = body.get("tracks", [])
    if isinstance(tracks, list):
        if len(tracks) > MAX_TRACKS:
            raise ProjectError(f"tracks: at most {MAX_TRACKS} tracks")
        n = sum(len(t["clips"]) for t in tracks if isinstance(t, dict) and isinstance(t.get("clips"), list))
        if n > MAX_CLIPS:
            raise ProjectError(f"tracks: at most {MAX_CLIPS} clips in a project")
    prepared = []
    for i, a in enumerate(assets):
        if isinstance(a, dict) and "path" in a:
            path, found = _resolve(a["path"], base_dir, f"assets[{i}].path")
            a = {**a, "path": path, "offline": not found}
        prepared.append(a)
    try:
        parsed = _ASSET_LIST.validate_python(prepared)
    except ValidationError as exc:
        raise ProjectError(_first_error(exc, ("assets",))) from None
    by_id: dict[str, MediaAsset] = {}
    for i, a in enumerate(parsed):
        if a.id in by_id:
            raise ProjectError(f"assets[{i}].id: {a.id!r} is used twice")
        by_id[a.id] = a
    try:
        project = Project.model_validate({**body, "assets": by_id})
    except ValidationError as exc:
        raise ProjectError(_first_error(exc)) from None
    return checked(project, [a.id for a in parsed])


def checked(project: Project, asset_order: list[str] | None = None) -> Project:
    """The project, once the limits that depend on rates hold and it is consistent (or ProjectError); ids read from
    it are reserved. Every way in (a .seam file, an imported timeline) ends here."""
    _check_lengths(project, list(project.assets) if asset_order is None else asset_order)
    found = problems(project)
    if found:
        raise ProjectError(f"the project is inconsistent: {found[0]}")
    clips = [c for t in project.tracks for c in t.clips]
    reserve_ids([t.id for t in project.tracks] + [c.id for c in clips] + [c.link for c in clips] +
                [x.id for t in project.tracks for x in t.transitions] + list(project.assets))
    return project


def _check_lengths(project: Project, asset_order: list[str]) -> None:
    """Limits that depend on a rate: nothing on the timeline or in a media file longer than MAX_SECONDS."""
    rate = project.settings.rate
    limit = MAX_SECONDS * rate
    for i, aid in enumerate(asset_order):
        a = project.assets[aid]
        if a.frames is not None and a.frames > MAX_SECONDS * a.rate:
            raise ProjectError(f"assets[{i}].frames: must be <= {MAX_SECONDS} s")
    for ti, t in enumerate(project.tracks):
        for ci, c in enumerate(t.clips):
            for name in ("start", "duration"):
                if getattr(c, name) > limit:
                    raise ProjectError(f"tracks[{ti}].clips[{ci}].{name}: must be <= {MAX_SECONDS} s")
            if c.end > limit:
                raise ProjectError(f"tracks[{ti}].clips[{ci}]: ends after {MAX_SECONDS} s")
            a = project.assets.get(c.asset_id)
            if a is not None and c.source_in > MAX_SECONDS * a.rate:
                raise ProjectError(f"tracks[{ti}].clips[{ci}].source_in: must be <= {MAX_SECONDS} s")


# -- writing ----------------------------------------------------------------------------------------------------------
def to_document(project: Project, base_dir: Path | None = None) -> dict:
    body = project.model_dump(mode="json")
    assets = []
    for a in body.pop("assets").values():
        entry = {"abs": os.path.abspath(a["path"]) if a["path"] else ""}
        if base_dir is not None and a["path"]:
            try:
                entry["rel"] = os.path.relpath(entry["abs"], base_dir).replace(os.sep, "/")
            except ValueError:  # another drive on Windows
                pass
        assets.append({**a, "path": entry})
    return {"kind": KIND, "version": VERSION, **body, "assets": assets}


def json_schema() -> dict:
    """The JSON Schema of a .seam document (resources/seamline-project.schema.json is this, kept in sync by a test)."""
    schema = Project.model_json_schema(mode="serialization")
    props = schema.setdefault("properties", {})
    asset_ref = props.pop("assets", None)
    path_schema = {"type": "object", "properties": {"abs": {"type": "string"}, "rel": {"type": "string"}},
                   "required": ["abs"]}
    defs = schema.get("$defs", {})
    if "MediaAsset" in defs:
        defs["MediaAsset"]["properties"]["path"] = path_schema
    props["assets"] = {"type": "array", "items": {"$ref": "#/$defs/MediaAsset"}} if asset_ref else {}
    props["kind"] = {"const": KIND}
    props["version"] = {"type": "integer", "minimum": 1, "maximum": VERSION}
    schema["required"] = sorted(set(schema.get("required", [])) | {"kind", "version"})
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Seamline project (.seam)"
    return schema



if __name__ == "__main__":  # python -m editor.project.schema > resources/seamline-project.schema.json
    import json
    import sys

    json.dump(json_schema(), sys.stdout, indent=1)
    sys.stdout.write("\n")
