"""Timeline model and edits (pure Python)."""
from .model import Clip, EditError, MediaAsset, Project, ProjectSettings, Track, Transition, new_id  # noqa: F401
from . import edits  # noqa: F401
