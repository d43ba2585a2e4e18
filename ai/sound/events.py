"""When whooshes happen in a clip (shared by the built-in and the generative sound backends)."""
from __future__ import annotations

import numpy as np


def whoosh_events(req) -> list[tuple[int, float]]:
    """(frame, direction) of every whoosh a SoundRequest asks for: its cuts, fast moves and extra whooshes."""
    a = req.analysis
    events = [(c, _direction_at(a, c)) for c in a.cuts] + list(a.fast_moves) + list(req.extra_whooshes)
    return sorted(set(events))


def _direction_at(a, frame: int) -> float:
    lo, hi = max(0, frame - 8), min(a.frames, frame + 8)
    d = np.diff(a.position[lo:hi])
    return 1.0 if d.sum() >= 0 else -1.0
