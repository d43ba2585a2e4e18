"""Media references of an imported timeline -> MediaAssets.

A file that exists is probed (its real kind, rate, length and size win over what the timeline says). A reference to a
file that is not there, a MissingReference, a generator or an image sequence becomes an OFFLINE asset built from what
the timeline says, with a warning naming it; its clips stay on the timeline (shown as offline, relinkable).
Source positions are relative to the media's own start: a reference whose available_range starts at 01:00:00:00 (a
timecode-based file) puts source time 01:00:10:00 ten seconds into the file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

from editor.errors import MediaError
from editor.project.interchange.times import (
    TimeError,
    exact_rate,
    nearest_frame,
    seconds,
)
from editor.timeline.model import MediaAsset, new_id

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".exr", ".dpx", ".tga", ".gif", ".heic",
             ".psd"}
AUDIO_EXT = {".wav", ".mp3", ".aac", ".m4a", ".flac", ".ogg", ".opus", ".aif", ".aiff", ".wma"}


def url_to_path(url: str, base_dir: Path | None) -> str:
    """A local path from a target_url: file:// URLs, plain paths, and paths relative to the timeline file."""
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            path = f"//{parsed.netloc}{path}"
        if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/... on Windows
            path = path[1:]
    elif parsed.scheme and len(parsed.scheme) > 1:  # http:, s3:... not a local file
        return url
    else:
        path = unquote(url) if "%" in url else url
    windows = len(path) > 2 and path[1] == ":" and path[2] in "/\\"  # D:/media/a.mov from a Windows editor
    if base_dir is not None and not os.path.isabs(path) and not path.startswith("//") and not windows:
        path = os.path.normpath(os.path.join(base_dir, path))
    return path


@dataclass
class Source:
    """One media file (or missing reference) of the timeline, and how its clips use it."""
    key: tuple
    path: str
    name: str
    kind: str  # video | image | audio
    rate: Fraction
    origin: Fraction = Fraction(0)  # seconds: the media's own start (available_range.start_time)
    frames: int | None = None
    width: int = 0
    height: int = 0
    has_audio: bool = False
    audio_rate: int = 0
    audio_channels: int = 0
    online: bool = False
    meta: dict = field(default_factory=dict)  # Seamline's own description, when we wrote the file
    asset_id: str = ""
    needed: int = 0  # source frames the clips use

    def asset(self) -> MediaAsset:
        m = self.meta
        data = {k: m[k] for k in ("provenance",) if m.get(k) is not None}
        extra = {k: v for k, v in m.items() if k not in MediaAsset.model_fields and k != "path"}
        return MediaAsset.model_validate({
            **extra, **data, "id": self.asset_id, "path": self.path, "kind": self.kind, "name": self.name,
            "rate": self.rate, "frames": self.frames, "width": self.width, "height": self.height,
            "has_audio": self.has_audio, "audio_rate": self.audio_rate, "audio_channels": self.audio_channels,
            "offline": not self.online})


