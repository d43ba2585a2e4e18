"""Media the tests generate with PyAV: frames that carry their own index, flashes with clicks, etc."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

GRID = 4  # 4x4 cells = 16 bits of frame index


def index_frame(i: int, w: int, h: int) -> np.ndarray:
    """An RGB frame whose 4x4 grid of black/white cells spells i in binary (robust to compression)."""
    img = np.zeros((h, w, 3), np.uint8)
    for bit in range(GRID * GRID):
        if i >> bit & 1:
            r, c = divmod(bit, GRID)
            img[r * h // GRID:(r + 1) * h // GRID, c * w // GRID:(c + 1) * w // GRID] = 255
    return img


def read_index(img: np.ndarray) -> int:
    h, w = img.shape[:2]
    grey = img.mean(axis=2)
    v = 0
    for bit in range(GRID * GRID):
        r, c = divmod(bit, GRID)
        cell = grey[r * h // GRID + h // (4 * GRID):(r + 1) * h // GRID - h // (4 * GRID),
                    c * w // GRID + w // (4 * GRID):(c + 1) * w // GRID - w // (4 * GRID)]
        if cell.mean() > 127:
            v |= 1 << bit
    return v


def write_video(path, frames, rate=Fraction(30), audio: np.ndarray | None = None, sample_rate=48000,
                pts: list[int] | None = None, time_base=None, rotation: int | None = None, gop: int = 30):
    """Encode RGB frames (iterable) to H.264 (+ AAC if audio (n, 2) float32 is given)."""
    frames = list(frames)
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as c:
        v = c.add_stream("libx264", rate=rate)
        v.width, v.height, v.pix_fmt = w, h, "yuv420p"
        v.options = {"crf": "16", "preset": "ultrafast", "g": str(gop)}
        if time_base is not None:
            v.codec_context.time_base = time_base
        a = None
        if audio is not None:
            a = c.add_stream("aac", rate=sample_rate, layout="stereo")
        for i, img in enumerate(frames):
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            if pts is not None:
                f.pts = pts[i]
                f.time_base = time_base
            else:
                f.pts = i
                f.time_base = 1 / Fraction(rate)
            if rotation is not None and i == 0:
                pass
            c.mux(v.encode(f))
        c.mux(v.encode(None))
        if a is not None:
            fifo = av.AudioFifo()
            af = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio.T.astype(np.float32)), format="fltp",
                                            layout="stereo")
            af.sample_rate = sample_rate
            fifo.write(af)
            n = 0
            for out in fifo.read_many(1024, partial=True):
                out.pts = n
                n += out.samples
                c.mux(a.encode(out))
            c.mux(a.encode(None))


def indexed_video(path, n: int, rate=Fraction(30), size=(160, 96), with_audio=False):
    audio = None
    if with_audio:
        secs = n / Fraction(rate)
        t = np.arange(int(secs * 48000)) / 48000
        tone = 0.2 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
        audio = np.stack([tone, tone], axis=1)
    write_video(path, (index_frame(i, *size) for i in range(n)), rate=rate, audio=audio)
    return path


def flash_click_video(path, n: int, flash: int, rate=Fraction(30), size=(160, 96), sample_rate=48000):
    """Black frames with one white frame at `flash` and a click in the audio at the same instant."""
    frames = [np.full((size[1], size[0], 3), 255 if i == flash else 0, np.uint8) for i in range(n)]
    total = int(n / Fraction(rate) * sample_rate)
    audio = np.zeros((total, 2), np.float32)
    at = int(flash / Fraction(rate) * sample_rate)
    audio[at:at + 240] = 0.8  # a 5 ms click
    write_video(path, frames, rate=rate, audio=audio, sample_rate=sample_rate)
    return path


def decode_all(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def decode_audio(path, sample_rate=48000) -> np.ndarray:
    from editor.media.reader import read_audio

    return read_audio(path, sample_rate, 2)
