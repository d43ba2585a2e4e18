"""What a media file holds: streams, size, rate, duration. Errors name the file and the reason."""
from __future__ import annotations

import errno
import math
import os
from fractions import Fraction
from pathlib import Path

from editor.errors import MediaError
from editor.media.info import AudioStreamInfo, MediaInfo  # noqa: F401  (probe.MediaInfo: the callers' name)
from editor.media.stills import MAX_SIDE, check_length, check_size, decode_picture, open_picture, picture_info

# FFmpeg demuxers of single pictures (the few formats Pillow does not read, like JPEG XL or EXR, come this way)
IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif", "pam_pipe",
                 "ppm_pipe", "pgm_pipe", "qoi_pipe", "jpegxl_pipe"}


def _quiet_av_logging() -> None:
    """FFmpeg's log callback into Python is not safe with several decoding threads: leave logging to FFmpeg, and
    keep its decoder chatter (a seek that lands between keyframes logs "reference picture missing") off the
    terminal: Seamline reports what a user can act on itself. SEAMLINE_FFMPEG_LOG=error (or warning, info) shows
    FFmpeg's messages when chasing a problem file."""
    import av

    if not getattr(av, "_seamline_quiet", False):
        try:
            av.logging.restore_default_callback()
            level = os.environ.get("SEAMLINE_FFMPEG_LOG", "fatal").upper()
            av.logging.set_libav_level(getattr(av.logging, level, av.logging.FATAL))
        except AttributeError:  # older PyAV
            av.logging.set_level(None)
        av._seamline_quiet = True


def _check_file(path: Path) -> None:
    if not path.exists():
        raise MediaError(path, "the file does not exist")
    if path.is_dir():
        raise MediaError(path, "this is a folder, not a media file")
    if path.stat().st_size == 0:
        raise MediaError(path, "the file is empty (0 bytes)")


def _open(path: Path):
    import av

    _quiet_av_logging()
    _check_file(path)
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise MediaError(path, "not a media file Seamline can read (unknown or damaged format)") from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        code = getattr(exc, "errno", None)
        if code in (errno.EACCES, errno.EPERM):
            raise MediaError(path, "Seamline may not read this file (permission denied)") from None
        detail = "" if code == errno.EBUSY else f" ({getattr(exc, 'strerror', None) or exc})"  # EBUSY: says nothing
        raise MediaError(path, f"FFmpeg cannot open it: it is damaged, or declares a picture size or setting FFmpeg "
                               f"refuses{detail}") from None
    except MemoryError:
        raise MediaError(path, "the file claims a picture too large to open") from None


def display_rotation(frame) -> int:
    """Degrees counterclockwise to turn a decoded frame so that it stands upright (0, 90, 180, 270)."""
    r = getattr(frame, "rotation", 0) or 0
    return int(round(r / 90.0)) * 90 % 360


def probe(path, check_tail: bool = True) -> MediaInfo:
    """What a file holds. check_tail also decodes near the end (a whole still), so a truncated file is caught at
    import. Stills and animations Pillow reads go through Pillow; everything else through FFmpeg, and a file is
    taken when FFmpeg has a decoder for its video (or audio) stream, whatever its container or extension."""
    path = Path(path)
    _check_file(path)
    im = open_picture(path)
    if im is not None:
        try:
            info = picture_info(path, im)
        finally:
            im.close()
        if check_tail and info.kind == "image":
            decode_picture(path, draft=True).close()  # a cut-short photo is refused at import
        return info
    container = _open(path)
    try:
        return _probe_ffmpeg(path, container, check_tail)
    finally:
        container.close()


