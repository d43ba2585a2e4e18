"""Arranging clips at the Session/edit layer: blank projects, insert/overwrite/swap, ripple moves, close all gaps,
project settings, generated clips put in without covering footage (issue 16 bugs 4, 5, 7 and the missing basics)."""
from fractions import Fraction

import pytest

from editor.actions.media import lay_asset
from editor.session import Session
from editor.timeline import arrange, edits
from editor.timeline.model import Clip, EditError, MediaAsset, Project, ProjectSettings
from editor.timeline.validate import problems


def assets():
    return {"dog": MediaAsset(id="dog", path="/m/dog.mp4", kind="video", rate=Fraction(30), frames=300,
                              has_audio=True, width=1280, height=720),
            "cups": MediaAsset(id="cups", path="/m/cups.mp4", kind="video", rate=Fraction(30), frames=300,
                               has_audio=True, width=1280, height=720),
            "photo": MediaAsset(id="photo", path="/m/p.png", kind="image", rate=Fraction(30), width=640, height=480),
            "song": MediaAsset(id="song", path="/m/s.wav", kind="audio", rate=Fraction(30), frames=3000)}


def cut(*names_and_lengths):
    """V1/A1 with clips laid end to end (videos with their sound linked on A1)."""
    p = arrange.blank_project(ProjectSettings(1280, 720, Fraction(30)))
    p = Project(**{**p.__dict__, "assets": assets()})
    v1, a1 = p.tracks[0].id, p.tracks[1].id
    at = 0
    for name, n in names_and_lengths:
        p = lay_asset(p, name, v1, at, "overwrite")
        c = p.track(v1).clip_at(at)
        if c.duration != n:
            p = edits.trim(p, c.id, "out", n - c.duration)
        at += n
    return p, v1, a1


def layout(p, tid):
    return [(c.asset_id, c.start, c.end) for c in p.track(tid).clips]


def in_sync(p):
    for t in p.tracks:
        for c in t.clips:
            for _, other in p.linked(c.id):
                assert (other.start, other.duration, other.source_in) == (c.start, c.duration, c.source_in)
    assert problems(p) == []


def test_a_new_project_has_v1_and_a1_and_the_first_drop_lands():  # bug 4
    s = Session(arrange.blank_project())
    assert [(t.kind, t.name) for t in s.project.tracks] == [("video", "V1"), ("audio", "A1")]
    s.apply("Import", edits.add_asset, assets()["dog"])
    s.apply("Drop", lay_asset, "dog", s.project.tracks[0].id, 0, "insert")
    assert layout(s.project, s.project.tracks[0].id) == [("dog", 0, 300)]
    assert layout(s.project, s.project.tracks[1].id) == [("dog", 0, 300)]  # its sound, linked
    in_sync(s.project)


def test_drops_make_a_track_where_none_fits():
    p, v1, a1 = cut(("dog", 100))
    p2 = lay_asset(p, "photo", a1, 0, "insert")  # a photo on the audio track: it goes on a video track
    assert layout(p2, v1)[0] == ("photo", 0, 120) and layout(p2, v1)[1][1] == 120
    p3 = lay_asset(p, "photo", None, 40, "overwrite")  # beside the tracks: a new video track on top
    assert [t.name for t in p3.video_tracks()] == ["V1", "V2"] and layout(p3, p3.video_tracks()[1].id) == [
        ("photo", 40, 160)]
    locked = edits.set_track_property(p, v1, "lock", True)
    p4 = lay_asset(locked, "photo", v1, 0, "overwrite")  # a locked track is left alone: a new one is made
    assert layout(p4, v1) == layout(p, v1) and len(p4.video_tracks()) == 2
    p5 = lay_asset(p, "song", None, 0, "overwrite")
    assert p5.tracks[-1].kind == "audio" and layout(p5, p5.tracks[-1].id) == [("song", 0, 3000)]


