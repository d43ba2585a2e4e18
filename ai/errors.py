"""Errors the AI tools raise; each message says what the user can do."""


class AIError(Exception):
    """Base class: the message is shown to the user as is."""


class JobCancelled(AIError):
    """The user cancelled a job; nothing was written and the timeline is unchanged."""


class ModelNotAvailable(AIError):
    """A generative backend's weights are not on disk (or a package it needs is missing).

    `model_id` names the model to download (the editor opens AI > Models at it)."""

    def __init__(self, message: str, model_id: str | None = None):
        super().__init__(message)
        self.model_id = model_id

    def __reduce__(self):  # survives pickling (a Ray worker raises it, the editor shows it)
        return (type(self), (str(self), self.model_id))


class NoGPU(AIError):
    """A generative backend was asked to run without a usable GPU."""


class OutOfMemory(AIError):
    """The device ran out of memory."""


class MissingPackage(ModelNotAvailable):
    """An optional package (torch, diffusers, ray, ...) is not installed."""


class ClusterError(AIError):
    """The Ray cluster could not be reached, or the worker running a job stopped; nothing was saved."""
