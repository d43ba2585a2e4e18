"""Frames between two source frames, for slow motion: nearest, blend, or optical flow.

The optical-flow interpolator is the fill tool's (ai/transition/flow.py). The render layer may not import ai/ (layer
contract), so the application hands it in at start-up: `register_flow(factory)` with factory(a, b) -> an object
whose frame(t) gives the picture at t in (0, 1). editor/cli.py and the editor window do it
(editor/actions/slow_motion.install_fill_flow).
Without it, "flow" falls back to a blend and says so once in the log.

The expensive part of flow (the motion fields) is per pair of source frames, so the last few pairs are kept: at
0.25x four output frames share one pair.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import cv2
import numpy as np

log = logging.getLogger(__name__)
MODES = ("nearest", "blend", "flow")
FLOW_BELOW = 0.75  # "auto": flow below this speed, nearest at and above it

_flow_factory = None
_warned = False


def register_flow(factory) -> None:
    global _flow_factory
    _flow_factory = factory


def flow_available() -> bool:
    return _flow_factory is not None


def choose(mode: str, speed: float) -> str:
    """The interpolation for a clip's retime setting at a speed magnitude."""
    if mode == "auto":
        return "flow" if speed < FLOW_BELOW else "nearest"
    return mode


class InBetweens:
    """Per renderer: in-between frames with the last pairs' flow kept."""

    def __init__(self, keep: int = 3):
        self._pairs: OrderedDict = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def frame(self, key, a: np.ndarray, b: np.ndarray, t: float, mode: str) -> np.ndarray:
        global _warned
        if t <= 1e-3 or mode == "nearest":
            return a
        if t >= 1 - 1e-3:
            return b
        if mode == "flow" and _flow_factory is None:
            if not _warned:
                log.warning("optical-flow slow motion is not installed here; blending frames instead")
                _warned = True
            mode = "blend"
        if mode == "blend" or a.shape != b.shape or a.shape[2] != 3:
            return cv2.addWeighted(a, 1.0 - t, b, t, 0.0)
        with self._lock:
            interp = self._pairs.get(key)
            if interp is not None:
                self._pairs.move_to_end(key)
        if interp is None:
            interp = _flow_factory(a, b)
            with self._lock:
                self._pairs[key] = interp
                while len(self._pairs) > self._keep:
                    self._pairs.popitem(last=False)
        return interp.frame(t)
