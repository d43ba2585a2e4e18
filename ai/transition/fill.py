"""Fill transition: the frames that carry A's last frame into B's first frame.

The tool's shape: analysis (is it the same shot? which backend, for "auto") -> a job spec (A and B by content,
the frame count, rate and backend options) -> the runner writes numbered PNGs and `fill.mp4` -> one timeline edit
(editor/actions/ai_results.insert_fill).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from ai.catalog import tool as get_tool
from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, run_job
from ai.transition.frame_times import times

TOOL = "fill-transition"
BACKENDS = tuple(get_tool(TOOL).choices())
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
    model_settings: dict = field(default_factory=dict)  # per generative backend: see ai.settings.ModelSettings

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


def choose_backend(req: FillRequest) -> tuple[str, dict]:
    """The analysis: "auto" takes the built-in fill for the same shot and a configured generative backend for
    different shots (the built-in one when none is configured). Returns the backend and what was measured."""
    if req.backend != "auto":
        return req.backend, {}
    from ai.models import configured_backends

    configured = configured_backends(TOOL)
    if not configured:
        return "builtin", {}
    from ai.transition.flow import shot_stats

    same = shot_stats(req.a, req.b).same_shot
    return ("builtin" if same >= 0.5 else configured[0]), {"same_shot": round(same, 3)}


def fill_transition(req: FillRequest, progress: Callable[[float, str], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> tuple[list[np.ndarray], dict]:
    """Run a fill here; returns the frames and provenance details (backend used, shot score, model)."""
    report = progress or (lambda f, s="": None)
    backend, info = choose_backend(req)
    info["backend_used"] = backend
    if backend == "builtin":
        from ai.transition.flow import FlowInterpolator

        report(0.02, "optical flow")
        flow = FlowInterpolator(req.a, req.b)
        info["same_shot"] = round(flow.stats.same_shot, 3)
        report(0.1, "in-between frames")
        frames = flow.frames(times(req.frames), progress=lambda f: report(0.1 + 0.85 * f, "in-between frames"),
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


def fill_spec(req: FillRequest, sources: list[dict] | None = None) -> JobSpec:
    backend, analysis = choose_backend(req)
    params = {"frames": req.frames, "fps": str(Fraction(req.fps)), "size": [req.a.shape[1], req.a.shape[0]]}
    settings, roles = {}, {}
    if backend == "rife":  # fails here, with how to get them, when the weights are missing
        from ai.transition.rife import weights_path

        roles = {"weights": str(weights_path())}
    elif backend != "builtin":
        from ai.settings import settings_for

        params.update(prompt=req.prompt, seed=req.seed)
        s = settings_for(backend, req.model_settings)
        settings, roles = s.as_dict(), {"pipeline": s.model}
    return JobSpec(tool=TOOL, backend=backend, params=params, inputs={"a": req.a, "b": req.b},
                   model_settings=settings, models=roles, sources=(sources or []) + (
                       [{"analysis": analysis}] if analysis else []))


def run_spec(spec: JobSpec, folder: Path, report, cancelled) -> dict:
    """The runner: PNG frames (lossless, for the CLI) and fill.mp4 (for the timeline)."""
    from ai.media_io import write_pngs, write_video

    p = spec.params
    req = FillRequest(a=spec.inputs["a"], b=spec.inputs["b"], frames=p["frames"], fps=Fraction(p["fps"]),
                      backend=spec.backend, prompt=p.get("prompt", ""), seed=p.get("seed", 0),
                      model_settings=spec.model_settings)
    frames, info = fill_transition(req, lambda f, s="": report(0.95 * f, s), cancelled)
    report(0.96, "writing")
    write_pngs(frames, folder)
    write_video(frames, folder / "fill.mp4", req.fps)
    return info


def run_fill_job(req: FillRequest, cache=None, progress=None, cancelled=None, sources: list[dict] | None = None,
                 cluster: str | None = None) -> JobResult:
    """The fill as a job: numbered PNGs + fill.mp4 + provenance in the cache, keyed by content and parameters."""
    return run_job(fill_spec(req, sources), cache, progress, cancelled, cluster)
