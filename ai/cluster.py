"""AI jobs on a Ray cluster: a machine with a bigger GPU (or many machines) runs the job; the results come back here.

The job spec travels as it is, its inputs as object refs (pictures as arrays, media files as bytes: no shared
filesystem is assumed); it runs as one Ray task asking for what the backend needs (a GPU for a generative backend
unless its device is "cpu", host memory from the size of the model's weight files on that node). Seamline's own code
is shipped to the cluster when this process connects (a runtime_env of the `ai` and `editor` packages), so the
cluster runs exactly this version: built-in backends give the same result there as here. Progress streams back
through a small actor; cancel is `ray.cancel`; a worker that dies gives a clear error and nothing is saved; the files
land in the local cache with provenance naming the node.

On the GPU machine: `pip install 'seamline[ai,cluster]'`, download the models there, then `ray start --head --port
6379`; here: `--cluster gpu-box:6379` or AI > Settings > Compute.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from ai.errors import ClusterError, JobCancelled, MissingPackage

CANCEL_GRACE = 5.0  # seconds a cancelled task gets to stop before its worker is killed


def ray_installed() -> bool:
    return importlib.util.find_spec("ray") is not None


def _ray():
    if not ray_installed():
        raise MissingPackage("running on a Ray cluster needs the ray package: `pip install 'seamline[cluster]'` "
                             "(or `pip install 'ray>=2.9'`)")
    # Recent Ray heads require the cluster's token by default, and a client sends it (Ray reads it from its own
    # place: ~/.ray/auth_token or RAY_AUTH_TOKEN) only in token mode, which Ray reads when it is first imported.
    # Token mode also reaches heads started without authentication. (Once Ray is imported, setting it would only
    # reach the processes Ray starts, not this one: leave it.)
    if "ray" not in sys.modules:
        os.environ.setdefault("RAY_AUTH_MODE", "token")
    import ray

    return ray


def runtime_env() -> dict:
    """Ship this checkout's `ai` and `editor` packages with every task (the cluster runs exactly this code)."""
    import ai
    import editor

    return {"py_modules": [os.path.dirname(ai.__file__), os.path.dirname(editor.__file__)],
            "excludes": ["__pycache__", "*.pyc"],
            "env_vars": {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}}


@dataclass(frozen=True)
class ShippedMedia:
    """A MediaInput on its way to a worker: the file's bytes as an object ref."""

    ref: object
    name: str
    start: int
    length: int | None


class SeamlineProgress:
    """Progress messages from running tasks, collected by the driver."""

    def __init__(self):
        self.posts: dict[str, list] = {}

    def post(self, job: str, fraction: float, stage: str, node: dict | None = None) -> None:
        self.posts.setdefault(job, []).append((fraction, stage, node))

    def take(self, job: str) -> list:
        return self.posts.pop(job, [])


_LOCK = threading.Lock()
_STATE: dict = {"address": None, "board": None}
_RUNNING: dict[str, dict] = {}  # job -> the node running it (for the UI's status and for tests)


def running() -> list[dict]:
    """Where this process's cluster jobs are running now (host, ip, node_id, task_id, pid)."""
    return list(_RUNNING.values())


def start_local(num_cpus: int = 2, temp_dir: str | None = None) -> str:
    """Start a local Ray cluster in this process (tests, or a one-machine setup); returns its address."""
    ray = _ray()
    with _LOCK:
        ray.init(num_cpus=num_cpus, num_gpus=0, include_dashboard=False, _temp_dir=temp_dir,
                 logging_level=logging.WARNING, log_to_driver=False, runtime_env=runtime_env())
        _STATE.update(address=ray.get_runtime_context().gcs_address, board=None)
        return _STATE["address"]


def _ships_our_code(ray) -> bool:
    env = ray.get_runtime_context().runtime_env or {}
    return bool(env.get("py_modules"))


def connect(address: str) -> "Cluster":
    """Connect this process to the Ray cluster at `address` (once; a new address reconnects)."""
    ray = _ray()
    with _LOCK:
        if ray.is_initialized():
            current = ray.get_runtime_context().gcs_address
            if address not in ("auto", current, _STATE["address"]) or not _ships_our_code(ray):
                ray.shutdown()
                _STATE.update(address=None, board=None)
        if not ray.is_initialized():
            try:
                ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
                         runtime_env=runtime_env())
            except Exception as exc:  # ConnectionError, RuntimeError, ValueError, ... from Ray
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ClusterError(f"cannot reach the Ray cluster at {address}: {first}. Start it on the GPU "
                                   f"machine with `ray start --head --port 6379` and check the address") from None
            _STATE["address"] = address
        if _STATE["board"] is None:
            _STATE["board"] = ray.remote(num_cpus=0)(SeamlineProgress).remote()
        return Cluster(address, _STATE["board"])


