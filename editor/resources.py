"""Where Seamline's own files (icon, ...) are, from a checkout, an installed package or a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def resource(name: str) -> Path | None:
    """The path of resources/NAME, or None when this installation does not carry it."""
    roots = []
    if frozen():
        roots.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)))
    roots.append(Path(__file__).resolve().parent.parent)
    for root in roots:
        p = root / "resources" / name
        if p.is_file():
            return p
    return None
