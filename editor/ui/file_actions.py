"""File commands of the main window: new, open, save, save as, collect files, find missing media, recent files,
project settings, export. Copies run on workers; each result lands as one undo step."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from editor.errors import ProjectError
from editor.project import portable
from editor.ui import workers
from editor.ui.document import Document
from editor.ui.pictures import alive


class FileActions:
    # -- recent ------------------------------------------------------------------------------------------------
    def _fill_recent(self):
        self.recent_menu.clear()
        for path in self.settings.value("recent", [], list) or []:
            a = self.recent_menu.addAction(path)
            a.triggered.connect(lambda _=False, p=path: self.open_path(p))

    def _add_recent(self, path: Path):
        items = [str(path)] + [p for p in (self.settings.value("recent", [], list) or []) if p != str(path)]
        self.settings.setValue("recent", items[:10])
        self._fill_recent()

    # -- new / open / save -------------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        if not self.doc.modified:
            return True
        r = self.ask("The project has unsaved changes. Save them?",
                     QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
        if r == QMessageBox.Save:
            return self.save()
        return r == QMessageBox.Discard

    def new_project(self):
        if self.maybe_save():
            self.set_document(Document())

    def open_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Projects and timelines (*.seam *.otio "
                                              "*.otioz *.edl *.xml *.kdenlive)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        from editor.project.interchange import is_timeline

        if is_timeline(path):
            return self.import_timeline(path) is not None
        if not self.maybe_save():
            return False
        try:
            doc = Document.open(path)
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        self.set_document(doc)
        self._add_recent(Path(path).resolve())
        from editor.project.fileio import missing_media

        missing = missing_media(doc.project)
        if missing:
            self.statusBar().showMessage(f"{len(missing)} media file(s) are missing (shown red): File > Find "
                                         "Missing Media", 15000)
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        try:
            self._add_recent(self.doc.save())
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        return True

    def save_as(self, path: str | Path | None = None) -> bool:
        """Save under a new name; the media the editor made for the project (fills, camera moves, sound layers) are
        copied into `<name> media/` beside it, so the two travel together."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save project", self.doc.project.name + ".seam",
                                                  "Seamline project (*.seam)")
            if not path:
                return False
        try:
            written = self.doc.save(path)
        except ProjectError as exc:
            self.show_error(str(exc))
            return False
        self._add_recent(written)
        self.collect_files(everything=False)
        return True

    # -- other editors' timelines (editor/project/interchange) ------------------------------------------------
    def import_timeline_dialog(self):
        from editor.project.interchange import file_filter

        path, _ = QFileDialog.getOpenFileName(self, "Import timeline", "", file_filter())
        if path:
            self.import_timeline(path)

    def import_timeline(self, path):
        """Read a timeline on a worker; it opens as a new unsaved project and what could not come along is listed.
        An EDL holds no frame rate: it is read at the current project's."""
        if not self.maybe_save():
            return None
        from editor.project.interchange import read_timeline

        rate = self.doc.project.settings.rate if str(path).lower().endswith(".edl") else None
        w = workers.Worker(lambda progress, cancelled: read_timeline(path, rate))
        w.signals.finished.connect(lambda res: self._timeline_imported(path, *res))
        w.signals.failed.connect(self.show_error)
        self.statusBar().showMessage(f"Reading {Path(path).name}...")
        self.last_import = workers.start(w)
        return w

    def _timeline_imported(self, path, project, warnings):
        if not alive(self):
            return
        self.set_document(Document(project))
        self.statusBar().showMessage(f"Imported {Path(path).name}: {len(warnings)} warning(s)", 10000)
        if warnings:
            more = f"\n... and {len(warnings) - 25} more" if len(warnings) > 25 else ""
            self.notify("Not everything in the timeline could come along:\n\n" + "\n".join(warnings[:25]) + more,
                        "Imported timeline")

    def export_timeline_dialog(self):
        from editor.project.interchange import file_filter, write_timeline

        path, _ = QFileDialog.getSaveFileName(self, "Export timeline", self.doc.project.name + ".otio", file_filter())
        if not path:
            return None
        snapshot = self.doc.project
        w = workers.Worker(lambda progress, cancelled: write_timeline(snapshot, path))
        w.signals.finished.connect(lambda warnings: self.statusBar().showMessage(
            f"Exported {Path(path).name}" + (": " + "; ".join(warnings) if warnings else ""), 15000))
        w.signals.failed.connect(self.show_error)
        self.last_export_timeline = workers.start(w)
        return w

    # -- collect / find missing ----------------------------------------------------------------------------------
    def collect_files_dialog(self):
        if self.doc.path is None:
            QMessageBox.information(self, "Collect files", "Save the project first: its files are collected into "
                                    "a media folder beside it.")
            return
        self.collect_files(everything=True)

    def collect_files(self, everything: bool = True):
        """Copy what the project uses into its media folder on a worker, then point the project at the copies (one
        undo step) and save. Returns the worker (None when there is nothing to copy)."""
        path = self.doc.path
        copies = portable.plan(self.doc.project, path, everything=everything)
        if not copies:
            if everything:
                self.statusBar().showMessage("Everything the project uses is already in its media folder", 8000)
            return None
        doc = self.doc
        w = workers.Worker(lambda progress, cancelled: portable.collect(copies, progress, cancelled))
        w.signals.progress.connect(lambda f, name: self.statusBar().showMessage(
            f"Copying media into {portable.media_folder(path).name}: {int(f * 100)} %  {name}"))

        def done(moved):
            if not alive(self) or doc is not self.doc:
                return
            if doc.apply("Collect files", portable.repoint, moved):
                doc.save()
            self.statusBar().showMessage(f"Copied {len(moved)} file(s) into {portable.media_folder(path)}", 10000)

        w.signals.finished.connect(done)
        w.signals.failed.connect(self.show_error)
        self.collect_worker = workers.start(w)
        return w

    def relink_dialog(self):
        from editor.project.fileio import missing_media

        missing = missing_media(self.doc.project)
        if not missing:
            QMessageBox.information(self, "Find missing media", "No media is missing.")
            return
        folder = QFileDialog.getExistingDirectory(self, f"Where are the {len(missing)} missing file(s)? "
                                                  "Choose a folder (its subfolders are searched too)")
        if folder:
            self.relink_folder(folder)

    def relink_folder(self, folder):
        """Look for every missing file under a folder (by name) on a worker; relink what is found, one undo step."""
        from editor.actions.media import relink
        from editor.media.probe import probe

        project, project_path = self.doc.project, self.doc.path

        def work(progress, cancelled):
            found = portable.find_missing(project, folder)
            ok = {}
            for aid, p in found.items():
                try:
                    probe(p)
                    ok[aid] = p
                except Exception:  # a file of that name that cannot be read: leave the asset missing
                    continue
            return ok

        w = workers.Worker(work)

        def done(found):
            if not alive(self) or self.doc.project is not project and self.doc.path != project_path:
                return
            with self.doc.group("Find missing media"):
                for aid, p in found.items():
                    self.doc.apply("Relink media", relink, aid, p)
            left = sum(1 for a in self.doc.project.assets.values() if a.offline)
            msg = f"Found {len(found)} missing file(s)"
            self.statusBar().showMessage(msg + (f"; {left} still missing" if left else ""), 10000)
            self.bin.refresh()

        w.signals.finished.connect(done)
        w.signals.failed.connect(self.show_error)
        self.relink_worker = workers.start(w)
        return w

    def relink(self, asset_id: str, path: str) -> bool:
        from editor.actions.media import relink

        return self.doc.apply("Relink media", relink, asset_id, path)

    # -- dialogs -------------------------------------------------------------------------------------------------
    def project_settings_dialog(self):
        from editor.ui.dialogs import ProjectSettingsDialog

        ProjectSettingsDialog(self).exec()

    def export_dialog(self):
        from editor.ui.dialogs import ExportDialog

        ExportDialog(self).exec()

    def models_dialog(self, model_id: str | None = None):
        """AI > Models, at a model when given (not modal: downloads run while the user works)."""
        from editor.ui.models_dialog import open_models

        return open_models(self, model_id)

    def ai_settings_dialog(self):
        from editor.ui.ai_settings import AISettingsDialog

        AISettingsDialog(self).exec()
