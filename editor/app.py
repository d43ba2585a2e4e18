"""Starts the desktop editor (Qt is imported only here)."""
from __future__ import annotations

import sys


def run_gui(files, demo) -> int:
    try:
        from editor.ui.app import start
    except ImportError as exc:  # the UI arrives with the editor issue; keep the CLI usable until then
        sys.stderr.write(f"seamline: the editor window is not available ({exc}); see `python main.py --help`\n")
        from editor.cli import gui_parser

        gui_parser().print_help()
        return 0
    return start(files, demo)
