"""Timeline edits: behaviour, validation, linked clips, undo that restores exactly."""
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from editor.timeline import edits
from editor.timeline.model import Clip, EditError, MediaAsset, Project, ProjectSettings, new_id


def make_project():
    p = Project(settings=ProjectSettings(640, 360, Fraction(30000, 1001)))
    p.assets["m1"] = MediaAsset("m1", "/media/a.mp4", "video", rate=Fraction(30000, 1001), frames=300,
                                has_audio=True)
    p.assets["m2"] = MediaAsset("m2", "/media/b.mp4", "video", rate=Fraction(25), frames=100)
    p.assets["img"] = MediaAsset("img", "/media/c.png", "image", frames=None)
    edits.add_track(p, "video", track_id="v1")
    edits.add_track(p, "video", track_id="v2")
    edits.add_track(p, "audio", track_id="a1")
    edits.overwrite(p, "v1", Clip("c1", "m1", 0, 100, source_in=10, link="L1"))
    edits.overwrite(p, "a1", Clip("c1a", "m1", 0, 100, source_in=10, link="L1"))
    edits.overwrite(p, "v1", Clip("c2", "m2", 100, 60))
    edits.overwrite(p, "v1", Clip("c3", "img", 200, 50))
    return p


def starts(p, track="v1"):
    return [(c.id, c.start, c.duration, c.source_in) for c in p.track(track).clips]


def test_insert_ripples_later_clips_and_undo_restores():
    p = make_project()
    before = p.state()
    undo = edits.insert(p, "v1", Clip("n", "img", 100, 30))
    assert starts(p) == [("c1", 0, 100, 10), ("n", 100, 30, 0), ("c2", 130, 60, 0), ("c3", 230, 50, 0)]
    redo = undo()
    assert p.state() == before
    redo()
    assert [c.id for c in p.track("v1").clips] == ["c1", "n", "c2", "c3"]


def test_insert_inside_a_clip_splits_it():
    p = make_project()
    edits.insert(p, "v1", Clip("n", "img", 50, 10))
    ids = [(c.start, c.duration, c.source_in) for c in p.track("v1").clips]
    assert ids[:3] == [(0, 50, 10), (50, 10, 0), (60, 50, 60)]


def test_overwrite_trims_what_it_lands_on():
    p = make_project()
    edits.overwrite(p, "v1", Clip("n", "img", 90, 20))
    assert starts(p)[:3] == [("c1", 0, 90, 10), ("n", 90, 20, 0), (starts(p)[2][0], 110, 50, 8)]  # 10 frames at 29.97 = 8 source frames at 25


def test_move_carries_linked_audio_and_refuses_other_kind_track():
    p = make_project()
    edits.move(p, "c1", 300)
    assert p.track("a1").clips[0].start == 300 and p.track("v1").clip("c1").start == 300
    with pytest.raises(EditError):
        edits.move(p, "c2", 0, track_id="a1")
    before = p.state()
    undo = edits.move(p, "c2", 10, track_id="v2")
    assert p.track("v2").clips[0].id == "c2"
    undo()
    assert p.state() == before


def test_trim_is_bounded_by_media_and_moves_linked_clip():
    p = make_project()
    edits.trim(p, "c1", "in", 5)
    c1, c1a = p.track("v1").clip("c1"), p.track("a1").clips[0]
    assert (c1.start, c1.source_in, c1.duration) == (5, 15, 95) == (c1a.start, c1a.source_in, c1a.duration)
    edits.trim(p, "c1", "in", -5)
    assert (c1.start, c1.source_in, c1.duration) == (0, 10, 100)
    with pytest.raises(EditError, match="no media before"):
        edits.trim(p, "c2", "in", -1)
    # c2: 25 fps source, 100 frames = 4 s = 119 project frames at 29.97
    before = p.state()
    with pytest.raises(EditError, match="past the end of its media"):
        edits.trim(p, "c2", "out", 70)
    assert p.state() == before
    with pytest.raises(EditError, match="overlap"):
        edits.trim(p, "c2", "out", 50)  # would run into c3 at 200
    assert p.state() == before


def test_split_keeps_frames_and_links_right_halves():
    p = make_project()
    edits.split(p, "c1", 40)
    v = p.track("v1").clips
    a = p.track("a1").clips
    assert (v[0].duration, v[1].start, v[1].source_in) == (40, 40, 50)
    assert (a[0].duration, a[1].start, a[1].source_in) == (40, 40, 50)
    assert v[1].link == a[1].link and v[1].link != v[0].link
    with pytest.raises(EditError):
        edits.split(p, "c2", 100)  # at its first frame: not inside


def test_delete_ripple_delete_close_gap():
    p = make_project()
    before = p.state()
    undo = edits.ripple_delete(p, ["c2"])
    assert starts(p) == [("c1", 0, 100, 10), ("c3", 140, 50, 0)]
    undo()
    assert p.state() == before
    edits.delete(p, ["c1"])
    assert p.track("a1").clips == [] and p.track("v1").clips[0].id == "c2"
    edits.close_gap(p, "v1", 5)
    assert starts(p) == [("c2", 0, 60, 0), ("c3", 100, 50, 0)]
    with pytest.raises(EditError, match="no gap"):
        edits.close_gap(p, "v1", 10)


