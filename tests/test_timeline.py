"""Timeline edits: behaviour, validation, linked clips, locks. Each edit returns a new project; the old one is
untouched (it is the undo state and every reader's snapshot)."""
from fractions import Fraction

import pytest

from editor.timeline import edits
from editor.timeline.model import Clip, EditError, MediaAsset, Project, ProjectSettings
from editor.timeline.validate import problems


def make_project():
    p = Project(settings=ProjectSettings(640, 360, Fraction(30000, 1001)))
    p = edits.add_asset(p, MediaAsset(id="m1", path="/media/a.mp4", kind="video", rate=Fraction(30000, 1001),
                                      frames=300, has_audio=True))
    p = edits.add_asset(p, MediaAsset(id="m2", path="/media/b.mp4", kind="video", rate=Fraction(25), frames=100))
    p = edits.add_asset(p, MediaAsset(id="img", path="/media/c.png", kind="image", frames=None))
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.add_track(p, "video", track_id="v2")
    p = edits.add_track(p, "audio", track_id="a1")
    p = edits.overwrite(p, "v1", Clip(id="c1", asset_id="m1", start=0, duration=100, source_in=10, link="L1"))
    p = edits.overwrite(p, "a1", Clip(id="c1a", asset_id="m1", start=0, duration=100, source_in=10, link="L1"))
    p = edits.overwrite(p, "v1", Clip(id="c2", asset_id="m2", start=100, duration=60))
    p = edits.overwrite(p, "v1", Clip(id="c3", asset_id="img", start=200, duration=50))
    return p


def starts(p, track="v1"):
    return [(c.id, c.start, c.duration, c.source_in) for c in p.track(track).clips]


def test_insert_ripples_later_clips_and_leaves_the_old_project_alone():
    p = make_project()
    before = p.state()
    q = edits.insert(p, "v1", Clip(id="n", asset_id="img", start=100, duration=30))
    assert starts(q) == [("c1", 0, 100, 10), ("n", 100, 30, 0), ("c2", 130, 60, 0), ("c3", 230, 50, 0)]
    assert p.state() == before
    assert q.track("a1") is p.track("a1")  # untouched tracks are shared, not copied


def test_insert_inside_a_clip_splits_it():
    p = edits.insert(make_project(), "v1", Clip(id="n", asset_id="img", start=50, duration=10))
    ids = [(c.start, c.duration, c.source_in) for c in p.track("v1").clips]
    assert ids[:3] == [(0, 50, 10), (50, 10, 0), (60, 50, 60)]


def test_overwrite_trims_what_it_lands_on():
    p = edits.overwrite(make_project(), "v1", Clip(id="n", asset_id="img", start=90, duration=20))
    # 10 frames at 29.97 = 8 source frames at 25
    assert starts(p)[:3] == [("c1", 0, 90, 10), ("n", 90, 20, 0), (starts(p)[2][0], 110, 50, 8)]


def test_move_carries_linked_audio_and_refuses_other_kind_track():
    p = edits.move(make_project(), "c1", 300)
    assert p.track("a1").clips[0].start == 300 and p.track("v1").clip("c1").start == 300
    with pytest.raises(EditError):
        edits.move(p, "c2", 0, track_id="a1")
    q = edits.move(p, "c2", 10, track_id="v2")
    assert q.track("v2").clips[0].id == "c2" and p.track("v2").clips == ()


def test_trim_is_bounded_by_media_and_moves_linked_clip():
    p = edits.trim(make_project(), "c1", "in", 5)
    c1, c1a = p.track("v1").clip("c1"), p.track("a1").clips[0]
    assert (c1.start, c1.source_in, c1.duration) == (5, 15, 95) == (c1a.start, c1a.source_in, c1a.duration)
    p = edits.trim(p, "c1", "in", -5)
    c1 = p.track("v1").clip("c1")
    assert (c1.start, c1.source_in, c1.duration) == (0, 10, 100)
    with pytest.raises(EditError, match="no media before"):
        edits.trim(p, "c2", "in", -1)
    # c2: 25 fps source, 100 frames = 4 s = 119 project frames at 29.97
    with pytest.raises(EditError, match="past the end of its media"):
        edits.trim(p, "c2", "out", 70)
    with pytest.raises(EditError, match="overlap"):
        edits.trim(p, "c2", "out", 50)  # would run into c3 at 200


