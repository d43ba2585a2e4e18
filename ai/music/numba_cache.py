"""Where numba keeps librosa's compiled kernels when Seamline runs from the desktop bundle (PyInstaller).

librosa decorates its kernels with `numba.jit(cache=True)`; numba looks for a place to cache each one while librosa's
modules are imported and raises RuntimeError ("no locator available") when it finds none. In the bundle the modules
have no source file, so numba's NUMBA_CACHE_DIR locator refuses them and the only place left is ~/.cache/numba: with no
writable home (a sandbox, a kiosk account) librosa could not even be imported. So the bundle keeps the kernels in
Seamline's own cache folder (numba/), stamped with the executable (a new bundle compiles afresh), and when even that
cannot be written, in a temporary folder for this run: compiling on every run (about a minute) is slow, failing is
worse. `use_cache_folder()` runs before librosa is imported (ai/music/beats.py `_librosa()`).
"""
from __future__ import annotations

import os
import sys
import tempfile

from numba.core import caching, config

LOCATOR = f"{__name__}.BundleCacheLocator"


def use_cache_folder() -> None:
    """In the bundle, numba caches in <Seamline cache>/numba (a user's own NUMBA_CACHE_DIR wins). No-op elsewhere:
    a normal install caches beside librosa's sources, or in ~/.cache/numba, as numba does."""
    if not getattr(sys, "frozen", False):
        return
    from editor.resources import cache_dir

    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = str(cache_dir() / "numba")
    if not os.environ.get("NUMBA_CACHE_LOCATOR_CLASSES"):
        os.environ["NUMBA_CACHE_LOCATOR_CLASSES"] = LOCATOR
    config.reload_config()  # numba read the environment when it was imported (just now, by this module)


class BundleCacheLocator(caching.UserWideCacheLocator):
    """numba's locator for frozen apps (its source stamp is the executable) in NUMBA_CACHE_DIR, else a run folder."""

    def __init__(self, py_func, py_file, root=None):
        super().__init__(py_func, py_file)
        self._cache_path = os.path.join(root or config.CACHE_DIR, self.get_suitable_cache_subpath(py_file))

    @classmethod
    def from_function(cls, py_func, py_file):
        for root in ([config.CACHE_DIR] if config.CACHE_DIR else []) + [None]:
            self = cls(py_func, py_file, root or _run_folder())
            try:
                self.ensure_cache_path()
                return self
            except OSError:
                continue  # not writable: the next place
        return None


_run = None


def _run_folder() -> str:
    """A temporary folder for this run's kernels, removed at exit (the cache folder could not be written)."""
    global _run
    if _run is None:
        _run = tempfile.TemporaryDirectory(prefix="seamline-numba-")
    return _run.name
