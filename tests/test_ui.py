"""The desktop editor driven through its widgets and public slots (pytest-qt, offscreen)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def open_window(qtbot, doc=None):
    """The main window as a test drives it: no message boxes, no "save changes?" on the way out."""
    from PySide6.QtWidgets import QMessageBox

    from editor.ui.main_window import MainWindow

    w = MainWindow(doc)
    w.quiet_errors = True
    w.ask = lambda *a: QMessageBox.Discard
    qtbot.addWidget(w)
    w.show()
    return w


def close_window(w):
    w.doc.session.mark_saved()
    w.close()


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    w = open_window(qtbot)
    yield w
    close_window(w)


def import_and_wait(qtbot, window, paths, **kw):
    w = window.import_files(paths, **kw)
    with qtbot.waitSignal(w.signals.finished, timeout=30000):
        pass
    qtbot.wait(50)


def test_window_opens_without_torch(tmp_path):
    # torch/diffusers load only when a generative backend runs; scipy (sound tools) cost a second at start-up
    code = ("import os, sys, time; os.environ['QT_QPA_PLATFORM']='offscreen'; t=time.monotonic();"
            "sys.path.insert(0, %r);" % str(ROOT) +
            "from PySide6.QtWidgets import QApplication; app=QApplication([]);"
            "from editor.ui.main_window import MainWindow; w=MainWindow(); w.show(); app.processEvents();"
            "print(round(time.monotonic()-t, 3));"
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers', 'scipy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "SEAMLINE_DATA": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    seconds, mods = r.stdout.strip().splitlines()[-2:]
    assert mods == "[]"
    print("window shown in", seconds, "s")


def test_import_drag_edit_undo_save_reopen(qtbot, window, shared_media, tmp_path):
    doc = window.doc
    import_and_wait(qtbot, window, [shared_media / "video/01_dog.mp4", shared_media / "photos/skimage_coffee.png",
                                    tmp_path / "nope.mp4"])
    assert len(doc.project.assets) == 2 and any("nope.mp4" in k for k in window.bin.errors)  # badge, no crash
    window.doc.apply("Add track", __import__("editor.timeline.edits", fromlist=["x"]).add_track, "video")
    vid = doc.project.video_tracks()[0].id
    dog = next(a for a in doc.project.assets.values() if a.kind == "video")
    photo = next(a for a in doc.project.assets.values() if a.kind == "image")

    # drag the bin item onto the timeline: a real QDropEvent carrying the bin's mime data
    window.bin.setCurrentRow([i for i in range(window.bin.count())
                              if window.bin.item(i).data(Qt.UserRole) == dog.id][0])
    mime = QMimeData()
    from editor.ui.timeline_view import ASSET_MIME

    mime.setData(ASSET_MIME, dog.id.encode())
    tl = window.timeline
    y = next(top for t, top, h in tl.rows() if t.id == vid) + 10
    pos = QPointF(tl.x_of(0) + 2, y)
    tl.dropEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))

    def v():
        return doc.project.track(vid)

    assert len(v().clips) == 1 and doc.project.audio_tracks()[0].clips[0].link == v().clips[0].link  # linked audio
    states = [doc.project.state()]
    assert tl.drop_asset(photo.id, vid, v().clips[0].end)
    states.append(doc.project.state())
    clip = v().clips[0]
    assert tl.trim_clip(clip.id, "out", -60)
    states.append(doc.project.state())
    assert tl.move_clip(v().clips[1].id, v().clips[0].end + 30)
    states.append(doc.project.state())
    doc.set_playhead(100)
    doc.select([v().clips[0].id])
    window.split_selected()
    assert len(v().clips) == 3
    states.append(doc.project.state())
    doc.select([v().clips[1].id])
    window.ripple_delete_selected()
    states.append(doc.project.state())
    # undo each step back to the start, then redo each
    for expected in reversed(states[:-1]):
        doc.undo()
        assert doc.project.state() == expected
    for expected in states[1:]:
        doc.redo()
        assert doc.project.state() == expected
    assert doc.modified and "*" not in window.windowTitle().replace("[*]", "")
    path = doc.save(tmp_path / "family.seam")
    assert not doc.modified
    assert window.open_path(path)
    assert window.doc.project.state()["tracks"] == states[-1]["tracks"]


def test_mouse_drag_moves_and_trims_with_snapping(qtbot, window, shared_media):
    from editor.timeline import edits

    import_and_wait(qtbot, window, [shared_media / "photos/skimage_coffee.png"])
    doc = window.doc
    doc.apply("Add track", edits.add_track, "video")
    vid = doc.project.video_tracks()[0].id

    def v():
        return doc.project.track(vid)

    photo = next(iter(doc.project.assets))
    tl = window.timeline
    tl.resize(1200, 300)
    tl.px_per_frame = 4.0
    assert tl.drop_asset(photo, vid, 0)
    assert tl.drop_asset(photo, vid, 200)
    c = v().clips[0]
    top = next(top for t, top, h in tl.rows() if t.id == vid)
    mid = QPoint(int(tl.x_of(c.start + 20)), top + 20)
    qtbot.mousePress(tl, Qt.LeftButton, pos=mid)
    qtbot.mouseMove(tl, mid + QPoint(int(48 * 4), 0))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=mid + QPoint(int(48 * 4), 0))
    assert v().clips[0].start == 48  # 120-frame still ends at 168, snapped? no: moved by exactly 48 frames
    # trim the out edge by dragging it; it snaps to the next clip's start when close
    c = v().clips[0]
    edge = QPoint(int(tl.x_of(c.end)) - 2, top + 20)
    qtbot.mousePress(tl, Qt.LeftButton, pos=edge)
    qtbot.mouseMove(tl, edge + QPoint(int(20 * 4), 0))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=edge + QPoint(int(20 * 4), 0))
    assert v().clips[0].end == c.end + 20  # 20 frames longer (the next clip, 12 frames on, is too far to snap)
    doc.undo()
    doc.undo()
    assert v().clips[0].start == 0


def test_export_with_progress_and_cancel(qtbot, window, shared_media, tmp_path):
    from editor.timeline import edits
    from editor.ui.main_window import ExportDialog

    import_and_wait(qtbot, window, [shared_media / "video/chaplin.mp4"])
    doc = window.doc
    doc.apply("Add track", edits.add_track, "video")
    tl = window.timeline
    tl.drop_asset(next(iter(doc.project.assets)), doc.project.video_tracks()[0].id, 0)
    dlg = ExportDialog(window)
    dlg.preset.setCurrentText("project size")
    out = tmp_path / "out.mp4"
    dlg.path.setText(str(out))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.bar.value() > 50, timeout=30000)
    assert window.isEnabled()  # the window stays usable during export
    dlg.cancel()
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=30000)
    left = [f for f in os.listdir(tmp_path) if f != "data"]  # data: the window's autosave folder
    assert dlg.eta.text() == "Export cancelled" and not out.exists() and left == []
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=120000)
    from editor.media.probe import probe

    assert probe(out).frames == doc.project.duration
    # issue 16 bug 11: wide enough for a path, and when it is done the way out is "Close", not "Cancel"
    dlg.show()
    assert dlg.width() >= 500 and dlg.path.width() > 300
    assert dlg.cancel_btn.text() == "Close" and dlg.open_btn.isVisible() and not dlg.go.isVisible()
    dlg.cancel()
    assert dlg.result is not None and not dlg.isVisible()


def test_offline_media_relink(qtbot, window, tmp_path, shared_media):
    import shutil

    from editor.actions.media import project_for_files
    from editor.project.fileio import missing_media, save

    src = tmp_path / "clip.mp4"
    shutil.copy(shared_media / "video/bedroom.mp4", src)
    save(project_for_files([src]), tmp_path / "p.seam")
    src.rename(tmp_path / "moved.mp4")
    assert window.open_path(tmp_path / "p.seam")
    missing = missing_media(window.doc.project)
    assert len(missing) == 1
    assert window.relink(missing[0].id, str(tmp_path / "moved.mp4"))
    assert not missing_media(window.doc.project)


def test_crash_recovery_after_sigkill(tmp_path, shared_media):
    """An edit, autosave a few seconds later, SIGKILL; the next start restores the edit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SEAMLINE_DATA": str(tmp_path / "data")}
    script = tmp_path / "crash.py"
    script.write_text(f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
app = QApplication([])
from editor.ui.main_window import MainWindow
from editor.timeline import edits
w = MainWindow(); w.show()
w.doc.apply('Add track', edits.add_track, 'video', name='Edited before the crash')
print('edited', flush=True)
app.exec()
""")
    p = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    assert p.stdout.readline().strip() == "edited"
    rec = tmp_path / "data" / "recovery"
    deadline = time.time() + 20
    while time.time() < deadline and not list(rec.glob("*.seam-recovery")):
        time.sleep(0.2)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert list(rec.glob("*.seam-recovery")), "no autosave was written"
    check = tmp_path / "check.py"
    check.write_text(f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import os
os.environ['SEAMLINE_RESTORE'] = 'yes'
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
import editor.ui.main_window as mw
captured = {{}}
orig = mw.MainWindow.set_document
def spy(self, doc):
    orig(self, doc)
    captured['names'] = [t.name for t in doc.project.tracks]
mw.MainWindow.set_document = spy
os.environ['SEAMLINE_QUIT_AFTER'] = '0.5'
from editor.ui.app import start
start([], None)
print(captured.get('names'))
""")
    r = subprocess.run([sys.executable, str(check)], env=env, capture_output=True, text=True, timeout=120)
    assert "Edited before the crash" in r.stdout, r.stdout + r.stderr


