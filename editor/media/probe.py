"""What a media file holds: streams, size, rate, duration. Errors name the file and the reason."""
from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from editor.errors import MediaError

IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif", "pam_pipe",
                 "ppm_pipe", "pgm_pipe", "qoi_pipe", "jpegxl_pipe"}


@dataclass
class AudioStreamInfo:
    index: int
    codec: str
    rate: int
    channels: int


@dataclass
class MediaInfo:
    path: str
    kind: str  # video | image | audio
    container: str
    duration: float  # seconds
    rate: Fraction | None = None
    frames: int | None = None
    width: int = 0
    height: int = 0
    rotation: int = 0
    pix_fmt: str = ""
    codec: str = ""
    audio: list[AudioStreamInfo] = field(default_factory=list)
    data_streams: int = 0

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    def to_json(self) -> dict:
        d = asdict(self)
        d["rate"] = None if self.rate is None else str(self.rate)
        d["fps"] = None if self.rate is None else float(self.rate)
        return d


def _quiet_av_logging() -> None:
    """FFmpeg's log callback into Python is not safe with several decoding threads: leave logging to FFmpeg."""
    import av

    if not getattr(av, "_seamline_quiet", False):
        try:
            av.logging.restore_default_callback()
            av.logging.set_libav_level(av.logging.ERROR)  # no encoder statistics on the terminal
        except AttributeError:  # older PyAV
            av.logging.set_level(None)
        av._seamline_quiet = True


def _open(path: Path):
    import av

    _quiet_av_logging()

    if not path.exists():
        raise MediaError(path, "the file does not exist")
    if path.is_dir():
        raise MediaError(path, "this is a folder, not a media file")
    if path.stat().st_size == 0:
        raise MediaError(path, "the file is empty (0 bytes)")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise MediaError(path, "not a media file Seamline can read (unknown or damaged format)") from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError(path, f"cannot be opened: {exc}") from None


def display_rotation(frame) -> int:
    """Degrees counterclockwise to turn a decoded frame so that it stands upright (0, 90, 180, 270)."""
    r = getattr(frame, "rotation", 0) or 0
    return int(round(r / 90.0)) * 90 % 360


def probe(path, check_tail: bool = True) -> MediaInfo:
    """What a file holds. check_tail also decodes near the end, so a truncated file is caught at import."""
    path = Path(path)
    container = _open(path)
    try:
        fmt = container.format.name
        vstreams = [s for s in container.streams.video if not _is_cover_art(s)]
        astreams = list(container.streams.audio)
        if not vstreams and not astreams:
            raise MediaError(path, "the file has no video or audio stream")
        audio = []
        for s in astreams:
            cc = s.codec_context
            if cc is None or not cc.name:
                continue
            audio.append(AudioStreamInfo(s.index, cc.name, int(cc.sample_rate or s.rate or 0),
                                         int(cc.channels or 0)))
        duration = (container.duration or 0) / 1e6
        data = sum(1 for s in container.streams if s.type in ("data", "subtitle", "attachment"))
        if vstreams and (fmt.split(",")[0] in IMAGE_FORMATS or fmt in IMAGE_FORMATS):
            s = vstreams[0]
            frame = _first_frame(path, container, s)
            return MediaInfo(str(path), "image", fmt, 0.0, None, None, frame.width, frame.height, 0,
                             frame.format.name, s.codec_context.name)
        if vstreams:
            s = vstreams[0]
            cc = s.codec_context
            if cc is None or cc.name is None:
                raise MediaError(path, "the video codec is not supported")
            rate = conform_rate(s.average_rate, s.guessed_rate or s.base_rate)
            if not rate:
                raise MediaError(path, "the video has no frame rate")
            sdur = float(s.duration * s.time_base) if s.duration else duration
            frames = int(round(sdur * rate)) if (not s.frames or rate != s.average_rate) else s.frames
            first = _first_frame(path, container, s)
            rotation = display_rotation(first)
            w, h = first.width, first.height
            if rotation in (90, 270):
                w, h = h, w
            info = MediaInfo(str(path), "video", fmt, sdur or duration, rate, frames, w, h, rotation,
                             first.format.name, cc.name, audio, data)
            if check_tail:
                _check_tail(path, container, s, info)
            return info
        s = astreams[0]
        if not audio:
            raise MediaError(path, "the audio codec is not supported")
        sdur = float(s.duration * s.time_base) if s.duration else duration
        _first_frame(path, container, s)
        return MediaInfo(str(path), "audio", fmt, sdur, None, None, audio=audio, codec=audio[0].codec,
                         data_streams=data)
    finally:
        container.close()


STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(50), Fraction(60000, 1001), Fraction(60), Fraction(120)]


def conform_rate(average, base) -> Fraction | None:
    """The constant rate a (possibly variable-frame-rate) video is edited at.

    Constant-rate files: their rate. Variable-rate files (average differs from the stream's base rate): the base
    rate when it is a plausible camera rate, otherwise the standard rate nearest the average.
    """
    avg = Fraction(average.numerator, average.denominator) if average else None
    base = Fraction(base.numerator, base.denominator) if base else None
    if avg and (base is None or avg == base):
        return avg
    if base and base <= 120 and (avg is None or base >= avg * Fraction(9, 10)):
        return base
    if avg:
        return min(STANDARD_RATES, key=lambda r: abs(float(r) - float(avg)))
    return None


def _is_cover_art(stream) -> bool:
    return bool(stream.disposition & getattr(stream.disposition, "attached_pic", 0x400)) if hasattr(
        stream, "disposition") else False


def _first_frame(path, container, stream):
    import av

    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"the file is damaged: {exc}") from None
    raise MediaError(path, "the file is truncated or damaged: no frame could be decoded")


def _check_tail(path, container, stream, info: MediaInfo) -> None:
    """Decode near the end: a file cut short (an interrupted copy) fails here, not in the middle of an edit."""
    import av

    if info.duration <= 1.0:
        return
    target = stream.start_time or 0
    target += int((info.duration - 0.5) / stream.time_base)
    try:
        container.seek(target, stream=stream, backward=True)
        last = None
        for frame in container.decode(stream):
            last = frame
        if last is None or last.time is None:
            raise MediaError(path, "the file is truncated or damaged: its end cannot be decoded")
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        readable = last.time - start + 1 / float(info.rate)
        if readable < info.duration - 1.0:
            raise MediaError(path, f"the file is truncated: only {readable:.1f} s of {info.duration:.1f} s "
                                   "can be read")
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"the file is truncated or damaged: {exc}") from None


def file_key(path) -> str:
    """A cache key that changes when the file changes: path + size + mtime."""
    st = os.stat(path)
    return f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}"


def frames_for(info: MediaInfo, rate: Fraction) -> int | None:
    if info.kind == "video":
        return info.frames
    if info.kind == "audio":
        return max(1, math.floor(info.duration * rate))
    return None