def describe_cluster(address: str) -> str:
    """One line for AI > Settings > Compute: what the cluster offers."""
    connect(address)
    ray = _ray()
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    res = ray.cluster_resources()
    return (f"connected to {address}: {len(nodes)} node(s), {res.get('CPU', 0):g} CPUs, {res.get('GPU', 0):g} GPUs, "
            f"{res.get('memory', 0) / 1e9:.0f} GB memory")


def _node() -> dict:
    import ray

    ctx = ray.get_runtime_context()
    return {"where": "ray", "host": socket.gethostname(), "ip": ray.util.get_node_ip_address(),
            "node_id": ctx.get_node_id(), "task_id": ctx.get_task_id(), "pid": os.getpid()}


def _remote_identities(models: dict) -> tuple[dict, dict]:
    from ai.models import identity, model_folder

    out = {}
    for role, ref in models.items():
        out[role] = identity(ref)
        folder = model_folder(ref)
        out[role]["bytes"] = sum(p.stat().st_size for p in folder.rglob("*.safetensors") if p.is_file())
    return out, _node()


def _remote_job(spec, board, job: str) -> dict:
    """Runs on a cluster worker: inputs from object refs, the tool's runner into a temporary folder, files back as
    bytes. The folder and any media written for it are removed whatever happens."""
    import ray

    from ai.spec import MediaInput, execute

    node = _node()
    board.post.remote(job, 0.0, "started", node)
    scratch = Path(tempfile.mkdtemp(prefix="seamline-job-"))
    try:
        inputs = {}
        for name, value in spec.inputs.items():
            if isinstance(value, ShippedMedia):
                path = scratch / "media" / value.name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(ray.get(value.ref))
                inputs[name] = MediaInput(str(path), value.start, value.length)
            else:
                inputs[name] = ray.get(value)
        spec = replace(spec, inputs=inputs)
        out = scratch / "out"
        out.mkdir()
        last = [0.0]

        def report(fraction: float, stage: str = "") -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1 or fraction >= 1.0:
                last[0] = now
                board.post.remote(job, float(fraction), stage)

        extra = execute(spec, out, report, lambda: False)  # ray.cancel interrupts the task
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
        return {"files": files, "extra": extra, "node": node}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class Cluster:
    def __init__(self, address: str, board):
        self.address, self.board = address, board
        self.node: dict | None = None  # where the current job runs (known once it starts)
        self.weights: dict = {}  # role -> identity with the weight files' bytes on the node (memory request)

    # -- what a job asks for -----------------------------------------------------------------------------------
    def resources(self, spec) -> dict:
        from ai.catalog import tool

        backend = tool(spec.tool).backend(spec.backend)
        if backend.kind != "generative":
            return {"num_cpus": 1}
        gpus = 0 if spec.model_settings.get("device") == "cpu" else 1
        weights = sum(i.get("bytes", 0) for i in self.weights.values())
        return {"num_cpus": 1, "num_gpus": gpus, "memory": int(max(0.5e9, 1.5 * weights))}

    def _feasible(self, spec, res: dict) -> None:
        import ray

        need = {"CPU": res.get("num_cpus", 0), "GPU": res.get("num_gpus", 0), "memory": res.get("memory", 0)}
        nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
        if any(all(n.get(k, 0) >= v for k, v in need.items() if v) for n in nodes):
            return
        if need["GPU"] and not any(n.get("GPU", 0) for n in nodes):
            raise ClusterError(f"the Ray cluster at {self.address} has no GPU, and the {spec.backend} backend asks "
                               f"for one; start the head on the GPU machine (`ray start --head`), or set the "
                               f"backend's device to 'cpu' in AI > Models")
        raise ClusterError(f"no node of the Ray cluster at {self.address} has what {spec.tool} ({spec.backend}) "
                           f"needs ({', '.join(f'{k} {v:g}' for k, v in need.items() if v)})")

    def identities(self, spec) -> dict:
        """The models' revisions and fingerprints where they will run (the cache key needs them)."""
        ray = _ray()
        gpus = 0 if spec.model_settings.get("device") == "cpu" else 1
        task = ray.remote(_remote_identities).options(num_cpus=0, num_gpus=gpus, max_retries=0,
                                                      name="seamline: model check")
        self._feasible(spec, {"num_gpus": gpus})
        try:
            found, node = ray.get(task.remote(dict(spec.models)))
        except Exception as exc:
            raise from_remote(exc, f"{spec.tool} ({spec.backend})", self.address, "checking the models for") from None
        self.weights = found
        return {role: {k: v for k, v in i.items() if k != "bytes"} for role, i in found.items()}

    # -- running -----------------------------------------------------------------------------------------------
    def ship(self, spec):
        """The spec with its inputs as object refs (media files as bytes)."""
        ray = _ray()
        from ai.spec import MediaInput

        inputs = {}
        for name, value in spec.inputs.items():
            if isinstance(value, MediaInput):
                inputs[name] = ShippedMedia(ray.put(Path(value.path).read_bytes()), Path(value.path).name,
                                            value.start, value.length)
            else:
                inputs[name] = ray.put(value)
        return replace(spec, inputs=inputs)

    def _follow(self, ref, job: str, report, cancelled) -> float | None:
        """Relay the task's progress until it ends; a cancel becomes ray.cancel (forced after a grace period).
        Returns when the cancel was sent (None: not cancelled)."""
        import ray

        cancel_at = None
        while True:
            ready, _ = ray.wait([ref], timeout=0.2)
            for fraction, stage, node in ray.get(self.board.take.remote(job)):
                if node is not None:
                    self.node = _RUNNING[job] = node
                    report(0.0, f"running on {node['host']}")
                else:
                    report(fraction, stage)
            if ready:
                return cancel_at
            if cancelled() and cancel_at is None:
                cancel_at = time.monotonic()
                ray.cancel(ref)
            elif cancel_at is not None and time.monotonic() - cancel_at > CANCEL_GRACE:
                ray.cancel(ref, force=True)
                cancel_at = float("inf")

    def run(self, spec, folder: Path, report, cancelled) -> tuple[dict, dict]:
        """Run the job on the cluster; its files are written into `folder`. Returns (extra provenance, node)."""
        ray = _ray()
        res = self.resources(spec)
        self._feasible(spec, res)
        job = uuid.uuid4().hex
        task = ray.remote(_remote_job).options(**res, max_retries=0,
                                               name=f"seamline: {spec.tool} ({spec.backend})")
        ref = task.remote(self.ship(spec), self.board, job)
        report(0.0, f"waiting for the cluster at {self.address}")
        try:
            cancel_at = self._follow(ref, job, report, cancelled)
        except BaseException:  # Ctrl+C or an error here: the task must not run on without anyone waiting
            ray.cancel(ref, force=True)
            _RUNNING.pop(job, None)
            raise
        try:
            out = ray.get(ref)
        except Exception as exc:
            if cancel_at is not None:
                raise JobCancelled(f"{spec.tool} was cancelled") from None
            raise from_remote(exc, f"{spec.tool} ({spec.backend})", self.address, "running", self.node) from None
        finally:
            _RUNNING.pop(job, None)
        for name, data in out["files"].items():
            (folder / name).write_bytes(data)
        return out["extra"], out["node"]


