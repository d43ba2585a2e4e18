"""Writing outputs safely: a partial file beside the target, renamed over it only when complete.

Partial files are named `.<target name>.seamline-<pid>-<random>.partial<ext>`, so a person can tell what they are,
and the next write into the same folder removes those whose process is gone (a run killed with SIGKILL cannot clean
up after itself). Files are created with the user's umask (the encoder opens them with mode 0666 & ~umask).
A full disk is reported as "disk full while writing <target>", never as a half-written file.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from pathlib import Path

from editor.errors import MediaError

_PARTIAL = re.compile(r"^\..*\.seamline-(\d+)-[0-9a-f]+\.partial(\.[A-Za-z0-9]+)?$")
# errors that mean "no room": ENOSPC, and EDQUOT (the user's quota on a shared disk)
NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class DiskFullError(MediaError):
    """The disk (or the user's quota) filled up while an output was written; nothing partial was left."""

    def __init__(self, path):
        self.path = str(path)
        self.reason = "disk full"
        Exception.__init__(self, f"disk full while writing {self.path}: free some space or write to another "
                                 f"disk (nothing was written)")

    def __reduce__(self):
        return type(self), (self.path,)


def partial_path(target: Path, suffix: str | None = None) -> Path:
    """Where to write `target` until it is complete (same folder, so the final rename is atomic)."""
    target = Path(target)
    ext = target.suffix if suffix is None else suffix
    return target.with_name(f".{target.name}.seamline-{os.getpid()}-{secrets.token_hex(3)}.partial{ext}")


def is_partial(path: Path) -> bool:
    return _PARTIAL.match(Path(path).name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return True
    return True


def clean_stale_partials(folder) -> list[Path]:
    """Remove partial outputs in folder left by runs that no longer exist. Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _PARTIAL.match(e.name)
        if m is None or _alive(int(m.group(1))):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.remove(e.path)
            removed.append(Path(e.path))
        except OSError:
            pass
    return removed


def remove_quietly(path) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError:
        pass


def is_no_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in NO_SPACE


def write_bytes(path, data: bytes) -> None:
    """Write data to path; a full disk raises OSError (from the write or the close), never leaves a silent short
    file (cv2.imwrite of a small picture reports success on a full disk and leaves 0 bytes)."""
    with open(path, "wb") as f:
        f.write(data)


@contextlib.contextmanager
def writing(target, suffix: str | None = None, failed: str = "could not be written"):
    """Write target through a partial file: yields the partial path; when the block ends it is renamed over target;
    on any error or interruption it is removed. A full disk raises DiskFullError, another OSError a MediaError
    "<target>: <failed>: <reason>"."""
    target = Path(target)
    clean_stale_partials(target.parent)
    tmp = partial_path(target, suffix)
    try:
        with writing_errors(target, failed):
            yield tmp
            os.replace(tmp, target)
    except BaseException:
        remove_quietly(tmp)
        raise


@contextlib.contextmanager
def writing_errors(target, failed: str = "could not be written"):
    """OSErrors in the block become DiskFullError (full disk or quota) or MediaError naming target."""
    try:
        yield
    except OSError as exc:
        if is_no_space(exc):
            raise DiskFullError(target) from None
        raise MediaError(target, f"{failed}: {exc.strerror or exc}") from None


def copy_atomic(src, dst) -> Path:
    """Copy a finished file to dst through a partial file (the user's umask, a full disk reported, nothing left
    behind on failure or interruption)."""
    dst = Path(dst).resolve()
    with writing(dst) as tmp, open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    return dst
