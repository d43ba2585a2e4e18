"""Handles on the preview (pytest-qt, offscreen): dragging the selected picture's body, corners and rotation knob
changes its transform by what the mouse did, as one undo step; snapping to the frame's centre; Esc cancels; a
keyframed property gets a key at the playhead."""
from fractions import Fraction

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402

from editor.actions.media import asset_from_info  # noqa: E402
from editor.media.probe import probe  # noqa: E402
from editor.timeline import edits, motion_edits as me  # noqa: E402
from editor.timeline.model import Clip, Project, ProjectSettings  # noqa: E402
from editor.ui import picture_handles as ph  # noqa: E402
from mediagen import write_video  # noqa: E402

W, H = 320, 180  # the project; the widget is 640 x 360, so 2 screen px per frame px


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    grey = np.full((90, 160, 3), 200, np.uint8)  # a plain picture: where it lies on the preview is easy to see
    path = tmp_path_factory.mktemp("h") / "v.mp4"
    write_video(path, (grey for _ in range(30)), rate=Fraction(30))
    return path


@pytest.fixture
def preview(qtbot, source):
    from editor.ui.document import Document
    from editor.ui.preview import PreviewWidget

    p = Project(settings=ProjectSettings(W, H, Fraction(30)))
    a = asset_from_info(probe(source), Fraction(30))
    p = edits.add_track(edits.add_asset(p, a), "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=a.id, start=0, duration=30))
    p = me.set_transform(p, "c", scale=0.5)  # a 160 x 90 picture in the middle of the frame
    doc = Document(p)
    w = PreviewWidget(doc)
    qtbot.addWidget(w)
    w.resize(640, 360)
    w.show()
    qtbot.waitExposed(w)
    doc.select(["c"])
    doc.set_playhead(5)
    yield doc, w
    w.server.stop()
    w.server.join()  # no render thread outlives the test, and its media are closed (as MainWindow.shutdown does)
    doc.session.mark_saved()
    doc.close()


def _tr(doc):
    from editor.timeline.model import Transform

    return doc.project.track("v").clip("c").transform or Transform()  # None: all defaults


def _drag(qtbot, w, a, b, steps=4, release_mods=Qt.NoModifier):
    a, b = QPointF(*a), QPointF(*b)
    qtbot.mousePress(w, Qt.LeftButton, pos=a.toPoint())
    for i in range(1, steps + 1):
        qtbot.mouseMove(w, (a + (b - a) * (i / steps)).toPoint())
    qtbot.mouseRelease(w, Qt.LeftButton, release_mods, pos=b.toPoint())


def _screen(w, pt):
    return w.handles.view().to_screen(pt)


def test_outline_is_where_the_renderer_puts_the_picture(preview):
    _doc, w = preview
    pic = w.handles.picture()
    assert np.allclose(pic.quad, [(80, 45), (240, 45), (240, 135), (80, 135)])
    assert _screen(w, (80, 45)) == (160, 90)


def test_outline_matches_the_rendered_picture_rotated_scaled_and_cropped(preview):
    """The outline comes from the renderer's matrix: inside it the frame shows the picture, just outside it black."""
    import cv2

    from editor.render.compositor import Compositor

    doc, w = preview
    doc.apply("move", me.set_transform, "c", scale=0.8, rotation=30.0, x=-0.1, y=0.05, crop_left=0.2,
              crop_bottom=0.1)
    pic = w.handles.picture()
    lit = Compositor(doc.project, pool=doc.pool).frame(5).mean(axis=2) > 100
    inner, outer = (np.zeros((H, W), np.uint8) for _ in range(2))
    centre = pic.quad.mean(axis=0)
    for mask, grow in ((inner, -1.5), (outer, 1.5)):  # the quad 1.5 px smaller / larger about its centre
        q = centre + (pic.quad - centre) * (1 + grow / np.linalg.norm(pic.quad - centre, axis=1, keepdims=True))
        cv2.fillConvexPoly(mask, np.round(q * 16).astype(np.int32), 1, shift=4)
    assert lit[inner > 0].mean() > 0.999  # the whole inside is picture
    assert lit[outer == 0].mean() < 0.001  # nothing of it outside
    assert inner.sum() > 0.25 * W * H * 0.5  # (a real area: 0.8 x the fitted half-frame picture, less the crop)


def test_body_drag_moves_by_the_mouse_and_undo_restores(qtbot, preview):
    doc, w = preview
    _drag(qtbot, w, (300, 200), (300 + 60, 200 + 30))  # 60 x 30 screen px = 30 x 15 frame px
    t = _tr(doc)
    assert abs(t.x * W - 30) <= 0.5 and abs(t.y * H - 15) <= 0.5 and t.scale == 0.5
    assert doc.session.undo_label == "Move picture"
    doc.undo()
    assert _tr(doc).x == 0 and _tr(doc).y == 0


def test_a_drag_that_ends_near_the_centre_lands_exactly_on_it(qtbot, preview):
    doc, w = preview
    doc.apply("off centre", me.set_transform, "c", x=0.1, y=-0.05)  # centre at (192, 81)
    # 6 screen px short of centring in x, 5 in y: within the 8 px reach
    start = _screen(w, (192, 81))
    end = _screen(w, (160 + 3, 90 - 2.5))
    _drag(qtbot, w, start, end)
    assert _tr(doc).x == 0.0 and _tr(doc).y == 0.0
    # Alt held: no snapping, the picture goes where the mouse put it
    doc.apply("off centre", me.set_transform, "c", x=0.1, y=-0.05)
    _drag(qtbot, w, start, end, release_mods=Qt.AltModifier)
    assert abs(_tr(doc).x * W - 3) <= 0.5 and abs(_tr(doc).y * H + 2.5) <= 0.5


def test_corner_drag_scales_about_the_centre(qtbot, preview):
    doc, w = preview
    corner = _screen(w, (240, 135))  # bottom-right
    _drag(qtbot, w, corner, _screen(w, (280 + 1, 157.5 + 1)))  # out along the diagonal to 1.5x (then off it)
    t = _tr(doc)
    assert abs(t.scale - 0.75) < 0.01 and t.x == 0 and t.y == 0
    assert doc.session.undo_label == "Scale picture"


def test_corner_snaps_the_edge_to_the_frame(qtbot, preview):
    doc, w = preview
    _drag(qtbot, w, _screen(w, (240, 135)), _screen(w, (318, 178)))  # the right edge 2 frame px from the frame's
    assert _tr(doc).scale == 1.0  # exactly the fitted size: edges on the frame


def test_rotation_knob_turns_the_picture(qtbot, preview):
    doc, w = preview
    pic = w.handles.picture()
    knob = _screen(w, pic.knob(w.handles.view()))
    cx, cy = _screen(w, pic.centre)
    r = cy - knob[1]
    _drag(qtbot, w, knob, (cx + r, cy), steps=8)  # a quarter turn clockwise
    assert abs(_tr(doc).rotation - 90.0) < 0.01 and doc.session.undo_label == "Rotate picture"
    doc.undo()
    assert _tr(doc).rotation == 0


def _lit(w, x, y) -> bool:
    """Whether frame pixel (x, y) of the shown preview picture is not black (rendered at full size here)."""
    c = w.image.pixelColor(x, y)
    return c.red() + c.green() + c.blue() > 30


def test_the_picture_follows_the_mouse_live_and_escape_cancels(qtbot, preview):
    doc, w = preview
    qtbot.waitUntil(lambda: w.shown == 5 and w.image is not None, timeout=10000)
    assert w.image.width() == W and not _lit(w, 50, 90)  # left of the picture: black
    steps = doc.session.can_undo
    qtbot.mousePress(w, Qt.LeftButton, pos=QPoint(300, 200))
    qtbot.mouseMove(w, QPoint(180, 200))  # 60 frame px to the left: the picture covers x = 20..180
    assert w.server.override is not None and doc.session.can_undo == steps  # a scratch project, no edit yet
    qtbot.waitUntil(lambda: w.shown == 5 and _lit(w, 50, 90), timeout=10000)
    qtbot.keyClick(w, Qt.Key_Escape)
    qtbot.mouseRelease(w, Qt.LeftButton, pos=QPoint(180, 200))
    assert _tr(doc).x == 0 and w.server.override is None and doc.session.can_undo == steps
    qtbot.waitUntil(lambda: w.shown == 5 and not _lit(w, 50, 90), timeout=10000)  # back where it was


def test_a_keyframed_property_gets_a_key_at_the_playhead(qtbot, preview):
    doc, w = preview
    doc.apply("key", edits.set_keyframe, "c", "x", 0, 0.0, "ease-in-out")
    _drag(qtbot, w, (300, 200), (340, 220))
    kf = doc.project.track("v").clip("c").keyframes
    assert [k.frame for k in kf["x"]] == [0, 5] and abs(kf["x"][1].value * W - 20) <= 0.5
    assert [k.frame for k in kf["y"]] == [5] and abs(kf["y"][0].value * H - 10) <= 0.5  # x, y: one position
    assert _tr(doc).x == 0 and _tr(doc).y == 0  # the base values are untouched
    doc.undo()
    assert [k.frame for k in doc.project.track("v").clip("c").keyframes["x"]] == [0]
    assert "y" not in doc.project.track("v").clip("c").keyframes


def test_no_handles_without_a_selected_clip_under_the_playhead(preview):
    doc, w = preview
    doc.set_playhead(29)
    assert w.handles.picture() is not None
    doc.select([])
    assert w.handles.picture() is None
    pic = ph.picture_of(doc.project, doc.project.track("v").clip("c"), 30)
    assert pic is None  # past the clip's end


def test_a_press_on_an_unselected_picture_selects_it_and_drags_it(qtbot, preview):
    doc, w = preview
    doc.select([])
    _drag(qtbot, w, (100, 100), (300, 300))  # outside the picture (160..480 x 90..270 on screen): nothing
    assert doc.selection == set() and _tr(doc).x == 0
    _drag(qtbot, w, (300, 200), (340, 200))
    assert doc.selection == {"c"} and abs(_tr(doc).x * W - 20) <= 0.5
