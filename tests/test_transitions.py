"""The transitions library renders: every kind goes from A to B, looks like its name half way, and the compositor
draws it on a real timeline (what the preview and the export show)."""
from fractions import Fraction

import numpy as np
import pytest

from editor.render.transitions import LABELS, blend, fit_duration, preview_frames
from editor.timeline.model import TRANSITION_KINDS


def cards(w=64, h=36):
    a = np.zeros((h, w, 3), np.uint8)
    a[:] = (200, 40, 40)
    b = np.zeros((h, w, 3), np.uint8)
    b[:] = (40, 40, 200)
    return a, b


@pytest.mark.parametrize("kind", TRANSITION_KINDS)
def test_each_kind_starts_on_a_and_ends_on_b(kind):
    a, b = cards()
    assert np.abs(blend(kind, a, b, 0.0).astype(int) - a).mean() < 2
    assert np.abs(blend(kind, a, b, 1.0).astype(int) - b).mean() < 2
    mid = blend(kind, a, b, 0.5)
    assert mid.shape == a.shape and mid.dtype == np.uint8
    assert np.abs(mid.astype(int) - a).mean() > 10 and np.abs(mid.astype(int) - b).mean() > 10


def test_the_kinds_look_like_their_names_half_way():
    a, b = cards()
    red, blue = a[0, 0], b[0, 0]
    assert blend("dip-to-black", a, b, 0.5).max() < 10
    assert blend("dip-to-white", a, b, 0.5).min() > 245
    w = blend("wipe-right", a, b, 0.5)
    assert (w[:, 2] == blue).all() and (w[:, -3] == red).all()  # B comes in from the left
    w = blend("wipe-up", a, b, 0.5)
    assert (w[-2] == blue).all() and (w[1] == red).all()
    s = blend("slide-left", a, b, 0.5)
    assert (s[:, -2] == blue).all() and (s[:, 2] == red).all()  # B slides in from the right over A
    ramp = np.tile(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], (36, 1, 3))
    pushed = blend("push-left", ramp, b, 0.5)
    assert pushed[0, 0, 0] > 100  # A's right half has moved to the left edge
    d = blend("dissolve", a, b, 0.5)
    assert abs(int(d[0, 0, 0]) - 120) < 3


def test_every_kind_has_a_label_and_a_looping_preview():
    for kind in TRANSITION_KINDS:
        if kind in ("wipe", "crossfade"):
            continue
        assert kind in LABELS
        frames = preview_frames(kind, (48, 27), 8)
        assert len(frames) >= 8 and frames[0].shape == (27, 48, 3)
        assert not np.array_equal(frames[0], frames[-1])


def test_fit_duration_keeps_a_transition_inside_both_clips():
    assert fit_duration(30, 100, 100) == 30
    assert fit_duration(30, 5, 100) == 11  # 5 before the cut, 6 after
    assert fit_duration(30, 0, 100) == 0


def test_compositor_draws_library_transitions_on_the_timeline(tmp_path):
    from editor.actions.media import project_for_files
    from editor.render.compositor import Compositor
    from editor.timeline import edits
    from mediagen import write_video

    red = [np.full((72, 128, 3), (210, 30, 30), np.uint8)] * 60
    blue = [np.full((72, 128, 3), (30, 30, 210), np.uint8)] * 60
    write_video(tmp_path / "red.mp4", red)
    write_video(tmp_path / "blue.mp4", blue)
    p = project_for_files([tmp_path / "red.mp4", tmp_path / "blue.mp4"], rate=Fraction(30))
    v = p.video_tracks()[0]
    a, b = v.clips
    for kind, check in (("dip-to-black", lambda f: f.mean() < 12),
                        ("wipe-right", lambda f: f[:, 5, 2] .mean() > 150 and f[:, -5, 0].mean() > 150),
                        ("push-left", lambda f: f[:, -5, 2].mean() > 150 and f[:, 5, 0].mean() > 150)):
        q = edits.add_transition(p, v.id, a.id, b.id, kind, 20)
        comp = Compositor(q)
        frame = comp.frame(a.end)  # the middle of the transition (centred on the cut)
        assert check(frame.astype(float)), kind
        assert comp.frame(a.end - 15)[..., 0].mean() > 150  # before it: all A
        comp.pool.close()
