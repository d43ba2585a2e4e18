"""Checks made on an interchange file BEFORE OpenTimelineIO reads it.

OTIO's JSON reader recurses once per nesting level in C++: a file nested ~40,000 levels deep hangs it and ~60,000
kills the process. The XML adapters recurse in Python. So the nesting depth is measured first with a cheap byte scan
(strings removed, brackets counted with numpy) and a file deeper than MAX_DEPTH is refused with a clear line. Sizes
are bounded too, and an .otioz bundle's table of contents is checked before anything is unpacked.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from editor.errors import ProjectError

MAX_DEPTH = 400  # a real timeline is ~12 levels deep, ~2 more per nested stack; metadata adds a few
MAX_TIMELINE_BYTES = 256 << 20
MAX_BUNDLE_ENTRIES = 100_000

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_XML_SKIP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>", re.DOTALL)
_XML_TAG = re.compile(rb"<(/?)[^<>]*?(/?)>")


def _max_depth(opens: np.ndarray) -> int:
    return int(np.cumsum(opens, dtype=np.int64).max(initial=0))


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (brackets inside strings do not count)."""
    skeleton = _JSON_STRING.sub(b"", raw).translate(None, delete=bytes(set(range(256)) - set(b"[]{}")))
    b = np.frombuffer(skeleton, np.uint8)
    return _max_depth((b == ord("[")).astype(np.int8) + (b == ord("{")) - (b == ord("]")) - (b == ord("}")))


def xml_depth(raw: bytes) -> int:
    """How deeply the elements of an XML text nest (comments, CDATA and declarations skipped)."""
    steps = [(-1 if m.group(1) else (0 if m.group(2) else 1)) for m in _XML_TAG.finditer(_XML_SKIP.sub(b"", raw))]
    return _max_depth(np.array(steps, np.int64))


def read_bounded(path: Path, limit: int = MAX_TIMELINE_BYTES) -> bytes:
    from editor.project.fileio import read_bounded

    raw = read_bounded(path, limit, "timeline file")
    if len(raw) > limit:
        raise ProjectError(f"{path}: the file is too large to be a timeline (over {limit >> 20} MB)")
    return raw


def check_depth(raw: bytes, path: Path, kind: str) -> None:
    depth = json_depth(raw) if kind == "json" else xml_depth(raw)
    if depth > MAX_DEPTH:
        raise ProjectError(f"{path}: the file is nested {depth} levels deep (at most {MAX_DEPTH}); it is damaged or "
                           f"not a timeline")


def check_bundle(path: Path, content_name: str = "content.otio") -> bytes:
    """The timeline document inside an .otioz bundle, after checking the bundle's table of contents."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_BUNDLE_ENTRIES:
                raise ProjectError(f"{path}: the bundle holds {len(infos)} files; too many to be a timeline bundle")
            for info in infos:
                name = info.filename
                if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                    raise ProjectError(f"{path}: the bundle names a file outside itself ({name!r})")
            try:
                info = z.getinfo(content_name)
            except KeyError:
                raise ProjectError(f"{path}: not an .otioz bundle (it holds no {content_name})") from None
            if info.file_size > MAX_TIMELINE_BYTES:
                raise ProjectError(f"{path}: the timeline inside the bundle is too large ({info.file_size >> 20} MB)")
            with z.open(info) as fh:
                raw = fh.read(MAX_TIMELINE_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise ProjectError(f"{path}: not a readable .otioz bundle ({exc})") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_TIMELINE_BYTES:
        raise ProjectError(f"{path}: the timeline inside the bundle is too large")
    check_depth(raw, path, "json")
    return raw


def bundle_size(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())
