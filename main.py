"""Seamline: `python main.py` opens the editor; `python main.py CMD ...` runs a headless job (see --help)."""
import sys

from editor.cli import main

if __name__ == "__main__":
    sys.exit(main())
