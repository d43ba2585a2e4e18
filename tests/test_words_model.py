"""Titles and caption cues in the model: where they may go, their edits, .seam round trip, cues follow ripples."""
from fractions import Fraction

import pytest

from editor.project.fileio import load, save
from editor.session import Session
from editor.timeline import edits
from editor.timeline import text_edits as te
from editor.timeline.cues import width, wrap
from editor.timeline.model import CaptionStyle, Clip, EditError, MediaAsset, Project, ProjectSettings, Title
from editor.timeline.validate import problems


def make_project():
    p = Project(settings=ProjectSettings(640, 360, Fraction(25)))
    p = edits.add_asset(p, MediaAsset(id="m1", path="/media/a.mp4", kind="video", rate=Fraction(25), frames=500,
                                      has_audio=True))
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.add_track(p, "video", track_id="v2")
    p = edits.add_track(p, "audio", track_id="a1")
    for cid, start, src in (("c1", 0, 0), ("c2", 100, 200), ("c3", 200, 300)):
        p = edits.overwrite(p, "v1", Clip(id=cid, asset_id="m1", start=start, duration=100, source_in=src,
                                          link=f"L{cid}"))
        p = edits.overwrite(p, "a1", Clip(id=cid + "a", asset_id="m1", start=start, duration=100, source_in=src,
                                          link=f"L{cid}"))
    p = te.add_captions_track(p, track_id="cc")
    # two cues under each clip
    cues = [(s + 10, s + 40, f"cue {s} a") for s in (0, 100, 200)] + [(s + 50, s + 90, f"cue {s} b")
                                                                      for s in (0, 100, 200)]
    return te.place_cues(p, "cc", cues)


def cue_list(p):
    return [(c.start, c.end, c.text) for c in p.track("cc").clips]


def test_title_goes_on_a_video_track_only_and_cues_on_a_captions_track_only():
    p = make_project()
    p = te.add_title(p, "v2", 10, 100, Title(text="Grandma's 80th"))
    clip = p.track("v2").clips[0]
    assert clip.asset_id is None and clip.title.text == "Grandma's 80th" and clip.name == "Grandma's 80th"
    assert problems(p) == []
    with pytest.raises(EditError, match="title cannot be on a audio track"):
        te.add_title(p, "a1", 10, 100, Title())
    with pytest.raises(EditError, match="only caption cues"):
        edits.overwrite(p, "cc", Clip(id="x", asset_id="m1", start=0, duration=10))
    with pytest.raises(EditError, match="caption cue cannot be on a video track"):
        edits.overwrite(p, "v2", Clip(id="x", start=0, duration=10, text="hi"))
    with pytest.raises(EditError, match="no media"):
        edits.overwrite(p, "v2", Clip(id="x", start=0, duration=10))
    # a title is a clip like any other: split, trim, move
    q = edits.split(p, clip.id, 50)
    assert [c.duration for c in q.track("v2").clips] == [40, 60] and problems(q) == []
    q = edits.trim(p, clip.id, "out", 500)  # no media end to run past
    assert q.track("v2").clips[0].duration == 600


def test_title_properties_are_checked_and_undoable():
    s = Session(make_project())
    s.apply("Add title", te.add_title, "v2", 0, 100, Title(text="A"))
    cid = s.project.track("v2").clips[0].id
    s.apply("Title text", te.set_title, cid, text="你好，世界\nSecond line")
    s.apply("Title colour", te.set_title, cid, color="#ffcc00", size=0.12, outline=0.05, anim_in="pop")
    t = s.project.track("v2").clips[0].title
    assert (t.text, t.color, t.size, t.anim_in) == ("你好，世界\nSecond line", "#ffcc00", 0.12, "pop")
    with pytest.raises(EditError, match="color"):
        s.apply("bad", te.set_title, cid, color="yellow")
    with pytest.raises(EditError, match="size"):
        s.apply("bad", te.set_title, cid, size=3)
    with pytest.raises(EditError, match="no property"):
        s.apply("bad", te.set_title, cid, colour="#fff")
    s.undo()
    assert s.project.track("v2").clips[0].title.color == "#ffffff"
    s.undo()
    assert s.project.track("v2").clips[0].title.text == "A"


def test_seam_round_trip_keeps_titles_cues_and_style(tmp_path):
    p = te.add_title(make_project(), "v2", 0, 100, Title(text="Lower third", subtitle="Aunt Mei", template="lower-third",
                                                          box=True, anim_out="slide"))
    p = te.set_caption_style(p, "cc", CaptionStyle(preset="box", box=True, outline=0.0))
    save(p, tmp_path / "p.seam")
    back = load(tmp_path / "p.seam")
    assert back.state()["tracks"] == p.state()["tracks"]
    assert back.track("cc").caption_style.preset == "box" and back.track("v2").clips[0].title.subtitle == "Aunt Mei"


