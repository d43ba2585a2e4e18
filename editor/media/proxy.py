"""Edit proxies: a small all-intra copy of a video for the preview, so any frame comes back in a few milliseconds.

Phone and camera footage is long-GOP H.264/HEVC: showing an arbitrary frame means decoding from the keyframe before
it, hundreds of milliseconds at 1080p on two cores. A proxy stores every frame as its own JPEG (at most 540 lines
high), in display orientation, indexed by the same frame numbers as the original (frame n = the picture on screen at
n / rate, as `VideoReader` defines it), so swapping one for the other never shifts an edit. The preview reads
proxies when the size it asks for is no larger than the proxy; export and the AI tools always read the original.

File layout (`*.sprx` in the cache, written to a temporary name and renamed when complete):
    b"SEAMPRX1" | u32 header length | JSON header | JPEG 0 | JPEG 1 | ... | u64 offsets[frames + 1] | u64 table pos
"""
from __future__ import annotations

import errno
import hashlib
import json
import mmap
import os
import struct
import threading
from pathlib import Path

import numpy as np

from editor.errors import MediaError

MAGIC = b"SEAMPRX1"
VERSION = 1
MAX_HEIGHT = 540
QUALITY = 82
SLACK = 2  # a request up to this many pixels larger than the proxy is still served from it (invisible upscale)


def proxy_dir() -> Path:
    from editor.resources import cache_dir

    return cache_dir() / "proxies"


def proxy_path(path) -> Path:
    """Where the proxy of a file lives; the name changes when the file does (path + size + mtime)."""
    p = Path(path).resolve()
    st = p.stat()
    key = hashlib.sha1(f"{p}|{st.st_size}|{st.st_mtime_ns}|{VERSION}|{MAX_HEIGHT}".encode()).hexdigest()[:20]
    return proxy_dir() / f"{p.stem[:40]}-{key}.sprx"


def budget_bytes() -> int:
    """How much disk the proxies may take (SEAMLINE_PROXY_GB, default 20 GB); the least recently used go first."""
    try:
        return int(float(os.environ.get("SEAMLINE_PROXY_GB", "20")) * (1 << 30))
    except ValueError:
        return 20 << 30


def prune(keep: Path | None = None, limit: int | None = None) -> int:
    """Delete the least recently used proxies until they fit the budget; returns the bytes freed."""
    limit = budget_bytes() if limit is None else limit
    try:
        files = [(st.st_mtime, st.st_size, p) for p in proxy_dir().glob("*.sprx") for st in [p.stat()]]
    except OSError:
        return 0
    total, freed = sum(f[1] for f in files), 0
    for _, size, p in sorted(files, key=lambda f: f[0]):
        if total <= limit:
            break
        if keep is not None and p == keep:
            continue
        try:
            p.unlink()
        except OSError:
            continue
        total -= size
        freed += size
    return freed


def proxy_size(width: int, height: int) -> tuple[int, int]:
    if height <= MAX_HEIGHT:
        return width, height
    w = int(round(width * MAX_HEIGHT / height / 2)) * 2
    return max(2, w), MAX_HEIGHT


