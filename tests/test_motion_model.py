"""Clip motion in the model: speed (warps, reverse, freeze, ramps) maps record frames to the right source frames,
lengths and media limits follow it; transform/colour/keyframe edits validate; keyframe easing; Ken Burns keys."""
from fractions import Fraction

import numpy as np
import pytest

from editor.timeline import edits, geometry, motion_edits as me, timing
from editor.timeline.keyframes import ease, value_at, values
from editor.timeline.model import Clip, Effect, EditError, Keyframe, MediaAsset, Project, ProjectSettings
from editor.timeline.validate import problems


def project(rate=Fraction(30), asset_rate=Fraction(30), frames=300):
    p = Project(settings=ProjectSettings(640, 360, rate))
    p = edits.add_asset(p, MediaAsset(id="m", path="/m.mp4", kind="video", rate=asset_rate, frames=frames,
                                      has_audio=True, width=1280, height=720))
    p = edits.add_track(p, "video", track_id="v")
    p = edits.add_track(p, "audio", track_id="a")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id="m", start=0, duration=100, source_in=50, link="L"))
    p = edits.overwrite(p, "a", Clip(id="ca", asset_id="m", start=0, duration=100, source_in=50, link="L"))
    return edits.overwrite(p, "v", Clip(id="d", asset_id="m", start=100, duration=30, source_in=0))


def shown(p, cid):
    _, c = p.find_clip(cid)
    return [p.source_frame(c, n) for n in range(c.start, c.end)]


@pytest.mark.parametrize("scalar,expect", [
    (2.0, [50 + 2 * k for k in range(6)]),
    (0.5, [50, 50, 51, 51, 52, 52]),
    (-1.0, [50, 49, 48, 47, 46, 45]),
    (-0.5, [50, 50, 49, 49, 48, 48]),
])
def test_a_linear_time_warp_shows_in_plus_k_times_the_scalar(scalar, expect):
    p = project()
    c = p.track("v").clip("c")
    c2 = c.model_copy(update={"effects": (Effect(kind="LinearTimeWarp", time_scalar=scalar),), "duration": 6})
    assert [p.source_frame(c2, n) for n in range(6)] == expect


def test_freeze_frame_holds_the_in_point_and_is_not_limited_by_the_media():
    p = project()
    c = p.track("v").clip("d").model_copy(update={"effects": (Effect(kind="FreezeFrame"),), "duration": 1000,
                                                  "source_in": 299})
    assert {p.source_frame(c, n) for n in range(100, 1100)} == {299}
    assert p.max_duration("m", 299, c) is None


def test_warp_across_rates_counts_the_media_rate():
    p = project(rate=Fraction(30), asset_rate=Fraction(60))
    c = p.track("v").clip("c").model_copy(update={"effects": (Effect(kind="LinearTimeWarp", time_scalar=0.5),)})
    # 0.5x of 60 fps media on a 30 fps timeline: one source frame per record frame
    assert [p.source_frame(c, n) for n in range(4)] == [50, 51, 52, 53]


def test_speed_edit_keeps_the_material_changes_the_length_and_ripples_in_sync():
    p = me.set_speed(project(), "c", 2.0)
    v, a = p.track("v").clip("c"), p.track("a").clip("ca")
    assert (v.duration, a.duration) == (50, 50) and timing.warp_of(a).scalar == 2.0
    assert p.track("v").clip("d").start == 50  # the next clip follows
    assert shown(p, "c")[-1] == 148 and problems(p) == []
    slow = me.set_speed(project(), "c", 0.5)
    assert slow.track("v").clip("c").duration == 200 and slow.track("v").clip("d").start == 200
    assert problems(slow) == []


def test_reverse_plays_the_same_frames_backwards():
    p = project()
    fwd = shown(p, "c")
    r = me.reverse(p, "c")
    assert shown(r, "c") == fwd[::-1]
    assert shown(me.reverse(r, "c"), "c") == fwd
    assert problems(r) == []


def test_media_limits_follow_the_speed():
    p = edits.delete(project(), ["d"])
    fast = me.set_speed(p, "c", 2.0)  # 2x from 50: 250 source frames = 125 record frames at most
    with pytest.raises(EditError, match="past the end of its media"):
        edits.trim(fast, "c", "out", 76)
    q = edits.trim(fast, "c", "out", 75)
    assert q.track("v").clip("c").duration == 125 and problems(q) == []
    r = me.reverse(p, "c")  # now starts at 149 and runs back: at most 150 frames
    assert r.max_duration("m", 149, r.track("v").clip("c")) == 150
    bad = r.track("v").clip("c").model_copy(update={"source_in": 20})
    assert r.max_duration("m", 20, bad) == 21


def test_freeze_frame_edit_holds_a_frame_and_pushes_the_rest_later():
    p = project()
    q = me.freeze_frame(p, "c", 40, 2.0)
    clips = q.track("v").clips
    assert [(c.start, c.duration) for c in clips] == [(0, 40), (40, 60), (100, 60), (160, 30)]
    frozen = clips[1]
    assert set(shown(q, frozen.id)) == {90}
    assert shown(q, clips[2].id)[0] == 90  # the clip goes on from the held frame
    assert q.track("a").clips[1].start == 100  # its sound waits (the linked right half moved with it)
    assert problems(q) == []


