"""Project files: .seam JSON and OpenTimelineIO."""
from pathlib import Path

from .fileio import load as load_seam, missing_media, save  # noqa: F401


def load(path):
    """Open a .seam or .otio file."""
    if Path(path).suffix.lower() == ".otio":
        from .otio_bridge import read_otio

        return read_otio(path)
    return load_seam(path)
