"""The Session: one edit path, a bounded history of deltas, groups, change events, snapshots for other threads."""
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from editor.session import Session
from editor.timeline import edits
from editor.timeline.model import Clip, EditError, new_id
from editor.timeline.validate import problems
from test_timeline import make_project


def _random_edit(p, draw):
    clips = [c for t in p.tracks for c in t.clips]
    kind = draw(st.sampled_from(["insert", "overwrite", "move", "trim", "split", "delete", "ripple", "gap",
                                 "prop", "track", "transition", "reorder", "lock"]))
    n = draw(st.integers(0, 400))
    if kind in ("insert", "overwrite"):
        t = draw(st.sampled_from([t for t in p.tracks if t.kind == "video"]))
        asset = draw(st.sampled_from(["m1", "m2", "img"]))
        c = Clip(id=new_id("c"), asset_id=asset, start=n, duration=draw(st.integers(1, 60)),
                 source_in=draw(st.integers(0, 20)))
        return (edits.insert if kind == "insert" else edits.overwrite), (t.id, c)
    if kind == "track":
        return edits.add_track, (draw(st.sampled_from(["video", "audio"])),)
    if kind == "reorder":
        return edits.move_track, (draw(st.sampled_from(p.tracks)).id, draw(st.integers(0, len(p.tracks) - 1)))
    if kind == "lock":
        t = draw(st.sampled_from(p.tracks))
        return edits.set_track_property, (t.id, "lock", not t.lock)
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
    if kind == "ripple":  # one clip, or several (a ripple per clip, noted as shifts: see delta.note_shift)
        more = draw(st.lists(st.sampled_from(clips), max_size=2))
        return edits.ripple_delete, (list(dict.fromkeys([c.id] + [o.id for o in more])),)
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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_undo_all_redo_all_snapshots_and_validity(data):
    s = Session(make_project())
    original = s.project.state()
    snapshots = []
    for _ in range(data.draw(st.integers(1, 25))):
        step = _random_edit(s.project, data.draw)
        if step is None:
            continue
        fn, args = step
        snap, frozen = s.snapshot(), s.snapshot().state()
        locked = {t.id: t for t in snap.tracks if t.lock}
        try:
            s.apply(fn.__name__, fn, *args)
        except EditError:
            assert s.project is snap  # a refused edit changes nothing
        assert snap.state() == frozen  # a snapshot taken before an edit is unchanged after it
        snapshots.append((snap, frozen))
        assert problems(s.project) == []  # valid after every step
        for tid, t in locked.items():  # nothing changed on a locked track but its switches
            now = next((x for x in s.project.tracks if x.id == tid), None)
            assert now is not None and now.clips == t.clips and now.transitions == t.transitions
    edited = s.project.state()
    while s.can_undo:
        s.undo()
        assert problems(s.project) == []
    assert s.project.state() == original
    while s.can_redo:
        s.redo()
    assert s.project.state() == edited
    assert all(snap.state() == frozen for snap, frozen in snapshots)


def test_history_is_bounded_and_grouped_steps_undo_as_one():
    s = Session(make_project(), history_limit=5)
    for i in range(8):
        s.apply("Move", edits.move, "c3", 300 + i)
    assert len(s.history()) == 5
    with s.group("Two edits"):
        s.apply("Split", edits.split, "c1", 50)
        s.apply("Move", edits.move, "c3", 500)
    assert s.undo_label == "Two edits"
    s.undo()
    assert s.project.track("v1").clip("c3").start == 307 and len(s.project.track("v1").clips) == 3


def test_a_failing_group_rolls_back_whole():
    s = Session(make_project())
    before = s.project
    with pytest.raises(EditError):
        with s.group("Fill"):
            s.apply("Split", edits.split, "c1", 50)
            s.apply("Bad", edits.split, "c2", 100)  # not inside the clip
    assert s.project is before and not s.can_undo


def test_listeners_hear_what_changed():
    s = Session(make_project())
    heard = []
    s.subscribe(heard.append)
    s.apply("Volume", edits.set_clip_property, "c2", "volume", 0.5)
    s.apply("Track", edits.add_track, "audio", track_id="a9")
    s.undo()
    assert heard[0].kind == "edit" and heard[0].clips == {"c2"} and heard[0].tracks == {"v1"}
    assert heard[1].structure and heard[2].kind == "undo" and "a9" in heard[2].tracks


def test_modified_follows_save_point(tmp_path):
    s = Session(make_project())
    assert not s.modified
    s.apply("Move", edits.move, "c3", 300)
    assert s.modified
    s.save(tmp_path / "p.seam")
    assert not s.modified
    s.undo()
    assert s.modified
    s.redo()
    assert not s.modified
    assert Session.open(tmp_path / "p.seam").project.track("v1").clip("c3").start == 300


def test_edits_come_from_the_owning_thread_only():
    s = Session(make_project())
    errors = []
    t = threading.Thread(target=lambda: errors.append(pytest.raises(RuntimeError, s.undo)))
    t.start()
    t.join()
    assert errors


def test_a_render_reads_a_snapshot_while_thousands_of_edits_happen():
    """10,000 edits on the UI thread while a reader thread renders from snapshots: every snapshot it holds stays
    exactly what it was when taken, and is valid."""
    from editor.timeline.validate import problems

    s = Session(make_project())
    stop = threading.Event()
    seen, bad = [0], []

    def reader():
        while not stop.is_set():
            snap = s.snapshot()
            frozen = [(t.id, [(c.id, c.start, c.duration, c.source_in) for c in t.clips]) for t in snap.tracks]
            for n in range(0, snap.duration, 7):  # what a compositor asks: the clip at each frame
                for t in snap.tracks:
                    t.clip_at(n)
            again = [(t.id, [(c.id, c.start, c.duration, c.source_in) for c in t.clips]) for t in snap.tracks]
            if frozen != again or problems(snap):
                bad.append(frozen)
            seen[0] += 1

    th = threading.Thread(target=reader)
    th.start()
    try:
        for i in range(10_000):
            k = i % 4
            if k == 0:
                s.apply("Move", edits.move, "c3", 200 + (i % 50))
            elif k == 1:
                s.apply("Volume", edits.set_clip_property, "c2", "volume", (i % 10) / 10)
            elif k == 2:
                s.apply("Split", edits.split, "c1", 50)
            else:
                s.undo()
    finally:
        stop.set()
        th.join()
    assert not bad and seen[0] > 10


def test_lookups_stay_right_when_a_clip_moves_to_an_earlier_track():
    """The project index is derived from the previous one: a clip leaving a later track for an earlier one must be
    found on the earlier one afterwards (and after undo)."""
    s = Session(make_project())
    s.apply("Move", edits.move, "c2", 300, "v2")
    s.apply("Back", edits.move, "c2", 100, "v1")
    assert s.project.track_of("c2").id == "v1" and s.project.find_clip("c1a")[0].id == "a1"
    s.undo()
    assert s.project.track_of("c2").id == "v2"
    assert problems(s.project) == []


def test_undo_of_clips_that_change_places_restores_their_order():
    """Two clips swapping places move past each other: undo must put them back in time order."""
    s = Session(make_project())
    s.apply("Move c3 away", edits.move, "c3", 400)
    s.apply("Move c2 later", edits.move, "c2", 300)
    s.apply("Move c3 first", edits.move, "c3", 100)
    before = s.project.state()
    s.undo()
    s.undo()
    s.redo()
    s.redo()
    assert s.project.state() == before
    assert [c.start for c in s.project.track("v1").clips] == sorted(c.start for c in s.project.track("v1").clips)