class MediaTable:
    def __init__(self, rate: Fraction, base_dir: Path | None, warn, probe_files: bool = True):
        self.rate = rate
        self.base_dir = base_dir
        self.warn = warn
        self.probe_files = probe_files
        self.sources: dict[tuple, Source] = {}
        self._ids: set[str] = set()

    def source_for(self, clip, track_kind: str) -> Source:
        import opentimelineio as otio

        ref = clip.media_reference
        meta = dict(ref.metadata.get("seamline") or {}) if ref is not None else {}
        if not isinstance(meta, dict):
            meta = {}
        url = getattr(ref, "target_url", "") if isinstance(ref, otio.schema.ExternalReference) else ""
        if isinstance(ref, otio.schema.MissingReference) and isinstance(ref.metadata.get("original_target_url"), str):
            url = ref.metadata["original_target_url"]  # what an .otioz bundle could not carry
        path = url_to_path(url, self.base_dir) if url else ""
        if path:
            key = ("file", path)
        elif isinstance(ref, otio.schema.GeneratorReference):
            key = ("generator", clip.name, ref.generator_kind)
        else:
            key = ("missing", (ref.name if ref is not None else "") or clip.name, type(ref).__name__)
        src = self.sources.get(key)
        if src is None:
            src = self._new(key, ref, clip, path, meta, track_kind)
            self.sources[key] = src
        return src

    def _new(self, key, ref, clip, path, meta, track_kind) -> Source:
        import opentimelineio as otio

        avail = getattr(ref, "available_range", None)
        origin = Fraction(0)
        ref_rate = None
        frames = None
        try:
            if avail is not None:
                origin = seconds(avail.start_time)
                ref_rate = exact_rate(avail.duration.rate)
            elif clip.source_range is not None:
                ref_rate = exact_rate(clip.source_range.start_time.rate)
        except TimeError as exc:
            self.warn(f"media of clip {clip.name!r}: its available range is unusable ({exc}); taken as starting at 0")
            origin, ref_rate = Fraction(0), None
        ext = os.path.splitext(path or (ref.name if ref is not None else "") or clip.name)[1].lower()
        kind = "image" if ext in IMAGE_EXT else "audio" if ext in AUDIO_EXT else (
            "video" if track_kind == "video" or ext else "audio")
        name = (meta.get("name") if isinstance(meta.get("name"), str) else "") or (
            os.path.basename(path) if path else clip.name) or "media"
        aid = meta.get("id") if isinstance(meta.get("id"), str) and meta.get("id") not in self._ids else new_id("m")
        self._ids.add(aid)
        src = Source(key, path, name[:200], kind, ref_rate if kind == "video" and ref_rate else self.rate, origin,
                     meta=meta, asset_id=aid)
        if avail is not None and kind != "image":
            try:
                frames = nearest_frame(seconds(avail.duration), src.rate)
            except TimeError:
                frames = None
        src.frames = frames if kind != "image" else None
        if isinstance(meta.get("width"), int) and isinstance(meta.get("height"), int):
            src.width, src.height = meta["width"], meta["height"]
        if path and os.path.isfile(path) and self.probe_files and not self._described(src):
            self._probe(src)
        elif path and os.path.isfile(path):
            src.online = True
        elif isinstance(ref, otio.schema.GeneratorReference):
            self.warn(f"clip {clip.name!r} is made by a {ref.generator_kind or 'generator'} Seamline has no "
                      f"generator for: kept as an offline clip")
        elif path:
            self.warn(f"offline media: {path} (clip {clip.name!r}) is not on this computer: kept as an offline clip")
        else:
            what = "an image sequence" if type(ref).__name__ == "ImageSequenceReference" else "no media file"
            self.warn(f"offline media: clip {clip.name!r} refers to {what}: kept as an offline clip")
        return src

    def _described(self, src: Source) -> bool:
        """Seamline wrote this reference: take its description of the file as a .seam load does (no probe)."""
        from pydantic import ValidationError

        m = src.meta
        if not m or m.get("kind") not in ("video", "image", "audio"):
            return False
        try:
            a = MediaAsset.model_validate({**m, "id": src.asset_id, "path": src.path})
        except ValidationError:
            return False
        if a.kind != "image" and a.frames is None:
            return False
        src.kind, src.frames, src.width, src.height = a.kind, a.frames, a.width, a.height
        src.rate = a.rate if a.kind == "video" else self.rate
        src.has_audio, src.audio_rate, src.audio_channels = a.has_audio, a.audio_rate, a.audio_channels
        src.online = True
        return True

    def _probe(self, src: Source) -> None:
        from editor.media.probe import frames_for, probe

        try:
            info = probe(src.path, check_tail=False)
        except MediaError as exc:
            self.warn(f"offline media: {exc}; kept as an offline clip")
            return
        src.online = True
        src.kind = info.kind
        if info.kind == "video":
            src.rate = info.rate
        elif src.rate != self.rate:
            src.rate = self.rate
        src.frames = frames_for(info, self.rate if info.kind != "video" else info.rate)
        src.width, src.height = info.width, info.height
        src.has_audio = info.has_audio
        src.audio_rate = info.audio[0].rate if info.audio else 0
        src.audio_channels = info.audio[0].channels if info.audio else 0

    def usable_on(self, src: Source, track_kind: str) -> str | None:
        """None if a clip of this media can sit on a track of this kind, else why not."""
        if track_kind == "video":
            return None if src.kind in ("video", "image") else "it is a sound file on a video track"
        if src.kind == "audio" or (src.kind == "video" and src.has_audio):
            return None
        if src.kind == "video" and not src.online:
            src.has_audio = True  # offline: the timeline says it has sound
            return None
        return f"its media ({src.kind}) has no sound, on an audio track"

    def finish(self) -> dict[str, MediaAsset]:
        """The assets, offline ones long enough for every clip that uses them."""
        out = {}
        for src in self.sources.values():
            if not src.online and src.kind != "image" and src.needed > (src.frames or 0):
                if src.frames:
                    self.warn(f"media {src.name!r}: its clips use {src.needed} frames, more than the {src.frames} its "
                              f"available range has; its length is taken from the clips")
                src.frames = src.needed
            out[src.asset_id] = src.asset()
        return out
