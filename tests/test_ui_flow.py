"""The everyday editing flow in the window (issue 16): each bug reproduced through the UI, and the basics a new user
reaches for on the first evening."""
from fractions import Fraction

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from mediagen import indexed_video  # noqa: E402
from test_ui import import_and_wait  # noqa: E402


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    from editor.ui.main_window import MainWindow

    w = MainWindow()
    w.quiet_errors = True
    w.answers = []
    w.ask = lambda q, *a: (w.answers.append(q), QMessageBox.No)[1]
    qtbot.addWidget(w)
    w.show()
    w.timeline.resize(1200, 320)
    yield w
    w.doc.session.mark_saved()
    w.close()


def media(tmp_path, n=3, frames=90):
    return [indexed_video(tmp_path / f"clip{i}.mp4", frames, Fraction(30), size=(128, 72), with_audio=True)
            for i in range(n)]


def drop(tl, mime_type, payload: str, x, y, mods=Qt.NoModifier):
    mime = QMimeData()
    mime.setData(mime_type, payload.encode())
    ev = QDropEvent(QPointF(x, y), Qt.CopyAction, mime, Qt.LeftButton, mods)
    tl.dragMoveEvent(ev)
    tl.dropEvent(QDropEvent(QPointF(x, y), Qt.CopyAction, mime, Qt.LeftButton, mods))


def row_y(tl, track_id):
    r = tl.geo.row_of(tl.doc.project, track_id)
    return r.top + r.height // 2


def asset_ids(doc):
    return sorted(doc.project.assets)


def test_bug4_a_new_project_has_tracks_and_the_first_drop_lands(qtbot, window, tmp_path):
    from editor.ui.timeline_view import ASSET_MIME

    doc, tl = window.doc, window.timeline
    assert [t.name for t in doc.project.tracks] == ["V1", "A1"]
    import_and_wait(qtbot, window, media(tmp_path, 1))
    aid = asset_ids(doc)[0]
    v1 = doc.project.video_tracks()[0].id
    drop(tl, ASSET_MIME, aid, tl.x_of(0) + 3, row_y(tl, v1))
    assert [c.asset_id for c in doc.project.track(v1).clips] == [aid]
    assert doc.project.audio_tracks()[0].clips[0].link == doc.project.track(v1).clips[0].link
    # below the tracks: a new track is made rather than nothing happening
    rows = tl.rows()
    drop(tl, ASSET_MIME, aid, tl.x_of(10), rows[-1].top + rows[-1].height + 10)
    assert len(doc.project.audio_tracks()) == 2 or len(doc.project.video_tracks()) == 2


def test_first_import_asks_once_to_match_the_clip(qtbot, window, tmp_path):
    window.ask = lambda q, *a: (window.answers.append(q), QMessageBox.Yes)[1]
    import_and_wait(qtbot, window, media(tmp_path, 1))
    s = window.doc.project.settings
    assert (s.width, s.height, s.rate) == (128, 72, 30) and len(window.answers) == 1
    assert "128\u00d772" in window.answers[0]
    import_and_wait(qtbot, window, [indexed_video(tmp_path / "big.mp4", 30, Fraction(25), size=(320, 180))])
    assert len(window.answers) == 1  # asked once
    window.doc.undo()
    window.doc.undo()


def test_bug5_drops_insert_by_default_overwrite_with_ctrl_and_shift_swaps(qtbot, window, tmp_path):
    from editor.ui.timeline_view import ASSET_MIME

    doc, tl = window.doc, window.timeline
    tl.geo.px_per_frame = 3.0
    import_and_wait(qtbot, window, media(tmp_path, 3))
    a, b, c = asset_ids(doc)
    v1, a1 = doc.project.video_tracks()[0].id, doc.project.audio_tracks()[0].id
    assert tl.drop_asset(a, v1, 0) and tl.drop_asset(b, v1, 90)

    def order(tid):
        return [(x.asset_id, x.start) for x in doc.project.track(tid).clips]

    drop(tl, ASSET_MIME, c, tl.x_of(80), row_y(tl, v1))  # over the end of a: in at the a|b cut
    assert order(v1) == [(a, 0), (c, 90), (b, 180)] and order(a1) == order(v1)
    doc.undo()
    drop(tl, ASSET_MIME, c, tl.x_of(45), row_y(tl, v1), Qt.ControlModifier)  # Ctrl: cover instead
    assert order(v1) == [(a, 0), (c, 45), (b, 135)]
    assert order(a1) == [(a, 0), (c, 45), (b, 135)]  # a's sound under c went with its picture
    doc.undo()
    # Shift while dragging a clip onto another: they swap places
    first = doc.project.track(v1).clips[0]
    y = row_y(tl, v1) + 8
    start = QPoint(int(tl.x_of(40)), y)
    qtbot.mousePress(tl, Qt.LeftButton, pos=start)
    qtbot.mouseMove(tl, QPoint(int(tl.x_of(130)), y))
    tl.mouseMoveEvent(_move_event(tl, QPoint(int(tl.x_of(130)), y), Qt.ShiftModifier))
    qtbot.mouseRelease(tl, Qt.LeftButton, Qt.ShiftModifier, QPoint(int(tl.x_of(130)), y))
    assert order(v1) == [(b, 0), (a, 90)] and doc.project.track(v1).clips[1].id == first.id
    assert order(a1) == order(v1)


