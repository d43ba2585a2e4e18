"""A corpus of odd and broken media, made on the spot with PyAV, Pillow and numpy (nothing downloaded).

`make_corpus(folder)` writes the files and returns one `Sample` per file, with what Seamline must make of it:
the kind and displayed size `main.py probe` reports, or a refusal (a one-line error matching `error`).
tests/test_media_corpus.py runs it through the CLI; a longer run can reuse it from tests/benchmarks.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


@dataclass
class Sample:
    name: str
    kind: str | None  # video | image | audio; None: must be refused
    size: tuple[int, int] | None = None  # displayed (width, height)
    frames: int | None = None  # expected frame count of a video (None: not checked)
    alpha: bool = False
    error: str = ""  # regex the refusal must match
    why: str = ""  # what the sample stands for
    path: Path | None = None


def colour_frames(n: int, w: int, h: int, seed: int = 0) -> list[np.ndarray]:
    """Frames with a moving bar and a red top-left corner (so a wrong rotation or flip is visible)."""
    out = []
    for i in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[:] = (40 + 5 * (i % 20), 90, 160)
        x = (i * 4) % max(1, w - 8)
        img[:, x:x + 8] = (250, 250, 250)
        img[: h // 4, : w // 4] = (230, 20, 20)
        out.append(img)
    return out


def encode(path, frames, codec="libx264", pix_fmt="yuv420p", rate=Fraction(30), fmt=None, options=None,
           container_options=None, audio_codec=None, audio_rate=48000, rotation=None, sar=None, pts=None,
           time_base=None):
    """Encode RGB(A) frames with PyAV (+ a 440 Hz tone in audio_codec)."""
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as c:
        v = c.add_stream(codec, rate=rate)
        v.width, v.height, v.pix_fmt = w, h, pix_fmt
        v.options = dict(options or {})
        if time_base is not None:
            v.codec_context.time_base = time_base
        if sar is not None:
            v.codec_context.sample_aspect_ratio = sar
        if rotation is not None:
            v.set_display_rotation(rotation)
        a = None
        if audio_codec:
            a = c.add_stream(audio_codec, rate=audio_rate, layout="stereo")
        src_fmt = "rgba" if frames[0].shape[2] == 4 else "rgb24"
        for i, img in enumerate(frames):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format=src_fmt)
            f.pts = pts[i] if pts is not None else i
            f.time_base = time_base if time_base is not None else 1 / Fraction(rate)
            c.mux(v.encode(f))
        c.mux(v.encode(None))
        if a is not None:
            _tone(c, a, len(frames) / float(rate), audio_rate)
    return path


def _tone(container, stream, seconds, rate):
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    fifo = av.AudioFifo()
    af = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
    af.sample_rate = rate
    fifo.write(af)
    size = stream.codec_context.frame_size or 1024
    n = 0
    for out in fifo.read_many(size, partial=True):
        out.pts = n
        n += out.samples
        container.mux(stream.encode(out))
    container.mux(stream.encode(None))


def audio_only(path, codec, fmt=None, seconds=1.0, rate=48000):
    with av.open(str(path), "w", format=fmt) as c:
        a = c.add_stream(codec, rate=rate, layout="stereo")
        _tone(c, a, seconds, rate)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(path, w, h):
    """A PNG whose header claims w x h (8-bit RGB) with one tiny compressed row: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) +
                           _png_chunk(b"IEND", b""))
    return path


def y4m_claiming(path, w, h):
    """A raw YUV4MPEG2 video whose header claims w x h, followed by a few bytes."""
    Path(path).write_bytes(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode() + b"FRAME\n" + b"\x80" * 4096)
    return path


def _exif_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def _photo(w, h) -> np.ndarray:
    return colour_frames(1, w, h)[0]


