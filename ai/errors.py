"""Errors the AI tools raise; each message says what the user can do."""


class AIError(Exception):
    """Base class: the message is shown to the user as is."""


class JobCancelled(AIError):
    """The user cancelled a job; nothing was written and the timeline is unchanged."""


class ModelNotAvailable(AIError):
    """A generative backend's weights are not on disk (or a package it needs is missing)."""


class NoGPU(AIError):
    """A generative backend was asked to run without a usable GPU."""


class OutOfMemory(AIError):
    """The device ran out of memory."""


class MissingPackage(ModelNotAvailable):
    """An optional package (torch, diffusers, ...) is not installed."""
