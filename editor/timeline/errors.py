"""The timeline's own error (kept free of heavy imports: editor.errors re-exports it for the command line)."""


class EditError(Exception):
    """An edit that cannot be applied; the model is left unchanged."""
