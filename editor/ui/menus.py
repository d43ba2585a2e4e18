"""The main window's menus and shortcuts. Every entry calls a window command; tips are in a video maker's words."""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from editor.timeline import edits


def build_menus(w) -> None:
    mb = w.menuBar()

    def act(menu, text, slot, shortcut=None, name=None, tip=None):
        a = QAction(text, w)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        menu.addAction(a)
        if name:
            setattr(w, name, a)
        return a

    f = mb.addMenu("&File")
    act(f, "New Project", w.new_project, QKeySequence.New)
    act(f, "Open...", w.open_dialog, QKeySequence.Open)
    w.recent_menu = f.addMenu("Open Recent")
    w._fill_recent()
    act(f, "Save", w.save, QKeySequence.Save)
    act(f, "Save As...", w.save_as, QKeySequence.SaveAs,
        tip="Save under a new name; media the editor made for this project go along in its media folder")
    act(f, "Collect Files...", w.collect_files_dialog,
        tip="Copy every video, photo and sound the project uses into its media folder, so the folder can move")
    f.addSeparator()
    act(f, "Import Media...", w.import_dialog, "Ctrl+I", tip="Add videos, photos and music to the Media panel")
    act(f, "Find Missing Media...", w.relink_dialog, name="relink_action",
        tip="Point the project at a folder where moved or copied media now are")
    act(f, "Project Settings...", w.project_settings_dialog,
        tip="Picture size, shape (16:9, 9:16, 1:1, 4:5) and frame rate")
    act(f, "Export Video...", w.export_dialog, "Ctrl+E")
    act(f, "Import Timeline (OTIO, EDL, FCP XML, Kdenlive)...", w.import_timeline_dialog)
    act(f, "Export Timeline (OTIO, EDL, FCP XML, Kdenlive)...", w.export_timeline_dialog)
    f.addSeparator()
    act(f, "Quit", w.close, QKeySequence.Quit)

    e = mb.addMenu("&Edit")
    undo, redo = QAction("Undo", w), QAction("Redo", w)
    undo.triggered.connect(lambda: w.doc.undo())
    redo.triggered.connect(lambda: w.doc.redo())
    undo.setShortcut(QKeySequence.Undo)
    redo.setShortcut(QKeySequence.Redo)
    w.undo_action, w.redo_action = undo, redo
    e.addAction(undo)
    e.addAction(redo)
    e.addSeparator()
    act(e, "Split at Playhead", w.split_selected, "S", tip="Cut the clip in two where the red line is")
    act(e, "Delete", w.delete_selected, QKeySequence.Delete, tip="Remove the clip and leave a gap")
    act(e, "Delete and Close Gap", w.ripple_delete_selected, "Shift+Delete",
        tip="Remove the clip; everything after it moves up, sound included")
    act(e, "Close Gap at Playhead", w.close_gap_at_playhead)
    act(e, "Close All Gaps", w.close_all_gaps, tip="Pull every clip on the track up against the one before it")
    act(e, "Move Clip Later (Ripple)", lambda: w.ripple_move_selected(1), "Ctrl+Right",
        tip="Move the clip and everything after it one second later")
    act(e, "Move Clip Earlier (Ripple)", lambda: w.ripple_move_selected(-1), "Ctrl+Left",
        tip="Move the clip and everything after it one second earlier, into empty time")
    e.addSeparator()
    modes = QActionGroup(w)
    for label, mode, tip in (("Drop Inserts (pushes clips along)", "insert",
                              "Dropped or moved clips go in at the nearest cut; what follows moves along"),
                             ("Drop Overwrites", "overwrite", "Dropped or moved clips cover what is under them")):
        a = act(e, label, lambda _=False, m=mode: w.set_drop_mode(m), tip=tip + " (hold Ctrl for the other way; "
                "hold Shift while dragging a clip to swap it with the one under the pointer)")
        a.setCheckable(True)
        a.setChecked(mode == w.timeline.drop_mode)
        modes.addAction(a)
        setattr(w, f"{mode}_mode_action", a)
    e.addSeparator()
    act(e, "Select All", lambda: w.doc.select([c.id for t in w.doc.project.tracks for c in t.clips]),
        QKeySequence.SelectAll)
    act(e, "Add Video Track", lambda: w.doc.apply("Add track", edits.add_track, "video",
                                                  index=len(w.doc.project.video_tracks())))
    act(e, "Add Audio Track", lambda: w.doc.apply("Add track", edits.add_track, "audio"))
    act(e, "Remove Selected Track", w.remove_track)

    v = mb.addMenu("&View")
    act(v, "Zoom In", lambda: w.timeline.zoom(1.25), "+")
    act(v, "Zoom Out", lambda: w.timeline.zoom(0.8), "-")
    act(v, "Zoom to Fit", w.timeline.zoom_to_fit, "Ctrl+0")
    snap = act(v, "Snap to Clips and Playhead", lambda on: setattr(w.timeline, "snapping", on), "N")
    snap.setCheckable(True)
    snap.setChecked(True)
    scale = v.addMenu("Preview Scale")
    for label, s in (("Auto (as shown)", None), ("Full", 1.0), ("1/2", 0.5), ("1/4", 0.25)):
        act(scale, label, lambda _=False, s=s: w.preview.set_scale(s))
    px = act(v, "Use Edit Copies in Preview", w.set_use_proxies,
             tip="Play and scrub phone videos from small quick copies (the export always uses the originals)")
    px.setCheckable(True)
    px.setChecked(w.proxies.enabled)
    v.addSeparator()
    for dock in w.docks.values():
        v.addAction(dock.toggleViewAction())

    p = mb.addMenu("&Playback")
    act(p, "Play/Pause", w.preview.toggle_play, "Space")
    act(p, "Reverse (J)", lambda: w.shuttle(-1), "J")
    act(p, "Stop (K)", w.preview.stop, "K")
    act(p, "Forward (L)", lambda: w.shuttle(1), "L")
    act(p, "Previous Frame", lambda: w.preview.step(-1), "Left")
    act(p, "Next Frame", lambda: w.preview.step(1), "Right")
    act(p, "Start", lambda: w.doc.set_playhead(0), "Home")
    act(p, "End", lambda: w.doc.set_playhead(w.doc.project.duration - 1), "End")

    a = mb.addMenu("&AI")
    act(a, "Fill Selected Cut", w.fill_selected_cut, "Ctrl+T",
        tip="Make new in-between frames that carry one shot into the next")
    act(a, "Camera Move", w.camera_move, tip="Turn a photo or frame into a moving shot, put in at the playhead")
    act(a, "Sound Layers for Selection", w.sound_layers, tip="Background sound, movement sounds and whooshes")
    act(a, "Models...", lambda: w.models_dialog(), tip="Every model the AI tools can use: licence, size, download")
    act(a, "Settings (Compute, Cache)...", w.ai_settings_dialog,
        tip="Run the AI tools here or on a bigger machine (Ray cluster); the size of the results cache")

    h = mb.addMenu("&Help")
    w.menus = {"File": f, "Edit": e, "View": v, "Playback": p, "AI": a, "Help": h}  # others add entries to them
    act(h, "About Seamline", lambda: QMessageBox.about(
        w, "Seamline", "Seamline: a video editor for family videos, with local AI tools.\n\n"
                       "Space play/pause, J/K/L shuttle, Left/Right frame step, S split, Del delete,\n"
                       "Shift+Del delete and close the gap, Ctrl+wheel zoom.\n"
                       "Drag from Media onto the timeline: clips go in at the nearest cut (hold Ctrl to cover\n"
                       "instead). Drag a clip with Shift held to swap it with another. Click the + on a cut for\n"
                       "a transition or an AI fill."))