def test_split_keeps_frames_and_links_right_halves():
    p = edits.split(make_project(), "c1", 40)
    v = p.track("v1").clips
    a = p.track("a1").clips
    assert (v[0].duration, v[1].start, v[1].source_in) == (40, 40, 50)
    assert (a[0].duration, a[1].start, a[1].source_in) == (40, 40, 50)
    assert v[1].link == a[1].link and v[1].link != v[0].link
    with pytest.raises(EditError):
        edits.split(p, "c2", 100)  # at its first frame: not inside


def test_delete_ripple_delete_close_gap():
    p = make_project()
    q = edits.ripple_delete(p, ["c2"])
    assert starts(q) == [("c1", 0, 100, 10), ("c3", 140, 50, 0)]
    p = edits.delete(p, ["c1"])
    assert p.track("a1").clips == () and p.track("v1").clips[0].id == "c2"
    p = edits.close_gap(p, "v1", 5)
    assert starts(p) == [("c2", 0, 60, 0), ("c3", 100, 50, 0)]
    with pytest.raises(EditError, match="no gap"):
        edits.close_gap(p, "v1", 10)


def test_ripple_delete_keeps_picture_and_sound_in_sync():
    """The reported bug: V1 a clip without sound, then one with linked audio; ripple-deleting the first moved the
    second's picture but left its sound (and the sound layers under it) behind."""
    p = Project(settings=ProjectSettings(640, 360, Fraction(30)))
    p = edits.add_asset(p, MediaAsset(id="silent", path="/m/s.mp4", kind="video", frames=152))
    p = edits.add_asset(p, MediaAsset(id="talk", path="/m/t.mp4", kind="video", frames=300, has_audio=True))
    p = edits.add_asset(p, MediaAsset(id="wind", path="/m/w.wav", kind="audio", frames=300))
    for tid, kind in (("v1", "video"), ("a1", "audio"), ("fx", "audio")):
        p = edits.add_track(p, kind, track_id=tid)
    p = edits.overwrite(p, "v1", Clip(id="a", asset_id="silent", start=0, duration=152))
    p = edits.overwrite(p, "v1", Clip(id="b", asset_id="talk", start=152, duration=300, link="L"))
    p = edits.overwrite(p, "a1", Clip(id="ba", asset_id="talk", start=152, duration=300, link="L"))
    p = edits.overwrite(p, "fx", Clip(id="w", asset_id="wind", start=152, duration=300))
    q = edits.ripple_delete(p, ["a"])
    assert [c.start for t in q.tracks for c in t.clips] == [0, 0, 0]
    assert problems(q) == []


def test_ripple_leaves_a_music_bed_that_runs_across_the_cut():
    p = make_project()
    p = edits.add_asset(p, MediaAsset(id="song", path="/m/song.mp3", kind="audio", frames=3000))
    p = edits.add_track(p, "audio", track_id="music")
    p = edits.overwrite(p, "music", Clip(id="bed", asset_id="song", start=0, duration=600))
    q = edits.ripple_delete(p, ["c2"])
    assert q.track("music") is p.track("music")


def test_transitions_need_touching_clips_and_follow_edits():
    p = make_project()
    with pytest.raises(EditError, match="touch"):
        edits.add_transition(p, "v1", "c2", "c3")
    p = edits.add_transition(p, "v1", "c1", "c2", "dissolve", 20, transition_id="x1")
    with pytest.raises(EditError, match="already"):
        edits.add_transition(p, "v1", "c1", "c2")
    assert edits.move(p, "c2", 120).track("v1").transitions == ()


def test_asymmetric_transition_must_fit_its_clips():
    p = edits.add_transition(make_project(), "v1", "c1", "c2", "dissolve", 20, before=5)
    x = p.track("v1").transitions[0]
    assert (x.frames_before, x.frames_after) == (5, 15)
    with pytest.raises(EditError, match="longer than the clips"):
        edits.add_transition(make_project(), "v1", "c1", "c2", "dissolve", 80, before=5)  # 75 after > c2's 60


