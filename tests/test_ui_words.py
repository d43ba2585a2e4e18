"""Words in the editor: the transport bar, the Titles tab, the Captions dock (offscreen, pytest-qt)."""
import shutil
import subprocess
from fractions import Fraction

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from editor.actions.media import project_for_files  # noqa: E402
from editor.project.subtitles import write_subtitles  # noqa: E402
from editor.timeline.cues import Cue  # noqa: E402


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    from editor.ui.document import Document
    from mediagen import indexed_video
    from test_ui import close_window, open_window

    clip = indexed_video(tmp_path / "v.mp4", 90, Fraction(30), size=(320, 180), with_audio=True)
    w = open_window(qtbot, Document(project_for_files([clip])))
    yield w
    close_window(w)


def test_transport_buttons_timecode_and_loop(qtbot, window):
    t = window.transport
    assert t.time.text().startswith("00:00:00:00 / 00:00:03:00")
    t.fwd_btn.click()
    t.fwd_btn.click()
    assert window.doc.playhead == 2 and t.time.text().startswith("00:00:00:02")
    t.end_btn.click()
    assert window.doc.playhead == 89
    t.start_btn.click()
    assert window.doc.playhead == 0
    window.doc.set_playhead(10)
    t.set_in()
    window.doc.set_playhead(20)
    t.set_out()
    t.toggle_loop(True)
    assert "loop 00:00:00:10 \u2013 00:00:00:20" in t.time.text()
    window.doc.set_playhead(10)
    t.play_btn.click()
    assert window.preview.playing
    qtbot.waitUntil(lambda: window.doc.playhead >= 18, timeout=5000)
    seen = []
    for _ in range(60):  # about 1.5 s at 30 fps: more than one lap of a 10-frame loop
        qtbot.wait(25)
        seen.append(window.doc.playhead)
    t.play_btn.click()
    assert not window.preview.playing
    assert max(seen) <= 21 and min(seen) >= 10  # it stayed inside the loop ...
    assert any(b < a for a, b in zip(seen, seen[1:]))  # ... and went round
    t.vol.setValue(40)
    t.mute_btn.click()
    assert t.volume == 0.4 and t.muted


def test_titles_tab_adds_a_template_and_edits_it_in_undoable_steps(qtbot, window):
    panel = window.titles
    window.doc.set_playhead(15)
    keys = [panel.list.item(i).data(Qt.UserRole) for i in range(panel.list.count())]
    assert "lower-third" in keys and len(keys) >= 7
    panel.add("lower-third")
    p = window.doc.project
    title = next(c for t in p.video_tracks() for c in t.clips if c.title is not None)
    assert title.start == 15 and title.duration == 120 and p.video_tracks().index(p.track_of(title.id)) == 1
    assert panel.props.isEnabled() and panel.subtitle.text() == title.title.subtitle
    panel.text.setPlainText("爷爷 Grandpa Li")
    qtbot.waitUntil(lambda: window.doc.project.find_clip(title.id)[1].title.text == "爷爷 Grandpa Li", timeout=3000)
    panel.size.setValue(9.0)
    panel.size.editingFinished.emit()
    panel.change(color="#ffcc00")
    t = window.doc.project.find_clip(title.id)[1].title
    assert (t.size, t.color) == (0.09, "#ffcc00")
    window.doc.undo()
    assert window.doc.project.find_clip(title.id)[1].title.color == "#ffffff"
    window.doc.undo()
    assert window.doc.project.find_clip(title.id)[1].title.size != 0.09


def test_a_title_dragged_on_the_preview_moves_live_and_lands_as_one_step(qtbot, window):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    panel, doc, preview = window.titles, window.doc, window.preview
    doc.set_playhead(15)
    panel.add("centered")
    title = next(c for t in doc.project.video_tracks() for c in t.clips if c.title is not None)
    before = (title.title.x, title.title.y)
    steps = doc.session.history()

    def mouse(kind, x, y, buttons=Qt.LeftButton):
        ev = QMouseEvent(kind, QPointF(x, y), preview.mapToGlobal(QPointF(x, y)), Qt.LeftButton, buttons,
                         Qt.NoModifier)
        QApplication.sendEvent(preview, ev)

    w, h = preview.width(), preview.height()
    mouse(QEvent.MouseButtonPress, w / 2, h / 2)
    mouse(QEvent.MouseMove, w * 0.3, h * 0.7)
    scratch = preview.server.override  # what the preview draws while the mouse is held: the title moved there
    assert scratch is not None and doc.project.find_clip(title.id)[1].title.x == before[0]
    moved = scratch.find_clip(title.id)[1].title
    assert moved.x < before[0] and moved.y > before[1]
    mouse(QEvent.MouseButtonRelease, w * 0.3, h * 0.7, Qt.NoButton)
    now = doc.project.find_clip(title.id)[1].title
    assert (now.x, now.y) == (moved.x, moved.y) and preview.server.override is None
    assert len(doc.session.history()) == len(steps) + 1  # one undo step for the whole drag
    doc.undo()
    assert (doc.project.find_clip(title.id)[1].title.x, doc.project.find_clip(title.id)[1].title.y) == before
    # Esc during a drag: nothing changes
    mouse(QEvent.MouseButtonPress, w / 2, h / 2)
    mouse(QEvent.MouseMove, w * 0.8, h * 0.2)
    qtbot.keyClick(preview, Qt.Key_Escape)
    mouse(QEvent.MouseButtonRelease, w * 0.8, h * 0.2, Qt.NoButton)
    assert doc.project.find_clip(title.id)[1].title.x == before[0] and preview.server.override is None