def test_playback_runs_without_audio_device(qtbot, window, shared_media):
    from editor.timeline import edits

    import_and_wait(qtbot, window, [shared_media / "video/bedroom.mp4"])
    doc = window.doc
    doc.apply("Add track", edits.add_track, "video")
    window.timeline.drop_asset(next(iter(doc.project.assets)), doc.project.video_tracks()[0].id, 0)
    window.preview.set_scale(0.25)
    window.preview.play()
    # playback advances, silently if need be, and shows frames (how many a loaded machine drops is not the point)
    qtbot.waitUntil(lambda: doc.playhead > 10 and window.preview.shown_count > 3, timeout=30000)
    window.preview.stop()
    at = doc.playhead
    window.shuttle(-1)  # J: backwards
    qtbot.waitUntil(lambda: doc.playhead < at - 3, timeout=30000)
    window.shuttle(-1)  # J again: twice as fast backwards
    assert window.preview.speed == -2.0
    window.preview.stop()


def _rgb(qimage):
    import numpy as np
    from PySide6.QtGui import QImage

    img = qimage.convertToFormat(QImage.Format_RGB888)
    w, h = img.width(), img.height()
    raw = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).reshape(h, img.bytesPerLine())
    return raw[:, :w * 3].reshape(h, w, 3).copy()


