"""Where the in-between frames of a fill sit in time (shared by the built-in and the generative backends)."""
from __future__ import annotations


def times(n: int) -> list[float]:
    """The n in-between times strictly between A (0) and B (1), evenly spaced."""
    return [i / (n + 1) for i in range(1, n + 1)]
