"""When whooshes happen in a clip (shared by the built-in and the generative sound backends)."""
from __future__ import annotations

import numpy as np


def whoosh_events(req) -> list[tuple[int, float]]:
    """(frame, direction) of every whoosh a SoundRequest asks for: its cuts and extra whooshes (a fill, ...). Not
    fast pans: a whoosh says "another shot", and a pan is the same shot moving."""
    a = req.analysis
    events = [(c, _direction_at(a, c)) for c in a.cuts] + list(req.extra_whooshes)
    return sorted(set(events))


def _direction_at(a, frame: int) -> float:
    lo, hi = max(0, frame - 8), min(a.frames, frame + 8)
    d = np.diff(a.position[lo:hi])
    return 1.0 if d.sum() >= 0 else -1.0