def test_long_gop_video_gets_a_proxy_that_the_preview_uses(qtbot, window, tmp_path):
    from mediagen import read_index, indexed_video
    from editor.media.proxy import find_proxy

    src = indexed_video(tmp_path / "phone.mp4", 90, size=(1280, 720))  # GOP 30, 720p: like phone footage
    import_and_wait(qtbot, window, [src], lay_out=True)
    window.set_use_proxies(True)
    qtbot.waitUntil(lambda: not window.proxies.busy, timeout=60000)
    assert find_proxy(src) is not None
    assert window._status_proxy.text() == ""  # the status bar tells progress, then clears
    window.preview.set_scale(0.5)
    window.doc.set_playhead(47)
    qtbot.waitUntil(lambda: window.preview.shown == 47, timeout=10000)
    assert read_index(_rgb(window.preview.image)) == 47
    doc = window.doc
    readers = [r for r in doc.pool._visual.values() if hasattr(r, "proxy_hits")]
    assert readers and sum(r.proxy_hits for r in readers) >= 1
    # switched off (View menu), the preview reads the original again, at the same frame
    window.set_use_proxies(False)
    hits = sum(r.proxy_hits for r in readers)
    window.doc.set_playhead(61)
    qtbot.waitUntil(lambda: window.preview.shown == 61, timeout=10000)
    assert read_index(_rgb(window.preview.image)) == 61
    assert sum(r.proxy_hits for r in readers) == hits
    window.set_use_proxies(True)


