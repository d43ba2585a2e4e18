"""What a job is: a JobSpec (tool, backend, parameters, inputs by content, the models it depends on) and its key;
`execute` runs a spec's tool runner into a folder (here, or on a cluster worker: ai/cluster.py calls it there)."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ai.catalog import tool as get_tool

Progress = Callable[[float, str], None]


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
