"""Autosave recovery files: written seconds after each change, offered at the next start, never a reason not to start.

A recovery file is a .seam document plus {"recovery": {"path", "time", "pid"}}. Files of a Seamline that is still
running (another window, another copy) are not offered and never deleted by this one. A damaged file is moved aside
(`*.damaged`) with a message, and whatever of it can still be read is offered.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from editor.errors import ProjectError
from editor.project.fileio import atomic_write, parse, pid_alive
from editor.project.schema import from_document, to_document
from editor.resources import data_dir
from editor.timeline.model import Project

SUFFIX = ".seam-recovery"


def recovery_dir() -> Path:
    p = data_dir() / "recovery"
    p.mkdir(parents=True, exist_ok=True)
    return p


def recovery_name(key: str) -> str:
    import hashlib

    return hashlib.sha1(key.encode()).hexdigest()[:16] + SUFFIX


def write(project: Project, name: str, path: Path | None) -> Path:
    data = to_document(project, path.parent if path else None)
    data["recovery"] = {"path": str(path) if path else None, "time": time.time(), "pid": os.getpid()}
    target = recovery_dir() / name
    atomic_write(target, json.dumps(data).encode("utf-8"))
    return target


def _owner_alive(path: Path) -> bool:
    """Whether the Seamline that wrote this file is still running (then it is not ours to offer or delete)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read()
        pid = json.loads(head).get("recovery", {}).get("pid")
    except (OSError, ValueError, AttributeError, RecursionError):
        return False
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or pid == os.getpid():
        return False
    return pid_alive(pid)


def pending() -> list[Path]:
    """Recovery files left by a Seamline that is no longer running, newest first."""
    found = []
    for p in recovery_dir().glob("*" + SUFFIX):
        try:
            mtime = p.stat().st_mtime
        except OSError:
            continue
        if not _owner_alive(p):
            found.append((mtime, p))
    return [p for _, p in sorted(found, key=lambda x: -x[0])]


def move_aside(path: Path) -> Path:
    target = path.with_name(path.name + f".{int(time.time())}.damaged")
    try:
        os.replace(path, target)
    except OSError:
        return path
    return target


def load(path: Path) -> tuple[Project, str | None, str]:
    """(project, the project file it belongs to or None, a message) from a recovery file. A damaged file is moved
    aside; what could be read of it is returned with a message saying what was lost. ProjectError when nothing can
    be read (the file has been moved aside then too)."""
    try:
        raw = path.read_bytes()
        data = parse(raw, str(path))
        if not isinstance(data, dict):
            raise ProjectError(f"{path}: not a recovery file")
        info = data.get("recovery") if isinstance(data.get("recovery"), dict) else {}
        orig = info.get("path") if isinstance(info.get("path"), str) else None
        base = Path(orig).parent if orig else None
    except (OSError, ProjectError) as exc:
        aside = move_aside(path)
        raise ProjectError(f"the autosaved work could not be read ({exc}); the file was kept as {aside}") from None
    try:
        project = from_document(data, base)
        message = ""
    except (ProjectError, RecursionError) as exc:
        from editor.project.salvage import salvage

        aside = move_aside(path)
        try:
            project, lost = salvage(data, base)
        except (ProjectError, RecursionError):
            raise ProjectError(f"the autosaved work is damaged ({exc}); the file was kept as {aside}") from None
        message = (f"The autosaved work was damaged ({exc}). What could be read was restored"
                   f"{f'; {lost} part(s) were lost' if lost else ''}. The damaged file was kept as {aside}.")
        return project, orig, message
    try:
        path.unlink()
    except OSError:
        pass
    return project, orig, message


def discard(paths) -> None:
    for p in paths:
        try:
            Path(p).unlink()
        except OSError:
            pass