def test_overwrite_takes_the_covered_clips_linked_sound_too():  # bug 5
    p, v1, a1 = cut(("dog", 100), ("cups", 100))
    p = lay_asset(p, "photo", v1, 50, "overwrite")  # a 120-frame photo over the end of dog and most of cups
    assert layout(p, v1) == [("dog", 0, 50), ("photo", 50, 170), ("cups", 170, 200)]
    # no orphaned sound under the photo: the covered part of dog's and cups' sound went with their pictures
    assert layout(p, a1) == [("dog", 0, 50), ("cups", 170, 200)]
    in_sync(p)


def test_insert_pushes_everything_after_in_sync_and_splits_at_a_point_inside_a_clip():
    p, v1, a1 = cut(("dog", 100), ("cups", 100))
    music = edits.add_track(p, "audio", name="Music", track_id="mus")
    music = edits.overwrite(music, "mus", Clip(id="bed", asset_id="song", start=0, duration=1000))
    q = lay_asset(music, "photo", v1, 100, "insert")  # at the cut
    assert layout(q, v1) == [("dog", 0, 100), ("photo", 100, 220), ("cups", 220, 320)]
    assert layout(q, a1) == [("dog", 0, 100), ("cups", 220, 320)]
    assert layout(q, "mus") == [("song", 0, 1000)]  # the music bed under the cut stays put
    in_sync(q)
    r = lay_asset(p, "photo", v1, 30, "insert")  # inside dog: dog is split, its sound too
    assert layout(r, v1) == [("dog", 0, 30), ("photo", 30, 150), ("dog", 150, 220), ("cups", 220, 320)]
    in_sync(r)
    p1, v1b, _ = cut(("dog", 100))
    s = lay_asset(p1, "photo", v1b, 250, "insert")  # in empty time: nothing needs to move
    assert layout(s, v1b) == [("dog", 0, 100), ("photo", 250, 370)]


def test_insert_move_reorders_and_swap_exchanges():
    p, v1, a1 = cut(("dog", 100), ("cups", 60), ("photo", 80))
    c_photo = p.track(v1).clips[2]
    q = arrange.move(p, c_photo.id, 100, None, "insert")  # drag the photo onto the dog/cups cut
    assert layout(q, v1) == [("dog", 0, 100), ("photo", 100, 180), ("cups", 180, 240)]
    assert layout(q, a1) == [("dog", 0, 100), ("cups", 180, 240)]
    in_sync(q)
    dog, cups = p.track(v1).clips[0], p.track(v1).clips[1]
    r = arrange.move(p, dog.id, 240, None, "insert")  # to the end
    assert layout(r, v1) == [("cups", 0, 60), ("photo", 60, 140), ("dog", 140, 240)]
    in_sync(r)
    s = arrange.swap(p, dog.id, cups.id)
    assert layout(s, v1) == [("cups", 0, 60), ("dog", 60, 160), ("photo", 160, 240)]
    assert layout(s, a1) == [("cups", 0, 60), ("dog", 60, 160)]
    in_sync(s)
    with pytest.raises(EditError):
        arrange.swap(p, dog.id, p.track(a1).clips[1].id)  # not on the same track


def test_overwrite_move_takes_the_covered_clips_sound():
    p, v1, a1 = cut(("dog", 100), ("cups", 100), ("photo", 80))
    photo = p.track(v1).clips[2]
    q = arrange.move(p, photo.id, 20, None, "overwrite")
    assert layout(q, v1) == [("dog", 0, 20), ("photo", 20, 100), ("cups", 100, 200)]
    assert layout(q, a1) == [("dog", 0, 20), ("cups", 100, 200)]
    in_sync(q)


