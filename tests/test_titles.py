"""Titles and burnt-in captions as a viewer sees them: sizes that follow the frame, sharp edges, real glyphs for
Chinese, every template, animations, font fallback."""
import logging
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from editor.actions import words
from editor.render import titles
from editor.render.compositor import Compositor
from editor.render.title_templates import caption_presets, templates
from editor.timeline import edits
from editor.timeline import text_edits as te
from editor.timeline.model import Project, ProjectSettings, Title

ROOT = Path(__file__).resolve().parent.parent


def title_project(size, title: Title, frames=100):
    p = Project(settings=ProjectSettings(size[0], size[1], Fraction(25)))
    p = edits.add_track(p, "video", track_id="v1")
    return te.add_title(p, "v1", 0, frames, title)


def alpha_box(rgb: np.ndarray, threshold=40):
    """(top, bottom, left, right) of the pixels brighter than the threshold (white text on black)."""
    ys, xs = np.nonzero(rgb.max(axis=2) > threshold)
    return ys.min(), ys.max() + 1, xs.min(), xs.max() + 1


STILL = dict(anim_in="none", anim_out="none")


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1080, 1920)])
def test_text_height_follows_the_frame_height(size):
    p = title_project(size, Title(text="Hxg", size=0.1, **STILL))
    frame = Compositor(p).frame(50)
    top, bottom, left, right = alpha_box(frame)
    # "Hxg": cap height to descender, about 0.95 em for most sans fonts
    assert 0.085 < (bottom - top) / size[1] < 0.11
    assert abs((left + right) / 2 - size[0] / 2) < size[0] * 0.02  # centred


def edge_sharpness(rgb: np.ndarray) -> float:
    """The 99th percentile of the luminance gradient (per pixel) across the text's edges."""
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = np.abs(np.diff(g, axis=1))
    return float(np.percentile(gx[gx > 8], 99))


def test_titles_are_drawn_sharp_at_the_output_size_not_scaled_up():
    title = Title(text="Sharp edges 你好", size=0.08, **STILL)
    big = Compositor(title_project((1920, 1080), title)).frame(50)
    small = Compositor(title_project((640, 360), title)).frame(50)
    upscaled = cv2.resize(small, (1920, 1080), interpolation=cv2.INTER_CUBIC)
    sharp, soft = edge_sharpness(big), edge_sharpness(upscaled)
    assert sharp > 200  # white on black: edges go most of the way in one pixel
    assert sharp > 1.6 * soft, (sharp, soft)


def _char(text, merging=True, family="Sans"):
    style = Title(text=text, font=family, size=0.2, **STILL)
    block, px = titles.layout(style, text, "", (400, 400), merging=merging)
    img, _ = titles.draw_block(style, block, px)
    return img[..., 3] > 128


def _same(a, b) -> float:
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pa, pb = np.zeros((h, w), bool), np.zeros((h, w), bool)
    pa[:a.shape[0], :a.shape[1]] = a
    pb[:b.shape[0], :b.shape[1]] = b
    return (pa & pb).sum() / max(1, (pa | pb).sum())


