"""Timeline geometry, no Qt: time <-> pixels, rows, hit-testing, snapping, trims and drop targets."""
from fractions import Fraction

import pytest

from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track
from editor.ui.geometry import Rect, TimelineGeometry


def project(n_clips=3, length=100, gap=0, rate=30):
    asset = MediaAsset(id="m1", path="/x.mp4", kind="video", rate=Fraction(rate), frames=10_000_000)
    clips = tuple(Clip(id=f"c{i}", asset_id="m1", start=i * (length + gap), duration=length, name=f"shot {i}")
                  for i in range(n_clips))
    v1 = Track(id="v1", kind="video", name="V1", clips=clips)
    v2 = Track(id="v2", kind="video", name="V2")
    a1 = Track(id="a1", kind="audio", name="A1")
    return Project(settings=ProjectSettings(1280, 720, Fraction(rate)), assets={"m1": asset},
                   tracks=(v1, v2, a1))


@pytest.fixture
def geo():
    g = TimelineGeometry(1.0)
    g.width, g.height, g.px_per_frame = 1200, 400, 2.0
    return g


def test_time_and_pixels_round_trip(geo):
    assert geo.x_of(0) == geo.header_w
    for f in (0, 1, 37, 500):
        assert geo.frame_at(geo.x_of(f)) == f
    geo.scroll = 100
    assert geo.x_of(100) == geo.header_w and geo.frame_at(geo.header_w) == 100
    assert geo.frame_at(0) == 100 - round(geo.header_w / 2)  # left of the header: earlier frames (never < 0)


def test_zoom_keeps_the_frame_under_the_pointer(geo):
    x = geo.x_of(300)
    geo.zoom(2.0, x)
    assert geo.px_per_frame == 4.0 and abs(geo.frame_at(x) - 300) <= 1
    geo.zoom(1e9)
    assert geo.px_per_frame == 40.0  # clamped
    geo.zoom_to_fit(6000)
    assert geo.scroll == 0 and geo.x_of(6000) <= geo.width


def test_scroll_limits_and_follow(geo):
    assert geo.scroll_limit(100) == 0  # fits: nothing to scroll
    d = 5000
    assert geo.set_scroll(10 ** 9, d) and geo.scroll == geo.scroll_limit(d)
    geo.set_scroll(0, d)
    assert geo.follow(geo.visible_frames + 10, d) and geo.scroll > 0  # the playhead ran off the right edge
    assert not geo.follow(geo.scroll + 5, d)


def test_rows_video_on_top_highest_first_then_audio_and_cached(geo):
    p = project()
    rows = geo.rows(p)
    assert [r.track.id for r in rows] == ["v2", "v1", "a1"]
    assert rows[0].top == geo.ruler_h and rows[1].top == rows[0].top + rows[0].height
    assert geo.rows(p) is rows  # same tracks tuple: no new layout
    assert geo.track_at(p, rows[2].top + 1).id == "a1" and geo.track_at(p, 5) is None


def test_hit_tests_body_edges_handle_header_ruler(geo):
    p = project()
    row = geo.row_of(p, "v1")
    y = row.top + row.height // 2
    assert geo.hit(p, geo.x_of(50), y)[:1] == ("body",) and geo.hit(p, geo.x_of(50), y).target.id == "c0"
    assert geo.hit(p, geo.x_of(0) + 2, y).kind == "in"
    assert geo.hit(p, geo.x_of(100) - 2, y)[:3] == ("out", p.track("v1"), p.track("v1").clip("c0"))
    assert geo.hit(p, geo.x_of(100) + 2, y)[:3] == ("in", p.track("v1"), p.track("v1").clip("c1"))
    # the "+" sits at the top of the row, away from the edges people grab to trim
    hr = geo.handle_rect(100, row)
    assert hr.y < row.top + 0.4 * row.height
    h = geo.hit(p, hr.x + hr.w / 2, hr.y + hr.h / 2)
    assert h.kind == "handle" and [c.id for c in h.target] == ["c0", "c1"]
    assert geo.hit(p, geo.x_of(100) - 2, hr.bottom + 6).kind == "out"  # below the "+": trimming still works
    assert geo.hit(p, geo.x_of(350), y).kind is None  # after the last clip
    assert geo.hit(p, 5, y).kind == "header" and geo.hit(p, geo.x_of(10), 3).kind == "ruler"
    name, r = geo.switch_rects(row)[1]
    assert geo.hit(p, r.x + 1, r.y + 1)[::2] == ("switch", "solo")


