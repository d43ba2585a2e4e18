"""Starts the desktop editor (Qt is imported only here)."""
from __future__ import annotations

import sys


def run_gui(files, demo, usage=None) -> int:
    """Open the editor window. `usage()` prints the command line's help when Qt cannot be loaded (the caller, the
    command line, passes it in: this module does not import the CLI back)."""
    try:
        from editor.ui.app import start
    except ImportError as exc:  # no Qt here (a headless install): keep the command line usable
        sys.stderr.write(f"seamline: the editor window is not available ({exc}); see `python main.py --help`\n")
        if usage is not None:
            usage()
        return 0
    return start(files, demo)