def test_locked_track_refuses_every_edit_that_touches_it():
    p = edits.set_track_property(make_project(), "v1", "lock", True)
    for fn, args in [(edits.move, ("c2", 120)), (edits.delete, (["c2"],)), (edits.split, ("c2", 130)),
                     (edits.ripple_delete, (["c1a"],)), (edits.trim, ("c1a", "out", -10)),
                     (edits.set_clip_property, ("c2", "volume", 0.5)), (edits.remove_track, ("v1",)),
                     (edits.overwrite, ("v1", Clip(id="n", asset_id="img", start=300, duration=5)))]:
        with pytest.raises(EditError, match="locked"):
            fn(p, *args)
    # switches stay usable, and so does everything on other tracks
    p = edits.set_track_property(p, "v1", "mute", True)
    p = edits.overwrite(p, "v2", Clip(id="n", asset_id="img", start=0, duration=5))
    assert edits.set_track_property(p, "v1", "lock", False).track("v1").lock is False


def test_properties_validate():
    p = edits.set_clip_property(make_project(), "c2", "volume", 0.5)
    assert p.find_clip("c2")[1].volume == 0.5
    for name, value in [("volume", -1), ("pan", 2), ("opacity", 1.5), ("fade_in", 1000), ("start", 3),
                        ("volume", float("nan")), ("volume", True)]:
        with pytest.raises(EditError):
            edits.set_clip_property(p, "c2", name, value)


def test_lookups_are_indexed_and_follow_the_version():
    p = make_project()
    v1 = p.track("v1")
    assert v1.clip_at(99).id == "c1" and v1.clip_at(100).id == "c2" and v1.clip_at(170) is None
    assert [c.id for c in v1.clips_between(90, 201)] == ["c1", "c2", "c3"]
    q = edits.move(p, "c3", 400)
    assert q.track("v1").clip_at(200) is None and q.track("v1").clip_at(400).id == "c3"
    assert v1.clip_at(200).id == "c3"  # the old version still answers for itself


def test_keyframes_interpolate_with_easing_and_survive_split_and_trim():
    from editor.timeline.keyframes import value_at, values

    p = edits.set_keyframe(make_project(), "c1", "volume", 0, 1.0)
    p = edits.set_keyframe(p, "c1", "volume", 40, 0.0, "ease-in-out")
    p = edits.set_keyframe(p, "c1", "volume", 80, 1.0, "hold")
    keys = p.track("v1").clip("c1").keyframes["volume"]
    assert value_at(keys, 20, 1.0) == pytest.approx(0.5)  # linear half way
    assert value_at(keys, 50, 1.0) == pytest.approx(0.15625)  # a quarter of the way, eased: smoothstep(0.25)
    assert value_at(keys, 90, 1.0) == 1.0 and value_at(keys, -5, 0.3) == 1.0
    assert values(keys, [20, 50, 60], 1.0) == pytest.approx([value_at(keys, f, 1.0) for f in (20, 50, 60)])
    before = [value_at(keys, f, 1.0) for f in range(100)]
    q = edits.split(p, "c1", 30)
    left, right = q.track("v1").clips[:2]
    after = [value_at(left.keyframes["volume"], f, 1.0) for f in range(30)] + [
        value_at(right.keyframes["volume"], f, 1.0) for f in range(70)]
    assert after == pytest.approx(before)  # the curve does not change where the clip was cut
    r = edits.trim(p, "c1", "in", 10)
    assert [value_at(r.track("v1").clip("c1").keyframes["volume"], f, 1.0) for f in range(90)] == pytest.approx(
        before[10:])
    with pytest.raises(EditError):
        edits.set_keyframe(p, "c1", "volume", 500, 1.0)
    assert edits.remove_keyframe(p, "c1", "volume", 40).track("v1").clip("c1").keyframes["volume"][1].frame == 80


def test_a_ripple_that_would_pull_a_transition_apart_is_refused():
    """Opening time on another track at the frame of V1's dissolved cut moves the clip after the cut and not the one
    before it: the dissolve would join two clips that no longer touch (only the ends of a moved run are checked)."""
    from editor.timeline.model import EditError

    p = edits.add_transition(make_project(), "v1", "c1", "c2", "dissolve", 10)

    @edits.edit
    def open_time(project):
        return edits.ripple(project, 100, 20, {"v2"})

    with pytest.raises(EditError, match="two clips that touch"):
        open_time(p)
    without = edits.remove_transition(p, p.track("v1").transitions[0].id)
    assert open_time(without).track("v1").clip("c2").start == 120  # without the dissolve it opens