def test_speed_ramp_integrates_the_keyframed_speed():
    p = project(frames=3000)
    q = me.set_speed_ramp(p, "c", [(0, 1.0, "linear"), (60, 4.0, "linear")])
    c = q.track("v").clip("c")
    # integral of a line from 1 to 4 over 60 frames = 150; then 4x: at k = 90, 150 + 120
    pos = [timing.source_position(q, c, k) for k in (0, 30, 60, 90)]
    assert pos == pytest.approx([50, 50 + 30 * 1.75, 50 + 150, 50 + 270])
    # eased segments integrate exactly too (numerical check with a fine Riemann sum)
    q2 = me.set_speed_ramp(p, "c", [(0, 0.5, "ease-in-out"), (40, 3.0, "ease-in"), (70, 1.0, "ease-out"),
                                    (90, 2.0, "hold")])
    c2 = q2.track("v").clip("c")
    ks = c2.keyframes["speed"]
    for k in (13.0, 40.0, 55.5, 80.0, 99.0):
        fine = np.linspace(0, k, 200001)
        riemann = np.trapezoid(values(ks, fine, 1.0), fine)
        assert timing.source_position(q2, c2, k) - 50 == pytest.approx(riemann, abs=1e-4)
    # the clip cannot run past its media with a ramp either
    with pytest.raises(EditError, match="past the end"):
        me.set_speed_ramp(project(frames=300), "c", [(0, 16.0), (99, 16.0)])


def test_speed_and_key_limits_are_refused_with_a_message():
    p = project()
    with pytest.raises(EditError, match="between 0.1x and 16x"):
        me.set_speed(p, "c", 20)
    with pytest.raises(EditError, match="scale"):
        me.set_transform(p, "c", scale=0)
    with pytest.raises(EditError, match="no setting 'zoom'"):
        me.set_transform(p, "c", zoom=2)
    with pytest.raises(EditError, match="opacity keyframe at frame 3 is 2"):
        edits.set_keyframe(p, "c", "opacity", 3, 2.0)
    with pytest.raises(EditError, match="saturation"):
        me.set_colour(p, "c", saturation=-1)
    q = me.set_transform(p, "c", scale=1.5, rotation=30, crop_left=0.1, fit="fill", blend="screen")
    t = q.track("v").clip("c").transform
    assert (t.scale, t.rotation, t.crop_left, t.fit, t.blend) == (1.5, 30, 0.1, "fill", "screen")
    assert me.set_transform(q, "c", scale=1, rotation=0, crop_left=0, fit="fit", blend="normal").track(
        "v").clip("c").transform is None  # back to the default: the fast path again


def test_easing_curves_and_interpolation():
    assert [ease("ease-in", 0.5), ease("ease-out", 0.5), ease("ease-in-out", 0.5), ease("hold", 0.9)] == [
        0.125, 0.875, 0.5, 0.0]
    keys = (Keyframe(frame=0, value=0.0, ease="ease-in-out"), Keyframe(frame=10, value=10.0, ease="hold"),
            Keyframe(frame=20, value=0.0))
    assert value_at(keys, 2.5, 0) == pytest.approx(10 * (0.25 ** 2 * (3 - 0.5)))
    assert value_at(keys, 15, 0) == 10.0 and value_at(keys, 20, 0) == 0.0 and value_at(keys, -3, 0) == 0.0
    fr = np.array([0, 2.5, 5, 9.99, 10, 15, 19.9, 25])
    assert values(keys, fr, 0) == pytest.approx([value_at(keys, f, 0) for f in fr])


def test_ken_burns_keys_show_the_rectangles_filling_the_frame():
    p = Project(settings=ProjectSettings(1920, 1080))
    p = edits.add_asset(p, MediaAsset(id="s", path="/s.jpg", kind="image", frames=None, width=4000, height=3000))
    p = edits.add_track(p, "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id="s", start=0, duration=150))
    q = me.ken_burns(p, "c", (0.0, 0.0, 1.0, 0.75), (0.5, 0.5, 0.4, 0.3))
    c = q.track("v").clip("c")
    for k, rect in ((0, (0, 0, 4000, 2250)), (149, (2000, 1500, 1600, 900))):
        m = geometry.placement(geometry.transform_at(c, k), 4000, 3000, 1920, 1080)
        corners = geometry.apply(m, [(rect[0], rect[1]), (rect[0] + rect[2], rect[1] + rect[3])])
        assert corners.ravel() == pytest.approx([0, 0, 1920, 1080], abs=1e-6)
    assert problems(q) == []


def test_motion_settings_survive_save_and_load(tmp_path):
    from editor.project import load, save
    from editor.project.schema import from_document, to_document

    p = me.set_transform(project(), "c", x=0.1, rotation=12.5, crop_left=0.2, fit="fill", blend="screen")
    p = me.set_colour(p, "c", exposure=0.5, lut="/luts/film.cube")
    p = me.set_stabilisation(p, "c", strength=0.8)
    p = me.set_retime(p, "c", frames="blend", sound="on")
    p = me.set_speed(p, "c", 0.5, reverse=True)
    p = me.set_keys(p, "c", "scale", [(0, 1.0, "ease-in-out"), (50, 1.4)])
    save(p, tmp_path / "m.seam")
    q = load(tmp_path / "m.seam")
    assert q.state()["tracks"] == p.state()["tracks"]
    assert shown(q, "c") == shown(p, "c")
    doc = to_document(p)
    doc["tracks"][0]["clips"][0]["transform"]["scale"] = 0
    with pytest.raises(Exception, match=r"tracks\[0\]\.clips\[0\]\.transform\.scale: must be >= 0.01"):
        from_document(doc)
