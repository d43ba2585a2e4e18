"""A project that can move: `<name>.seam` beside a `<name> media/` folder that holds what the editor made for it
(AI fills, camera moves, sound layers, each with its provenance) and, after "Collect files", copies of every file it
uses. Media paths are saved relative to the project too, so moving the folder pair keeps everything.

Headless: the copy work (`collect`) and the search for moved media (`find_missing`) are plain functions the UI runs
on workers; the result is a {asset id: new path} map applied as one Session edit (`repoint`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from editor.errors import ProjectError
from editor.timeline.edits import edit
from editor.timeline.model import Project, evolve

MEDIA_SUFFIX = " media"


def media_folder(project_path: str | Path) -> Path:
    p = Path(project_path)
    return p.with_name(p.stem + MEDIA_SUFFIX)


def generated_folder(project_path: str | Path) -> Path:
    return media_folder(project_path) / "generated"


def _inside(path: Path, folder: Path) -> bool:
    try:
        return Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(folder)))
    except (OSError, ValueError):
        return False


def plan(project: Project, project_path: str | Path, everything: bool = False) -> list[tuple[str, Path, Path]]:
    """(asset id, source, destination) of what to copy so that the project's media folder holds the generated media
    (everything=False) or every file it uses (everything=True). Generated media travel as their whole job folder
    (the result and its provenance.json); other files one by one, names kept (a number added on a clash)."""
    folder = media_folder(project_path)
    out, taken = [], set()
    for aid, a in sorted(project.assets.items()):
        src = Path(a.path)
        if a.offline or _inside(src, folder) or not src.exists():
            continue
        if a.provenance:
            job = src.parent
            dst = folder / "generated" / job.name / src.name
        elif everything:
            dst = folder / src.name
            n = 2
            while dst in taken or (dst.exists() and not _same_file(src, dst)):
                dst = folder / f"{src.stem} ({n}){src.suffix}"
                n += 1
        else:
            continue
        taken.add(dst)
        out.append((aid, src, dst))
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return sa.st_size == sb.st_size and int(sa.st_mtime) == int(sb.st_mtime)


def collect(copies: list[tuple[str, Path, Path]], progress: Callable | None = None,
            cancelled: Callable[[], bool] | None = None) -> dict[str, str]:
    """Copy what `plan` listed; returns {asset id: new path}. Each file is copied to a temporary name first and
    renamed when complete (a cancelled or failed copy leaves no half file). Job folders are copied whole."""
    total = sum(_size(src.parent if _is_job(src) else src) for _, src, _ in copies) or 1
    done, moved = 0, {}
    for aid, src, dst in copies:
        if cancelled is not None and cancelled():
            from editor.errors import ExportCancelled

            raise ExportCancelled("collecting files was cancelled")
        try:
            if _is_job(src):
                _copy_tree(src.parent, dst.parent)
                done += _size(src.parent)
            else:
                _copy_file(src, dst)
                done += _size(src)
        except OSError as exc:
            raise ProjectError(f"could not copy {src.name} into {dst.parent}: {exc.strerror or exc}") from exc
        moved[aid] = str(dst)
        if progress is not None:
            progress(done / total, src.name)
    return moved


def _is_job(src: Path) -> bool:
    return (src.parent / "provenance.json").exists()


def _size(p: Path) -> int:
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        return p.stat().st_size
    except OSError:
        return 0


def _copy_file(src: Path, dst: Path) -> None:
    if dst.exists() and _same_file(src, dst):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def _copy_tree(src: Path, dst: Path) -> None:
    if dst.exists():
        return  # the same job (named by its key) is already there
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    os.replace(tmp, dst)


@edit
def repoint(project: Project, moved: dict[str, str]) -> Project:
    """Point assets at their new files (same media, new place); they are online again."""
    assets = dict(project.assets)
    for aid, path in moved.items():
        if aid in assets:
            assets[aid] = evolve(assets[aid], path=str(Path(path).resolve()), offline=False)
    return evolve(project, assets=assets)


def find_missing(project: Project, folder: str | Path, limit: int = 200_000) -> dict[str, str]:
    """{asset id: path} for each missing file found under `folder` (searched to any depth) by its name; where two
    files share the name, the one whose parent folder name matches the old one wins."""
    missing = {aid: Path(a.path) for aid, a in project.assets.items() if a.offline or not Path(a.path).exists()}
    if not missing:
        return {}
    wanted: dict[str, list[str]] = {}
    for aid, p in missing.items():
        wanted.setdefault(p.name.lower(), []).append(aid)
    found: dict[str, str] = {}
    seen = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            seen += 1
            ids = wanted.get(name.lower())
            if not ids:
                continue
            for aid in ids:
                here = os.path.join(root, name)
                prev = found.get(aid)
                if prev is None or Path(root).name == missing[aid].parent.name != Path(prev).parent.name:
                    found[aid] = here
        if seen > limit:
            break
    return found