def test_chinese_title_draws_glyphs_not_boxes():
    assert any("CJK" in f for f in titles.families()), "install fonts-noto-cjk (packaging/setup.sh does)"
    # the tofu render: a Latin-only font with fallback switched off draws every Chinese character as the same box
    tofu = [_char(c, merging=False, family="DejaVu Sans") for c in "你好世界"]
    assert min(_same(tofu[0], t) for t in tofu[1:]) > 0.95
    real = [_char(c, family="DejaVu Sans") for c in "你好世界"]  # the same font asked for, fallback on
    assert max(_same(real[i], real[j]) for i in range(4) for j in range(i + 1, 4)) < 0.6
    assert all(_same(r, tofu[0]) < 0.5 for r in real)
    # strokes, not an outline box: a box is mostly empty inside its frame; 你 has ink across its middle row
    mid = real[0][real[0].shape[0] // 2]
    assert mid.sum() > 3


def test_missing_font_family_falls_back_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        frame = Compositor(title_project((640, 360), Title(text="Still here", font="No Such Font 123", **STILL)))\
            .frame(50)
    assert frame.max() > 200
    assert "No Such Font 123" in caplog.text


def test_every_template_renders_inside_the_frame_and_moves_as_it_should(tmp_path):
    base = np.full((360, 640, 3), 90, np.uint8)
    base[::8] = 180  # detail for the blur card to blur
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), base)
    from editor.actions.media import project_for_files

    p = project_for_files([path])
    p = edits.set_clip_property(p, p.video_tracks()[0].clips[0].id, "opacity", 1.0)
    keys = [t.key for t in templates()]
    assert {"centered", "title-subtitle", "lower-third", "date-place", "end-credits", "card-color",
            "card-blur"} <= set(keys)
    for tpl in templates():
        q = words.add_title_from_template(p, tpl.key, 0)
        d = tpl.frames(q.settings.rate)
        assert d == round((12 if tpl.key == "end-credits" else 4) * q.settings.rate)  # 4 s; credits roll 12 s
        comp = Compositor(q, size=(640, 360))
        plain = Compositor(p, size=(640, 360)).frame(d // 2)
        mid = comp.frame(d // 2)
        changed = np.abs(mid.astype(int) - plain).max(axis=2) > 12
        assert changed.mean() > 0.004, tpl.key
        if tpl.key == "card-color":
            assert tuple(mid[5, 5]) == (0x1d, 0x2b, 0x3a)
        elif tpl.key == "card-blur":
            assert cv2.Laplacian(mid, cv2.CV_32F).var() < 0.2 * cv2.Laplacian(plain, cv2.CV_32F).var()
        elif tpl.key == "end-credits":
            ys = lambda f: np.nonzero((np.abs(f.astype(int) - plain).max(axis=2) > 12).any(axis=1))[0]
            early, late = ys(comp.frame(d // 3)), ys(comp.frame(2 * d // 3))
            assert late.mean() < early.mean() - 50  # rolled up
        else:  # the words sit inside the title-safe area (inner 90 %)
            ys, xs = np.nonzero(changed)
            assert ys.min() >= 360 * 0.05 - 2 and ys.max() <= 360 * 0.95 + 2, tpl.key
            assert xs.min() >= 640 * 0.05 - 2 and xs.max() <= 640 * 0.95 + 2, tpl.key
        assert np.array_equal(comp.frame(d + 1), Compositor(p, size=(640, 360)).frame(d + 1))  # gone after


def ink(frame):
    return int((frame.max(axis=2) > 128).sum())


def test_animations_fade_slide_pop_and_typewriter():
    size = (640, 360)
    fade = Compositor(title_project(size, Title(text="Fade", anim_in="fade", anim_in_frames=10)))
    levels = [int(fade.frame(n).max()) for n in (0, 4, 9, 20)]
    assert levels[0] < levels[1] < levels[2] <= levels[3] and levels[3] > 240
    slide = Compositor(title_project(size, Title(text="Slide", anim_in="slide", anim_in_frames=10)))
    tops = [alpha_box(slide.frame(n), 20)[0] for n in (2, 6, 20)]
    assert tops[0] > tops[1] > tops[2]
    pop = Compositor(title_project(size, Title(text="Pop", anim_in="pop", anim_in_frames=10)))
    widths = [alpha_box(pop.frame(n), 20)[3] - alpha_box(pop.frame(n), 20)[2] for n in (1, 20)]
    assert widths[0] < 0.9 * widths[1]
    tw = Compositor(title_project(size, Title(text="Typewriter words", anim_in="typewriter", anim_in_frames=16,
                                              anim_out="none")))
    counts = [ink(tw.frame(n)) for n in (2, 6, 10, 15, 30)]
    assert counts == sorted(counts) and counts[0] < counts[-1] / 4 and counts[-2] == counts[-1]
    out = Compositor(title_project(size, Title(text="Out", anim_out="fade", anim_out_frames=10)))
    assert out.frame(99).max() < out.frame(85).max()


def test_burnt_in_captions_sit_low_and_break_into_two_lines():
    p = title_project((1280, 720), Title(text=" ", background="color", background_color="#808080", **STILL))
    p = words.place_captions(p, [words.Cue(0.0, 2.0, "This caption is long enough that it has to break into two "
                                                      "lines at most")])
    frame = Compositor(p).frame(10)
    top, bottom, left, right = alpha_box(frame, 200)
    assert top > 720 * 0.75 and bottom <= 720 * 0.95 + 2
    rows = (frame.min(axis=2) > 200).any(axis=1)
    lines = np.count_nonzero(np.diff(rows.astype(int)) == 1)
    assert lines == 2
    changed = np.nonzero(np.abs(frame.astype(int) - 128).max(axis=2) > 8)[0]
    assert changed.min() > 720 * 0.7  # the outline too
    assert (Compositor(p, captions=False).frame(10) == 128).all()  # a soft-subtitle export does not burn them in
    boxed = te.set_caption_style(p, p.captions_tracks()[0].id, caption_presets()["box"][1])
    f2 = Compositor(boxed).frame(10)
    dark = lambda f: int((f.max(axis=2) < 80).sum())
    assert dark(f2) > 3 * dark(frame)  # a dark box around the words, not just their outline


def test_renders_without_words_do_not_load_qt(tmp_path):
    code = ("import sys; from fractions import Fraction; from editor.timeline.model import *; "
            "from editor.timeline import edits; from editor.render.compositor import Compositor; "
            "p = edits.add_track(Project(), 'video'); Compositor(p, (64, 36)).frame(0); "
            "print('PySide6' in ' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