def _drop(qtbot, view, mime, x, y):
    """A drag from the Titles tab moving over the timeline and released at (x, y), as Qt delivers it."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragMoveEvent, QDropEvent

    pos = QPointF(x, y)
    view.dragMoveEvent(QDragMoveEvent(pos.toPoint(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    ghost = view.drag.target if view.drag else None
    view.dropEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    return ghost


def test_a_title_template_dragged_onto_the_timeline_lands_where_it_is_dropped(qtbot, window):
    panel, view, doc = window.titles, window.timeline, window.doc
    items = {panel.list.item(i).data(Qt.UserRole): panel.list.item(i) for i in range(panel.list.count())}
    card = panel.list.mimeData([items["card-color"]])
    v1 = doc.project.video_tracks()[0]
    footage = v1.clips[0]
    row = view.geo.row_of(doc.project, v1.id)
    # in the empty time after the footage on V1: the card goes onto V1, at the frame under the pointer
    x = view.geo.x_of(footage.end + 30)
    ghost = _drop(qtbot, view, card, x, row.top + row.height / 2)
    cards = [c for c in doc.project.track(v1.id).clips if c.title is not None]
    assert len(cards) == 1 and ghost.track_id == v1.id and abs(cards[0].start - (footage.end + 30)) <= 3
    assert doc.selection == {cards[0].id}  # selected, so the Titles tab shows its properties
    # over the footage: a lower third goes above the picture on its own track, the footage is not cut
    lower = panel.list.mimeData([items["lower-third"]])
    tracks_before = len(doc.project.video_tracks())
    _drop(qtbot, view, lower, view.geo.x_of(footage.start + 20), row.top + row.height / 2)
    p = doc.project
    assert len(p.video_tracks()) == tracks_before + 1 and p.track(v1.id).clips[0] == footage
    title = next(c for c in p.video_tracks()[1].clips if c.title is not None)
    assert title.title.template == "lower-third" and abs(title.start - (footage.start + 20)) <= 3
    doc.undo()
    assert len(doc.project.video_tracks()) == tracks_before  # one drop, one undo step


def test_captions_dock_import_edit_split_merge_export(qtbot, window, tmp_path):
    dock = window.captions
    write_subtitles([Cue(0.2, 1.0, "first words here"), Cue(1.5, 2.5, "second")], tmp_path / "in.srt")
    assert dock.import_file(tmp_path / "in.srt")
    assert dock.table.rowCount() == 2 and dock.table.item(0, 2).text() == "first words here"
    dock.table.item(1, 2).setText("second, edited")
    cc = window.doc.project.captions_tracks()[0]
    assert cc.clips[1].text == "second, edited"
    dock.table.item(0, 1).setText("1.2")
    assert window.doc.project.captions_tracks()[0].clips[0].end == 36
    window.doc.set_playhead(26)  # two thirds of the way through: two thirds of the words before the split
    dock.split()
    assert [c.text for c in window.doc.project.captions_tracks()[0].clips] == ["first words", "here",
                                                                               "second, edited"]
    from PySide6.QtCore import QItemSelectionModel

    sel = dock.table.selectionModel()
    for r in (0, 1):
        sel.select(dock.table.model().index(r, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    dock.merge()
    assert [c.text for c in window.doc.project.captions_tracks()[0].clips] == ["first words here", "second, edited"]
    dock.preset.setCurrentIndex(dock.preset.findData("box"))
    dock._apply_preset()
    assert window.doc.project.captions_tracks()[0].caption_style.box
    assert dock.export_file(tmp_path / "out.vtt")
    assert "first words here" in (tmp_path / "out.vtt").read_text(encoding="utf-8")


def test_generate_captions_for_a_clip_is_one_undo_step(qtbot, window, tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is needed (packaging/setup.sh installs it)")
    import soundfile as sf

    subprocess.run(["espeak-ng", "-w", str(tmp_path / "s.wav"), "hello family"], check=True)
    x, sr = sf.read(str(tmp_path / "s.wav"), dtype="float32")
    window.import_files([tmp_path / "s.wav"], place=(window.doc.project.audio_tracks()[0].id, 100))
    qtbot.waitUntil(lambda: len(window.doc.project.audio_tracks()[0].clips) == 2, timeout=20000)
    sound = window.doc.project.audio_tracks()[0].clips[1]
    window.doc.select([sound.id])
    dock = window.captions
    dock.scope.setCurrentIndex(dock.scope.findData("clip"))
    before = window.doc.session.undo_label
    job = dock.generate()
    with qtbot.waitSignal(job.signals.finished, timeout=120000):
        pass
    qtbot.wait(50)
    cues = window.doc.project.captions_tracks()[0].clips
    assert cues and all(sound.start <= c.start and c.end <= sound.end + 1 for c in cues)
    assert window.doc.session.undo_label.startswith("Captions")
    window.doc.undo()
    assert not window.doc.project.captions_tracks() or not window.doc.project.captions_tracks()[0].clips
    assert window.doc.session.undo_label == before


def test_window_maximised_first_then_as_left(qtbot, tmp_path):
    from PySide6.QtWidgets import QMainWindow

    from editor.ui.transport import remember_window, show_window

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    w = QMainWindow()
    qtbot.addWidget(w)
    show_window(w, settings)
    assert w.windowState() & Qt.WindowMaximized
    w.showNormal()
    w.resize(700, 500)
    remember_window(w, settings)
    w2 = QMainWindow()
    qtbot.addWidget(w2)
    show_window(w2, settings)
    assert not (w2.windowState() & Qt.WindowMaximized) and w2.width() == 700
