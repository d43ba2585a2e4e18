"""Where speech is, and what was said: voice activity (silero-vad, or an energy detector without torch) and the
built-in recogniser (pocketsphinx's English model, shipped in its wheel). Audio is 16 kHz mono float32."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ai.errors import AIError, JobCancelled, MissingPackage

RATE = 16_000


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds
    end: float


_VAD = None


def speech_regions(audio: np.ndarray, min_silence: float = 0.3) -> tuple[list[tuple[float, float]], str]:
    """(start, end) seconds of speech, and which detector found them ("silero" or "energy")."""
    try:
        import torch  # noqa: F401
        from silero_vad import get_speech_timestamps, load_silero_vad
    except ImportError:
        return energy_regions(audio, min_silence), "energy"
    import torch

    global _VAD
    if _VAD is None:
        _VAD = load_silero_vad()  # the model file inside the silero-vad wheel
    model = _VAD
    with torch.no_grad():
        found = get_speech_timestamps(torch.from_numpy(np.ascontiguousarray(audio, np.float32)), model,
                                      sampling_rate=RATE, min_silence_duration_ms=int(min_silence * 1000),
                                      speech_pad_ms=60, return_seconds=True)
    return [(float(r["start"]), float(r["end"])) for r in found], "silero"


def energy_regions(audio: np.ndarray, min_silence: float = 0.3, frame: float = 0.02) -> list[tuple[float, float]]:
    """A plain energy detector: frames well above the quiet floor are speech; short gaps are bridged."""
    n = int(frame * RATE)
    if len(audio) < n:
        return []
    frames = audio[: len(audio) // n * n].reshape(-1, n)
    db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-10)
    floor, peak = np.percentile(db, 10), np.percentile(db, 99)
    if peak - floor < 10:
        return []
    on = db > floor + 0.35 * (peak - floor)
    regions, start, gap = [], None, 0
    bridge = int(min_silence / frame)
    for i, v in enumerate(on):
        if v:
            start = i if start is None else start
            gap = 0
        elif start is not None:
            gap += 1
            if gap > bridge:
                regions.append((start, i - gap + 1))
                start, gap = None, 0
    if start is not None:
        regions.append((start, len(on) - gap))
    return [(max(0.0, a * frame - 0.06), min(len(audio) / RATE, b * frame + 0.06)) for a, b in regions
            if (b - a) * frame >= 0.15]


_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")


def pocketsphinx_words(audio: np.ndarray, regions: list[tuple[float, float]],
                       report: Callable[[float], None], cancelled: Callable[[], bool],
                       language: str = "en") -> list[Word]:
    """Words with times from pocketsphinx, decoding each speech region as one utterance."""
    if language not in ("en", "en-us", "auto", ""):
        raise AIError(f"the built-in recogniser knows English only; for {language!r} use the whisper backend "
                      f"(AI > Models)")
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise MissingPackage("the built-in captions need the Python package pocketsphinx "
                             "(pip install pocketsphinx)") from None
    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    words: list[Word] = []
    total = sum(b - a for a, b in regions) or 1.0
    done = 0.0
    for a, b in regions:
        if cancelled():
            raise JobCancelled("captions were cancelled")
        i0, i1 = int(a * RATE), int(b * RATE)
        decoder.start_utt()
        decoder.process_raw(pcm[i0:i1].tobytes(), full_utt=True)
        decoder.end_utt()
        fps = 100.0  # pocketsphinx frames: 10 ms
        for seg in decoder.seg():
            w = re.sub(r"\(\d+\)$", "", seg.word)
            if _FILLER.match(w) or not w.strip():
                continue
            words.append(Word(w, a + seg.start_frame / fps, a + (seg.end_frame + 1) / fps))
        done += b - a
        report(done / total)
    return words
