"""Camera move tool: a still (or a clip) + named moves -> a clip, through the built-in or a generative backend.

The tool's shape: analysis (which depth model, which LoRA) -> a job spec (the picture by content, a moving source as
a media range, every move parameter) -> the runner writes `move.mp4` (or PNG frames) -> one timeline edit
(editor/actions/ai_results.add_generated_clip).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ai.camera.paths import CameraPath, canonical, is_translational
from ai.catalog import tool as get_tool
from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, MediaInput, run_job

TOOL = "camera-move"
BACKENDS = tuple(get_tool(TOOL).choices())


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
    clip: str | None = None  # a moving source: its file (None: the still); frame k of the move shows
    clip_start: int = 0  # source frame clip_start + k * clip_ratio
    clip_ratio: Fraction = Fraction(1)  # source frames per output frame
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


def depth_model_for(req: MoveRequest) -> str | None:
    """The analysis for travel moves: the depth model to use (the request's, else a configured one, else None:
    the built-in depth estimate)."""
    if req.backend != "builtin" or not is_translational(req.moves):
        return None
    if req.depth_model:
        return req.depth_model
    from ai.models import missing_packages, weights_present

    if not missing_packages("depth") and weights_present("depth"):
        from ai.settings import settings_for

        return settings_for("depth").model
    return None


def builtin_frames(req: MoveRequest, report=None, cancelled=None, clip_frames: Callable[[int], np.ndarray] | None
                   = None, depth_model: str | None = None) -> Iterator[np.ndarray]:
    """Frames of the move, rendered one by one (depth is estimated once, on the first picture)."""
    from ai.camera.depth import depth_map
    from ai.camera.render import MoveRenderer

    report = report or (lambda f, s="": None)
    path = req.path()
    depth = None
    if is_translational(req.moves):
        report(0.02, "depth")
        depth = depth_map(req.source, req.focus, model=depth_model)
    renderer = MoveRenderer(req.source, path, req.size, hfov=req.hfov, focus=req.focus, depth=depth)
    n = path.frames
    for k in range(n):
        if cancelled is not None and cancelled():
            from ai.errors import JobCancelled

            raise JobCancelled("the camera move was cancelled")
        src = clip_frames(k) if clip_frames is not None else None
        yield renderer.frame(k, src)
        report(0.05 + 0.9 * (k + 1) / n, "rendering")


def move_spec(req: MoveRequest, sources: list[dict] | None = None, fmt: str = "mp4") -> JobSpec:
    backend = get_tool(TOOL).backend(req.backend)
    params = {"moves": req.moves, "size": list(req.size), "fps": str(Fraction(req.fps)), "duration": req.duration,
              "intensity": req.intensity, "easing": req.easing, "focus": list(req.focus), "handheld": req.handheld,
              "hfov": req.hfov, "seed": req.seed, "format": fmt}
    inputs: dict = {"source": req.source}
    if req.clip and backend.kind == "built-in":  # generative backends start from the still
        params["clip_ratio"] = str(Fraction(req.clip_ratio))
        inputs["clip"] = MediaInput(str(req.clip), req.clip_start, math.ceil(req.frames * req.clip_ratio) + 1)
    settings, roles = {}, {}
    if backend.kind == "generative":
        from ai.camera.generative import model_roles
        from ai.settings import settings_for

        params = {k: v for k, v in params.items() if k in backend.options or k in ("size", "fps", "duration",
                                                                                   "format")}
        params["prompt"] = req.prompt
        s = settings_for(backend.settings_key, req.model_settings)
        settings, roles = s.as_dict(), model_roles(req, s)
    else:
        depth = depth_model_for(req)
        if depth:
            roles["depth"] = depth
    return JobSpec(tool=TOOL, backend=req.backend, params=params, inputs=inputs, model_settings=settings,
                   models=roles, sources=sources or [])


def request_from_spec(spec: JobSpec) -> MoveRequest:
    p = spec.params
    clip = spec.inputs.get("clip")
    return MoveRequest(source=spec.inputs["source"], moves=list(p["moves"]), size=tuple(p["size"]),
                       fps=Fraction(p["fps"]), duration=p["duration"], intensity=p.get("intensity", 0.5),
                       easing=p.get("easing", "ease-in-out"), focus=tuple(p.get("focus", (0.5, 0.5))),
                       handheld=p.get("handheld", 0.0), hfov=p.get("hfov", 60.0), backend=spec.backend,
                       prompt=p.get("prompt", ""), seed=p.get("seed", 0),
                       clip=clip.path if clip else None, clip_start=clip.start if clip else 0,
                       clip_ratio=Fraction(p.get("clip_ratio", "1")), model_settings=spec.model_settings,
                       depth_model=spec.models.get("depth"))


def run_spec(spec: JobSpec, folder: Path, report, cancelled) -> dict:
    """The runner: move.mp4 (or numbered PNGs when the spec asks for format "png")."""
    from ai.media_io import write_pngs, write_video

    req = request_from_spec(spec)
    reader = None
    try:
        if req.backend == "builtin":
            clip_frames = None
            if req.clip:
                from editor.media.reader import open_visual

                reader = open_visual(req.clip)
                clip_frames = _clip_frames(reader, req)
            frames = builtin_frames(req, report, cancelled, clip_frames, req.depth_model)
            info = {"depth": "model" if req.depth_model else "built-in"} if is_translational(req.moves) else {}
        else:
            from ai.camera.generative import generate_move

            frames, info = generate_move(req, report, cancelled)
        if spec.params.get("format") == "png":
            write_pngs(frames, folder)
        else:
            write_video(frames, folder / "move.mp4", req.fps)
    finally:
        if reader is not None and hasattr(reader, "close"):
            reader.close()
    return {"frames": req.frames, **info}


def _clip_frames(reader, req: MoveRequest):
    def frame(k: int) -> np.ndarray:
        return reader.frame(req.clip_start + int(k * req.clip_ratio))

    return frame


def run_move_job(req: MoveRequest, cache=None, progress=None, cancelled=None, sources: list[dict] | None = None,
                 cluster: str | None = None, fmt: str = "mp4") -> JobResult:
    """The move as a job: `move.mp4` + provenance in the cache, keyed by content and parameters."""
    return run_job(move_spec(req, sources, fmt), cache, progress, cancelled, cluster)


def default_size(w: int, h: int, longest: int = 1920) -> tuple[int, int]:
    s = min(1.0, longest / max(w, h))
    return max(16, int(math.floor(w * s / 2)) * 2), max(16, int(math.floor(h * s / 2)) * 2)
