"""The one job service every AI tool runs through: spec -> files in the cache + provenance.

A tool turns its request into a JobSpec (its analysis already done): inputs as arrays, bytes or media ranges,
every parameter, the backend and the models it loads. `run_job` keys the spec by content (the input pictures and
media, never their file names), parameters, backend, the models' revisions and weight fingerprints and the tool's
own code; returns a checked cache hit at once, or runs the tool's runner, here or on a Ray cluster, into a partial
folder that becomes the cache entry only when the job finishes. A cancelled or failed job leaves nothing behind.

The CLI and the demo call `run_job` inline; the editor calls it on a worker thread (editor/ui/ai_panel.JobRow).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Callable

from ai.cache import JobCache, JobResult, place  # noqa: F401  (re-exported for the tools)
from ai.catalog import tool as get_tool
from ai.errors import JobCancelled
from ai.spec import JobSpec, MediaInput, Progress, execute, file_digest, input_digest  # noqa: F401  (re-exported)


class CancelToken:
    """A cancel flag shared between the UI and a running job."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


def local_identities(spec: JobSpec) -> dict[str, dict]:
    """The models' revisions and fingerprints on this machine (a missing package is named first: it is what the
    user has to fix before any model could load)."""
    from ai import models

    backend = get_tool(spec.tool).backend(spec.backend)
    if backend.kind in ("learned", "generative"):
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
    except BaseException:  # Ctrl+C, or SIGTERM/SIGHUP (editor.interrupt.Stopped): a cluster task is cancelled too
        token.cancel()
        raise


def default_generated_dir() -> Path:
    """Where results go for an unsaved project and the CLI (a saved project uses `generated/` beside it)."""
    from editor.resources import data_dir

    return data_dir() / "generated"
