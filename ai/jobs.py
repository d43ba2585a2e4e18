"""The one job service every AI tool runs through: spec -> files in the cache + provenance.

A tool turns its request into a JobSpec (its analysis already done): inputs as arrays, bytes or media ranges,
every parameter, the backend and the models it loads. `run_job` keys the spec by content (the input pictures and
media, never their file names), parameters, backend, the models' revisions and weight fingerprints and the tool's
own code; returns a checked cache hit at once, or runs the tool's runner, here or on a Ray cluster, into a partial
folder that becomes the cache entry only when the job finishes. A cancelled or failed job leaves nothing behind.

The CLI and the demo call `run_job` inline; the editor calls it on a worker thread (editor/ui/ai_panel.JobRow).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ai.cache import JobCache, JobResult, place  # noqa: F401  (re-exported for the tools)
from ai.catalog import tool as get_tool
from ai.errors import JobCancelled

Progress = Callable[[float, str], None]


class CancelToken:
    """A cancel flag shared between the UI and a running job."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class MediaInput:
    """A media file a job reads (a clip a camera move follows): keyed by the file's content and the range used,
    shipped to a cluster as bytes."""

    path: str
    start: int = 0  # first source frame used
    length: int | None = None  # frames used (None: to the end)

    def digest(self) -> str:
        return f"{file_digest(self.path)}:{self.start}:{self.length}"


_DIGESTS: dict[tuple, str] = {}