def _animation_frames(n, w, h, alpha=False):
    frames = []
    for i, f in enumerate(colour_frames(n, w, h)):
        if alpha:
            a = np.full((h, w, 1), 255, np.uint8)
            a[h // 2:, :] = 0  # the bottom half is see-through
            f = np.concatenate([f, a], axis=2)
        frames.append(Image.fromarray(f))
    return frames


def make_corpus(folder, slow: bool = False) -> list[Sample]:
    """Write the corpus into folder; returns the samples (those that cannot be made here are left out)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    samples: list[Sample] = []
    n = 48 if slow else 12

    def add(sample: Sample, maker):
        sample.path = folder / sample.name
        try:
            maker(sample.path)
        except (av.error.FFmpegError, ValueError, OSError) as exc:  # an encoder missing from this build
            sample.why += f" [not made here: {exc}]"
            sample.path.unlink(missing_ok=True)
            return
        samples.append(sample)

    frames = colour_frames(n, 160, 96)
    # --- video that must work
    add(Sample("plain.mp4", "video", (160, 96), n, why="H.264 + AAC in MP4, the reference"),
        lambda p: encode(p, frames, audio_codec="aac"))
    add(Sample("camcorder.ts", "video", (160, 96), n, why="MPEG-TS, H.264 + AAC"),
        lambda p: encode(p, frames, fmt="mpegts", audio_codec="aac"))
    add(Sample("late_start.ts", "video", (160, 96), n, why="MPEG-TS whose clock starts at 9 hours (recorded "
               "from a running stream)"),
        lambda p: encode(p, frames, fmt="mpegts", pts=[i + 30 * 3600 * 9 for i in range(n)]))
    add(Sample("avchd.m2ts", "video", (160, 96), n, why="M2TS (192-byte packets), H.264 + AC-3, as AVCHD"),
        lambda p: encode(p, frames, fmt="mpegts", container_options={"mpegts_m2ts_mode": "1"},
                         audio_codec="ac3"))
    add(Sample("hdv.m2ts", "video", (160, 90), n, why="HDV-style anamorphic MPEG-2 in M2TS: 120x90 stored, "
               "sample aspect 4:3"),
        lambda p: encode(p, colour_frames(n, 120, 90), codec="mpeg2video", fmt="mpegts", sar=Fraction(4, 3),
                         container_options={"mpegts_m2ts_mode": "1"}, audio_codec="mp2"))
    add(Sample("dvd_camcorder.mpg", "video", (160, 96), n, why="MPEG-2 program stream + MP2"),
        lambda p: encode(p, frames, codec="mpeg2video", fmt="vob", rate=Fraction(25), audio_codec="mp2"))
    add(Sample("old_camera.avi", "video", (160, 96), n, why="Motion-JPEG AVI + PCM (old still cameras)"),
        lambda p: encode(p, frames, codec="mjpeg", pix_fmt="yuvj420p", fmt="avi", audio_codec="pcm_s16le"))
    add(Sample("download.mkv", "video", (160, 96), n, why="H.264 + Opus in Matroska"),
        lambda p: encode(p, frames, fmt="matroska", audio_codec="libopus"))
    add(Sample("vp9.webm", "video", (160, 96), n, why="VP9 + Opus in WebM"),
        lambda p: encode(p, frames, codec="libvpx-vp9", fmt="webm", audio_codec="libopus",
                         options={"deadline": "realtime", "cpu-used": "8"}))
    add(Sample("hevc10.mp4", "video", (160, 96), n, why="10-bit HEVC (Main 10), as recent phones record"),
        lambda p: encode(p, frames, codec="libx265", pix_fmt="yuv420p10le",
                         options={"x265-params": "log-level=error", "preset": "ultrafast", "tag": "hvc1"}))
    add(Sample("prores.mov", "video", (160, 96), n, why="ProRes 422 HQ 10-bit in QuickTime"),
        lambda p: encode(p, frames, codec="prores_ks", pix_fmt="yuv422p10le", options={"profile": "3"},
                         audio_codec="pcm_s16le"))
    alpha_frames = [np.concatenate([f, np.where(np.arange(96)[:, None, None] < 48, 255, 0).astype(np.uint8)
                                    .repeat(160, axis=1)], axis=2) for f in frames]
    add(Sample("prores4444_alpha.mov", "video", (160, 96), n, alpha=True, why="ProRes 4444 with alpha "
               "(bottom half transparent)"),
        lambda p: encode(p, alpha_frames, codec="prores_ks", pix_fmt="yuva444p10le",
                         options={"profile": "4", "alpha_bits": "16"}))
    add(Sample("phone_portrait.mp4", "video", (96, 160), n, why="portrait phone video: landscape pixels + a "
               "display matrix rotating 90 degrees"),
        lambda p: encode(p, frames, rotation=90, audio_codec="aac"))
    vfr_pts = [0, 1, 2, 4, 5, 8, 9, 10, 11, 12, 14, 15]
    add(Sample("vfr.mp4", "video", (160, 96), None, why="variable frame rate (holes in the timestamps)"),
        lambda p: encode(p, frames[:len(vfr_pts)], pts=vfr_pts, time_base=Fraction(1, 30)))
    add(Sample("old_phone.3gp", "video", (176, 144), n, why="MPEG-4 Part 2 + AAC in 3GP"),
        lambda p: encode(p, colour_frames(n, 176, 144), codec="mpeg4", fmt="3gp", rate=Fraction(15),
                         audio_codec="aac"))
    # --- audio
    add(Sample("voice.m4a", "audio", why="AAC in MP4 audio"), lambda p: audio_only(p, "aac", "ipod"))
    add(Sample("song.mp3", "audio", why="MP3"), lambda p: audio_only(p, "libmp3lame", "mp3", rate=44100))
    add(Sample("memo.wav", "audio", why="PCM WAV"), lambda p: audio_only(p, "pcm_s16le", "wav"))
    add(Sample("memo.flac", "audio", why="FLAC"), lambda p: audio_only(p, "flac", "flac"))

    # --- stills
    def save(img_or_array, **kw):
        def write(p):
            img = img_or_array if isinstance(img_or_array, Image.Image) else Image.fromarray(img_or_array)
            img.save(p, **kw)
        return write

    photo = _photo(120, 80)
    rgba = np.concatenate([photo, np.full((80, 120, 1), 255, np.uint8)], axis=2)
    rgba[40:, :, 3] = 0  # bottom half transparent
    rgba[30:40, :, 3] = 128  # a half-transparent band
    add(Sample("photo.jpg", "image", (120, 80), why="plain JPEG"), save(photo, quality=90))
    add(Sample("portrait_exif6.jpg", "image", (80, 120), why="portrait phone JPEG: landscape pixels, EXIF "
               "orientation 6"), save(photo, quality=90, exif=_exif_orientation(6)))
    add(Sample("mirrored_exif5.jpg", "image", (80, 120), why="EXIF orientation 5 (transpose)"),
        save(photo, quality=90, exif=_exif_orientation(5)))
    add(Sample("upside_down_exif3.png", "image", (120, 80), why="PNG with an eXIf orientation 3"),
        save(photo, exif=_exif_orientation(3)))
    add(Sample("cmyk.jpg", "image", (120, 80), why="CMYK JPEG (print workflows)"),
        save(Image.fromarray(photo).convert("CMYK"), quality=90))
    add(Sample("grey.jpg", "image", (120, 80), why="greyscale JPEG"),
        save(Image.fromarray(photo).convert("L"), quality=90))
    add(Sample("rgb16.png", "image", (120, 80), why="16-bit RGB PNG"),
        lambda p: _write_png16(p, photo.astype(np.uint16) * 257))
    add(Sample("grey16.png", "image", (120, 80), why="16-bit greyscale PNG"),
        save(Image.fromarray((photo[..., 1].astype(np.uint16) * 257)).convert("I;16")))
    add(Sample("palette.png", "image", (120, 80), why="palette PNG"),
        save(Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE)))
    add(Sample("palette_trns.png", "image", (120, 80), alpha=True, why="palette PNG with a transparent index"),
        save(_palette_with_hole(photo), transparency=0))
    add(Sample("alpha.png", "image", (120, 80), alpha=True, why="RGBA PNG (logo/overlay)"), save(rgba))
    add(Sample("grey_alpha.png", "image", (120, 80), alpha=True, why="greyscale + alpha PNG"),
        save(Image.fromarray(rgba).convert("LA")))
    add(Sample("alpha.webp", "image", (120, 80), alpha=True, why="WebP with alpha (sticker)"),
        save(rgba, lossless=True))
    add(Sample("photo.webp", "image", (120, 80), why="lossy WebP"), save(photo, quality=80))
    add(Sample("scan.tif", "image", (120, 80), why="TIFF"), save(photo))
    add(Sample("cmyk.tif", "image", (120, 80), why="CMYK TIFF"), save(Image.fromarray(photo).convert("CMYK")))
    add(Sample("bitmap.bmp", "image", (120, 80), why="BMP"), save(photo))
    add(Sample("still.gif", "image", (120, 80), why="one-frame GIF"),
        save(Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE)))
    add(Sample("phone.heic", "image", (120, 80), why="HEIC (iPhone photos)"), _heic(photo))
    add(Sample("phone_portrait.heic", "image", (80, 120), why="HEIC, portrait"), _heic(np.rot90(photo).copy()))
    add(Sample("photo.avif", "image", (120, 80), why="AVIF"), save(photo, quality=80))
    # --- animations
    anim = _animation_frames(10, 100, 60)
    add(Sample("animated.gif", "video", (100, 60), 10, why="animated GIF, 10 frames of 100 ms (10 fps)"),
        save(anim[0], save_all=True, append_images=anim[1:], duration=100, loop=0))
    add(Sample("animated_varied.gif", "video", (100, 60), None, why="animated GIF with uneven delays"),
        save(anim[0], save_all=True, append_images=anim[1:], duration=[40, 80, 120, 40, 40, 200, 40, 40, 40, 60],
             loop=0))
    add(Sample("animated.webp", "video", (100, 60), None, alpha=True, why="animated WebP with alpha"),
        save(_animation_frames(6, 100, 60, alpha=True)[0], save_all=True,
             append_images=_animation_frames(6, 100, 60, alpha=True)[1:], duration=50, loop=0, lossless=True))
    add(Sample("animated.png", "video", (100, 60), None, alpha=True, why="APNG with alpha"),
        save(_animation_frames(6, 100, 60, alpha=True)[0], save_all=True,
             append_images=_animation_frames(6, 100, 60, alpha=True)[1:], duration=50, loop=0))

    # --- broken or misleading
    def copy_of(src_name, cut=None):
        def write(p):
            data = (folder / src_name).read_bytes()
            p.write_bytes(data if cut is None else data[:int(len(data) * cut)])
        return write

    add(Sample("video_named.jpg", "video", (160, 96), n, why="an MP4 with a .jpg extension"), copy_of("plain.mp4"))
    add(Sample("photo_named.mp4", "image", (120, 80), why="a JPEG with a .mp4 extension"), copy_of("photo.jpg"))
    add(Sample("truncated.mp4", None, error="truncated|damaged|not a media file", why="an MP4 cut in half "
               "(interrupted copy)"), copy_of("plain.mp4", 0.5))
    add(Sample("truncated.ts", "video", (160, 96), why="a TS cut at 40 %: a stream format, so a shorter video"),
        copy_of("camcorder.ts", 0.4))
    add(Sample("truncated.jpg", None, error="damaged or cut short", why="a JPEG missing its last third"),
        copy_of("photo.jpg", 0.66))
    add(Sample("truncated.png", None, error="damaged|truncated", why="a PNG missing its second half"),
        copy_of("alpha.png", 0.5))
    add(Sample("empty.mp4", None, error="empty", why="zero bytes"), lambda p: p.write_bytes(b""))
    add(Sample("garbage.mov", None, error="not a media file|damaged", why="random bytes"),
        lambda p: p.write_bytes(random.Random(3).randbytes(30000)))
    add(Sample("webpage.mp4", None, error="not a media file", why="an HTML page saved as .mp4"),
        lambda p: p.write_text("<!doctype html><html><body>Video not found</body></html>\n" * 20))
    add(Sample("huge.png", None, error="too large", why="a PNG header claiming 100000 x 100000"),
        lambda p: png_claiming(p, 100000, 100000))
    add(Sample("huge.y4m", None, error="too large", why="a raw video header claiming 20000 x 12000"),
        lambda p: y4m_claiming(p, 20000, 12000))
    add(Sample("huge30000.y4m", None, error="cannot open|too large", why="a raw video header claiming "
               "30000 x 30000 (FFmpeg itself refuses it)"), lambda p: y4m_claiming(p, 30000, 30000))
    add(Sample("huge.gif", None, error="too large", why="a GIF whose screen is 65535 x 65535"),
        lambda p: _gif_claiming(p, 65535, 65535))
    return samples


def _write_png16(path, arr16):
    import cv2

    if not cv2.imwrite(str(path), cv2.cvtColor(arr16, cv2.COLOR_RGB2BGR)):
        raise OSError(f"cannot write {path}")


def _palette_with_hole(photo):
    img = Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE, colors=255)
    arr = np.array(img)
    arr = np.where(arr == 0, 1, arr).astype(np.uint8)  # index 0 is free for transparency
    arr[40:, :] = 0
    out = Image.fromarray(arr, "P")
    out.putpalette(img.getpalette())
    return out


def _heic(arr):
    def write(p):
        try:
            import pillow_heif
        except ImportError as exc:
            raise OSError(f"pillow-heif is not installed: {exc}") from None
        pillow_heif.from_pillow(Image.fromarray(arr)).save(str(p), quality=90)
    return write


def _gif_claiming(path, w, h):
    """A valid one-frame GIF of 4x4 pixels drawn on a logical screen of w x h."""
    buf = io.BytesIO()
    Image.new("P", (4, 4), 1).save(buf, format="GIF")
    data = bytearray(buf.getvalue())
    data[6:10] = struct.pack("<HH", w, h)
    Path(path).write_bytes(bytes(data))
    return path


def probe_table(samples) -> str:
    """A markdown table of what `main.py probe` says about each sample (for notes and longer runs)."""
    import json
    import subprocess
    import sys

    main = Path(__file__).resolve().parent.parent / "main.py"
    rows = ["| file | what it stands for | `main.py probe` says |", "|---|---|---|"]
    for s in samples:
        r = subprocess.run([sys.executable, str(main), "probe", str(s.path)], capture_output=True, text=True,
                           timeout=60)
        if r.returncode == 0:
            j = json.loads(r.stdout)
            out = "audio" if j["kind"] == "audio" else f"{j['kind']} {j['width']}x{j['height']}"
            out += f", {j['frames']} frames @ {j['rate']}" if j["kind"] == "video" else ""
            out += ", alpha" if j["alpha"] else ""
        else:
            out = "refused: `" + r.stderr.strip().replace(f"{s.path}: ", "").replace("seamline: error: ", "") + "`"
        if "Traceback" in r.stderr or r.returncode < 0:
            out += " **CRASH**"
        rows.append(f"| {s.name} | {s.why} | {out} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python tests/media_corpus.py FOLDER [--slow]: make the corpus, print the table
    import sys

    print(probe_table(make_corpus(sys.argv[1], slow="--slow" in sys.argv)))
