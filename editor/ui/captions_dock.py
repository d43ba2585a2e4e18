"""The Captions dock: the cues of a captions track in a list where words and times are edited (each change one undo
step), split at the playhead, merge, delete; import SRT/WebVTT/ASS, export SRT/WebVTT; a style preset for the whole
track; and Generate captions from speech for a clip, the selection or the whole timeline, on a worker with progress
and cancel, placed as one undo step."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from editor.actions import captions as captions_actions
from editor.actions import words
from editor.render.title_templates import caption_presets
from editor.timeline import edits
from editor.timeline import text_edits as te
from editor.ui import workers

HONEST = {"builtin": "Built-in (English, rough draft: read it through)",
          "whisper": "Whisper (downloaded model, many languages)"}


class CaptionsDock(QWidget):
    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window_ = window
        self._loading = False
        self.job = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.track = QComboBox()
        self.track.activated.connect(lambda _: self.load())
        top.addWidget(self.track, 1)
        self.preset = QComboBox()
        for key, (name, _) in caption_presets().items():
            self.preset.addItem(name, key)
        self.preset.activated.connect(lambda _: self._apply_preset())
        top.addWidget(QLabel("Style"))
        top.addWidget(self.preset, 1)
        lay.addLayout(top)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Start", "End", "Text"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.itemChanged.connect(self._edited)
        self.table.cellClicked.connect(self._jump)
        lay.addWidget(self.table, 1)
        for group in ((("Split", self.split), ("Merge", self.merge), ("Delete", self.delete)),
                      (("Import...", self.import_dialog), ("Export...", self.export_dialog))):
            row = QHBoxLayout()
            for text, slot in group:
                b = QPushButton(text)
                b.clicked.connect(slot)
                row.addWidget(b)
            lay.addLayout(row)
        gen = QHBoxLayout()
        self.scope = QComboBox()
        for label, key in (("Selected clip", "clip"), ("Selection", "selection"), ("Whole timeline", "timeline")):
            self.scope.addItem(label, key)
        self.backend = QComboBox()
        for key, label in HONEST.items():
            self.backend.addItem(label, key)
        self.language = QComboBox()
        from ai.captions.whisper import LANGUAGES, MODELS

        for code, name in LANGUAGES.items():
            self.language.addItem(f"{name} ({code})", code)
        self.language.setCurrentIndex(self.language.findData("en"))
        self.model = QComboBox()
        for m in MODELS:
            self.model.addItem(m.title, m.id)
        self.model.setCurrentIndex(self.model.findData("openai/whisper-small"))
        self.backend.currentIndexChanged.connect(self._backend_changed)
        self.go = QPushButton("Generate captions")
        self.go.clicked.connect(self.generate)
        for w in (self.scope, self.backend, self.language, self.model, self.track, self.preset):
            w.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
        gen.addWidget(self.scope)
        gen.addWidget(self.backend, 1)
        lay.addLayout(gen)
        gen2 = QHBoxLayout()
        gen2.addWidget(self.language)
        gen2.addWidget(self.model, 1)
        gen2.addWidget(self.go)
        lay.addLayout(gen2)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(lambda: self.job and self.job.cancel())
        prow = QHBoxLayout()
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_btn)
        lay.addLayout(prow)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self._backend_changed()
        self.attach(window.doc)

    @property
    def doc(self):
        return self.window_.doc

    def attach(self, doc):
        doc.changed.connect(self.load)
        self.load()

    def _backend_changed(self):
        whisper = self.backend.currentData() == "whisper"
        self.model.setEnabled(whisper)
        self.note.setText("" if whisper else "The built-in recogniser knows English only and gets many words wrong: "
                                             "treat its captions as a draft to correct here.")

    # -- the list -----------------------------------------------------------------------------------------------
    def current_track(self):
        tracks = self.doc.project.captions_tracks()
        tid = self.track.currentData()
        return next((t for t in tracks if t.id == tid), tracks[0] if tracks else None)

    def load(self):
        tracks = self.doc.project.captions_tracks()
        current = self.current_track()
        self._loading = True
        try:
            self.track.clear()
            for t in tracks:
                self.track.addItem(t.name or t.id, t.id)
            if current is not None:
                self.track.setCurrentIndex(self.track.findData(current.id))
                style = current.caption_style
                self.preset.setCurrentIndex(max(0, self.preset.findData(style.preset if style else "outline")))
            cues = current.clips if current is not None else ()
            rate = self.doc.project.settings.rate
            self.table.setRowCount(len(cues))
            for i, c in enumerate(cues):
                for col, value in enumerate((f"{float(c.start / rate):.2f}", f"{float(c.end / rate):.2f}", c.text)):
                    item = QTableWidgetItem(value)
                    item.setData(Qt.UserRole, c.id)
                    self.table.setItem(i, col, item)
        finally:
            self._loading = False

    def _edited(self, item: QTableWidgetItem):
        if self._loading:
            return
        cid = item.data(Qt.UserRole)
        rate = self.doc.project.settings.rate
        if item.column() == 2:
            self.doc.apply("Edit caption", partial(te.set_cue, text=item.text()), cid)
            return
        try:
            frame = int(round(float(item.text()) * rate))
        except ValueError:
            self.window_.show_error("a cue time is a number of seconds, like 12.5")
            self.load()
            return
        self.doc.apply("Caption time", te.set_cue, cid, **({"start": frame} if item.column() == 0 else {"end": frame}))

    def _jump(self, row, _col):
        t = self.current_track()
        if t is not None and row < len(t.clips):
            self.doc.set_playhead(t.clips[row].start)
            self.doc.select([t.clips[row].id])

    def selected_cues(self) -> list[str]:
        t = self.current_track()
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [t.clips[r].id for r in rows if t is not None and r < len(t.clips)]

    def split(self):
        t = self.current_track()
        cue = t.clip_at(self.doc.playhead) if t is not None else None
        if cue is None:
            self.window_.show_error("put the playhead inside a caption to split it")
            return
        self.doc.apply("Split caption", te.split_cue, cue.id, self.doc.playhead)

    def merge(self):
        self.doc.apply("Merge captions", te.merge_cues, self.selected_cues())

    def delete(self):
        ids = self.selected_cues()
        if ids:
            self.doc.apply("Delete captions", edits.delete, ids)

    def _apply_preset(self):
        t = self.current_track()
        if t is not None:
            self.doc.apply("Caption style", words.apply_caption_preset, t.id, self.preset.currentData())

    # -- files --------------------------------------------------------------------------------------------------
    def import_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Import subtitles", "", "Subtitles (*.srt *.vtt *.ass *.ssa)")
        if path:
            self.import_file(path)

    def import_file(self, path, offset: int = 0) -> bool:
        from editor.errors import ProjectError
        from editor.project.subtitles import read_subtitles

        try:
            cues = read_subtitles(path)
        except ProjectError as exc:
            self.window_.show_error(str(exc))
            return False
        t = self.current_track()
        return self.doc.apply(f"Import {Path(path).name}", words.place_captions, cues, offset,
                              t.id if t is not None else None)

    def export_dialog(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export subtitles", self.doc.project.name + ".srt",
                                              "SubRip (*.srt);;WebVTT (*.vtt)")
        if path:
            self.export_file(path)

    def export_file(self, path) -> bool:
        from editor.errors import ProjectError
        from editor.project.subtitles import write_subtitles
        from editor.timeline.cues import track_cues

        t = self.current_track()
        if t is None or not t.clips:
            self.window_.show_error("there are no captions to export")
            return False
        try:
            style = t.caption_style
            write_subtitles(track_cues(t, self.doc.project.settings.rate), path, style.max_chars if style else 42)
        except ProjectError as exc:
            self.window_.show_error(str(exc))
            return False
        self.window_.statusBar().showMessage(f"captions written to {path}", 8000)
        return True

    # -- generate -----------------------------------------------------------------------------------------------
    def generate(self):
        from editor.timeline.model import EditError

        project = self.doc.project  # the snapshot the job reads
        try:
            start, end = captions_actions.scope_range(project, self.scope.currentData(), self.doc.selection,
                                                      self.doc.playhead)
        except EditError as exc:
            self.window_.show_error(str(exc))
            return None
        backend, language = self.backend.currentData(), self.language.currentData()
        model = self.model.currentData() if backend == "whisper" else None
        if backend == "builtin" and language not in ("en", "auto"):
            self.window_.show_error("the built-in recogniser knows English only; choose Whisper for other languages")
            return None
        generated = self.doc.generated_dir() if hasattr(self.doc, "generated_dir") else None

        def work(progress, cancelled):
            return captions_actions.generate(project, start, end, backend, language, model, generated, progress,
                                             cancelled)

        w = workers.Worker(work)
        w.signals.progress.connect(lambda f, s: (self.progress.setValue(int(f * 100)), self.progress.setFormat(
            f"{s} %p%")))
        w.signals.finished.connect(lambda res: self._generated(res, start, end))
        w.signals.failed.connect(self._job_over)
        w.signals.failed.connect(self.window_.show_error)
        w.signals.cancelled.connect(lambda: self._job_over("captions cancelled"))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        self.go.setEnabled(False)
        self.job = workers.start(w)
        return w

    def _job_over(self, msg: str = ""):
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        self.go.setEnabled(True)
        self.job = None
        if msg:
            self.window_.statusBar().showMessage(msg, 8000)

    def _generated(self, result, start, end):
        cues, prov = result
        t = self.current_track()
        self.doc.apply(f"Captions ({len(cues)})", words.place_captions, cues, start,
                       t.id if t is not None else None, (start, end))
        self._job_over(f"{len(cues)} captions from {prov.get('model')} \u2014 {prov.get('quality')}")
        self.load()