def test_hit_testing_goes_through_the_index_at_any_size(geo):
    small, big = project(10, 10), project(20_000, 10)
    row = geo.row_of(big, "v1")
    y = row.top + 30
    for p, x in ((small, geo.x_of(55)), (big, geo.x_of(55))):
        assert geo.hit(p, x, y).target.id == "c5"
    # the model's index answers: a hit at the far end of 20,000 clips finds the right clip
    geo.scroll = 199_900
    assert geo.hit(big, geo.x_of(199_955), y).target.id == "c19995"
    assert geo.visible_clips(big.track("v1"))[0].id == "c19989"  # only what is on screen, found by bisection


def test_snap_to_edges_playhead_and_zero(geo):
    p = project(2, 100, gap=40)  # clips 0-100 and 140-240
    tol = geo.snap_px / geo.px_per_frame  # 4 frames at 2 px/frame
    assert geo.snap(p, 103, 20) == 100  # start meets the first clip's end
    assert geo.snap(p, 118, 20, ignore={"c1"}) == 118  # nothing near
    assert geo.snap(p, 123, 20) == 120  # end meets the second clip's start (140)
    assert geo.snap(p, 2, 10) == 0
    assert geo.snap(p, 60, 10, playhead=63) == 63
    assert geo.snap(p, 103, 20, enabled=False) == 103
    assert tol == 4


def test_trim_delta_snaps_and_never_empties_a_clip(geo):
    p = project(2, 100, gap=40)
    c0 = p.track("v1").clip("c0")
    assert geo.trim_delta(p, c0, "out", 0, 2 * 37) == 40  # 137 snaps to the next clip's start (140)
    assert geo.trim_delta(p, c0, "out", 0, 2 * 20) == 20
    assert geo.trim_delta(p, c0, "out", 0, -2 * 500) == -99
    assert geo.trim_delta(p, c0, "in", 0, 2 * 500) == 99


def test_insert_drop_lands_on_the_nearer_cut_and_new_tracks_where_none_fits(geo):
    p = project(3, 100)
    v1 = geo.row_of(p, "v1")
    t = geo.drop_target(p, geo.x_of(130), v1.top + 20, 50, "video", "insert")
    assert (t.track_id, t.start, t.mode) == ("v1", 100, "insert")
    t = geo.drop_target(p, geo.x_of(170), v1.top + 20, 50, "video", "insert")
    assert t.start == 200
    t = geo.drop_target(p, geo.x_of(302), v1.top + 20, 50, "video", "insert")  # just after the end: snaps to it
    assert (t.start, t.mode) == (300, "insert")
    t = geo.drop_target(p, geo.x_of(150), v1.top + 20, 50, "video", "overwrite")
    assert (t.start, t.mode) == (150, "overwrite")
    a1 = geo.row_of(p, "a1")
    t = geo.drop_target(p, geo.x_of(20), a1.top + 10, 50, "video", "insert")  # a photo on an audio track
    assert t.track_id is None and t.kind == "video"
    below = a1.top + a1.height + 10
    t = geo.drop_target(p, geo.x_of(20), below, 50, "audio", "insert")
    assert t.track_id is None and t.new_track_index == len(p.tracks)


def test_move_target_moves_freely_inserts_over_clips_and_swaps(geo):
    p = project(3, 100, gap=50)  # 0-100, 150-250, 300-400
    c0 = p.track("v1").clip("c0")
    row = geo.row_of(p, "v1")
    y = row.top + 30
    ox = geo.x_of(50)
    t = geo.move_target(p, c0, ox + 2 * 20, y, ox, "insert")  # 20 frames later: free space, a plain move
    assert t.mode == "move" and t.start == 20
    t = geo.move_target(p, c0, geo.x_of(330), y, ox, "insert")  # over the third clip: in at its nearer cut
    assert t.mode == "insert" and t.start == 300
    t = geo.move_target(p, c0, geo.x_of(330), y, ox, "overwrite")
    assert t.mode == "overwrite" and t.start == 280
    t = geo.move_target(p, c0, geo.x_of(200), y, ox, "swap")
    assert t.mode == "swap" and t.swap_with == "c1"


def test_band_selection_and_rect_helpers(geo):
    p = project(5, 100)
    row = geo.row_of(p, "v1")
    band = Rect.spanning(geo.x_of(150), row.top + 5, geo.x_of(320), row.top + 20)
    assert geo.clips_in_band(p, band) == ["c1", "c2", "c3"]
    assert Rect(0, 0, 10, 10).united(Rect(20, 5, 5, 5)) == Rect(0, 0, 25, 10)


def test_scale_follows_the_font(geo):
    big = TimelineGeometry(2.0)
    assert big.header_w == 2 * geo.header_w and big.video_px == 2 * geo.video_px
    assert TimelineGeometry(0.5).scale == 1.0  # never smaller than the base sizes
