"""Camera move tool: a still (or a clip) + named moves -> a clip, through the built-in or a generative backend."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ai.camera.paths import CameraPath, canonical, is_translational
from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, run_job

VERSION = "camera-1"
BACKENDS = ("builtin", "wan", "ltx", "animatediff")


@dataclass
class MoveRequest:
    source: np.ndarray | None  # RGB still (or the first frame of a clip)
    moves: list[str]
    size: tuple[int, int]
    fps: Fraction = Fraction(30)
    duration: float = 5.0
    intensity: float = 0.5
    easing: str = "ease-in-out"
    focus: tuple[float, float] = (0.5, 0.5)
    handheld: float = 0.0
    hfov: float = 60.0
    backend: str = "builtin"
    prompt: str = ""
    seed: int = 0
    clip_frames: Callable[[int], np.ndarray] | None = None  # frame k of a moving source (None: a still)
    clip_key: str = ""  # identifies the moving source for the cache
    model_settings: dict = field(default_factory=dict)
    depth_model: str | None = None  # a depth-estimation model folder/id (None: configured one, else built-in)

    def __post_init__(self):
        self.moves = [canonical(m) for m in self.moves]
        if self.backend not in BACKENDS:
            raise AIError(f"unknown camera backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if not 0.5 <= self.duration <= 60:
            raise AIError("a camera move lasts from 0.5 to 60 seconds")
        if not all(0.0 <= v <= 1.0 for v in self.focus):
            raise AIError("the focus point is given as x,y between 0 and 1")
        if not 10 <= self.hfov <= 120:
            raise AIError("the field of view goes from 10 to 120 degrees")
        w, h = self.size
        if w < 16 or h < 16 or w > 8192 or h > 8192:
            raise AIError("the output size must be between 16 and 8192 pixels on each side")

    @property
    def frames(self) -> int:
        return max(2, int(round(self.duration * float(self.fps))))

    def path(self) -> CameraPath:
        return CameraPath(self.moves, self.frames, self.intensity, self.easing, self.handheld, self.seed)


def _depth_model(req: MoveRequest) -> str | None:
    if req.depth_model:
        return req.depth_model
    from ai.models import missing_packages, settings_for, weights_present

    if not missing_packages("depth") and weights_present("depth"):
        return settings_for("depth").model
    return None


def builtin_frames(req: MoveRequest, report=None, cancelled=None) -> Iterator[np.ndarray]:
    """Frames of the move, rendered one by one (depth is estimated once, on the first picture)."""
    from ai.camera.depth import depth_map
    from ai.camera.render import MoveRenderer

    report = report or (lambda f, s="": None)
    path = req.path()
    depth = None
    if is_translational(req.moves):
        report(0.02, "depth")
        depth = depth_map(req.source, req.focus, model=_depth_model(req))
    renderer = MoveRenderer(req.source, path, req.size, hfov=req.hfov, focus=req.focus, depth=depth)
    n = path.frames
    for k in range(n):
        if cancelled is not None and cancelled():
            from ai.errors import JobCancelled

            raise JobCancelled("the camera move was cancelled")
        src = req.clip_frames(k) if req.clip_frames is not None else None
        yield renderer.frame(k, src)
        report(0.05 + 0.9 * (k + 1) / n, "rendering")


def run_move_job(req: MoveRequest, generated: Path, progress=None, cancelled=None,
                 sources: list[dict] | None = None) -> JobResult:
    """The move as a job: `move.mp4` + provenance in `generated`, cached by inputs and parameters."""
    from ai.media_io import write_video

    model = None
    if req.backend != "builtin":
        from ai.camera.generative import backend_name
        from ai.models import settings_for

        model = settings_for(backend_name(req.backend), req.model_settings).model
    params = {"moves": req.moves, "size": list(req.size), "fps": str(req.fps), "duration": req.duration,
              "intensity": req.intensity, "easing": req.easing, "focus": list(req.focus),
              "handheld": req.handheld, "hfov": req.hfov, "prompt": req.prompt, "seed": req.seed,
              "clip": req.clip_key}
    spec = JobSpec(tool="camera-move", backend=req.backend, params=params, inputs={"source": req.source},
                   model=model, sources=sources or [], version=VERSION)

    def work(folder: Path, report, is_cancelled):
        if req.backend == "builtin":
            frames = builtin_frames(req, report, is_cancelled)
            info = {"depth": "model" if _depth_model(req) else "built-in"} if is_translational(req.moves) else {}
        else:
            from ai.camera.generative import generate_move

            frames, info = generate_move(req, report, is_cancelled)
        write_video(frames, folder / "move.mp4", req.fps)
        return {"frames": req.frames, **info}

    return run_job(spec, generated, work, progress, cancelled)


def default_size(w: int, h: int, longest: int = 1920) -> tuple[int, int]:
    s = min(1.0, longest / max(w, h))
    return max(16, int(math.floor(w * s / 2)) * 2), max(16, int(math.floor(h * s / 2)) * 2)