def test_cues_follow_ripple_delete_of_the_clip_they_belong_to():
    p = make_project()
    q = edits.ripple_delete(p, ["c2"])
    assert problems(q) == []
    # the cues said under c2 went with it; the ones under c3 moved left with c3
    assert cue_list(q) == [(10, 40, "cue 0 a"), (50, 90, "cue 0 b"), (110, 140, "cue 200 a"),
                           (150, 190, "cue 200 b")]
    assert q.track("v1").clip("c3").start == 100


def test_cues_follow_an_opened_gap_and_close_gap():
    p = edits.delete(make_project(), ["c2"])  # leaves a gap; the cues said there have nothing under them now
    q = edits.close_gap(p, "v1", 150)
    assert q.track("v1").clip("c3").start == 100
    assert cue_list(q) == [(10, 40, "cue 0 a"), (50, 90, "cue 0 b"), (110, 140, "cue 200 a"),
                           (150, 190, "cue 200 b")]
    # ripple that opens time (a sync insert) moves later cues with the picture
    r = edits.ripple(make_project(), 100, 25, {"v1"})
    assert [c[:2] for c in cue_list(r)] == [(10, 40), (50, 90), (135, 165), (175, 215), (235, 265), (275, 315)]
    # a cue only partly inside closed time keeps the part that stays
    t = te.place_cues(p, "cc", [(80, 130, "mostly gone"), (170, 260, "mostly kept")], replace=(0, 1000))
    assert cue_list(edits.close_gap(t, "v1", 150)) == [(100, 160, "mostly kept")]


def test_locked_captions_track_does_not_move():
    p = edits.set_track_property(make_project(), "cc", "lock", True)
    q = edits.ripple(p, 100, 25, {"v1"})
    assert q.track("cc") is p.track("cc")


def test_cue_edits_split_merge_and_times():
    p = make_project()
    first = p.track("cc").clips[0]
    p = te.set_cue(p, first.id, text="hello there my dear friends")
    p = te.split_cue(p, first.id, 25)
    a, b = p.track("cc").clips[:2]
    assert (a.start, a.end, b.start, b.end) == (10, 25, 25, 40) and a.text + " " + b.text == "hello there my dear friends"
    p = te.merge_cues(p, [a.id, b.id])
    assert cue_list(p)[0] == (10, 40, "hello there my dear friends")
    with pytest.raises(EditError, match="overlap"):
        te.set_cue(p, a.id, end=60)
    with pytest.raises(EditError, match="neighbouring"):
        te.merge_cues(p, [a.id, p.track("cc").clips[2].id])
    with pytest.raises(EditError, match="needs some text"):
        te.set_cue(p, a.id, text="  ")
    assert problems(p) == []


def test_line_breaking_by_display_width():
    lines = wrap("Grandpa told us about the summer he spent fixing boats on the river")
    assert len(lines) == 2 and all(width(x) <= 42 for x in lines)
    assert abs(width(lines[0]) - width(lines[1])) <= 8  # balanced
    zh = wrap("今天我们一家人去海边玩了一整天大家都很开心晚上还一起吃了海鲜")
    assert len(zh) == 2 and all(width(x) <= 42 for x in zh) and "".join(zh).startswith("今天")
    assert width("你好") == 4 and width("hello") == 5
    assert wrap("one\ntwo") == ["one", "two"]


def test_otio_round_trip_keeps_titles_and_cues_as_generators(tmp_path):
    import opentimelineio as otio

    from editor.project.interchange import read_timeline, write_timeline

    p = te.add_title(make_project(), "v2", 20, 100, Title(text="你好 family", subtitle="2024", box=True))
    p = te.set_caption_style(p, "cc", CaptionStyle(preset="yellow", color="#ffe14d"))
    write_timeline(p, tmp_path / "p.otio")
    raw = otio.adapters.read_from_file(str(tmp_path / "p.otio"))
    kinds = {c.media_reference.generator_kind for c in raw.find_clips()
             if isinstance(c.media_reference, otio.schema.GeneratorReference)}
    assert kinds == {"SeamlineTitle", "SeamlineCaption"}  # what other tools see: generator placeholders
    back, _ = read_timeline(tmp_path / "p.otio")
    assert back.track("v2").clips[0].title == p.track("v2").clips[0].title
    assert back.track("v2").clips[0].start == 20
    assert back.track("cc").kind == "captions" and back.track("cc").caption_style.color == "#ffe14d"
    assert [(c.start, c.end, c.text) for c in back.track("cc").clips] == cue_list(p)