def _move_event(tl, pos, mods):
    from PySide6.QtGui import QMouseEvent

    return QMouseEvent(QMouseEvent.MouseMove, QPointF(pos), QPointF(tl.mapToGlobal(pos)), Qt.NoButton,
                       Qt.LeftButton, mods)


def _three_cut(window, tmp_path, qtbot):
    import_and_wait(qtbot, window, media(tmp_path, 3))
    tl, doc = window.timeline, window.doc
    v1 = doc.project.video_tracks()[0].id
    for i, aid in enumerate(asset_ids(doc)):
        tl.drop_asset(aid, v1, 90 * i)
    tl.geo.px_per_frame = 3.0
    tl.update()
    return v1


def test_bug6_the_plus_opens_a_popover_and_trimming_at_the_cut_starts_nothing(qtbot, window, tmp_path):
    v1 = _three_cut(window, tmp_path, qtbot)
    doc, tl = window.doc, window.timeline
    a, b, _ = doc.project.track(v1).clips
    before = doc.project.state()
    # grab the cut below the "+" and drag: a trim, no job, no popover
    y = row_y(tl, v1) + 12
    edge = QPoint(int(tl.x_of(90)) - 3, y)
    qtbot.mousePress(tl, Qt.LeftButton, pos=edge)
    qtbot.mouseMove(tl, edge - QPoint(30, 0))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=edge - QPoint(30, 0))
    assert doc.project.track(v1).clip(a.id).end == 80 and not window.ai.fill.row.busy
    assert getattr(window, "cut_popover", None) is None
    doc.undo()
    assert doc.project.state() == before
    # a click on the "+": the popover, still no job
    qtbot.mouseClick(tl, Qt.LeftButton, pos=tl.handle_center(v1, 90))
    pop = window.cut_popover
    assert pop.isVisible() and not window.ai.fill.row.busy and doc.selected_cut == (v1, a.id, b.id)
    pop.kind.setCurrentIndex(pop.kind.findData("dip-to-black"))
    pop.length.setValue(0.4)
    qtbot.mouseClick(pop.add, Qt.LeftButton)
    x = doc.project.track(v1).transition_between(a.id, b.id)
    assert x is not None and x.kind == "dip-to-black" and x.duration == 12 and not pop.isVisible()


def test_transitions_library_drag_onto_a_cut_and_apply_to_all(qtbot, window, tmp_path):
    from editor.ui.timeline_view import TRANSITION_MIME

    v1 = _three_cut(window, tmp_path, qtbot)
    doc, tl = window.doc, window.timeline
    drop(tl, TRANSITION_MIME, "push-left", tl.x_of(185), row_y(tl, v1))
    clips = doc.project.track(v1).clips
    assert [x.kind for x in doc.project.track(v1).transitions] == ["push-left"]
    assert doc.project.track(v1).transitions[0].a == clips[1].id
    lib = window.transitions
    lib.list.setCurrentRow([lib.list.item(i).data(Qt.UserRole) for i in range(lib.list.count())].index("zoom-in"))
    lib.length.setValue(1.0)
    qtbot.mouseClick(lib.apply_all, Qt.LeftButton)
    assert [(x.kind, x.duration) for x in doc.project.track(v1).transitions] == [("zoom-in", 30)] * 2
    doc.undo()
    assert [x.kind for x in doc.project.track(v1).transitions] == ["push-left"]  # one undo step for all cuts
    icons = [lib.list.item(0).icon().cacheKey()]
    lib.show()
    qtbot.wait(300)
    icons.append(lib.list.item(0).icon().cacheKey())
    assert icons[0] != icons[1]  # the previews play


