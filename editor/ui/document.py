"""The Qt face of a Session: signals for the views, undo/redo actions, selection, playhead, autosave.

The Session (editor/session.py) owns the project, its history and its file; this adapter only turns its change
events into Qt signals and keeps the UI state (selection, playhead) that is not part of the project. The history is
the Session's own (no QUndoStack): one history, so undo in the UI, autosave and the headless core can never disagree.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from editor.errors import ProjectError
from editor.project import recovery
from editor.render.sources import MediaPool
from editor.session import Change, Session
from editor.timeline.arrange import blank_project
from editor.timeline.model import EditError, Project
from editor.ui.callbacks import Callbacks


class Document(QObject):
    changed = Signal()  # the model changed (views repaint)
    path_changed = Signal()
    selection_changed = Signal()
    error = Signal(str)

    AUTOSAVE_DELAY_MS = 3000
    AUTOSAVE_PERIOD_MS = 60000

    def __init__(self, project: Project | None = None, path: str | None = None, session: Session | None = None):
        super().__init__()
        # a new project starts with V1 and A1, so the first drop has somewhere to go
        self.session = session or Session(project or blank_project(), path)
        self.last_change: Change | None = None
        s = self.project.settings
        self.pool = MediaPool(s.sample_rate, s.channels, proxies=True)
        self.selection: set[str] = set()
        self.selected_track: str | None = None
        self.selected_cut: tuple[str, str, str] | None = None  # (track, a, b)
        self.playhead = 0
        self.playhead_changed = Callbacks()  # fires on every playback tick: a plain callback list
        self._recovery = recovery.recovery_name(self._recovery_key())
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.timeout.connect(self.write_recovery)
        self._periodic = QTimer(self)
        self._periodic.timeout.connect(self._periodic_autosave)
        self._periodic.start(self.AUTOSAVE_PERIOD_MS)
        self._was_modified = self.modified
        self._unsubscribe = self.session.subscribe(self._on_change)

    # -- the session --------------------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        """The current project: immutable, so also a snapshot any worker may keep."""
        return self.session.project

    @property
    def path(self) -> Path | None:
        return self.session.path

    def _on_change(self, change: Change) -> None:
        self.last_change = change
        if change.kind != "save":
            self.changed.emit()
            self._autosave.start(self.AUTOSAVE_DELAY_MS)
        if self.modified != self._was_modified or change.kind in ("save", "load"):
            self._was_modified = self.modified
            self.path_changed.emit()

    def apply(self, text: str, fn, *args, **kwargs) -> bool:
        """Run a core edit as one undo step. A refused edit shows its reason and changes nothing."""
        try:
            self.session.apply(text, fn, *args, **kwargs)
        except (EditError, ProjectError, ValueError) as exc:
            self.error.emit(str(exc))
            return False
        return True

    def group(self, label: str):
        """`with doc.group("Fill"):` several applies, one undo step."""
        return self.session.group(label)

    def undo(self) -> None:
        self.session.undo()

    def redo(self) -> None:
        self.session.redo()

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

    # -- files --------------------------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.session.modified

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
        old_recovery = self._recovery
        written = self.session.save(target)
        # the autosave of this work (under its old name when it was untitled) is no longer needed
        recovery.discard([recovery.recovery_dir() / old_recovery])
        self._recovery = recovery.recovery_name(self._recovery_key())
        self.clear_recovery()
        return written

    @classmethod
    def open(cls, path) -> "Document":
        return cls(session=Session.open(path))

    def generated_dir(self) -> Path:
        """Where AI jobs write for this project: `<name> media/generated` beside a saved project (it travels with it;
        Save As copies it), the user's data folder for an unsaved one (the first save copies what is used)."""
        if self.path is not None:
            from editor.project.portable import generated_folder

            return generated_folder(self.path)
        from ai.jobs import default_generated_dir

        return default_generated_dir()

    # -- autosave / recovery ------------------------------------------------------------------------------------
    def _periodic_autosave(self):
        if self.modified:
            self.write_recovery()

    def write_recovery(self) -> None:
        if not self.modified:
            return
        try:
            recovery.write(self.project, self._recovery, self.path)
        except OSError as exc:
            self.error.emit(f"autosave failed: {exc.strerror or exc}")

    def _recovery_key(self) -> str:
        return str(self.path.resolve()) if self.path else f"untitled-{os.getpid()}-{id(self)}"

    def clear_recovery(self) -> None:
        recovery.discard([recovery.recovery_dir() / self._recovery])

    def close(self) -> None:
        self._periodic.stop()
        self._autosave.stop()
        self._unsubscribe()
        self.clear_recovery()
        self.pool.close()


def pending_recoveries() -> list[Path]:
    return recovery.pending()


def load_recovery(path: Path) -> tuple["Document", str]:
    """(document with the restored, unsaved work; a message for the user, empty when all was read). Raises
    ProjectError when nothing could be read (the file has been moved aside)."""
    project, orig, message = recovery.load(path)
    session = Session(project, orig)
    session.reset(project, orig, modified=True)  # the restored state is unsaved work
    return Document(session=session), message
