"""The AI tools from the editor: one click on a cut fills it; a still becomes a camera move; a clip gets sound."""
from fractions import Fraction

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from editor.actions.media import project_for_files  # noqa: E402
from editor.timeline import edits  # noqa: E402
from editor.ui.ai_panel import select_backend  # noqa: E402
from mediagen import indexed_video  # noqa: E402


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    from PySide6.QtWidgets import QMessageBox

    from editor.ui.document import Document
    from editor.ui.main_window import MainWindow

    def make(project):
        w = MainWindow(Document(project, str(tmp_path / "p.seam")))
        w.quiet_errors = True
        w.ask = lambda *a: QMessageBox.Discard
        qtbot.addWidget(w)
        w.show()
        w.timeline.resize(1200, 320)
        return w

    yield make


def _three_clips(tmp_path):
    src = indexed_video(tmp_path / "a.mp4", 120, Fraction(30), size=(128, 72), with_audio=True)
    p = project_for_files([src, src, src])
    v = p.video_tracks()[0]
    for c in list(v.clips):
        p = edits.trim(p, c.id, "in", 30)
        p = edits.trim(p, c.id, "out", -30)
    for gap in (10, 65, 125):
        p = edits.close_gap(p, v.id, gap)
    return p


def test_click_fill_on_a_cut_inserts_the_fill_and_undo_restores(qtbot, window, tmp_path):
    w = window(_three_clips(tmp_path))
    doc, tl = w.doc, w.timeline
    vid = doc.project.video_tracks()[0].id
    v = doc.project.track(vid)
    A, B, C = v.clips
    before = doc.project.state()
    w.ai.fill.duration.setValue(0.5)
    select_backend(w.ai.fill.backend, "builtin")
    handle = tl.handle_center(v.id, B.start)
    qtbot.mouseClick(tl, Qt.LeftButton, pos=handle)
    assert doc.selected_cut == (v.id, A.id, B.id)
    # the "+" opens the cut's popover; nothing runs until "Fill with AI" is pressed in it (issue 16 bug 6)
    pop = w.cut_popover
    assert pop.isVisible() and not w.ai.fill.row.busy and len(doc.project.track(vid).clips) == 3
    pop.length.setValue(0.5)
    qtbot.mouseClick(pop.fill, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(doc.project.track(vid).clips) == 4, timeout=60000)
    clips = doc.project.track(vid).clips
    fill = clips[1]
    assert fill.start == A.end and fill.duration == 14 and doc.project.assets[fill.asset_id].provenance
    assert clips[2].id == B.id and clips[2].start == A.end + 14 and clips[3].start == 120 + 14
    doc.undo()
    assert doc.project.state() == before


def test_camera_move_from_a_still_lands_at_the_playhead(qtbot, window, tmp_path, shared_media):
    p = project_for_files([shared_media / "photos/skimage_coffee.png"], size=(320, 180), rate=Fraction(30))
    w = window(p)
    doc = w.doc
    before = doc.project.state()
    doc.set_playhead(30)
    tab = w.ai.camera
    tab.refresh_sources(doc)
    tab.source.setCurrentIndex(tab.source.findData(next(iter(doc.project.assets))))
    tab.moves.clearSelection()
    tab.moves.findItems("push-in", Qt.MatchExactly)[0].setSelected(True)
    tab.duration.setValue(1.0)
    qtbot.mouseClick(tab.row.go, Qt.LeftButton)
    vid = doc.project.video_tracks()[0].id
    qtbot.waitUntil(lambda: any(c.start == 30 and doc.project.assets[c.asset_id].provenance
                                for c in doc.project.track(vid).clips), timeout=60000)
    new = next(c for c in doc.project.track(vid).clips if c.start == 30)
    assert new.duration == 30 and "push-in" in doc.project.assets[new.asset_id].name
    doc.undo()
    assert doc.project.state() == before


def test_sound_layers_add_three_aligned_tracks_and_undo_removes_them(qtbot, window, tmp_path):
    from test_sound import ball_clip

    p = project_for_files([ball_clip(tmp_path / "ball.mp4")])
    p = edits.move(p, p.video_tracks()[0].clips[0].id, 15)
    w = window(p)
    doc = w.doc
    before = doc.project.state()
    clip = doc.project.video_tracks()[0].clips[0]
    doc.select([clip.id])
    qtbot.mouseClick(w.ai.sound.row.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(doc.project.audio_tracks()) == 3, timeout=60000)
    names = [t.name for t in doc.project.audio_tracks()]
    assert names == ["Ambience", "Foley", "Whoosh"]
    for t in doc.project.audio_tracks():
        assert [(c.start, c.duration) for c in t.clips] == [(15, clip.duration)]
    doc.undo()
    assert doc.project.state() == before


def test_sound_tab_leaves_out_an_empty_layer_and_says_why(qtbot, window, tmp_path):
    """A clip with no cut gets no silent Whoosh track; the status bar says why."""
    from test_sound import CUT, ball_clip

    path = ball_clip(tmp_path / "ball.mp4")
    p = project_for_files([path])
    clip = p.video_tracks()[0].clips[0]
    p = edits.trim(p, clip.id, "out", -(clip.duration - CUT + 5))  # only the first shot: no cut left in the clip
    w = window(p)
    doc = w.doc
    doc.select([doc.project.video_tracks()[0].clips[0].id])
    qtbot.mouseClick(w.ai.sound.row.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.ai.sound.row.bar.format() == "done", timeout=60000)
    assert [t.name for t in doc.project.audio_tracks()] == ["Ambience", "Foley"]
    assert "Whoosh: no cuts in this clip, so no whooshes" in w.statusBar().currentMessage()


def test_playback_keeps_going_while_a_fill_and_a_sound_job_run(qtbot, window, tmp_path):
    """The jobs run on workers on snapshots: the preview keeps playing and showing frames while both run, and the
    results land on the timeline without stopping it."""
    w = window(_three_clips(tmp_path))
    doc, tl = w.doc, w.timeline
    vid = doc.project.video_tracks()[0].id
    _, B, C = doc.project.track(vid).clips
    audio_before = len(doc.project.audio_tracks())
    select_backend(w.ai.fill.backend, "builtin")
    w.preview.set_scale(0.25)
    w.preview.play()
    qtbot.mouseClick(tl, Qt.LeftButton, pos=tl.handle_center(vid, B.start))
    w.cut_popover.length.setValue(0.5)
    qtbot.mouseClick(w.cut_popover.fill, Qt.LeftButton)
    doc.select([C.id])
    qtbot.mouseClick(w.ai.sound.row.go, Qt.LeftButton)
    assert w.ai.fill.row.busy and w.ai.sound.row.busy
    seen = []  # (a job still running, playhead, frames shown), sampled by the event loop as a user would see it
    probe = QTimer()
    probe.timeout.connect(lambda: seen.append((w.ai.fill.row.busy or w.ai.sound.row.busy, doc.playhead,
                                               w.preview.shown_count)))
    probe.start(15)
    qtbot.waitUntil(lambda: len(doc.project.track(vid).clips) == 4 and not w.ai.sound.row.busy, timeout=60000)
    probe.stop()
    busy = [(head, shown) for running, head, shown in seen if running]
    assert busy[-1][0] - busy[0][0] >= 5 and busy[-1][1] - busy[0][1] >= 3, busy  # frames moved on while they ran
    assert len(doc.project.audio_tracks()) > audio_before
    assert w.preview.playing or doc.playhead >= doc.project.duration - 1  # still playing, or played to the end
    w.preview.stop()