def test_bug8_the_bin_keeps_its_place_and_shows_pictures_at_import(qtbot, window, tmp_path):
    files = [indexed_video(tmp_path / f"v{i}.mp4", 20, Fraction(30), size=(64, 36)) for i in range(14)]
    import_and_wait(qtbot, window, files)
    bin_ = window.bin
    bin_.resize(200, 200)
    qtbot.waitUntil(lambda: len(window.pictures.strips) == 14, timeout=60000)  # pictures without any placing
    assert all(window.pictures.thumb(a) is not None for a in window.doc.project.assets)
    bar = bin_.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    v1 = window.doc.project.video_tracks()[0].id
    window.timeline.drop_asset(sorted(window.doc.project.assets)[0], v1, 0)  # an edit
    window.doc.undo()
    qtbot.wait(20)
    assert bar.value() == bar.maximum() > 0


def test_bug8_filmstrips_show_frames_from_along_the_clip_and_bins_hover_scrub(qtbot, window, tmp_path):
    from editor.ui.geometry import Row

    src = indexed_video(tmp_path / "long.mp4", 240, Fraction(30), size=(128, 72))
    import_and_wait(qtbot, window, [src])
    aid = asset_ids(window.doc)[0]
    qtbot.waitUntil(lambda: aid in window.pictures.strips, timeout=30000)
    strip = window.pictures.strips[aid]
    asked = []
    real_at = strip.at
    strip.at = lambda secs: (asked.append(secs), real_at(secs))[1]
    tl = window.timeline
    v1 = window.doc.project.video_tracks()[0].id
    tl.drop_asset(aid, v1, 0)
    tl.zoom_to_fit()
    tl.repaint()
    assert len(asked) >= 3 and asked == sorted(asked) and asked[-1] - asked[0] > 4.0  # 8 s clip: not frame 0 again
    assert len({real_at(s).cacheKey() for s in asked}) >= 3
    # hover-scrub: the bin item's picture follows the mouse across it
    bin_ = window.bin
    it = bin_.item(0)
    r = bin_.visualItemRect(it)
    keys = []
    for fx in (0.1, 0.9):
        pos = QPoint(int(r.left() + fx * r.width()), r.center().y())
        qtbot.mouseMove(bin_.viewport(), pos)
        bin_.mouseMoveEvent(_move_event(bin_.viewport(), pos, Qt.NoModifier))
        keys.append(it.icon().cacheKey())
    assert keys[0] != keys[1]
    assert Row  # (imported for the reader: rows are what the painter iterates)


def test_bug9_progress_is_never_done_before_the_result_is_placed_and_stale_cuts_are_forgotten(qtbot, window,
                                                                                               tmp_path):
    from editor.ui.ai_panel import NO_CUT

    row = window.ai.fill.row
    gate = []

    def work(progress, cancelled):
        progress(1.0, "done")  # what a job reports when its files are written, before the UI has placed them
        while not gate:
            import time

            time.sleep(0.01)
        return 1

    results = []
    row.run(work, results.append, lambda e: None)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=5000)
    assert row.bar.value() < 1000 and "done" not in row.bar.format()
    gate.append(1)
    qtbot.waitUntil(lambda: results == [1], timeout=5000)
    assert row.bar.value() == 1000 and row.bar.format() == "done"
    v1 = _three_cut(window, tmp_path, qtbot)
    a, b, _ = window.doc.project.track(v1).clips
    window.doc.select_cut(v1, a.id, b.id)
    assert "\u2192" in window.ai.fill.cut.text()
    window.doc.apply("Trim", __import__("editor.timeline.edits", fromlist=["x"]).trim, a.id, "out", -10)
    assert window.ai.fill.cut.text() == NO_CUT and window.doc.selected_cut is None