def from_remote(exc: Exception, what: str, address: str, doing: str, node: dict | None = None) -> Exception:
    """A Ray failure as the error a user can act on: the job's own error, a dead worker, or a cancel.
    `what` names the job ("fill-transition (builtin)", "render frames 0-250")."""
    import ray.exceptions as rx

    where = f" on {node['host']} ({node['ip']})" if node else ""
    if isinstance(exc, rx.TaskCancelledError):
        return JobCancelled(f"{what} was cancelled")
    if isinstance(exc, (rx.WorkerCrashedError, rx.NodeDiedError, rx.ObjectLostError, rx.OutOfMemoryError,
                        rx.LocalRayletDiedError)):
        return ClusterError(f"the Ray worker {doing} {what}{where} stopped before it finished (killed, or out of "
                            f"memory); nothing was saved. Run it again")
    cause = getattr(exc, "cause", None)
    if isinstance(cause, KeyboardInterrupt):
        return JobCancelled(f"{what} was cancelled")
    if isinstance(cause, Exception) and hasattr(cause, "args") and type(cause).__module__.startswith(
            ("ai.", "editor.")):  # Seamline's own errors say what to do: keep them, say where
        cause.args = (f"on the cluster{where}: {cause}",) + tuple(cause.args[1:])
        return cause
    if isinstance(cause, Exception):
        text = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        return ClusterError(f"{what} failed on the cluster{where}: {text}")
    if isinstance(exc, rx.RayError):
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ClusterError(f"the Ray cluster at {address} failed while {doing} {what}: {text}")
    return exc
