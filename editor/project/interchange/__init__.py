"""Interchange: timelines of other editors in and out, through OpenTimelineIO and its maintained adapters.

    project, warnings = read_timeline("cut.edl", rate=Fraction(25))   # .otio .otioz .edl .xml (FCP 7) .kdenlive
    warnings = write_timeline(project, "cut.xml")
    warnings = convert("a.seam", "b.otio")                                # any of the above, and .seam, both ways

Every warning is one line saying what could not be carried over (nothing is dropped silently). Bad files raise
ProjectError with one line naming the file; deep nesting is refused before OTIO reads the file (see guard.py).
"""
from __future__ import annotations

import os
import warnings as _pywarnings
from fractions import Fraction
from pathlib import Path

from editor.errors import ProjectError
from editor.project.interchange import guard

# suffix -> (OTIO adapter, what it is)
FORMATS = {
    ".otio": ("otio_json", "OpenTimelineIO"),
    ".otioz": ("otioz", "OpenTimelineIO bundle (timeline and media)"),
    ".edl": ("cmx_3600", "CMX 3600 EDL"),
    ".xml": ("fcp_xml", "Final Cut Pro 7 XML"),
    ".kdenlive": ("kdenlive", "Kdenlive project"),
}
ALL_SUFFIXES = (".seam",) + tuple(FORMATS)


def file_filter() -> str:
    """A Qt file dialog filter for every format (the editor's Import/Export Timeline dialogs)."""
    parts = [f"{label} (*{suffix})" for suffix, (_, label) in FORMATS.items()]
    return ";;".join([f"Timelines ({' '.join('*' + s for s in FORMATS)})"] + parts)


def is_timeline(path) -> bool:
    return Path(path).suffix.lower() in FORMATS


def _suffix(path: Path) -> str:
    s = path.suffix.lower()
    if s not in FORMATS and s != ".seam":
        raise ProjectError(f"{path}: unknown timeline format {s or '(no suffix)'!r}; use one of "
                           f"{', '.join(ALL_SUFFIXES)}")
    return s


def read_otio_object(path, rate: Fraction | None = None):
    """The OTIO object a file holds (checked first, see guard.py). Raises ProjectError."""
    import opentimelineio as otio

    path = Path(path)
    suffix = _suffix(path)
    adapter = FORMATS[suffix][0]
    kwargs = {}
    try:
        if suffix == ".otioz":
            raw = guard.check_bundle(path)
            folder = _bundle_folder(path)
            if folder is not None:
                return otio.adapters.read_from_string(raw.decode("utf-8"), "otio_json"), folder
            return otio.adapters.read_from_string(raw.decode("utf-8"), "otio_json"), None
        raw = guard.read_bounded(path)
        if suffix == ".otio":
            guard.check_depth(raw, path, "json")
            return otio.adapters.read_from_string(raw.decode("utf-8"), "otio_json"), path.parent
        if suffix in (".xml", ".kdenlive"):
            guard.check_depth(raw, path, "xml")
        if suffix == ".edl":
            kwargs["rate"] = float(rate or 24)
        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            return _quiet(lambda: otio.adapters.read_from_file(str(path), adapter, **kwargs)), path.parent
    except ProjectError:
        raise
    except RecursionError:
        raise ProjectError(f"{path}: the file is nested too deeply to be a timeline") from None
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: the file is not UTF-8 text; it is damaged or not a timeline") from None
    except MemoryError:
        raise ProjectError(f"{path}: the file asks for more memory than this computer has; it is damaged") from None
    except Exception as exc:  # OTIO and its adapters raise many types for bad files  # noqa: BLE001
        hint = f"; an EDL holds no frame rate: it was read at {float(rate or 24):g} fps, give its rate with --rate" \
            if suffix == ".edl" else ""
        raise ProjectError(f"{path}: not a readable {FORMATS[suffix][1]} file ({_short(exc)}){hint}") from None


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _quiet(fn):
    """Run an adapter with its chatter on stdout (the kdenlive adapter prints a banner) kept off the terminal."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return fn()


def _bundle_folder(path: Path) -> Path | None:
    """Unpack an .otioz's media once into the cache (keyed by the file's path, size and time) and return where."""
    import hashlib
    import shutil
    import zipfile

    from editor.resources import cache_dir

    st = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    folder = cache_dir() / "otioz" / key
    if (folder / ".complete").exists():
        return folder
    need = guard.bundle_size(path)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(parent).free < need + (64 << 20):
        raise ProjectError(f"{path}: not enough free disk space to unpack its media ({need >> 20} MB)")
    tmp = parent / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with zipfile.ZipFile(path) as z:
            z.extractall(tmp)
        (tmp / ".complete").write_bytes(b"")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ProjectError(f"{path}: cannot unpack its media ({exc.strerror or exc})") from None
    return folder


def read_timeline(path, rate: Fraction | None = None, probe_media: bool = True):
    """(Project, warnings) from an interchange file. `rate` sets the project rate (EDL files need it: they hold
    none; the default is 24)."""
    import opentimelineio as otio

    from editor.project.interchange.from_otio import Importer

    path = Path(path)
    obj, base = read_otio_object(path, rate)
    if isinstance(obj, otio.schema.SerializableCollection):
        found = list(obj.find_children(descended_from_type=otio.schema.Timeline))
        if not found:
            raise ProjectError(f"{path}: the file holds no timeline")
        obj = found[0]
        out = [f"the file holds {len(found)} timelines: only the first, {obj.name!r}, is read"] if len(found) > 1 \
            else []
    else:
        out = []
    if isinstance(obj, otio.schema.Track):
        tl = otio.schema.Timeline(name=obj.name)
        tl.tracks.append(obj.clone())
        obj = tl
    if not isinstance(obj, otio.schema.Timeline):
        raise ProjectError(f"{path}: the file holds a {type(obj).__name__}, not a timeline")
    seen = set(out)

    def warn(msg: str) -> None:
        if msg not in seen:
            seen.add(msg)
            out.append(msg)

    try:
        project = Importer(obj, rate, base, warn, probe_media).project()
    except ProjectError as exc:
        raise ProjectError(f"{path}: {exc}") from None
    except RecursionError:
        raise ProjectError(f"{path}: the timeline is nested too deeply") from None
    except (ValueError, TypeError, OverflowError, ZeroDivisionError) as exc:  # values OTIO accepted but are absurd
        raise ProjectError(f"{path}: the timeline holds values that cannot be used ({_short(exc)})") from None
    from editor.project.schema import checked

    try:
        project = checked(project)
    except ProjectError as exc:
        raise ProjectError(f"{path}: {exc}") from None
    return project, out


def write_timeline(project, path) -> list[str]:
    """Write a project in the format its suffix names (atomically). Returns warnings about what the format cannot
    hold."""
    from editor.project.interchange.export import write

    return write(project, Path(path))


def convert(src, dst, rate: Fraction | None = None) -> list[str]:
    """Read src and write dst (any of .seam, .otio, .otioz, .edl, .xml, .kdenlive). Returns the warnings."""
    from editor.project import fileio

    src, dst = Path(src), Path(dst)
    _suffix(dst)
    if _suffix(src) == ".seam":
        project, out = fileio.load(src), []
        if rate is not None and rate != project.settings.rate:
            out.append(f"--rate {rate} ignored: a .seam project keeps its own rate ({project.settings.rate})")
    else:
        project, out = read_timeline(src, rate)
    if dst.suffix.lower() == ".seam":
        fileio.save(project, dst)
    else:
        out += write_timeline(project, dst)
    return out