def keyframe_interval(path, packets: int = 600) -> float:
    """Mean distance between keyframes over the first packets (demuxed, not decoded: fast)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as c:
            if not c.streams.video:
                return 1.0
            s = c.streams.video[0]
            n = keys = 0
            for pkt in c.demux(s):
                if pkt.size == 0:
                    continue
                n += 1
                keys += bool(pkt.is_keyframe)
                if n >= packets:
                    break
            return n / max(1, keys)
    except (av.error.FFmpegError, OSError):
        return 1.0


def wants_proxy(info) -> bool:
    """(info: a MediaInfo or a MediaAsset.) A proxy pays off for long-GOP video (random access decodes a whole GOP) and for anything above 540 lines."""
    if info.kind != "video" or not info.frames or info.frames < 2:
        return False
    if info.height > MAX_HEIGHT or info.width > 2 * MAX_HEIGHT:
        return True
    return keyframe_interval(info.path) > 12


def find_proxy(path) -> Path | None:
    try:
        p = proxy_path(path)
    except OSError:
        return None
    return p if p.is_file() else None


def build_proxy(path, progress=None, cancelled=None) -> Path:
    """Write the proxy of a video (or return the one already there). Cancelling leaves nothing behind."""
    import cv2

    from editor.errors import ExportCancelled
    from editor.media.reader import open_visual

    out = proxy_path(path)
    if out.is_file():
        try:
            ProxyFile(out).close()
            return out
        except (OSError, MediaError):
            out.unlink(missing_ok=True)  # damaged (disk trouble): make it again
    out.parent.mkdir(parents=True, exist_ok=True)
    reader = open_visual(path)  # a VideoReader, or an AnimationReader for animated GIF/WebP/APNG
    if reader.info.kind != "video":
        reader.close()
        raise MediaError(path, "only videos get an edit proxy")
    reader.cache.max_bytes = 1
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{threading.get_ident()}.part")
    size = proxy_size(reader.width, reader.height)
    header = json.dumps({"version": VERSION, "source": str(Path(path).resolve()), "frames": reader.frames,
                         "width": size[0], "height": size[1], "rate": str(reader.rate)}).encode()
    offsets = []
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC + struct.pack("<I", len(header)) + header)
            for n in range(reader.frames):
                if cancelled is not None and cancelled():
                    raise ExportCancelled("proxy cancelled")
                img = reader.frame(n, size=size)
                ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                                       [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
                if not ok:
                    raise MediaError(path, f"frame {n} could not be stored in the proxy")
                offsets.append(f.tell())
                f.write(jpg.tobytes())
                if progress is not None and (n % 15 == 0 or n == reader.frames - 1):
                    progress((n + 1) / reader.frames, "proxy")
            offsets.append(f.tell())
            table = f.tell()
            f.write(np.asarray(offsets, "<u8").tobytes() + struct.pack("<Q", table))
        os.replace(tmp, out)
        prune(keep=out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise MediaError(path, f"no space left for its edit proxy in {out.parent}: free some space or lower "
                                   f"SEAMLINE_PROXY_GB (the preview reads the original meanwhile)") from None
        raise MediaError(path, f"its edit proxy could not be written ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        reader.close()
    return out


class ProxyFile:
    """Random access to a proxy's frames: one JPEG decode per frame."""

    def __init__(self, path):
        self.path = Path(path)
        self._f = open(self.path, "rb")
        try:
            self._mm = mmap.mmap(self._f.fileno(), 0, access=mmap.ACCESS_READ)
            mm = self._mm
            if mm[:8] != MAGIC:
                raise MediaError(path, "not a Seamline proxy")
            (hlen,) = struct.unpack("<I", mm[8:12])
            self.header = json.loads(mm[12:12 + hlen])
            (table,) = struct.unpack("<Q", mm[-8:])
            self.frames = int(self.header["frames"])
            self.offsets = np.frombuffer(mm[table:len(mm) - 8], "<u8")
            if len(self.offsets) != self.frames + 1:
                raise MediaError(path, "the proxy is damaged")
        except (ValueError, struct.error, KeyError) as exc:
            self.close()
            raise MediaError(path, f"the proxy is damaged ({exc})") from None
        except BaseException:
            self.close()
            raise
        self.width, self.height = int(self.header["width"]), int(self.header["height"])
        try:
            os.utime(self.path)  # last used now: the budget evicts the least recently used proxies first
        except OSError:
            pass

    def frame(self, n: int) -> np.ndarray:
        import cv2

        n = min(max(0, int(n)), self.frames - 1)
        a, b = int(self.offsets[n]), int(self.offsets[n + 1])
        img = cv2.imdecode(np.frombuffer(self._mm, np.uint8, b - a, a), cv2.IMREAD_COLOR)
        if img is None:
            raise MediaError(self.path, f"proxy frame {n} is damaged")
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        mm = getattr(self, "_mm", None)
        if mm is not None:
            mm.close()
            self._mm = None
        self._f.close()


class ProxiedReader:
    """A video reader for the preview: frames come from the proxy when the size asked for fits in it, otherwise
    (and until the proxy exists) from the original file. Same frame numbers either way."""

    def __init__(self, full, proxy_file: Path | None = None, enabled=lambda: True):
        self.full = full
        self.enabled = enabled  # a callable: the user can turn proxies off (View menu)
        self.path, self.info, self.rate, self.frames = full.path, full.info, full.rate, full.frames
        self.width, self.height = full.width, full.height
        self.has_alpha = getattr(full, "has_alpha", False)  # proxies are JPEG: transparency comes from the full
        self.cache = full.cache
        self._proxy = None
        self._lock = threading.Lock()
        self.proxy_hits = 0
        if proxy_file is not None:
            self.attach(proxy_file)

    def attach(self, proxy_file: Path) -> bool:
        try:
            px = ProxyFile(proxy_file)
        except (OSError, MediaError):
            return False
        if px.frames != self.frames:
            px.close()
            return False
        with self._lock:
            old, self._proxy = self._proxy, px
        if old is not None:
            old.close()
        return True

    @property
    def has_proxy(self) -> bool:
        return self._proxy is not None

    def frame(self, n: int, size: tuple[int, int] | None = None) -> np.ndarray:
        import cv2

        px = self._proxy if self.enabled() else None
        if px is not None and size is not None and size[0] <= px.width + SLACK and size[1] <= px.height + SLACK:
            key = ("proxy", int(n), size)
            hit = self.cache.get(key)
            if hit is not None:
                return hit
            with self._lock:
                if self._proxy is None:  # closed meanwhile
                    return self.full.frame(n, size)
                img = self._proxy.frame(n)
            if (img.shape[1], img.shape[0]) != tuple(size):
                interp = cv2.INTER_AREA if size[0] < img.shape[1] else cv2.INTER_LINEAR
                img = cv2.resize(img, size, interpolation=interp)
            self.proxy_hits += 1
            self.cache.put(key, img)
            return img
        return self.full.frame(n, size)

    def frame_rgba(self, n: int, size: tuple[int, int] | None = None) -> np.ndarray:
        return self.full.frame_rgba(n, size)

    @property
    def closed(self) -> bool:
        return self.full.closed

    def close(self) -> None:
        with self._lock:
            px, self._proxy = self._proxy, None
        if px is not None:
            px.close()
        self.full.close()
