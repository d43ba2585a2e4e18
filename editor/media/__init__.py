"""Media I/O at the edge: PyAV and OpenCV."""
from .probe import MediaInfo, probe  # noqa: F401
