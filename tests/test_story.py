"""The photo story: capture-time order, the choices of moves and cuts, and a small story built end to end."""
import datetime as dt

import numpy as np
import pytest
from PIL import Image

from ai.story.photos import PhotoLook, capture_time, look_at, story_order
from ai.story.plan import PACE_BOUNDS, Item, choose_moves, end_of_story, plan_cuts
from editor.actions.story import StoryOptions, build_story
from editor.session import Session
from editor.timeline.model import Project
from editor.timeline.music_edits import music_tracks
from editor.timeline.validate import problems
from songgen import song, write_wav


def _jpeg(path, rgb, date=None):
    im = Image.fromarray(rgb)
    ex = Image.Exif()
    if date:
        ex.get_ifd(0x8769)[0x9003] = date
    im.save(path, exif=ex, quality=92)
    return str(path)


def _picture(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x * 255 // w), (y * 255 // h), np.full_like(x, 40 * seed % 255)], -1).astype(np.uint8)
    cx, cy = rng.integers(w // 4, 3 * w // 4), rng.integers(h // 4, 3 * h // 4)
    img[(x - cx) ** 2 + (y - cy) ** 2 < (min(w, h) // 8) ** 2] = (250, 240, 30)  # a subject to look at
    return img


def test_capture_time_order_keeps_undated_items_in_place(tmp_path):
    a = _jpeg(tmp_path / "a.jpg", _picture(64, 48, 1), "2022:07:01 12:00:00")
    b = _jpeg(tmp_path / "b.jpg", _picture(64, 48, 2))  # no date
    c = _jpeg(tmp_path / "c.jpg", _picture(64, 48, 3), "2019:01:05 08:00:00")
    d = _jpeg(tmp_path / "d.jpg", _picture(64, 48, 4), "2020:03:02 08:00:00")
    times = [capture_time(p) for p in (a, b, c, d)]
    assert times[0] == dt.datetime(2022, 7, 1, 12) and times[1] is None
    assert story_order([a, b, c, d], times) == [c, b, d, a]
    assert story_order([b, b], [None, None]) == [b, b]


def test_moves_suit_the_picture_and_never_repeat():
    face = PhotoLook(800, 600, ((0.4, 0.2, 0.2, 0.25),), (0.5, 0.33), 0.4, 0.0)
    pano = PhotoLook(3000, 900, (), (0.7, 0.5), 0.9, 0.6)
    detail = PhotoLook(800, 600, (), (0.5, 0.5), 0.05, 0.0)
    moves = choose_moves([face, pano, detail, face, face, None, face], 16 / 9)
    assert moves[0] == "push-in" and moves[1] == "pan-right" and moves[2] == "pull-out"
    assert moves[5] is None
    assert all(x != y for x, y in zip(moves, moves[1:]) if x and y)
    assert moves[3] == "push-in" and moves[4] == "zoom-in"  # a face again: the next best move on the face


def test_cuts_land_on_beats_within_the_pace():
    beats = [0.25 + 0.5 * k for k in range(200)]  # 120 bpm
    downs = beats[::4]
    items = [Item("photo")] * 6 + [Item("video", 4.3)] + [Item("photo")] * 3
    for look in ("gentle", "lively"):
        cuts = plan_cuts(items, 3.0, beats, downs, look)
        assert all(c in beats for c in cuts[1:])
        for it, a, b in zip(items, cuts, cuts[1:]):
            if it.kind == "photo":
                assert 3.0 * PACE_BOUNDS[0] <= b - a <= 3.0 * PACE_BOUNDS[1]
            else:
                assert b - a <= 4.3
    gentle = plan_cuts(items, 3.0, beats, downs, "gentle")
    assert sum(c in downs for c in gentle[1:]) > sum(c in downs for c in plan_cuts(items, 3.0, beats, downs,
                                                                                     "lively")[1:]) - 1
    no_beat = plan_cuts([Item("photo")] * 3, 2.0)
    assert no_beat == [0.0, 2.0, 4.0, 6.0]
    phrases = downs[::4]
    end = end_of_story(gentle, items, 3.0, phrases, downs, 90.0)
    assert end in phrases or end in downs


def test_face_is_found_in_a_real_photo(shared_media):
    from ai.story.photos import load_picture

    look = look_at(load_picture(shared_media / "photos" / "skimage_astronaut.png"))
    if not look.faces:
        pytest.skip("scikit-image (the face cascade) is not installed")
    x, y, w, h = look.faces[0]
    assert 0.3 < x + w / 2 < 0.6 and 0.1 < y + h / 2 < 0.4  # her face, upper middle
    assert look.focus == pytest.approx((x + w / 2, y + h / 2), abs=0.01)


def test_a_small_story_end_to_end_is_one_undo_step(tmp_path):
    audio, beats, downs = song(bpm=120, bars=12, sr=44100, lead_in=0.25)
    music = write_wav(tmp_path / "song.wav", audio, 44100)
    photos = [_jpeg(tmp_path / "late.jpg", _picture(200, 150, 1), "2023:06:01 10:00:00"),
              _jpeg(tmp_path / "tall.jpg", _picture(90, 160, 2)),
              _jpeg(tmp_path / "early.jpg", _picture(200, 150, 3), "2021:06:01 10:00:00")]
    opts = StoryOptions(title="Summer", music=str(music), size=(96, 54), seconds_per_photo=2.0)
    stages = []
    p = build_story(photos, opts, tmp_path / "gen", lambda f, s="": stages.append((f, s)))
    assert not problems(p) and stages[-1][0] == 1.0
    v = p.track("story-v1")
    names = [c.name.split(" (")[0] for c in v.clips]
    assert names == ["early", "tall", "late"]  # EXIF order in the dated places
    moves = [c.name.split("(")[1].rstrip(")") for c in v.clips]
    assert all(a != b for a, b in zip(moves, moves[1:]))
    tall = v.clips[1]
    assert tall.transform.fit == "fit" and tall.transform.backdrop == "blur"  # no black bars
    rate = float(p.settings.rate)
    for x in v.transitions:  # each dissolve's middle on a beat
        middle = (v.clip(x.a).end - x.frames_before + x.duration / 2) / rate
        assert min(abs(middle - b) for b in beats) <= 0.5 / rate + 1e-6
    (mt,) = music_tracks(p)
    m = mt.clips[0]
    assert m.end == v.clips[-1].end and m.fade_out / rate >= 2.0
    assert min(abs(m.end / rate - d) for d in downs) <= 1 / rate  # ends on a bar
    assert p.track("story-title").clips[0].title.text == "Summer"
    assert p.settings.loudness == -14.0
    s = Session(Project())
    s.apply("New photo story", lambda _p: p)
    assert s.project.duration == p.duration and s.undo_label == "New photo story"
    s.undo()
    assert s.project.duration == 0
