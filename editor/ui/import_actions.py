"""Importing media: files are probed on a worker, added to the project (one undo step), their pictures made for the
bin at once, and optionally laid on the timeline. The first picture imported into a fresh project asks, once,
whether the project should take its size and frame rate."""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QFileDialog, QMessageBox

from editor.actions import media as media_actions
from editor.timeline import arrange, edits
from editor.ui import workers
from editor.ui.labels import rate_label

MEDIA_FILTER = "Media (*.mp4 *.mov *.mkv *.webm *.avi *.m4v *.mp3 *.wav *.flac *.m4a *.aac *.ogg *.png *.jpg " \
               "*.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"


class ImportActions:
    def import_dialog(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Import media", "", MEDIA_FILTER)
        if paths:
            self.import_files(paths)

    def import_files(self, paths, place=None, lay_out: bool = False):
        """Probe files on a worker; add them to the bin (one undo step); optionally lay them on the timeline:
        place=(track id or None, frame[, mode]) or lay_out=True (one after another on V1)."""
        paths = [str(p) for p in paths]
        doc = self.doc

        def work(progress, cancelled):
            from editor.errors import MediaError

            found, bad = [], {}
            for i, p in enumerate(paths):
                if cancelled():
                    break
                try:
                    found.append(media_actions.import_asset(doc.project, p))
                except MediaError as exc:
                    bad[p] = exc.reason
                progress((i + 1) / len(paths), Path(p).name)
            return found, bad

        w = workers.Worker(work)
        w.signals.finished.connect(lambda res: self._imported(res, place, lay_out, doc))
        w.signals.failed.connect(self.show_error)
        self.statusBar().showMessage(f"Importing {len(paths)} file(s)...")
        self.last_import = workers.start(w)
        return w

    def _imported(self, result, place, lay_out, doc=None):
        if not shiboken6.isValid(self.bin) or (doc is not None and doc is not self.doc):
            return
        assets, bad = result
        self.bin.errors.update(bad)
        self._maybe_match_settings(assets)
        rate = self.doc.project.settings.rate
        assets = [media_actions.asset_at_rate(a, rate) for a in assets]
        with self.doc.group(f"Import {len(assets)} file(s)"):
            self._place_imported(assets, place, lay_out)
        for a in assets:
            self.pictures.want(self.doc.project.assets.get(a.id))
        self.bin.refresh()
        msg = f"Imported {len(assets)} file(s)"
        if bad:
            msg += f"; {len(bad)} could not be read: " + "; ".join(f"{Path(k).name}: {v}" for k, v in bad.items())
        self.statusBar().showMessage(msg, 10000)

    def _maybe_match_settings(self, assets):
        """Asked once per project: make it the size and rate of the first video (or photo) imported."""
        p = self.doc.project
        if p.meta.get("settings_chosen") or any(t.clips for t in p.tracks):
            return
        first = next((a for a in assets if a.kind == "video"), None) or next(
            (a for a in assets if a.kind == "image"), None)
        if first is None:
            return
        s = p.settings
        w, h = first.width - first.width % 2, first.height - first.height % 2
        rate = first.rate if first.kind == "video" else s.rate
        if (w, h, rate) == (s.width, s.height, s.rate) or w < 16 or h < 16:
            self.doc.apply("Project settings", arrange.choose_settings)
            return
        answer = self.ask(f"Make the project {w}\u00d7{h} at {rate_label(rate)}, like {first.name}?\n\n"
                          f"(It is {s.width}\u00d7{s.height} at {rate_label(s.rate)} now. You can change this later "
                          "in File > Project Settings.)", QMessageBox.Yes | QMessageBox.No)
        if answer == QMessageBox.Yes:
            self.doc.apply("Project settings", arrange.set_settings, w, h, rate)
        else:
            self.doc.apply("Project settings", arrange.choose_settings)

    def _place_imported(self, assets, place, lay_out):
        for a in assets:
            self.doc.apply(f"Import {a.name}", edits.add_asset, a)
        if place and assets:
            track, frame = place[0], place[1]
            mode = place[2] if len(place) > 2 else self.timeline.drop_mode
            for a in assets:
                self.timeline.drop_asset(a.id, track, frame, mode)
                frame += self.doc.project.max_duration(a.id, 0) or int(4 * float(self.doc.project.settings.rate))
                if track is None:  # the first file made a track: the next ones go on it
                    track = self._track_holding(a.id)
        elif lay_out and assets:
            for a in assets:
                v = self.doc.project.video_tracks()
                tid = v[0].id if v and a.kind != "audio" else None
                if a.kind == "audio":
                    aud = self.doc.project.audio_tracks()
                    tid = aud[0].id if aud else None
                self.timeline.drop_asset(a.id, tid, self.doc.project.duration, "overwrite")
            self.timeline.zoom_to_fit()

    def _track_holding(self, asset_id: str) -> str | None:
        for t in self.doc.project.tracks:
            if any(c.asset_id == asset_id for c in t.clips):
                return t.id
        return None
