"""Hooks music and the photo story into the main window with one call: a Music menu (add music, find the beat,
auto-duck, cut to the beat, loudness on export) and File > New Photo Story. The analyses run on workers with a
progress dialog and cancel; each result lands as one undoable edit."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from editor.ui import workers
from editor.ui.story_dialog import MUSIC_FILTER  # noqa: F401  (one list of music file types)


def install(window) -> None:
    music = window.menuBar().addMenu("&Music")
    window.music_menu = music
    ui = MusicActions(window)
    window.music = ui
    for text, slot, key in (("Add Music...", ui.add_music_dialog, None),
                            ("Find the Beat", ui.find_beats, None),
                            ("Auto-Duck Music under Speech", ui.auto_duck, None),
                            ("Cut Selection to the Beat", ui.cut_to_beat, "Ctrl+B")):
        a = QAction(text, window)
        if key:
            a.setShortcut(key)
        a.triggered.connect(slot)
        music.addAction(a)
    loud = music.addMenu("Loudness on Export")
    group = QActionGroup(window)
    window.loudness_actions = {}
    for label, value in (("As Mixed", None), ("-14 LUFS (web, phones)", -14.0), ("-16 LUFS", -16.0),
                         ("-23 LUFS (broadcast)", -23.0)):
        a = QAction(label, window, checkable=True)
        a.triggered.connect(lambda _=False, v=value: ui.set_loudness(v))
        group.addAction(a)
        loud.addAction(a)
        window.loudness_actions[value] = a
    loud.aboutToShow.connect(lambda: window.loudness_actions[window.doc.project.settings.loudness].setChecked(True)
                             if window.doc.project.settings.loudness in window.loudness_actions else None)
    story = QAction("New Photo Story...", window)
    story.triggered.connect(ui.new_story)
    window.story_action = story
    recent = getattr(window, "recent_menu", None)
    if recent is not None:  # File: after New and Open (the menu holding Open Recent)
        recent.parentWidget().insertAction(recent.menuAction(), story)


class MusicActions:
    def __init__(self, window):
        self.w = window
        self.last = None  # the last worker (tests wait on it)

    @property
    def doc(self):
        return self.w.doc

    def _run(self, title: str, fn, done, *args):
        """fn(*args, progress, cancelled) on a worker with a cancellable progress dialog; done(result) on the UI
        thread."""
        dlg = QProgressDialog(title, "Cancel", 0, 1000, self.w)
        dlg.setWindowModality(Qt.WindowModal)
        dlg.setMinimumDuration(300)
        w = workers.Worker(fn, *args)
        w.signals.progress.connect(lambda f, s: (dlg.setValue(int(f * 1000)), dlg.setLabelText(f"{title}\n{s}")))
        w.signals.finished.connect(lambda res: (dlg.reset(), done(res)))
        w.signals.failed.connect(lambda msg: (dlg.reset(), self.w.show_error(msg)))
        w.signals.cancelled.connect(lambda: (dlg.reset(), self.w.statusBar().showMessage(f"{title}: cancelled",
                                                                                          5000)))
        dlg.canceled.connect(w.cancel)
        self.last = workers.start(w)
        self.dialog = dlg
        return w

    def add_music_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self.w, "Add music", "", MUSIC_FILTER)
        if path:
            self.add_music(path)

    def add_music(self, path):
        from editor.actions.music import add_music

        if self.doc.apply("Add music", add_music, path, self.doc.playhead if self.doc.project.duration else 0):
            self.find_beats()

    def _music_assets(self) -> list[str]:
        from editor.timeline.music_edits import music_tracks

        p = self.doc.project
        picked = {c.asset_id for t in music_tracks(p) for c in t.clips if c.id in self.doc.selection}
        every = {c.asset_id for t in music_tracks(p) for c in t.clips}
        return sorted(picked or every)

    def find_beats(self):
        from editor.actions.music import analyse_beats, rhythm_edit

        assets = self._music_assets()
        if not assets:
            self.w.show_error("There is no music to find a beat in: add a song first (Music > Add Music).")
            return None
        snapshot = self.doc.project

        def work(progress, cancelled):
            return [(a, analyse_beats(snapshot, a, lambda f, i=i: progress((i + f) / len(assets), "beats"),
                                      cancelled)) for i, a in enumerate(assets)]

        def done(results):
            with self.doc.group("Find the beat"):
                for a, grid in results:
                    if a in self.doc.project.assets:
                        self.doc.apply("Find the beat", rhythm_edit, a, grid)
            self.w.timeline.update()

        return self._run("Finding the beat", work, done)

    def auto_duck(self):
        from editor.actions.music import ducking_edit, find_speech
        from editor.timeline.music_edits import music_tracks

        tracks = [t.id for t in music_tracks(self.doc.project)]
        if not tracks:
            self.w.show_error("There is no music track to duck: add a song first (Music > Add Music).")
            return None
        snapshot = self.doc.project

        def done(regions):
            with self.doc.group("Auto-duck music"):
                for tid in tracks:
                    self.doc.apply("Auto-duck music", ducking_edit, tid, regions)
            self.w.statusBar().showMessage(f"music ducked under {len(regions)} stretch(es) of speech", 8000)

        return self._run("Finding speech", lambda progress, cancelled: find_speech(
            snapshot, progress=progress, cancelled=cancelled), done)

    def cut_to_beat(self):
        from editor.timeline.music_edits import cut_to_beat

        ids = sorted(self.doc.selection)
        if not ids:
            self.w.show_error("Select the clips whose cuts should land on the beat.")
            return
        self.doc.apply("Cut to the beat", cut_to_beat, ids)

    def set_loudness(self, value):
        from editor.timeline.edits import edit
        from editor.timeline.model import evolve

        @edit
        def set_loudness(project, v):
            return evolve(project, settings=evolve(project.settings, loudness=v))

        self.doc.apply("Loudness on export", set_loudness, value)

    def new_story(self):
        from editor.ui.story_dialog import StoryDialog

        dlg = StoryDialog(self.w)
        self.story_dialog = dlg
        if dlg.exec():
            return self.build_story(dlg.media(), dlg.options())
        return None

    def build_story(self, media, opts):
        """Build on a worker; the result replaces an empty new document's project as one undoable step."""
        from ai.jobs import default_generated_dir
        from editor.actions.story import build_story

        if not self.w.maybe_save():
            return None

        def done(project):
            from editor.ui.document import Document

            self.w.set_document(Document())
            self.doc.apply("New photo story", lambda _p: project)
            self.w.timeline.zoom_to_fit()
            if opts.notes:
                self.w.statusBar().showMessage("; ".join(opts.notes), 15000)

        return self._run("Building the photo story", lambda progress, cancelled: build_story(
            media, opts, default_generated_dir(), progress, cancelled), done)
