"""Keyframe diamonds on the timeline: hit-testing and clamping in plain Python, and in the main window (pytest-qt,
offscreen) dragging a diamond moves its keys by the frames the mouse moved (one undo step), snapping to the
playhead; Delete removes the selected diamond's keys (not the clip); double-click brings the playhead to it."""
from fractions import Fraction

import pytest

from editor.timeline import edits
from editor.timeline.model import Clip, EditError, Project, ProjectSettings, Title
from editor.ui import key_edit
from editor.ui.geometry import TimelineGeometry


def _project():
    p = Project(settings=ProjectSettings(320, 180, Fraction(30)))
    p = edits.add_track(p, "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", start=10, duration=100, title=Title(text="Keys")))
    for prop, frame, value in (("x", 0, 0.0), ("x", 40, 0.2), ("x", 80, 0.1), ("y", 40, 0.3), ("opacity", 60, 0.5)):
        p = edits.set_keyframe(p, "c", prop, frame, value, "ease-in-out")
    return p


def _keys(p, prop):
    return [(k.frame, k.value, k.ease) for k in p.track("v").clip("c").keyframes.get(prop, ())]


def test_a_diamond_moves_between_its_neighbours_and_takes_every_key_at_its_frame():
    p = _project()
    clip = p.track("v").clip("c")
    assert key_edit.allowed(clip, 40) == (1, 79)  # x has keys at 0 and 80
    assert key_edit.allowed(clip, 60) == (0, 99)  # opacity alone: the whole clip
    assert key_edit.drag_frame(clip, 40, 200) == 79 and key_edit.drag_frame(clip, 40, -5) == 1
    assert key_edit.drag_frame(clip, 40, 47, playhead=10 + 50, snap_frames=4) == 50  # onto the playhead
    assert key_edit.drag_frame(clip, 40, 40, playhead=10 + 50, snap_frames=4) == 40  # too far from it
    q = key_edit.move_keys(p, "c", 40, 52)
    assert _keys(q, "x") == [(0, 0.0, "ease-in-out"), (52, 0.2, "ease-in-out"), (80, 0.1, "ease-in-out")]
    assert _keys(q, "y") == [(52, 0.3, "ease-in-out")]
    with pytest.raises(EditError):
        key_edit.move_keys(p, "c", 40, 80)  # onto x's next key
    q = key_edit.remove_keys(p, "c", 40)
    assert [f for f, _v, _e in _keys(q, "x")] == [0, 80] and _keys(q, "y") == []
    assert _keys(key_edit.set_ease(p, "c", 60, "hold"), "opacity") == [(60, 0.5, "hold")]
    assert key_edit.describe(clip, 40).startswith("Keys: x, y (clip frame 40)")


def test_the_diamond_under_a_point():
    p = _project()
    geo = TimelineGeometry(1.0)
    geo.width, geo.height, geo.px_per_frame = 1000, 400, 4.0
    row = geo.row_of(p, "v")
    r = geo.clip_rect(p.track("v").clip("c"), row)
    x, y = key_edit.diamond_xy(r.x, r.y + int(r.h), 40, 4.0)
    assert key_edit.diamond_at(geo, p, x + 2, y - 2) == key_edit.KeyHit("c", 40)
    assert key_edit.diamond_at(geo, p, x + 2, y - 20) is None  # above the diamonds: the clip's body
    assert key_edit.diamond_at(geo, p, x + 4 * 10, y) is None  # between keys


pytest.importorskip("pytestqt")


@pytest.fixture
def window(qtbot):
    from test_ui import close_window, open_window

    from editor.ui.document import Document

    w = open_window(qtbot, Document(_project()))
    w.resize(1200, 800)
    tl = w.timeline
    tl.px_per_frame = 4.0
    tl.set_scroll(0)
    qtbot.wait(20)
    yield w
    close_window(w)


def _diamond(tl, frame):
    from PySide6.QtCore import QPoint

    p = tl.doc.project
    r = tl.geo.clip_rect(p.track("v").clip("c"), tl.geo.row_of(p, "v"))
    x, y = key_edit.diamond_xy(r.x, r.y + int(r.h), frame, tl.px_per_frame)
    return QPoint(int(x), int(y))


def test_dragging_a_diamond_moves_the_keys_and_undo_restores(qtbot, window):
    from PySide6.QtCore import QPoint, Qt

    tl, doc = window.timeline, window.doc
    doc.set_playhead(0)
    start = _diamond(tl, 40)
    qtbot.mousePress(tl, Qt.LeftButton, pos=start)
    qtbot.mouseMove(tl, start + QPoint(20, 0))
    qtbot.mouseMove(tl, start + QPoint(12 * 4, 0))  # 12 frames later at 4 px a frame
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=start + QPoint(12 * 4, 0))
    assert [f for f, _v, _e in _keys(doc.project, "x")] == [0, 52, 80] and _keys(doc.project, "y")[0][0] == 52
    assert doc.session.undo_label == "Move keyframe"
    doc.undo()
    assert [f for f, _v, _e in _keys(doc.project, "x")] == [0, 40, 80]
    # near the playhead it lands on it
    doc.set_playhead(10 + 70)
    start = _diamond(tl, 60)
    qtbot.mousePress(tl, Qt.LeftButton, pos=start)
    qtbot.mouseMove(tl, start + QPoint(20, 0))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=start + QPoint(9 * 4 + 2, 0))  # 9.5 frames: within reach of 10
    assert _keys(doc.project, "opacity")[0][0] == 70


def test_delete_removes_the_selected_diamond_not_the_clip_and_double_click_jumps(qtbot, window):
    from PySide6.QtCore import Qt

    tl, doc = window.timeline, window.doc
    qtbot.mouseMove(tl, _diamond(tl, 60))
    assert tl.cursor().shape() == Qt.SizeHorCursor  # hovering a diamond: it can be dragged sideways
    qtbot.mouseClick(tl, Qt.LeftButton, pos=_diamond(tl, 60))
    assert tl.keys.selected == key_edit.KeyHit("c", 60) and doc.selection == {"c"}
    qtbot.keyClick(tl, Qt.Key_Delete)
    clip = doc.project.track("v").clip("c")
    assert clip is not None and "opacity" not in clip.keyframes and doc.session.undo_label == "Remove keyframe"
    qtbot.keyClick(tl, Qt.Key_Delete)  # nothing selected any more: Delete is the window's again (the clip goes)
    assert doc.project.track("v").clip("c") is None
    doc.undo()
    doc.undo()
    assert _keys(doc.project, "opacity") == [(60, 0.5, "ease-in-out")]
    qtbot.mouseDClick(tl, Qt.LeftButton, pos=_diamond(tl, 80))
    assert doc.playhead == 10 + 80 and [f for f, _v, _e in _keys(doc.project, "x")] == [0, 40, 80]


def test_escape_cancels_a_diamond_drag(qtbot, window):
    from PySide6.QtCore import QPoint, Qt

    tl, doc = window.timeline, window.doc
    start = _diamond(tl, 40)
    qtbot.mousePress(tl, Qt.LeftButton, pos=start)
    qtbot.mouseMove(tl, start + QPoint(40, 0))
    assert tl.keys.target == 50
    qtbot.keyClick(tl, Qt.Key_Escape)
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=start + QPoint(40, 0))
    assert [f for f, _v, _e in _keys(doc.project, "x")] == [0, 40, 80] and not doc.session.can_undo