def file_digest(path) -> str:
    """SHA-256 of a file's content (remembered per path, size and modification time for this process)."""
    p = Path(path)
    st = p.stat()
    k = (str(p.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if k not in _DIGESTS:
        from ai.cache import file_sha256

        _DIGESTS[k] = file_sha256(p)
    return _DIGESTS[k]


def input_digest(value) -> str:
    if isinstance(value, np.ndarray):
        v = np.ascontiguousarray(value)
        return hashlib.sha256(v.tobytes() + f"{v.dtype}{v.shape}".encode()).hexdigest()
    if isinstance(value, MediaInput):
        return value.digest()
    if isinstance(value, (bytes, bytearray)):
        return hashlib.sha256(value).hexdigest()
    raise TypeError(f"a job input is an array, bytes or a MediaInput, not {type(value).__name__}")


_CODE: dict[tuple, str] = {}


def code_version(modules: tuple[str, ...]) -> str:
    """A hash of the tool's own source: any change to its algorithm invalidates its cached results."""
    if modules not in _CODE:
        from editor import __version__

        h = hashlib.sha256(__version__.encode())
        for name in modules:
            spec = importlib.util.find_spec(name)
            origin = getattr(spec, "origin", None) if spec else None
            try:
                h.update(Path(origin).read_bytes())
            except (OSError, TypeError):  # a frozen bundle has no sources: its version stands for them
                h.update(name.encode())
        _CODE[modules] = h.hexdigest()[:16]
    return _CODE[modules]


@dataclass
class JobSpec:
    tool: str  # a name in ai.catalog.TOOLS
    backend: str  # a backend of that tool (never "auto": the tool's analysis chose already)
    params: dict[str, Any]  # every parameter that changes the result (JSON)
    inputs: dict[str, Any] = field(default_factory=dict)  # name -> numpy array | bytes | MediaInput
    model_settings: dict[str, Any] = field(default_factory=dict)  # a generative backend's settings, merged
    models: dict[str, str] = field(default_factory=dict)  # role -> model id or folder the result depends on
    sources: list[dict] = field(default_factory=list)  # where the inputs came from (provenance only)

    def key(self, identities: dict[str, dict]) -> str:
        tool = get_tool(self.tool)
        settings = {k: v for k, v in self.model_settings.items() if k not in ("model", "adapter")}
        h = hashlib.sha256(json.dumps({
            "tool": self.tool, "version": tool.version, "code": code_version(tool.code), "backend": self.backend,
            "params": self.params, "settings": settings,
            "models": {r: [i["id"], i["revision"], i["fingerprint"]] for r, i in sorted(identities.items())},
        }, sort_keys=True, default=str).encode())
        for name in sorted(self.inputs):
            h.update(f"{name}={input_digest(self.inputs[name])};".encode())
        return h.hexdigest()[:24]

    def describe_inputs(self) -> dict:
        out = {}
        for k, v in self.inputs.items():
            if isinstance(v, np.ndarray):
                out[k] = {"array": list(v.shape), "sha256": input_digest(v)}
            elif isinstance(v, MediaInput):
                out[k] = {"media": v.path, "start": v.start, "length": v.length, "sha256": file_digest(v.path)}
            else:
                out[k] = {"bytes": len(v), "sha256": input_digest(v)}
        return out


def execute(spec: JobSpec, folder: Path, report: Progress, cancelled: Callable[[], bool]) -> dict:
    """Run a spec's tool runner into `folder` here (the cluster runs this same function on its worker)."""
    module, _, func = get_tool(spec.tool).runner.partition(":")
    runner = getattr(importlib.import_module(module), func)
    return runner(spec, Path(folder), report, cancelled) or {}


def local_identities(spec: JobSpec) -> dict[str, dict]:
    """The models' revisions and fingerprints on this machine (a missing package is named first: it is what the
    user has to fix before any model could load)."""
    from ai import models

    backend = get_tool(spec.tool).backend(spec.backend)
    if backend.kind == "generative":
        models.require_packages(backend.settings_key)
    return {role: models.identity(ref) for role, ref in spec.models.items()}


def run_job(spec: JobSpec, cache: JobCache | Path | str | None = None, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None, cluster: str | None = None) -> JobResult:
    """Run a job (or return its checked cached result). `cluster`: a Ray address to run it on instead of here."""
    from editor import __version__

    cache = cache if isinstance(cache, JobCache) else JobCache(cache)
    get_tool(spec.tool).backend(spec.backend)
    report = progress or (lambda f, s="": None)
    is_cancelled = cancelled or (lambda: False)
    remote = None
    if cluster:
        from ai.cluster import connect

        remote = connect(cluster)
        identities = remote.identities(spec) if spec.models else {}
    else:
        identities = local_identities(spec)
    key = spec.key(identities)
    hit = cache.lookup(spec.tool, key)
    if hit is not None:
        report(1.0, "cached")
        return hit
    if is_cancelled():
        raise JobCancelled(f"{spec.tool} was cancelled")
    tmp = cache.partial(spec.tool, key)
    start = time.time()
    try:
        if remote is not None:
            extra, node = remote.run(spec, tmp, report, is_cancelled)
        else:
            from ai import models

            models.check_memory()
            extra = execute(spec, tmp, report, is_cancelled)
            node = {"where": "local", "host": socket.gethostname(), "pid": os.getpid()}
        if is_cancelled():
            raise JobCancelled(f"{spec.tool} was cancelled")
        prov = {"tool": spec.tool, "tool_version": get_tool(spec.tool).version, "backend": spec.backend,
                "params": spec.params, "seed": spec.params.get("seed"), "model_settings": spec.model_settings,
                "models": identities, "inputs": spec.describe_inputs(), "sources": spec.sources,
                "seconds": round(time.time() - start, 3), "seamline_version": __version__,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "node": node, **extra}
        result = cache.commit(tmp, spec.tool, key, prov)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report(1.0, "done")
    return result


def run_cli_job(spec: JobSpec, bar: Progress, cluster: str | None = None) -> JobResult:
    """A job from the command line: the progress bar, Ctrl+C cancels (and removes the partial output)."""
    token = CancelToken()
    try:
        return run_job(spec, None, progress=bar, cancelled=token, cluster=cluster)
    except KeyboardInterrupt:
        token.cancel()
        raise


def default_generated_dir() -> Path:
    """Where results go for an unsaved project and the CLI (a saved project uses `generated/` beside it)."""
    from editor.resources import data_dir

    return data_dir() / "generated"
