"""The Motion dock (pytest-qt, offscreen): values edit the selected clip as undo steps, the diamond keys a value at
the playhead, a keyed property gets keys when edited, speed and stabilise run through the same edits."""
from fractions import Fraction

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QDoubleSpinBox, QPushButton  # noqa: E402

from editor.actions.media import asset_from_info  # noqa: E402
from editor.media.probe import probe  # noqa: E402
from editor.timeline import edits  # noqa: E402
from editor.timeline.model import Clip, Project, ProjectSettings  # noqa: E402
from mediagen import indexed_video  # noqa: E402


@pytest.fixture
def panel(qtbot, tmp_path):
    from editor.ui.document import Document
    from editor.ui.motion_panel import MotionPanel

    src = indexed_video(tmp_path / "v.mp4", 60)
    p = Project(settings=ProjectSettings(160, 96, Fraction(30)))
    a = asset_from_info(probe(src), Fraction(30))
    p = edits.add_track(edits.add_asset(p, a), "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=a.id, start=0, duration=60))
    doc = Document(p)
    w = MotionPanel(doc)
    qtbot.addWidget(w)
    w.show()
    doc.select(["c"])
    yield doc, w
    doc.session.mark_saved()
    doc.close()  # its timers stop and its media close now, not whenever the garbage collector gets to them


def _set(w, name, value):
    box = w.findChild(QDoubleSpinBox, name)
    box.setValue(value)
    box.editingFinished.emit()


def test_editing_values_and_keys_from_the_motion_dock(panel):
    doc, w = panel
    _set(w, "scale", 1.5)
    assert doc.project.track("v").clip("c").transform.scale == 1.5 and doc.session.undo_label == "Set scale"
    doc.set_playhead(10)
    w.findChild(QPushButton, "x_key").click()  # a key at frame 10 with the current value
    doc.set_playhead(40)
    _set(w, "x", 0.25)  # x is animated now: editing makes a key at the playhead
    keys = doc.project.track("v").clip("c").keyframes["x"]
    assert [(k.frame, k.value) for k in keys] == [(10, 0.0), (40, 0.25)]
    assert w.findChild(QPushButton, "x_key").text() == "◆"
    w.findChild(QPushButton, "x_key").click()  # on a key: removes it
    assert [k.frame for k in doc.project.track("v").clip("c").keyframes["x"]] == [10]
    _set(w, "saturation", 0.5)
    assert doc.project.track("v").clip("c").colour.saturation == 0.5
    _set(w, "speed", 2.0)
    assert doc.project.track("v").clip("c").duration == 30
    doc.undo()
    assert doc.project.track("v").clip("c").duration == 60


def test_ken_burns_button_keys_a_push_in(panel):
    doc, w = panel
    buttons = [b for b in w.findChildren(QPushButton) if b.text() == "Slow push-in"]
    buttons[0].click()
    c = doc.project.track("v").clip("c")
    assert c.transform.fit == "fill" and c.keyframes["scale"][-1].value > c.keyframes["scale"][0].value


def test_before_after_shows_the_picture_without_colour_in_the_preview_only(panel, tmp_path):
    from PySide6.QtWidgets import QCheckBox

    from editor.render.compositor import Compositor

    doc, w = panel
    _set(w, "exposure", -2.0)
    graded = Compositor(doc.project, pool=doc.pool).frame(5)
    w.findChild(QCheckBox, "before").setChecked(True)
    plain = Compositor(doc.project, pool=doc.pool).frame(5)
    assert graded.mean() < plain.mean() - 10
    assert Compositor(doc.project).frame(5).mean() == pytest.approx(graded.mean())  # an export's own pool: graded
    w.findChild(QCheckBox, "before").setChecked(False)
    assert Compositor(doc.project, pool=doc.pool).frame(5).mean() == pytest.approx(graded.mean())


def test_timeline_marks_every_keyed_frame_and_speed_keys_apart(panel):
    from editor.timeline import motion_edits as me
    from editor.ui.key_marks import key_frames

    doc, _ = panel
    p = me.set_keys(doc.project, "c", "x", [(0, 0.0), (20, 0.1)])
    p = me.set_keys(p, "c", "opacity", [(20, 1.0), (40, 0.5)])
    p = me.set_speed_ramp(p, "c", [(10, 1.0), (40, 0.5)])
    assert key_frames(p.track("v").clip("c")) == {0: False, 10: True, 20: False, 40: True}
