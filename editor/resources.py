"""Where Seamline's files are: its own (icon, ...) in a checkout, an installed package or a PyInstaller bundle, and
the user's data (recovery, generated media, demo) and cache (thumbnails, waveforms, proxies) folders."""
from __future__ import annotations

import os
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


def data_dir() -> Path:
    """$SEAMLINE_DATA, else the platform's user data folder (Linux: $XDG_DATA_HOME/seamline, ~/.local/share/seamline;
    macOS: ~/Library/Application Support/seamline; Windows: %LOCALAPPDATA%\\seamline)."""
    import platformdirs

    return Path(os.environ.get("SEAMLINE_DATA") or platformdirs.user_data_dir("seamline", appauthor=False))


def cache_dir() -> Path:
    """$SEAMLINE_CACHE, else the platform's user cache folder (Linux: $XDG_CACHE_HOME/seamline, ~/.cache/seamline)."""
    import platformdirs

    return Path(os.environ.get("SEAMLINE_CACHE") or platformdirs.user_cache_dir("seamline", appauthor=False))


def config_dir() -> Path:
    """$SEAMLINE_CONFIG, else the platform's user config folder (Linux: $XDG_CONFIG_HOME/seamline,
    ~/.config/seamline): models.json and other settings files."""
    import platformdirs

    return Path(os.environ.get("SEAMLINE_CONFIG") or platformdirs.user_config_dir("seamline", appauthor=False))
