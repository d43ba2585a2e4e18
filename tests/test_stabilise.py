"""Stabilise: a shaky clip made for the test (a still scene filmed with a trembling, slowly panning camera) has much
less frame-to-frame jitter after stabilising, the pan is kept, no black borders show, and analysis is cached and
cancellable; the compositor shows the correction as soon as the analysis exists."""
from fractions import Fraction

import cv2
import numpy as np
import pytest

from editor.actions.media import asset_from_info
from editor.errors import AnalysisCancelled
from editor.media import stabilise
from editor.media.probe import probe
from editor.render.compositor import Compositor
from editor.timeline import edits, motion_edits as me
from editor.timeline.model import Clip, Project, ProjectSettings
from mediagen import write_video


def shaky_clip(path, n=60, size=(320, 180), seed=7):
    rng = np.random.default_rng(seed)
    scene = cv2.resize(rng.integers(0, 255, (60, 100, 3), np.uint8), (800, 480), interpolation=cv2.INTER_CUBIC)
    scene = cv2.GaussianBlur(scene, (0, 0), 1.2)
    shake = rng.normal(0, 3.0, (n, 2))
    pan = np.stack([np.linspace(0, 60, n), np.zeros(n)], axis=1)  # the operator pans right on purpose
    turn = rng.normal(0, 0.6, n)
    frames = []
    for i in range(n):
        cx, cy = 400 + pan[i, 0] + shake[i, 0], 240 + shake[i, 1]
        m = cv2.getRotationMatrix2D((cx, cy), turn[i], 1.0)
        m[:, 2] += np.array([size[0] / 2 - cx, size[1] / 2 - cy])
        frames.append(cv2.warpAffine(scene, m, size, flags=cv2.INTER_LINEAR))
    write_video(path, frames)
    return path


def jitter(frames):
    """Mean frame-to-frame change of motion (px): a steady pan scores 0, shake scores high."""
    shifts = []
    for a, b in zip(frames, frames[1:]):
        ga, gb = (np.float32(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)) for x in (a, b))
        (dx, dy), _ = cv2.phaseCorrelate(ga, gb)
        shifts.append((dx, dy))
    s = np.asarray(shifts)
    return float(np.abs(np.diff(s, axis=0)).sum(axis=1).mean()), s[:, 0].mean()


def test_stabilising_lowers_jitter_keeps_the_pan_and_hides_borders(tmp_path):
    src = shaky_clip(tmp_path / "shaky.mp4")
    p = Project(settings=ProjectSettings(320, 180, Fraction(30)))
    a = asset_from_info(probe(src), Fraction(30))
    p = edits.add_track(edits.add_asset(p, a), "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=a.id, start=0, duration=60))
    before = [Compositor(p).frame(n) for n in range(60)]
    q = me.set_stabilisation(p, "c", strength=1.0)
    assert [np.array_equal(Compositor(q).frame(n), before[n]) for n in (0, 30)] == [True, True]  # not analysed yet
    calls = []
    with pytest.raises(AnalysisCancelled):
        stabilise.analyse(src, cancelled=lambda: calls.append(1) or len(calls) > 5)
    assert stabilise.load(src) is None
    seen = []
    stabilise.analyse(src, progress=seen.append)
    assert seen[-1] == 1.0 and stabilise.load(src) is not None
    comp = Compositor(q)
    after = [comp.frame(n) for n in range(60)]
    j0, pan0 = jitter(before)
    j1, pan1 = jitter(after)
    print(f"\njitter {j0:.2f} -> {j1:.2f} px/frame; pan {pan0:.2f} -> {pan1:.2f} px/frame")
    assert j1 < j0 / 3
    assert pan1 == pytest.approx(pan0, abs=0.35)  # the intended pan stays
    edges = np.concatenate([f[[0, -1]].reshape(-1, 3) for f in after] + [f[:, [0, -1]].reshape(-1, 3) for f in after])
    assert (edges.max(axis=1) < 8).mean() < 0.01  # the zoom hides the borders the correction uncovers
    gentle = me.set_stabilisation(p, "c", strength=0.3)
    j2, _ = jitter([Compositor(gentle).frame(n) for n in range(60)])
    assert j1 <= j2 < j0
    # the L1-optimal path: steady inside a corridor (at full strength a slow pan that fits in it becomes a still shot)
    l1 = me.set_stabilisation(p, "c", strength=1.0, method="l1")
    frames = [Compositor(l1).frame(n) for n in range(60)]
    j3, pan3 = jitter(frames)
    print(f"L1 path: jitter {j3:.2f} px/frame; pan {pan3:.2f} px/frame")
    assert j3 < j0 / 3
    edges = np.concatenate([f[[0, -1]].reshape(-1, 3) for f in frames])
    assert (edges.max(axis=1) < 8).mean() < 0.01
