"""Errors a user can hit. Each carries a message a person can act on."""
from editor.timeline.errors import EditError  # noqa: F401


class MediaError(Exception):
    """A media file cannot be read or written."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):  # pickles whole: a MediaError raised on a Ray worker arrives as itself
        return type(self), (self.path, self.reason)


class ProjectError(Exception):
    """A project file cannot be loaded or saved."""


class ExportCancelled(Exception):
    """The user cancelled an export."""


class AnalysisCancelled(ExportCancelled):
    """The user cancelled an analysis (stabilise); nothing was cached. (A kind of cancel the UI's workers and the
    command line already treat as one.)"""
