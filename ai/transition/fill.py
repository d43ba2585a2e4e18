"""Fill transition: the frames that carry A's last frame into B's first frame."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, run_job
from ai.transition.flow import VERSION as FLOW_VERSION
from ai.transition.frame_times import times

BACKENDS = ("auto", "builtin", "rife", "wan", "ltx")
MIN_SECONDS, MAX_SECONDS = 0.25, 5.0


@dataclass
class FillRequest:
    a: np.ndarray  # RGB uint8, already fitted to the output size
    b: np.ndarray
    frames: int  # in-between frames; the i-th (1-based) at t = i / (frames + 1)
    fps: Fraction = Fraction(30)
    backend: str = "builtin"
    prompt: str = ""
    seed: int = 0
    model_settings: dict = field(default_factory=dict)  # per generative backend: see ai.models.ModelSettings

    def __post_init__(self):
        if self.a.shape != self.b.shape:
            raise AIError("A and B must be fitted to the same size")
        if self.frames < 1:
            raise AIError("a fill needs at least one frame")
        if self.frames > 600:
            raise AIError("a fill can be at most 600 frames; use a shorter duration")
        if self.backend not in BACKENDS:
            raise AIError(f"unknown fill backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")


def frames_for_seconds(seconds: float, fps) -> int:
    """In-between frames for a fill of `seconds` from A's last frame to B's first (a 1 s fill at 30 fps: 29)."""
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise AIError(f"a fill lasts {MIN_SECONDS}-{MAX_SECONDS:g} s, not {seconds:g} s")
    return max(1, int(round(seconds * float(fps))) - 1)


def choose_backend(req: FillRequest, same_shot: float) -> str:
    """auto: built-in for the same shot; a configured generative backend for different shots; else built-in."""
    if req.backend != "auto":
        return req.backend
    if same_shot >= 0.5:
        return "builtin"
    from ai.models import configured_backends

    for name in configured_backends("fill-transition"):
        return name
    return "builtin"


def fill_transition(req: FillRequest, progress: Callable[[float, str], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> tuple[list[np.ndarray], dict]:
    """Run a fill; returns the frames and provenance details (backend used, shot score, model)."""
    report = progress or (lambda f, s="": None)
    backend = req.backend
    info: dict = {}
    flow = None
    if backend in ("auto", "builtin"):
        from ai.transition.flow import FlowInterpolator

        report(0.02, "optical flow")
        flow = FlowInterpolator(req.a, req.b)
        info["same_shot"] = round(flow.stats.same_shot, 3)
        backend = choose_backend(req, flow.stats.same_shot)
    info["backend_used"] = backend
    if backend == "builtin":
        report(0.1, "in-between frames")
        frames = flow.frames(times(req.frames), progress=lambda f: report(0.1 + 0.9 * f, "in-between frames"),
                             cancelled=cancelled)
        return frames, info
    if backend == "rife":
        from ai.transition.rife import rife_fill

        frames, rife_info = rife_fill(req, report, cancelled)
        info.update(rife_info)
        return frames, info
    from ai.transition.generative import generate_fill

    frames, gen_info = generate_fill(backend, req, report, cancelled)
    info.update(gen_info)
    return frames, info


def _other_version(backend: str) -> str:
    if backend == "rife":
        from ai.transition.rife import VERSION

        return VERSION
    return ""


def run_fill_job(req: FillRequest, generated: Path, progress=None, cancelled=None,
                 sources: list[dict] | None = None) -> JobResult:
    """The fill as a job: numbered PNGs + provenance in `generated`, cached by inputs and parameters."""
    from ai.media_io import write_pngs

    model = None
    if req.backend == "rife":  # fails here, with how to get them, when the weights are missing
        from ai.transition.rife import weights_path

        model = str(weights_path())
    elif req.backend in ("wan", "ltx"):
        from ai.models import settings_for

        model = settings_for(req.backend, req.model_settings).model
    spec = JobSpec(tool="fill-transition", backend=req.backend,
                   params={"frames": req.frames, "fps": str(req.fps), "prompt": req.prompt, "seed": req.seed,
                           "size": [req.a.shape[1], req.a.shape[0]]},
                   inputs={"a": req.a, "b": req.b}, model=model, sources=sources or [],
                   version=FLOW_VERSION if req.backend in ("auto", "builtin") else _other_version(req.backend))

    def work(folder: Path, report, is_cancelled):
        frames, info = fill_transition(req, report, is_cancelled)
        write_pngs(frames, folder)
        return info

    return run_job(spec, generated, work, progress, cancelled)
