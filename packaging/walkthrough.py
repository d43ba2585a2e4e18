"""A walk-through of the everyday editing flow in a real window, one screenshot per step (run it under Xvfb with
packaging/walkthrough.sh). Each step says what a person does; the script does the same through the window's own
handlers: drops go through the timeline's drop handler with the bin's drag data, moves and trims through mouse
events, the popover's buttons are clicked.

    python packaging/walkthrough.py OUT_DIR [MEDIA_DIR]
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDropEvent, QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/seamline-walkthrough")
MEDIA = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT.parent / "shared" / "media")
CLIPS = ["video/01_dog.mp4", "video/02_cups.mp4", "video/bedroom.mp4", "video/chaplin.mp4"]
PHOTOS = ["photos/skimage_coffee.png", "photos/sam2_cars.jpg"]

app = QApplication.instance() or QApplication(sys.argv[:1])
n_step = 0
WINDOW = []


def settle(seconds: float = 0.6):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(cond, timeout=120.0, what="it"):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"walkthrough: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def step(title: str, doing: str):
    """Print what a person does at this step and take a screenshot of the whole screen (popovers included)."""
    global n_step
    n_step += 1
    settle(0.8)
    w = WINDOW[0]
    end = time.monotonic() + 20  # let the preview draw the frame at the playhead (a just-opened file takes a moment)
    while w.preview.shown != w.doc.playhead and time.monotonic() < end:
        settle(0.1)
    end = time.monotonic() + 20  # and the pictures along the clips
    while any(a.id not in w.pictures.strips for a in w.doc.project.assets.values() if a.kind != "audio") and \
            time.monotonic() < end:
        settle(0.1)
    name = f"{n_step:02d}-{title}.png"
    app.primaryScreen().grabWindow(0).save(str(OUT / name))
    print(f"Step {n_step}: {doing}\n         -> {name}", flush=True)
    if os.environ.get("WALK_STOP") and n_step >= int(os.environ["WALK_STOP"]):
        raise SystemExit(0)


def drop_from_bin(w, asset_id: str, frame_x: float, track_id: str, mods=Qt.NoModifier, shot: str | None = None):
    """Drag a bin item over the timeline and let go: the timeline's own dragMove/drop handlers with the bin's data."""
    from editor.ui.timeline_view import ASSET_MIME

    tl = w.timeline
    mime = QMimeData()
    mime.setData(ASSET_MIME, asset_id.encode())
    row = tl.geo.row_of(w.doc.project, track_id)
    pos = QPointF(frame_x, row.top + row.height / 2)
    tl.dragMoveEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, mods))
    tl.repaint()
    if shot:
        step(*shot)
    tl.dropEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, mods))


def mouse(widget, kind, pos: QPoint, mods=Qt.NoModifier, button=Qt.LeftButton):
    types = {"press": QMouseEvent.MouseButtonPress, "move": QMouseEvent.MouseMove,
             "release": QMouseEvent.MouseButtonRelease}
    buttons = Qt.LeftButton if kind != "release" else Qt.NoButton
    ev = QMouseEvent(types[kind], QPointF(pos), QPointF(widget.mapToGlobal(pos)), button if kind != "move" else
                     Qt.NoButton, buttons, mods)
    QApplication.sendEvent(widget, ev)


def drag_mouse(widget, a: QPoint, b: QPoint, mods=Qt.NoModifier, steps=8, shot=None):
    mouse(widget, "press", a, mods)
    for i in range(1, steps + 1):
        mouse(widget, "move", a + (b - a) * (i / steps), mods)
        app.processEvents()
    if shot:
        step(*shot)
    mouse(widget, "release", b, mods)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "projects").mkdir(parents=True)
    os.environ["SEAMLINE_DATA"] = str(work / "data")
    os.environ.setdefault("SEAMLINE_CACHE", str(work / "cache"))
    from editor.ui.main_window import MainWindow

    w = MainWindow()
    WINDOW.append(w)
    w.ask = lambda q, *a: QMessageBox.Yes if "Make the project" in q else QMessageBox.Discard
    w.resize(1600, 980)
    w.move(0, 0)
    w.show()
    settle(1.0)
    step("empty", "Open Seamline: an empty project with tracks V1 and A1 says where to drop things")

    w.import_files([MEDIA / p for p in CLIPS + PHOTOS])
    wait_for(lambda: len(w.doc.project.assets) == 6, what="the import")
    wait_for(lambda: len(w.pictures.strips) == 6, what="the bin's pictures")
    step("imported", "Import 4 videos and 2 photos (File > Import Media); answer Yes to 'Make the project "
                     "1280x720 at 29.97 fps?'. The bin shows a picture and the length of each")

    doc, tl = w.doc, w.timeline
    by_name = {a.name: a.id for a in doc.project.assets.values()}
    v1 = doc.project.video_tracks()[0].id
    tl.geo.px_per_frame = 1.6
    tl.update()
    drop_from_bin(w, by_name["01_dog.mp4"], tl.x_of(0) + 2, v1)
    drop_from_bin(w, by_name["02_cups.mp4"], tl.x_of(doc.project.duration) + 4, v1)
    d = doc.project.track(v1).clips[0]
    drop_from_bin(w, by_name["bedroom.mp4"], tl.x_of(d.end - 40), v1,
                  shot=("insert-shown", "Drag bedroom.mp4 over the end of the dog clip: the yellow line shows "
                                        "where it will go in (the nearest cut)"))
    step("inserted", "Let go: bedroom goes in between dog and cups; cups and its sound move along")
    drop_from_bin(w, by_name["skimage_coffee.png"], tl.x_of(doc.project.duration) + 4, v1)
    drop_from_bin(w, by_name["chaplin.mp4"], tl.x_of(doc.project.duration) + 4, v1)
    tl.zoom_to_fit()
    step("sequence", "Drop the coffee photo and chaplin.mp4 after them")

    clips = doc.project.track(v1).clips  # dog, bedroom, cups, coffee, chaplin
    bedroom, cups = clips[1], clips[2]
    y = tl.geo.row_of(doc.project, v1).top + tl.geo.row_of(doc.project, v1).height - 12
    a = QPoint(int(tl.x_of(bedroom.start + bedroom.duration // 2)), y)
    b = QPoint(int(tl.x_of(cups.start + cups.duration // 2)), y)
    drag_mouse(tl, a, b, Qt.ShiftModifier,
               shot=("swap-shown", "Hold Shift and drag bedroom onto cups: the blue outline shows the swap"))
    step("swapped", "Let go: cups and bedroom have changed places")

    dog = doc.project.track(v1).clips[0]
    edge = QPoint(int(tl.x_of(dog.end)) - 3, y)
    drag_mouse(tl, edge, edge - QPoint(int(60 * tl.px_per_frame), 0),
               shot=("trim", "Drag the end of the dog clip to the left to shorten it by two seconds"))
    doc.apply("Close gap", __import__("editor.timeline.arrange", fromlist=["x"]).close_all_gaps, v1)
    step("trimmed", "Let go, then Edit > Close All Gaps: the clips close up, sound in sync")

    cupsc = [c for c in doc.project.track(v1).clips if c.asset_id == by_name["02_cups.mp4"]][0]
    doc.set_playhead(cupsc.start + cupsc.duration // 2)
    doc.select([cupsc.id])
    w.split_selected()
    step("split", "Put the playhead in the middle of cups and press S: the clip is cut in two")
    second = doc.project.track(v1).clip_at(doc.playhead)
    doc.select([second.id])
    w.ripple_delete_selected()
    step("ripple-delete", "Select the second half and press Shift+Delete: it goes and everything after moves up")

    w.docks["Transitions"].raise_()
    settle(0.5)
    first_cut = doc.project.track(v1).clips[0]
    from editor.ui.timeline_view import TRANSITION_MIME

    mime = QMimeData()
    mime.setData(TRANSITION_MIME, b"dip-to-black")
    row = tl.geo.row_of(doc.project, v1)
    pos = QPointF(tl.x_of(first_cut.end), row.top + row.height / 2)
    tl.dragMoveEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    tl.dropEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    doc.set_playhead(first_cut.end - 2)
    step("transition", "Open the Transitions panel (animated previews) and drag 'Dip to black' onto the first cut")

    clips = doc.project.track(v1).clips
    a_, b_ = next((x, y_) for x, y_ in zip(clips[1:], clips[2:]) if x.end == y_.start)
    tl.zoom_to_fit()
    settle(0.3)
    if tl.geo.px_per_frame < 0.3:
        tl.zoom(0.35 / tl.geo.px_per_frame, tl.x_of(b_.start))
    settle(0.3)
    center = tl.handle_center(v1, b_.start)
    mouse(tl, "press", center)
    mouse(tl, "release", center)
    settle(0.5)
    pop = w.cut_popover
    pop.length.setValue(1.0)
    step("popover", "Click the + on the next cut: a small popover asks how long, which transition, or Fill with AI")
    pop.fill.click()
    w.docks["AI"].raise_()
    wait_for(lambda: len(doc.project.track(v1).clips) > len(clips), timeout=600, what="the AI fill")
    fill = doc.project.track(v1).clips[clips.index(b_)]
    doc.set_playhead(fill.start + fill.duration // 2)
    tl.zoom_to_fit()
    step("ai-fill", "Press 'Fill with AI...': the fill is made (progress on the cut and in the AI panel) and goes "
                    "in between the two shots")

    tab = w.ai.camera
    tab.refresh_sources(doc)
    tab.source.setCurrentIndex(tab.source.findData(by_name["sam2_cars.jpg"]))
    tab.moves.clearSelection()
    tab.moves.findItems("push-in", Qt.MatchExactly)[0].setSelected(True)
    tab.duration.setValue(2.0)
    w.ai.setCurrentWidget(tab)
    at = doc.project.track(v1).clips[1].start + 20
    doc.set_playhead(at)
    before = len(doc.project.track(v1).clips)
    tab.row.go.click()
    wait_for(lambda: len(doc.project.track(v1).clips) > before, timeout=600, what="the camera move")
    doc.set_playhead(at + 30)
    step("camera-move", "AI > Camera move: a push-in on the cars photo goes in at the playhead; the clip there is "
                        "split and moves along (nothing covered)")

    target = work / "projects" / "Holiday.seam"
    w.save_as(target)
    if getattr(w, "collect_worker", None) is not None:
        wait_for(lambda: w.collect_worker.done, timeout=120, what="copying generated media")
    settle(0.5)
    step("saved", "File > Save As 'Holiday': the fills and camera moves are copied into 'Holiday media/' beside it")

    moved = work / "moved to another disk"
    shutil.move(str(work / "projects"), str(moved))
    shutil.rmtree(work / "data", ignore_errors=True)  # as on another computer: the user data folder is not there
    w.new_project()
    settle(0.5)
    assert w.open_path(moved / "Holiday.seam")
    missing = [a.name for a in w.doc.project.assets.values() if a.offline]
    doc = w.doc
    v1 = doc.project.video_tracks()[0].id
    gen = [c for c in doc.project.track(v1).clips if doc.project.assets[c.asset_id].provenance]
    doc.set_playhead(gen[0].start + gen[0].duration // 2)
    w.timeline.zoom_to_fit()
    step("reopened", "Move the project folder elsewhere (the app's own data folder gone too) and open it again: "
                     f"everything is there ({len(missing)} missing)")
    print(f"missing after the move: {missing}")
    w.doc.session.mark_saved()
    w.close()
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main())
