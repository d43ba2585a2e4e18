"""What makes a clip's motion settings valid: speeds within 0.1x-16x, a ramp's direction carried by a +-1 warp,
keyframed values within their property's limits (validate.clip_problems calls this for every touched clip)."""
from __future__ import annotations

from editor.timeline import timing
from editor.timeline.model import ANIMATABLE


def reversed_(clip) -> bool:
    return timing.warp_of(clip).direction < 0


def problems(project, clip) -> list[str]:
    if not clip.effects and not clip.keyframes:
        return []
    name = clip.name or clip.id
    out = []
    if clip.effects:
        w = timing.warp_of(clip)
        s = abs(w.scalar)
        if not w.frozen and not timing.MIN_SPEED - 1e-9 <= s <= timing.MAX_SPEED + 1e-9:
            out.append(f"clip {name}: speed {s:g}x is outside {timing.MIN_SPEED:g}x-{timing.MAX_SPEED:g}x")
        if w.keys and s != 1.0:
            out.append(f"clip {name}: a speed ramp keeps its direction in a time warp of 1 or -1, not {w.scalar:g}")
    for prop, keys in (clip.keyframes or {}).items():
        bounds = ANIMATABLE.get(prop)
        if bounds is None:
            continue  # a property this version does not animate: kept as it came
        lo, hi = bounds
        bad = next((k for k in keys if not lo <= k.value <= hi), None)
        if bad is not None:
            out.append(f"clip {name}: {prop} keyframe at frame {bad.frame} is {bad.value:g}, outside {lo:g}..{hi:g}")
    return out
