"""AI jobs: typed inputs + parameters -> files in a `generated/` folder, with a provenance sidecar.

A job runs inline (CLI) or on a worker thread (UI) through the same `run_job`. It reports progress (fraction and a
stage text) and checks a cancel flag; a cancelled or failed job leaves no files behind. Identical inputs,
parameters and model give the same cache key, and a finished job with that key is returned at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ai.errors import JobCancelled

SIDECAR = "provenance.json"


class CancelToken:
    """A cancel flag shared between the UI and a running job."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


@dataclass
class JobSpec:
    tool: str  # "fill-transition" | "camera-move" | "sfx"
    backend: str
    params: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)  # name -> file path, or numpy array (hashed by content)
    model: str | None = None  # model id or local folder for generative backends
    sources: list[dict] = field(default_factory=list)  # clips/frames the inputs came from (for provenance)
    version: str = ""  # the backend's algorithm version: a change invalidates cached results

    def key(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({"tool": self.tool, "backend": self.backend, "params": self.params,
                             "model": self.model, "version": self.version}, sort_keys=True, default=str).encode())
        for name in sorted(self.inputs):
            h.update(name.encode())
            h.update(_content_hash(self.inputs[name]).encode())
        return h.hexdigest()[:20]


def _content_hash(value) -> str:
    if isinstance(value, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(value).tobytes() + str(value.shape).encode()).hexdigest()
    p = Path(value)
    if p.is_file():
        st = p.stat()
        h = hashlib.sha256(f"{st.st_size}".encode())
        with open(p, "rb") as fh:  # head and tail are enough to tell edited files apart, and fast
            h.update(fh.read(1 << 20))
            if st.st_size > 2 << 20:
                fh.seek(-(1 << 20), os.SEEK_END)
                h.update(fh.read())
        return h.hexdigest()
    return hashlib.sha256(str(value).encode()).hexdigest()


@dataclass
class JobResult:
    folder: Path
    files: list[Path]
    provenance: dict
    cached: bool


Work = Callable[[Path, Callable[[float, str], None], Callable[[], bool]], dict]


def run_job(spec: JobSpec, generated: Path, work: Work, progress: Callable[[float, str], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> JobResult:
    """Run `work(folder, progress, cancelled)` into a fresh folder under `generated`, or return the cached result.

    `work` writes its files into the folder and returns extra provenance (model revision, frames used, ...).
    """
    from editor import __version__

    generated = Path(generated)
    generated.mkdir(parents=True, exist_ok=True)
    key = spec.key()
    final = generated / f"{spec.tool}-{key}"
    if (final / SIDECAR).is_file():
        prov = json.loads((final / SIDECAR).read_text())
        if progress:
            progress(1.0, "cached")
        return JobResult(final, [final / f for f in prov["files"]], prov, True)
    tmp = generated / f".{spec.tool}-{key}.{os.getpid()}.{threading.get_ident()}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    report = progress or (lambda f, s="": None)
    is_cancelled = cancelled or (lambda: False)
    start = time.time()
    try:
        if is_cancelled():
            raise JobCancelled(f"{spec.tool} was cancelled")
        extra = work(tmp, report, is_cancelled) or {}
        if is_cancelled():
            raise JobCancelled(f"{spec.tool} was cancelled")
        files = sorted(p.name for p in tmp.iterdir() if p.is_file())
        prov = {
            "tool": spec.tool, "backend": spec.backend, "model": spec.model, "params": spec.params,
            "seed": spec.params.get("seed"), "inputs": {k: (str(v) if not isinstance(v, np.ndarray) else
                                                           f"array{list(v.shape)}") for k, v in spec.inputs.items()},
            "sources": spec.sources, "key": key, "files": files, "seconds": round(time.time() - start, 3),
            "seamline_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra,
        }
        (tmp / SIDECAR).write_text(json.dumps(prov, indent=1, default=str))
        if final.exists():  # another run finished first
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report(1.0, "done")
    return JobResult(final, [final / f for f in prov["files"]], prov, False)


def default_generated_dir() -> Path:
    from editor.resources import data_dir

    return data_dir() / "generated"
