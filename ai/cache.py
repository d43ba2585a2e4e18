"""The AI job cache: one folder per finished job, named by its key, with a provenance.json listing its files.

A cached entry is trusted only after it is checked: its provenance must be a JSON object for this key, and every
file it lists must be a plain name inside the entry's own folder with the recorded size and SHA-256. A missing,
changed or crafted entry is deleted and the job runs again (the cache heals itself; nothing outside the folder is
ever read). The cache keeps under a size limit (default 20 GB, AI > Settings), deleting the least recently used
entries first. Results placed on a timeline are copied (hard-linked when possible) into the project's own folder,
so evicting the cache never takes media from a project.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SIDECAR = "provenance.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
MAX_SIDECAR = 4 << 20


@dataclass
class JobResult:
    folder: Path
    files: list[Path]
    provenance: dict
    cached: bool

    def file(self, name: str) -> Path:
        for p in self.files:
            if p.name == name:
                return p
        raise KeyError(f"the {self.provenance.get('tool', 'AI')} job wrote no {name}")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def default_root() -> Path:
    from editor.resources import cache_dir

    return cache_dir() / "ai-jobs"


class JobCache:
    def __init__(self, root: Path | str | None = None, limit_bytes: int | None = None):
        self.root = Path(root) if root is not None else default_root()
        self._limit = limit_bytes

    @property
    def limit(self) -> int:
        if self._limit is not None:
            return self._limit
        from ai.settings import cache_limit_bytes

        return cache_limit_bytes()

    def folder(self, tool: str, key: str) -> Path:
        return self.root / f"{tool}-{key}"

    # -- reading -----------------------------------------------------------------------------------------------
    def lookup(self, tool: str, key: str) -> JobResult | None:
        """The finished job with this key, checked; None (and the damaged entry removed) otherwise."""
        folder = self.folder(tool, key)
        if not folder.exists():
            return None
        prov = self._verified(folder, key)
        if prov is None:
            _rmtree(folder)
            return None
        try:
            os.utime(folder / SIDECAR)  # last use, for the LRU order
        except OSError:
            pass
        return JobResult(folder, [folder / n for n in sorted(prov["files"])], prov, True)

    @staticmethod
    def _verified(folder: Path, key: str) -> dict | None:
        side = folder / SIDECAR
        try:
            if folder.is_symlink() or side.is_symlink() or not side.is_file() or side.stat().st_size > MAX_SIDECAR:
                return None
            prov = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(prov, dict) or prov.get("key") != key or not isinstance(prov.get("files"), dict):
            return None
        for name, rec in prov["files"].items():
            if not (isinstance(name, str) and NAME.match(name) and name != SIDECAR and isinstance(rec, dict)):
                return None
            p = folder / name
            try:
                if p.is_symlink() or not p.is_file() or p.resolve().parent != folder.resolve():
                    return None
                if p.stat().st_size != rec.get("size") or file_sha256(p) != rec.get("sha256"):
                    return None
            except OSError:
                return None
        return prov

    # -- writing -----------------------------------------------------------------------------------------------
    def partial(self, tool: str, key: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{tool}-{key}.{os.getpid()}.{threading.get_ident()}.partial"
        _rmtree(tmp)
        tmp.mkdir()
        return tmp

    def commit(self, tmp: Path, tool: str, key: str, provenance: dict) -> JobResult:
        """Seal a finished job's folder (its files' sizes and hashes go into provenance.json) and move it in."""
        files = {}
        for p in sorted(tmp.iterdir()):
            if p.name == SIDECAR:
                continue
            if not (p.is_file() and not p.is_symlink() and NAME.match(p.name)):
                raise ValueError(f"a {tool} job may only write plain files, not {p.name!r}")
            files[p.name] = {"size": p.stat().st_size, "sha256": file_sha256(p)}
        prov = {**provenance, "key": key, "files": files}
        _write_json(tmp / SIDECAR, prov)
        final = self.folder(tool, key)
        if final.exists() and self._verified(final, key) is not None:
            _rmtree(tmp)  # another run finished first
        else:
            _rmtree(final)
            os.replace(tmp, final)
            prov = json.loads((final / SIDECAR).read_text())
        self.evict(keep={final.name})
        return JobResult(final, [final / n for n in sorted(prov["files"])], prov, False)

    # -- size --------------------------------------------------------------------------------------------------
    def entries(self) -> list[tuple[Path, int, float]]:
        """(folder, bytes, last used) of every finished entry."""
        out = []
        if not self.root.is_dir():
            return out
        for d in self.root.iterdir():
            if d.name.startswith(".") or not d.is_dir() or d.is_symlink():
                continue
            size = 0
            for p in d.iterdir():
                try:
                    size += p.lstat().st_size
                except OSError:
                    pass
            try:
                used = (d / SIDECAR).stat().st_mtime
            except OSError:
                used = 0.0
            out.append((d, size, used))
        return out

    def size(self) -> int:
        return sum(s for _, s, _ in self.entries())

    def evict(self, keep: set[str] = frozenset()) -> int:
        """Delete least recently used entries until the cache fits its limit (and partial folders of dead runs)."""
        self._clean_partials()
        entries = sorted(self.entries(), key=lambda e: e[2])
        total, freed, limit = sum(s for _, s, _ in entries), 0, self.limit
        for folder, size, _ in entries:
            if total <= limit:
                break
            if folder.name in keep:
                continue
            _rmtree(folder)
            total -= size
            freed += size
        return freed

    def clear(self) -> int:
        """Delete every finished entry (running jobs keep their partial folders). Returns the bytes freed."""
        freed = 0
        for folder, size, _ in self.entries():
            _rmtree(folder)
            freed += size
        self._clean_partials()
        return freed

    def _clean_partials(self) -> None:
        if not self.root.is_dir():
            return
        for d in self.root.glob(".*.partial"):
            try:
                pid = int(d.name.split(".")[-3])
            except (ValueError, IndexError):
                pid = -1
            if pid != os.getpid() and not _alive(pid) and time.time() - d.stat().st_mtime > 60:
                _rmtree(d)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def _rmtree(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def place(result: JobResult, dest: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Copy a result's files (hard links when the disk allows) into a project's `generated/` folder, with its
    provenance, so the timeline's media never depends on the cache. Returns name -> placed path."""
    target = Path(dest) / result.folder.name
    wanted = names or [p.name for p in result.files]
    out = {}
    target.mkdir(parents=True, exist_ok=True)
    for name in wanted + [SIDECAR]:
        src = result.folder / name
        dst = target / name
        if dst.exists() and dst.stat().st_size == src.stat().st_size:
            out[name] = dst
            continue
        tmp = target / f".{name}.{os.getpid()}.tmp"
        try:
            try:
                os.link(src, tmp)
            except OSError:
                shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        finally:
            if tmp.exists():
                tmp.unlink()
        out[name] = dst
    return out