def test_ripple_move_and_close_all_gaps():
    p, v1, a1 = cut(("dog", 100), ("cups", 100))
    cups = p.track(v1).clips[1]
    q = arrange.ripple_move(p, cups.id, 30)
    assert layout(q, v1) == [("dog", 0, 100), ("cups", 130, 230)] and layout(q, a1)[1][1] == 130
    with pytest.raises(EditError):
        arrange.ripple_move(p, cups.id, -10)  # no empty time before it
    q = arrange.move(q, q.track(v1).clips[0].id, 15)
    r = arrange.close_all_gaps(q, v1)
    assert layout(r, v1) == [("dog", 0, 100), ("cups", 100, 200)]
    in_sync(r)
    with pytest.raises(EditError, match="no gaps"):
        arrange.close_all_gaps(r, v1)


def test_project_settings_change_keeps_every_clip_at_the_same_time():
    p, v1, a1 = cut(("dog", 300), ("photo", 60))  # dog: all of its media
    p = edits.trim(p, p.track(v1).clips[0].id, "in", 210)  # its last 3 s (a clip that ends where its media does)
    p = arrange.close_all_gaps(p, v1)
    p = edits.add_transition(p, v1, p.track(v1).clips[0].id, p.track(v1).clips[1].id, "dissolve", 30)
    q = arrange.set_settings(p, 1080, 1920, Fraction(60))
    assert (q.settings.width, q.settings.height, q.settings.rate) == (1080, 1920, 60)
    assert layout(q, v1) == [("dog", 0, 180), ("photo", 180, 300)]  # 3 s and 2 s, as before
    assert q.track(v1).transitions[0].duration == 60 and q.meta["settings_chosen"]
    in_sync(q)
    assert arrange.size_for("9:16", 1080) == (1080, 1920) and arrange.size_for("4:5", 1080) == (1080, 1350)
    assert arrange.aspect_of(1280, 720) == "16:9" and arrange.aspect_of(1000, 1000) == "1:1"
    s = Session(p)
    s.apply("Project settings", arrange.set_settings, 1280, 720, Fraction(25))
    s.undo()
    assert s.project.state() == p.state()


def test_a_camera_move_goes_in_at_the_playhead_without_covering_footage():  # bug 7
    from editor.actions.ai_results import insert_generated_clip

    p, v1, a1 = cut(("dog", 100), ("cups", 100))
    move = MediaAsset(id="move", path="/g/move.mp4", kind="video", rate=Fraction(30), frames=150,
                      provenance={"tool": "camera-move"})
    q = insert_generated_clip(p, move, v1, 40)
    assert layout(q, v1) == [("dog", 0, 40), ("move", 40, 190), ("dog", 190, 250), ("cups", 250, 350)]
    total = sum(c.duration for c in q.track(v1).clips if c.asset_id != "move")
    assert total == 200  # all 200 frames of footage are still there
    in_sync(q)


def test_every_library_transition_can_be_added_and_validated():
    from editor.timeline.model import TRANSITION_KINDS

    p, v1, a1 = cut(("dog", 60), ("cups", 60))
    a, b = p.track(v1).clips
    for kind in TRANSITION_KINDS:
        q = edits.add_transition(p, v1, a.id, b.id, kind, 20)
        assert q.track(v1).transitions[0].kind == kind and problems(q) == []
    with pytest.raises(EditError):
        edits.add_transition(p, v1, a.id, b.id, "spin-around", 20)


def test_the_new_arrange_edits_are_undoable_steps():
    p, v1, a1 = cut(("dog", 100), ("cups", 60), ("photo", 80))
    s = Session(p)
    photo = p.track(v1).clips[2]
    s.apply("Move", arrange.move, photo.id, 100, None, "insert")
    s.apply("Swap", arrange.swap, p.track(v1).clips[0].id, photo.id)
    s.apply("Close", arrange.close_all_gaps, v1) if any(
        x.start != y.end for x, y in zip(s.project.track(v1).clips[1:], s.project.track(v1).clips)) else None
    while s.can_undo:
        s.undo()
    assert s.project.state() == p.state()
