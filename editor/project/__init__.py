"""Project files: .seam JSON, and other editors' timelines through OpenTimelineIO (editor/project/interchange)."""
import logging

from .fileio import load as load_seam, missing_media, save  # noqa: F401

log = logging.getLogger("seamline.interchange")


def load(path, rate=None, on_warning=None):
    """Open a .seam project or a timeline (.otio, .otioz, .edl, .xml, .kdenlive). Each thing an imported timeline
    cannot carry over goes to on_warning(line) (default: the log)."""
    from .interchange import is_timeline, read_timeline

    if is_timeline(path):
        project, warnings = read_timeline(path, rate)
        for w in warnings:
            (on_warning or log.warning)(w)
        return project
    return load_seam(path)
