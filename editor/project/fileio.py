"""The .seam project file on disk: atomic saves with a backup, bounded and validated loads."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from editor.errors import ProjectError
from editor.project.schema import from_document, to_document
from editor.timeline.model import MediaAsset, Project

MAX_FILE_BYTES = 256 << 20  # a 200,000-clip project is ~80 MB of JSON


def missing_media(project: Project) -> list[MediaAsset]:
    return [a for a in project.assets.values() if a.offline]


# -- atomic writes ----------------------------------------------------------------------------------------------------
def user_mode() -> int:
    """The mode a new file gets under the user's umask (mkstemp alone makes it 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale_temps(folder: Path, name: str) -> list[Path]:
    """Remove `.NAME.<pid>.*.tmp` files left by a writer that was killed (its process is gone)."""
    removed = []
    try:
        entries = list(folder.glob(f".{name}.*.tmp"))
    except OSError:
        return removed
    for p in entries:
        parts = p.name[len(name) + 2:].split(".")
        if parts and parts[0].isdigit() and not pid_alive(int(parts[0])):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def atomic_write(path: Path, data: bytes, backup: bool = False) -> Path:
    """Write data to path so that a crash at any moment leaves the old file or the new one, never a mix; with
    backup=True the previous file is kept as PATH.bak (replaced atomically too). Raises OSError."""
    path = Path(path)
    folder = path.parent
    clean_stale_temps(folder, path.name)
    clean_stale_temps(folder, path.name + ".bak")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            view = memoryview(data)
            while view:
                n = fh.write(view)
                view = view[n:]
            fh.flush()
            os.fsync(fh.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else user_mode()
        os.chmod(tmp, mode)
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            fd2, btmp = tempfile.mkstemp(prefix=f".{bak.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
            os.close(fd2)
            try:
                os.unlink(btmp)
                try:
                    os.link(path, btmp)  # the old file itself, no copy: atomic and instant
                except OSError:
                    import shutil

                    shutil.copy2(path, btmp)
                os.replace(btmp, bak)
            except OSError:
                if os.path.exists(btmp):
                    os.remove(btmp)
                raise
        os.replace(tmp, path)
        try:
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def save(project: Project, path) -> Path:
    """Atomic save (temp file + fsync + rename); the previous version is kept as <name>.bak."""
    path = Path(path)
    if path.suffix.lower() != ".seam":
        path = path.with_suffix(".seam")
    path = path.resolve()
    text = json.dumps(to_document(project, path.parent), indent=1, ensure_ascii=False)
    try:
        atomic_write(path, text.encode("utf-8"), backup=True)
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOSPC:
            raise ProjectError(f"disk full while writing {path}; free some space and save again (the previous "
                               f"version is untouched)") from None
        raise ProjectError(f"cannot save {path}: {exc.strerror or exc}") from None
    return path


def parse(raw: bytes, where: str):
    """JSON from bytes, or ProjectError naming the file."""
    if len(raw) > MAX_FILE_BYTES:
        raise ProjectError(f"{where}: the file is too large to be a project ({len(raw) >> 20} MB)")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{where}: the project file is damaged or truncated ({exc})") from None
    except RecursionError:
        raise ProjectError(f"{where}: the project file is nested too deeply to be a project") from None


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES, what: str = "project file") -> bytes:
    """The bytes of a file (at most limit + 1 of them), or ProjectError naming the file and what is wrong."""
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise ProjectError(f"{path}: the {what} does not exist") from None
    except IsADirectoryError:
        raise ProjectError(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_document(path) -> dict:
    path = Path(path)
    return parse(read_bounded(path), str(path))


def load(path) -> Project:
    path = Path(path)
    data = read_document(path)
    try:
        project = from_document(data, path.resolve().parent)
    except ProjectError as exc:
        raise ProjectError(f"{path}: {exc}") from None
    except RecursionError:
        raise ProjectError(f"{path}: the project file is nested too deeply to be a project") from None
    if project.name in ("", "Untitled"):
        from editor.timeline.model import evolve

        project = evolve(project, name=path.stem)
    return project
