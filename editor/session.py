"""The Session: the one edit path. It owns the open project, its undo/redo history and its file; no Qt.

    s = Session(project, path=None, history_limit=500)
    s.project                      # the current Project: immutable, so it is also a snapshot for any thread
    s.apply("Split", edits.split, clip_id, frame)   # edit(project, ...) -> Project; EditError changes nothing
    with s.group("Fill transition"): ...            # several applies, one undo step; an exception rolls back
    s.undo(); s.redo(); s.can_undo; s.undo_label    # history of deltas, bounded (history_limit steps)
    unsubscribe = s.subscribe(listener)             # listener(Change) after every edit, undo, redo, load
    s.save(path=None); Session.open(path); s.modified; s.path

Undo keeps, per step, the difference between two versions (editor/timeline/delta.py), not a copy of the project: a
step costs what it changed. Readers never need a lock: they keep the Project object they were given.
"""
from __future__ import annotations

import gc
import itertools
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from editor.timeline.delta import ProjectDelta, diff
from editor.timeline.model import EditError, Project

DEFAULT_HISTORY = 500
GC_GEN0 = 20_000  # allocations between young-generation collections (Python's default: 700)


def tune_gc() -> None:
    """Collect cyclic garbage less often. An edit makes thousands of small immutable objects (a ripple copies every
    clip after the cut) and the model has no reference cycles, so at Python's default threshold most of an edit's
    cost on a long project was collections that found nothing (undo at 5,000 clips: 9.5 ms -> 6.5 ms of CPU).
    Memory is still freed by reference counting the moment it is unused. The editor calls this once at start."""
    gen0, gen1, gen2 = gc.get_threshold()
    if gen0 and gen0 < GC_GEN0:
        gc.set_threshold(GC_GEN0, gen1, gen2)
_serials = itertools.count(1)


@dataclass(frozen=True)
class Change:
    """What an edit, undo, redo or load changed. Empty sets with kind "load" mean: everything."""
    kind: str  # "edit" | "undo" | "redo" | "load" | "save"
    label: str = ""
    tracks: frozenset = frozenset()
    clips: frozenset = frozenset()
    assets: frozenset = frozenset()
    settings: bool = False
    structure: bool = False  # tracks added, removed or reordered

    @classmethod
    def of(cls, kind: str, label: str, delta: ProjectDelta) -> "Change":
        return cls(kind, label, frozenset(delta.track_ids), frozenset(delta.clip_ids), frozenset(delta.assets),
                   "settings" in delta.fields, delta.order is not None)


@dataclass
class Step:
    label: str
    delta: ProjectDelta
    serial: int = field(default_factory=lambda: next(_serials))


class Session:
    def __init__(self, project: Project | None = None, path: str | Path | None = None,
                 history_limit: int = DEFAULT_HISTORY):
        self._project = project if project is not None else Project()
        self.path = Path(path) if path else None
        self.history_limit = max(1, int(history_limit))
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._listeners: list[Callable[[Change], None]] = []
        self._group: list | None = None  # [label, project at the start, depth]
        self._base = next(_serials)  # serial of the state with no history
        self._saved = self._base
        self._owner = threading.get_ident()

    # -- reading ------------------------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self._project

    def snapshot(self) -> Project:
        """The current project. It never changes: keep it as long as you like, on any thread."""
        return self._project

    @property
    def serial(self) -> int:
        return self._undo[-1].serial if self._undo else self._base

    @property
    def modified(self) -> bool:
        return self.serial != self._saved

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and self._group is None

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and self._group is None

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def history(self) -> list[str]:
        return [s.label for s in self._undo]

    # -- listening ----------------------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, change: Change) -> None:
        for fn in list(self._listeners):
            fn(change)

    # -- editing ------------------------------------------------------------------------------------------------
    def apply(self, label: str, fn, *args, **kwargs) -> Project:
        """Run `fn(project, *args, **kwargs) -> Project` as one undo step (or part of the open group)."""
        self._check_thread()
        before = self._project
        after = fn(before, *args, **kwargs)
        if not isinstance(after, Project):
            raise TypeError(f"{getattr(fn, '__name__', fn)} must return a Project")
        if after is before:
            return after
        self._project = after
        if self._group is None:
            self._record(label, before, after)
        else:
            self._emit(Change.of("edit", label, diff(before, after)))
        return after

    def _record(self, label: str, before: Project, after: Project) -> None:
        delta = diff(before, after)
        if delta.empty:
            return
        self._undo.append(Step(label, delta))
        del self._undo[:-self.history_limit]
        self._redo.clear()
        self._emit(Change.of("edit", label, delta))

    @contextmanager
    def group(self, label: str):
        """Several applies as one undo step. Any exception inside rolls every one of them back and re-raises."""
        self._check_thread()
        if self._group is not None:  # nested: part of the outer group
            self._group[2] += 1
            try:
                yield self
            finally:
                self._group[2] -= 1
            return
        self._group = [label, self._project, 0]
        try:
            yield self
        except BaseException:
            start = self._group[1]
            self._group = None
            if self._project is not start:
                delta = diff(self._project, start)
                self._project = start
                self._emit(Change.of("undo", label, delta))
            raise
        start = self._group[1]
        self._group = None
        if self._project is not start:
            self._record(label, start, self._project)

    def undo(self) -> str | None:
        self._check_thread()
        if not self.can_undo:
            return None
        step = self._undo.pop()
        self._project = step.delta.apply(self._project, forward=False)
        self._redo.append(step)
        self._emit(Change.of("undo", step.label, step.delta))
        return step.label

    def redo(self) -> str | None:
        self._check_thread()
        if not self.can_redo:
            return None
        step = self._redo.pop()
        self._project = step.delta.apply(self._project, forward=True)
        self._undo.append(step)
        self._emit(Change.of("redo", step.label, step.delta))
        return step.label

    def reset(self, project: Project, path: str | Path | None = None, modified: bool = False) -> None:
        """Start over with another project (new, opened, recovered): the history is cleared."""
        self._check_thread()
        self._project = project
        self.path = Path(path) if path else None
        self._undo.clear()
        self._redo.clear()
        self._base = next(_serials)
        self._saved = -1 if modified else self._base
        self._emit(Change("load", "Open"))

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("edit the Session on the thread that created it; other threads read snapshots")

    # -- files --------------------------------------------------------------------------------------------------
    def mark_saved(self) -> None:
        self._saved = self.serial

    def save(self, path: str | Path | None = None) -> Path:
        from editor.errors import ProjectError
        from editor.project.fileio import save

        target = Path(path) if path else self.path
        if target is None:
            raise ProjectError("choose where to save the project")
        written = save(self._project, target)
        self.path = written
        self.mark_saved()
        self._emit(Change("save", "Save"))
        return written

    @classmethod
    def open(cls, path: str | Path, history_limit: int = DEFAULT_HISTORY) -> "Session":
        from editor.project import load

        path = Path(path)
        project = load(path)
        return cls(project, path if path.suffix.lower() == ".seam" else None, history_limit)


__all__ = ["Session", "Change", "EditError"]
