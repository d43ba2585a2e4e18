"""Camera moves named the way a cinematographer names them, as per-frame camera parameters.

A pose is: yaw/pitch/roll in degrees (pan right, tilt up, roll clockwise positive), zoom (focal length factor),
translation (tx right, ty up, tz forward) in units of the focus subject's distance, and `dolly_zoom` which keeps the
subject's size by changing focal length as the camera travels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from ai.errors import AIError

EASINGS = {
    "linear": lambda t: t,
    "ease-in": lambda t: t * t,
    "ease-out": lambda t: 1 - (1 - t) * (1 - t),
    "ease-in-out": lambda t: 0.5 - 0.5 * math.cos(math.pi * t),
}


@dataclass
class Pose:
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    zoom: float = 1.0
    tx: float = 0.0
    ty: float = 0.0
    tz: float = 0.0
    dolly_zoom: bool = False

    def translational(self) -> bool:
        return abs(self.tx) + abs(self.ty) + abs(self.tz) > 1e-9


# the end pose of each move at intensity 1 (start pose is rest); "zoom" multiplies
MOVES: dict[str, dict] = {
    "push-in": {"tz": 0.35},
    "pull-out": {"tz": -0.35},
    "zoom-in": {"zoom": 1.6},
    "zoom-out": {"zoom": 1 / 1.6},
    "pan-left": {"yaw": -12.0},
    "pan-right": {"yaw": 12.0},
    "tilt-up": {"pitch": 8.0},
    "tilt-down": {"pitch": -8.0},
    "roll-right": {"roll": 10.0},
    "roll-left": {"roll": -10.0},
    "truck-left": {"tx": -0.22},
    "truck-right": {"tx": 0.22},
    "pedestal-up": {"ty": 0.18},
    "pedestal-down": {"ty": -0.18},
    "orbit-left": {"orbit": -14.0},
    "orbit-right": {"orbit": 14.0},
    "dolly-zoom-in": {"tz": 0.4, "dolly_zoom": True},
    "dolly-zoom-out": {"tz": -0.3, "dolly_zoom": True},
}
ALIASES = {"dolly-in": "push-in", "dolly-out": "pull-out", "crane-up": "pedestal-up", "crane-down": "pedestal-down",
           "arc-left": "orbit-left", "arc-right": "orbit-right", "dolly-zoom": "dolly-zoom-in",
           "vertigo": "dolly-zoom-in", "roll": "roll-right", "roll-clockwise": "roll-right",
           "roll-anticlockwise": "roll-left", "roll-counterclockwise": "roll-left", "zoom": "zoom-in",
           "push": "push-in", "pull": "pull-out"}
TRANSLATIONAL = {"push-in", "pull-out", "truck-left", "truck-right", "pedestal-up", "pedestal-down", "orbit-left",
                 "orbit-right", "dolly-zoom-in", "dolly-zoom-out"}


def canonical(move: str) -> str:
    m = move.strip().lower().replace("_", "-").replace(" ", "-")
    m = ALIASES.get(m, m)
    if m not in MOVES and m != "handheld":
        raise AIError(f"unknown camera move {move!r}; choose from {', '.join(sorted(MOVES))}, handheld")
    return m


@dataclass
class CameraPath:
    moves: list[str]
    frames: int
    intensity: float = 0.5
    easing: str = "ease-in-out"
    handheld: float = 0.0
    seed: int = 0

    def __post_init__(self):
        names = [canonical(m) for m in self.moves]
        if "handheld" in names:
            names.remove("handheld")
            self.handheld = max(self.handheld, 0.5)
        if len(names) > 2:
            raise AIError("combine at most two moves (for example push-in + pan-right)")
        if not names and self.handheld <= 0:
            raise AIError("choose a camera move")
        self.moves = names
        if self.easing not in EASINGS:
            raise AIError(f"unknown easing {self.easing!r}; choose {', '.join(EASINGS)}")
        if not 0.0 < self.intensity <= 1.0:
            raise AIError("intensity goes from 0 (none) to 1 (strong)")
        if self.frames < 2:
            raise AIError("a camera move needs at least 2 frames")

    def progress(self) -> np.ndarray:
        """Eased progress 0..1 at each frame."""
        ease = EASINGS[self.easing]
        return np.array([ease(k / (self.frames - 1)) for k in range(self.frames)])

    def poses(self) -> list[Pose]:
        out = []
        drift = self._handheld()
        for k, s in enumerate(self.progress()):
            p = Pose()
            for name in self.moves:
                spec = MOVES[name]
                i = self.intensity
                if "zoom" in spec:
                    p.zoom *= spec["zoom"] ** (i * s)
                for key in ("yaw", "pitch", "roll", "tx", "ty"):
                    if key in spec:
                        setattr(p, key, getattr(p, key) + spec[key] * i * s)
                if "tz" in spec:  # travel so the subject grows at a constant rate (1 / (1 - tz) is geometric)
                    p.tz += 1 - (1 - spec["tz"] * i) ** s
                if "orbit" in spec:  # travel on a circle around the subject, turning to keep it centred
                    theta = math.radians(spec["orbit"] * i * s)
                    p.tx += math.sin(theta)
                    p.tz += 1 - math.cos(theta)
                    p.yaw -= math.degrees(theta)
                if spec.get("dolly_zoom"):
                    p.dolly_zoom = True
            if drift is not None:
                p.yaw += drift[k, 0]
                p.pitch += drift[k, 1]
                p.roll += drift[k, 2]
            out.append(p)
        return out

    def _handheld(self) -> np.ndarray | None:
        """Slow smooth wander (sum of sines at a few Hz-ish rates), a fraction of a degree."""
        if self.handheld <= 0:
            return None
        rng = np.random.default_rng(self.seed)
        k = np.arange(self.frames)[:, None]
        amp = np.array([0.45, 0.35, 0.25]) * self.handheld
        out = np.zeros((self.frames, 3))
        for period in (97.0, 53.0, 31.0):
            phase = rng.uniform(0, 2 * math.pi, 3)
            out += np.sin(2 * math.pi * k / period + phase) * amp / 3
        return out - out[0]  # start at rest


def is_translational(moves: list[str]) -> bool:
    return any(canonical(m) in TRANSLATIONAL for m in moves if canonical(m) != "handheld")


def pose_fields() -> list[str]:
    return [f.name for f in fields(Pose)]