def test_bug12_readable_sizes_and_words(qtbot, window, tmp_path):
    from PySide6.QtGui import QFontMetrics

    tl = window.timeline
    painter = tl.painter
    assert painter.small.pointSizeF() >= 9 and painter.bold.pointSizeF() >= 9
    assert tl.geo.switch_px >= 22 and tl.geo.switch_h_px >= 16 and tl.geo.header_w >= 140
    v1 = _three_cut(window, tmp_path, qtbot)
    c = window.doc.project.track(v1).clips[0]
    fm = QFontMetrics(painter.small)
    w = tl.geo.clip_rect(c, tl.geo.row_of(window.doc.project, v1)).w - 8
    assert fm.elidedText(c.name, Qt.ElideRight, int(w)) == c.name  # the whole name fits on a 90-frame clip
    window.doc.select([c.id])
    fade = window.inspector.findChild(object, "fade_in")
    assert fade.suffix() == " s"
    fade.setValue(0.5)
    fade.editingFinished.emit()
    assert window.doc.project.find_clip(c.id)[1].fade_in == 15
    assert window.ai.camera.focus.currentText() == "the middle"  # not "Focus x,y 0.5,0.5"
    window._preview_status("stopped: 84 frames shown, 66 dropped")
    assert "jerky" in window._status_extra.text()
    window._extra_clear.setInterval(10)
    window._extra_clear.start()
    qtbot.waitUntil(lambda: window._status_extra.text() == "", timeout=2000)  # it does not stay forever


def test_playhead_ticks_repaint_a_strip_and_edits_repaint_what_changed(qtbot, window, tmp_path):
    v1 = _three_cut(window, tmp_path, qtbot)
    tl = window.timeline
    tl.resize(1400, 300)
    qtbot.wait(50)
    rects = []
    real = tl.painter.paint
    tl.painter.paint = lambda p, r: (rects.append(r), real(p, r))[1]
    qtbot.waitUntil(lambda: len(window.pictures.strips) == 3, timeout=30000)  # (their arrival repaints all)
    qtbot.wait(100)  # whatever was pending is painted
    rects.clear()
    window.doc.set_playhead(40)
    qtbot.waitUntil(lambda: bool(rects), timeout=2000)
    assert max(r.width() for r in rects) <= 2 * 7 + 40  # a strip, not the whole width
    rects.clear()
    clips = window.doc.project.track(v1).clips
    window.doc.apply("Fade", __import__("editor.timeline.edits", fromlist=["x"]).set_clip_property, clips[2].id,
                     "fade_in", 10)
    qtbot.waitUntil(lambda: bool(rects), timeout=2000)
    assert min(r.left() for r in rects) >= int(tl.x_of(180)) - 40  # only around the third clip


def test_bug10_save_as_brings_generated_media_beside_the_project(qtbot, window, tmp_path):
    import json
    import shutil

    from editor.actions.media import asset_from_info
    from editor.media.probe import probe
    from editor.timeline import edits

    src = indexed_video(tmp_path / "fill.mp4", 30, Fraction(30), size=(64, 36))
    job = window.doc.generated_dir() / "fill-transition-123"  # an unsaved project: the user's data folder
    job.mkdir(parents=True)
    shutil.copy(src, job / "fill.mp4")
    (job / "provenance.json").write_text(json.dumps({"tool": "fill-transition"}))
    asset = asset_from_info(probe(job / "fill.mp4"), Fraction(30), provenance={"tool": "fill-transition"})
    window.doc.apply("Add", edits.add_asset, asset)
    window.timeline.drop_asset(asset.id, window.doc.project.video_tracks()[0].id, 0)
    (tmp_path / "trip").mkdir()
    assert window.save_as(tmp_path / "trip" / "Trip.seam")
    qtbot.waitUntil(lambda: window.collect_worker.done, timeout=30000)
    qtbot.wait(50)
    moved = window.doc.project.assets[asset.id].path
    assert moved.startswith(str(tmp_path / "trip" / "Trip media" / "generated" / "fill-transition-123"))
    assert not window.doc.modified  # saved again with the new place
    assert window.doc.generated_dir() == tmp_path / "trip" / "Trip media" / "generated"


def test_project_settings_dialog_changes_shape_and_rate_as_one_step(qtbot, window, tmp_path):
    from editor.ui.dialogs import ProjectSettingsDialog

    v1 = _three_cut(window, tmp_path, qtbot)
    before = [(c.start, c.duration) for c in window.doc.project.track(v1).clips]
    dlg = ProjectSettingsDialog(window)
    dlg.aspect.setCurrentIndex(dlg.aspect.findData("9:16"))
    dlg.size.setCurrentIndex(dlg.size.findData(1080))
    dlg.rate.setCurrentIndex(dlg.rate.findData("60"))
    assert "1080\u00d71920" in dlg.summary.text()
    dlg.apply()
    s = window.doc.project.settings
    assert (s.width, s.height, s.rate) == (1080, 1920, 60)
    assert [(c.start, c.duration) for c in window.doc.project.track(v1).clips] == [(2 * a, 2 * d) for a, d in before]
    window.doc.undo()
    assert window.doc.project.settings.rate == 30