def test_horizontal_scrollbar_and_playhead_follow(qtbot, window, tmp_path):
    from mediagen import indexed_video

    src = indexed_video(tmp_path / "long.mp4", 300)
    import_and_wait(qtbot, window, [src], lay_out=True)
    tl, bar = window.timeline, window.hbar
    tl.zoom_to_fit()
    assert bar.maximum() == 0  # everything visible: nothing to scroll
    tl.zoom(8.0)
    assert bar.maximum() > 0 and bar.pageStep() == tl.visible_frames
    bar.setValue(bar.maximum() // 2)
    assert tl.scroll == bar.maximum() // 2  # dragging the bar scrolls the timeline
    window.doc.set_playhead(299)  # the playhead runs off the right edge: the view pages along
    assert tl.scroll <= 299 < tl.scroll + tl.visible_frames and bar.value() == tl.scroll
    window.doc.set_playhead(0)
    assert tl.scroll == 0 and bar.value() == 0


def test_preview_auto_scale_renders_at_the_shown_size(qtbot, window, tmp_path):
    import math

    from PySide6.QtCore import Qt as _Qt

    from editor.render.compositor import scaled_size
    from mediagen import indexed_video

    src = indexed_video(tmp_path / "hd.mp4", 30, size=(1280, 720))
    import_and_wait(qtbot, window, [src], lay_out=True)
    pv = window.preview
    W, H = window.doc.project.settings.width, window.doc.project.settings.height

    def fitted():  # the shown size, rounded up to 1/8 steps, never above the project's
        return min(1.0, max(0.125, math.ceil(min(pv.width() / W, pv.height() / H) * 8) / 8))

    def shows(n, scale):
        window.doc.set_playhead(n)
        qtbot.waitUntil(lambda: pv.shown == n, timeout=10000)
        assert (pv.image.width(), pv.image.height()) == scaled_size(W, H, scale)

    assert pv.auto_scale and pv.server.scale == fitted()
    shows(3, fitted())
    window.resizeDocks([window.docks["Preview"]], [150], _Qt.Vertical)  # a smaller preview: fewer pixels drawn
    qtbot.waitUntil(lambda: pv.server.scale == fitted() and pv.height() < 200, timeout=5000)
    assert pv.server.scale < 0.5
    shows(5, fitted())
    pv.set_scale(1.0)  # a fixed scale ignores the widget size
    shows(7, 1.0)


def test_bin_says_lengths_as_people_do_and_timecode_always_has_hours():
    from fractions import Fraction

    from editor.ui.timeline_view import short_duration, timecode

    assert short_duration(135, Fraction(30)) == "4.5 s"
    assert short_duration(30 * 83, Fraction(30)) == "1:23"
    assert short_duration(30 * 3723, Fraction(30)) == "1:02:03"
    assert timecode(120, Fraction(30)) == "00:00:04:00"


def test_a_frame_thrown_away_by_an_invalidate_is_drawn_again(qtbot, window, monkeypatch):
    import threading

    import numpy as np

    srv = window.preview.server
    started, release = threading.Event(), threading.Event()

    class Slow:  # a render that is still running when the project changes under it
        def frame(self, n):
            started.set()
            release.wait(5)
            return np.full((36, 64, 3), n, np.uint8)

    monkeypatch.setattr(srv, "compositor", lambda: Slow())
    srv.cache.clear()
    srv.request(11)
    assert started.wait(5)
    srv.invalidate()  # e.g. opening a project: the frame being drawn is stale
    release.set()
    qtbot.waitUntil(lambda: 11 in srv.cache, timeout=5000)  # nobody asked again, yet it is drawn