def test_transitions_need_touching_clips_and_follow_edits():
    p = make_project()
    with pytest.raises(EditError, match="touch"):
        edits.add_transition(p, "v1", "c2", "c3")
    edits.add_transition(p, "v1", "c1", "c2", "dissolve", 20, transition_id="x1")
    with pytest.raises(EditError, match="already"):
        edits.add_transition(p, "v1", "c1", "c2")
    edits.move(p, "c2", 120)
    assert p.track("v1").transitions == []


def test_locked_track_refuses_edits():
    p = make_project()
    edits.set_track_property(p, "v1", "lock", True)
    before = p.state()
    for fn, args in [(edits.move, ("c2", 120)), (edits.delete, (["c2"],)), (edits.split, ("c2", 130))]:
        with pytest.raises(EditError, match="locked"):
            fn(p, *args)
        assert p.state() == before


def test_properties_validate():
    p = make_project()
    edits.set_clip_property(p, "c2", "volume", 0.5)
    assert p.find_clip("c2")[1].volume == 0.5
    for name, value in [("volume", -1), ("pan", 2), ("opacity", 1.5), ("fade_in", 1000), ("start", 3)]:
        with pytest.raises(EditError):
            edits.set_clip_property(p, "c2", name, value)


def test_composite_is_all_or_nothing():
    p = make_project()
    before = p.state()
    with pytest.raises(EditError):
        edits.composite(p, [(edits.move, ("c2", 300), {}), (edits.split, ("c3", 0), {})])
    assert p.state() == before
    undo = edits.composite(p, [(edits.move, ("c2", 300), {}), (edits.split, ("c3", 220), {})])
    assert len(p.track("v1").clips) == 4
    undo()
    assert p.state() == before


# -- property: any sequence of valid edits, then undo all, gives the original project exactly -----------------
def _random_edit(p: Project, draw):
    clips = [c for t in p.tracks for c in t.clips]
    kind = draw(st.sampled_from(["insert", "overwrite", "move", "trim", "split", "delete", "ripple", "gap",
                                 "prop", "track", "transition", "reorder"]))
    n = draw(st.integers(0, 400))
    if kind in ("insert", "overwrite"):
        t = draw(st.sampled_from([t for t in p.tracks if t.kind == "video"]))
        asset = draw(st.sampled_from(["m1", "m2", "img"]))
        c = Clip(new_id("c"), asset, n, draw(st.integers(1, 60)), source_in=draw(st.integers(0, 20)))
        return (edits.insert if kind == "insert" else edits.overwrite), (t.id, c)
    if kind == "track":
        return edits.add_track, (draw(st.sampled_from(["video", "audio"])),)
    if kind == "reorder":
        return edits.move_track, (draw(st.sampled_from(p.tracks)).id, draw(st.integers(0, len(p.tracks) - 1)))
    if not clips:
        return None
    c = draw(st.sampled_from(clips))
    if kind == "move":
        vt = [t.id for t in p.tracks if t.kind == p.find_clip(c.id)[0].kind]
        return edits.move, (c.id, n, draw(st.sampled_from(vt + [None])))
    if kind == "trim":
        return edits.trim, (c.id, draw(st.sampled_from(["in", "out"])), draw(st.integers(-30, 30)))
    if kind == "split":
        return edits.split, (c.id, c.start + draw(st.integers(0, c.duration)))
    if kind == "delete":
        return edits.delete, ([c.id],)
    if kind == "ripple":
        return edits.ripple_delete, ([c.id],)
    if kind == "gap":
        return edits.close_gap, (p.find_clip(c.id)[0].id, n)
    if kind == "prop":
        return edits.set_clip_property, (c.id, draw(st.sampled_from(["volume", "pan", "opacity", "fade_in"])),
                                         draw(st.floats(-0.5, 1.5)))
    t, _ = p.find_clip(c.id)
    nxt = [o for o in t.clips if o.start == c.end]
    if not nxt:
        return None
    return edits.add_transition, (t.id, c.id, nxt[0].id, "dissolve", draw(st.integers(2, 40)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_valid_edits_then_undo_all_restore_exactly(data):
    p = make_project()
    original = p.state()
    undos = []
    for _ in range(data.draw(st.integers(1, 25))):
        step = _random_edit(p, data.draw)
        if step is None:
            continue
        fn, args = step
        before = p.state()
        try:
            undos.append(fn(p, *args))
        except EditError:
            assert p.state() == before  # a refused edit changes nothing
    edited = p.state()
    redos = [u() for u in reversed(undos)]
    assert p.state() == original
    for r in reversed(redos):
        r()
    assert p.state() == edited  # redo brings every edit back