def _probe_ffmpeg(path: Path, container, check_tail: bool) -> MediaInfo:
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
        audio.append(AudioStreamInfo(s.index, cc.name, int(cc.sample_rate or s.rate or 0), int(cc.channels or 0)))
    duration = (container.duration or 0) / 1e6
    data = sum(1 for s in container.streams if s.type in ("data", "subtitle", "attachment"))
    if vstreams:
        s = vstreams[0]
        cc = s.codec_context
        if cc is None or not cc.name:
            raise MediaError(path, "the video codec is not supported (no decoder for it)")
        check_size(path, int(cc.width or 0) or 1, int(cc.height or 0) or 1, MAX_SIDE, "video picture")
        sar = _sample_aspect(s)
        if fmt.split(",")[0] in IMAGE_FORMATS or fmt in IMAGE_FORMATS or s.frames == 1:
            frame = _first_frame(path, container, s)
            w, h = _display_size(frame.width, frame.height, sar, display_rotation(frame))
            return MediaInfo(str(path), "image", fmt, 0.0, None, None, w, h, display_rotation(frame),
                             frame.format.name, cc.name, alpha=_has_alpha(frame))
        rate = conform_rate(s.average_rate, s.guessed_rate or s.base_rate)
        if not rate:
            raise MediaError(path, "the video has no frame rate")
        if rate > MAX_RATE:
            raise MediaError(path, f"the video claims {float(rate):,.0f} frames a second (Seamline takes up to "
                                   f"{MAX_RATE}): its header is damaged")
        sdur = float(s.duration * s.time_base) if s.duration else duration
        check_length(path, sdur or duration)
        frames = int(round(sdur * rate)) if (not s.frames or rate != s.average_rate) else s.frames
        first = _first_frame(path, container, s)
        rotation = display_rotation(first)
        w, h = _display_size(first.width, first.height, sar, rotation)
        info = MediaInfo(str(path), "video", fmt, sdur or duration, rate, frames, w, h, rotation,
                         first.format.name, cc.name, audio, data, alpha=_has_alpha(first))
        if check_tail:
            _check_tail(path, container, s, info)
        return info
    s = astreams[0]
    if not audio:
        raise MediaError(path, "the audio codec is not supported")
    sdur = float(s.duration * s.time_base) if s.duration else duration
    check_length(path, sdur)
    _first_frame(path, container, s)
    return MediaInfo(str(path), "audio", fmt, sdur, None, None, audio=audio, codec=audio[0].codec,
                     data_streams=data)


def _sample_aspect(stream) -> Fraction:
    """Pixel shape (anamorphic DV/HDV store 1440 x 1080 for 1920 x 1080): the stream's, else the codec's."""
    for sar in (stream.sample_aspect_ratio, getattr(stream.codec_context, "sample_aspect_ratio", None)):
        if sar and sar.numerator > 0 and sar.denominator > 0:
            sar = Fraction(sar.numerator, sar.denominator)
            if Fraction(1, 4) <= sar <= 4:
                return sar
    return Fraction(1)


def _display_size(w: int, h: int, sar: Fraction, rotation: int) -> tuple[int, int]:
    """The size a frame is shown at: stretched to square pixels, then turned by the display matrix."""
    if sar != 1:
        w = max(1, int(round(w * sar)))
    return (h, w) if rotation in (90, 270) else (w, h)


def _has_alpha(frame) -> bool:
    try:
        return any(c.is_alpha for c in frame.format.components)
    except AttributeError:  # older PyAV
        return "a" in frame.format.name.replace("yuvj", "")


MAX_RATE = 1000  # the project model's limit (editor.timeline.model.MAX_RATE)

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


# How far before a seek target to try again when decoding from where the demuxer landed gives no picture at or
# before it: MPEG-TS (and other index-less formats) seek by bytes and land between keyframes.
SEEK_BACKOFF = (0.0, 1.0, 4.0, 15.0)


def _check_tail(path, container, stream, info: MediaInfo) -> None:
    """Decode near the end: a file cut short (an interrupted copy) fails here, not in the middle of an edit."""
    import av

    if info.duration <= 1.0:
        return
    start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    last = None
    try:
        for back in SEEK_BACKOFF:
            target = start + max(0.0, info.duration - 0.5 - back)
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.time is not None:
                    last = frame
            if last is not None:
                break
            if target <= start:
                break
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"the file is truncated or damaged: {exc}") from None
    if last is None:
        raise MediaError(path, "the file is truncated or damaged: its end cannot be decoded")
    readable = last.time - start + 1 / float(info.rate)
    if readable < info.duration - 1.0:
        raise MediaError(path, f"the file is truncated: only {readable:.1f} s of {info.duration:.1f} s can be read")


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
