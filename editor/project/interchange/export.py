"""Write a project as .otio, .otioz, .edl, .xml (FCP 7) or .kdenlive, atomically, saying what each format drops."""
from __future__ import annotations

import os
import warnings as _pywarnings
from pathlib import Path

from editor.errors import ProjectError
from editor.timeline.model import Project


def _format_warnings(project: Project, suffix: str) -> tuple[Project, list[str]]:
    """The project cut down to what the format holds, and a warning for each thing left out."""
    from editor.timeline.model import evolve

    out = []
    if suffix == ".edl":
        video = [t for t in project.video_tracks() if not t.mute]
        audio = [t for t in project.audio_tracks() if not t.mute]
        keep_v = next((t for t in video if t.clips), video[0] if video else None)
        if keep_v is None:
            raise ProjectError("an EDL needs a video track with clips; this project has none")
        for t in video:
            if t is not keep_v and t.clips:
                out.append(f"an EDL holds one video track: track {t.name or t.id!r} ({len(t.clips)} clips) is left out")
        for t in audio[2:]:
            if t.clips:
                out.append(f"an EDL holds at most two audio tracks: track {t.name or t.id!r} is left out")
        for t in project.tracks:
            if t.mute and t.clips:
                out.append(f"track {t.name or t.id!r} is muted: left out of the EDL")
        tracks = (keep_v, *audio[:2])
        n_markers = len(project.markers) + sum(len(t.markers) for t in project.tracks)
        if n_markers:
            out.append(f"an EDL holds markers of clips only: {n_markers} timeline and track marker(s) are left out")
        project = evolve(project, tracks=tracks)
        out.append("an EDL keeps cuts, transitions and speed changes only: volume, pan, opacity, fades, keyframes and "
                   "Seamline's settings are left out")
    elif suffix in (".xml", ".kdenlive"):
        name = "FCP 7 XML" if suffix == ".xml" else "a .kdenlive file"
        out.append(f"{name} written through OpenTimelineIO keeps clips, gaps{', transitions' if suffix == '.xml' else ''}"
                   f" and markers: volume, pan, opacity, fades, keyframes and Seamline's settings are left out")
        if suffix == ".kdenlive":
            n = sum(len(t.transitions) for t in project.tracks)
            if n:
                out.append(f"the Kdenlive adapter writes no transitions: {n} transition(s) become cuts")
            n = sum(len(c.markers) for t in project.tracks for c in t.clips)
            if n:
                out.append(f"the Kdenlive adapter writes no clip markers: {n} left out")
    offline = [a for a in project.assets.values() if a.offline or not a.path]
    if suffix == ".otioz":
        for a in offline:
            out.append(f"offline media {a.name!r} ({a.path or 'no file'}) is not in the bundle")
    return project, out


def write(project: Project, path: Path) -> list[str]:
    import opentimelineio as otio

    from editor.project.fileio import atomic_write
    from editor.project.interchange import FORMATS, _quiet, _short
    from editor.project.interchange.to_otio import to_otio

    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ProjectError(f"{path}: unknown timeline format {suffix!r}")
    adapter, label = FORMATS[suffix]
    if not path.parent.is_dir():
        raise ProjectError(f"{path}: the folder to write into does not exist")
    project, warnings = _format_warnings(project, suffix)
    try:
        tl = to_otio(project)
        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            if suffix == ".otioz":
                _write_bundle(tl, path)
                return warnings
            kwargs = {"rate": float(project.settings.rate)} if suffix == ".edl" else {}
            text = _quiet(lambda: otio.adapters.write_to_string(tl, adapter, **kwargs))
    except ProjectError:
        raise
    except Exception as exc:  # adapters raise many types for what their format cannot hold  # noqa: BLE001
        raise ProjectError(f"{path}: cannot be written as {label} ({_short(exc)})") from None
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOSPC:
            raise ProjectError(f"disk full while writing {path}; free some space and try again") from None
        raise ProjectError(f"cannot write {path}: {exc.strerror or exc}") from None
    return warnings


def _write_bundle(tl, path: Path) -> None:
    """An .otioz (the timeline and its media in one zip) written beside the target and renamed over it."""
    import secrets

    import opentimelineio as otio
    from opentimelineio.adapters.file_bundle_utils import MediaReferencePolicy

    from editor.project.fileio import clean_stale_temps, user_mode

    for clip in tl.find_clips():  # media not on this computer: a MissingReference that still says what it was
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference):
            from editor.project.interchange.media import url_to_path

            if not os.path.isfile(url_to_path(ref.target_url, None)):
                missing = otio.schema.MissingReference(name=ref.name, available_range=ref.available_range,
                                                       metadata=ref.metadata)
                missing.metadata["original_target_url"] = ref.target_url
                clip.media_reference = missing
    clean_stale_temps(path.parent, path.name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        otio.adapters.write_to_file(tl, str(tmp), "otioz", media_policy=MediaReferencePolicy.MissingIfNotFile)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, user_mode())
        os.replace(tmp, path)
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOSPC:
            raise ProjectError(f"disk full while writing {path}; free some space and try again") from None
        raise ProjectError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
