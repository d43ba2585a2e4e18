"""The open project, its undo stack and its file: the one mutation path every view and autosave hangs off."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.errors import ProjectError
from editor.project import fileio
from editor.render.sources import MediaPool
from editor.resources import data_dir
from editor.timeline.model import EditError, Project, ProjectSettings
from editor.ui.callbacks import Callbacks


class EditCommand(QUndoCommand):
    """One undo step over a core edit that has already been applied (core edits return their inverse; calling
    the inverse returns the redo)."""

    def __init__(self, doc: "Document", text: str, inverse):
        super().__init__(text)
        self.doc = doc
        self._inverse = inverse
        self._redo = None
        self._first = True

    def redo(self):
        if self._first:  # applied before the push, so a refused edit never reaches the stack
            self._first = False
        else:
            self._inverse = self._redo()
        self.doc.changed.emit()

    def undo(self):
        self._redo = self._inverse()
        self.doc.changed.emit()


class Document(QObject):
    changed = Signal()  # the model changed (views repaint)
    path_changed = Signal()
    selection_changed = Signal()
    error = Signal(str)

    AUTOSAVE_DELAY_MS = 3000
    AUTOSAVE_PERIOD_MS = 60000

    def __init__(self, project: Project | None = None, path: str | None = None):
        super().__init__()
        self.project = project or Project(settings=ProjectSettings(1920, 1080))
        self.path = Path(path) if path else None
        self.undo = QUndoStack(self)
        self.pool = MediaPool(self.project.settings.sample_rate, self.project.settings.channels, proxies=True)
        self.selection: set[str] = set()
        self.selected_track: str | None = None
        self.selected_cut: tuple[str, str, str] | None = None  # (track, a, b)
        self.playhead = 0
        self.playhead_changed = Callbacks()  # fires on every playback tick: a plain callback list
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.timeout.connect(self.write_recovery)
        self._periodic = QTimer(self)
        self._periodic.timeout.connect(self._periodic_autosave)
        self._periodic.start(self.AUTOSAVE_PERIOD_MS)
        self.undo.indexChanged.connect(self._schedule_autosave)
        self.undo.cleanChanged.connect(self._clean_changed)

    def _schedule_autosave(self, _=None):
        self._autosave.start(self.AUTOSAVE_DELAY_MS)

    def _clean_changed(self, _=None):
        self.path_changed.emit()

    # -- edits -------------------------------------------------------------------------------------------------
    def apply(self, text: str, fn, *args, **kwargs) -> bool:
        """Run a core edit as one undo step. A refused edit shows its reason and changes nothing."""
        try:
            inverse = fn(self.project, *args, **kwargs)
        except (EditError, ProjectError, ValueError) as exc:
            self.error.emit(str(exc))
            return False
        self.undo.push(EditCommand(self, text, inverse))
        return True

    def set_playhead(self, frame: int) -> None:
        frame = max(0, min(int(frame), max(0, self.project.duration)))
        if frame != self.playhead:
            self.playhead = frame
            self.playhead_changed.emit(frame)

    def select(self, clip_ids, add: bool = False) -> None:
        ids = set(clip_ids)
        self.selection = (self.selection | ids) if add else ids
        self.selected_cut = None
        self.selection_changed.emit()

    def select_cut(self, track_id: str, a: str, b: str) -> None:
        self.selected_cut = (track_id, a, b)
        self.selection = set()
        self.selection_changed.emit()

    # -- files -------------------------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.undo.isClean()

    @property
    def title(self) -> str:
        name = self.path.stem if self.path else self.project.name
        return f"{name}[*] \u2014 Seamline"

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self.path
        if target is None:
            raise ProjectError("choose where to save the project")
        if target.suffix.lower() != ".seam":
            target = target.with_suffix(".seam")
        self.project.name = target.stem
        fileio.save(self.project, target)
        self.path = target
        self.undo.setClean()
        self.clear_recovery()
        self.path_changed.emit()
        return target

    @classmethod
    def open(cls, path) -> "Document":
        from editor.project import load

        return cls(load(path), str(path) if Path(path).suffix.lower() == ".seam" else None)

    def generated_dir(self) -> Path:
        if self.path is not None:
            return self.path.parent / "generated"
        from ai.jobs import default_generated_dir

        return default_generated_dir()

    # -- autosave / recovery -----------------------------------------------------------------------------------
    def _periodic_autosave(self):
        if self.modified:
            self.write_recovery()

    def write_recovery(self) -> None:
        if not self.modified:
            return
        try:
            rec = recovery_dir()
            data = fileio.to_dict(self.project, self.path.parent if self.path else None)
            data["recovery"] = {"path": str(self.path) if self.path else None, "time": time.time()}
            tmp = rec / f".{self._recovery_name()}.tmp"
            tmp.write_text(json.dumps(data))
            os.replace(tmp, rec / self._recovery_name())
        except OSError as exc:
            self.error.emit(f"autosave failed: {exc}")

    def _recovery_name(self) -> str:
        import hashlib

        key = str(self.path.resolve()) if self.path else f"untitled-{os.getpid()}-{id(self)}"
        return hashlib.sha1(key.encode()).hexdigest()[:16] + ".seam-recovery"

    def clear_recovery(self) -> None:
        try:
            (recovery_dir() / self._recovery_name()).unlink()
        except OSError:
            pass

    def close(self) -> None:
        self._periodic.stop()
        self._autosave.stop()
        self.clear_recovery()
        self.pool.close()


def recovery_dir() -> Path:
    p = data_dir() / "recovery"
    p.mkdir(parents=True, exist_ok=True)
    return p


def pending_recoveries() -> list[Path]:
    return sorted(recovery_dir().glob("*.seam-recovery"), key=lambda p: -p.stat().st_mtime)


def load_recovery(path: Path) -> Document:
    data = json.loads(path.read_text())
    info = data.get("recovery", {})
    orig = info.get("path")
    base = Path(orig).parent if orig else None
    project = fileio.from_dict(data, base)
    doc = Document(project, orig)
    # the restored state is unsaved work: mark it modified so the user saves it
    doc.undo.resetClean()
    doc.undo.push(QUndoCommand("Restore autosave"))
    path.unlink(missing_ok=True)
    return doc
