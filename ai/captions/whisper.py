"""The whisper captions backend: transformers' Whisper with word timestamps (cross-attention alignment), weights from
the local Hugging Face cache or a folder (downloaded in AI > Models), safetensors only, never remote code.

Speech regions (from the voice-activity detector) are packed into windows of at most 30 s, Whisper's input length;
each window is transcribed on its own, so a long timeline reports progress and can be cancelled between windows.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path


from ai.captions.speech import RATE, Word
from ai.catalog import MODELS as CATALOG
from ai.errors import AIError, JobCancelled, MissingPackage, ModelNotAvailable

WINDOW = 28.0  # seconds of audio per call (Whisper reads 30 s)


@dataclass(frozen=True)
class WhisperModel:
    id: str
    title: str
    size_gb: float
    licence: str = "MIT"


# what the Models dialog offers: the "speech" models of the one model table (ai/catalog.py)
MODELS = tuple(WhisperModel(c.id, c.title, c.size_gb, c.licence) for c in CATALOG.values() if c.kind == "speech")
DEFAULT = "openai/whisper-small"
LANGUAGES = {"auto": "detect", "en": "English", "zh": "Chinese", "yue": "Cantonese", "ja": "Japanese",
             "ko": "Korean", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
             "ru": "Russian", "ar": "Arabic", "hi": "Hindi", "vi": "Vietnamese", "th": "Thai", "id": "Indonesian",
             "tr": "Turkish", "nl": "Dutch", "pl": "Polish"}


def model_ref(req) -> str:
    """The model a request uses: its own, else $SEAMLINE_MODEL_WHISPER, else whisper-small."""
    return req.model or os.environ.get("SEAMLINE_MODEL_WHISPER") or DEFAULT


def weights_present(ref: str) -> bool:
    p = Path(ref).expanduser()
    if p.is_dir():
        return (p / "config.json").is_file() and any(p.glob("*.safetensors"))
    if ref.count("/") != 1 or ref.startswith(("/", ".", "~")):
        return False
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    try:
        return isinstance(try_to_load_from_cache(ref, "model.safetensors"), str)
    except ValueError:
        return False


_CACHE: dict = {}
_LOCK = threading.Lock()


def load(ref: str):
    """(processor, model), loaded once per model."""
    with _LOCK:
        if ref in _CACHE:
            return _CACHE[ref]
        try:
            import torch  # noqa: F401
            import transformers
        except ImportError:
            raise MissingPackage("the whisper backend needs torch and transformers: install Seamline's AI extra "
                                 "(`pip install 'seamline[ai]'`), or use the built-in backend") from None
        if not weights_present(ref):
            raise ModelNotAvailable(f"the Whisper model {ref} is not on this machine; download it in AI > Models "
                                    f"(or `huggingface-cli download {ref}`), point --model at a local folder, or "
                                    f"use the built-in backend")
        try:
            proc = transformers.WhisperProcessor.from_pretrained(ref, local_files_only=True)
            model = transformers.WhisperForConditionalGeneration.from_pretrained(
                ref, local_files_only=True, use_safetensors=True)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"cannot load the Whisper model {ref} ({exc}); download it again in "
                                    f"AI > Models or use the built-in backend") from None
        model.eval()
        _CACHE[ref] = (proc, model)
        return _CACHE[ref]


def windows(regions: list[tuple[float, float]], length: float = WINDOW) -> list[tuple[float, float]]:
    """Speech regions packed into windows of at most `length` seconds (a longer region is cut)."""
    out: list[list[float]] = []
    for a, b in regions:
        while b - a > length:
            out.append([a, a + length])
            a += length
        if out and b - out[-1][0] <= length:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def whisper_words(req, regions, report, cancelled) -> tuple[list[Word], dict]:
    import torch
    import transformers

    ref = model_ref(req)
    proc, model = load(ref)
    language = None if req.language in ("auto", "", None) else req.language
    if language is not None and language not in LANGUAGES and len(language) > 3:
        raise AIError(f"unknown language {req.language!r}; use a code like en, zh, ja (or auto)")
    asr = transformers.pipeline("automatic-speech-recognition", model=model, tokenizer=proc.tokenizer,
                                feature_extractor=proc.feature_extractor, device="cpu")
    gen = {"task": "transcribe"}
    if language is not None:
        gen["language"] = language
    words: list[Word] = []
    spans = windows(regions)
    for i, (a, b) in enumerate(spans):
        if cancelled():
            raise JobCancelled("captions were cancelled")
        chunk = req.audio[int(a * RATE):int(b * RATE)]
        with torch.no_grad():
            out = asr({"raw": chunk, "sampling_rate": RATE}, return_timestamps="word", generate_kwargs=gen)
        for w in out.get("chunks") or []:
            t0, t1 = w.get("timestamp") or (None, None)
            text = (w.get("text") or "").strip()
            if not text or t0 is None:
                continue
            t1 = t0 + 0.2 if t1 is None else t1
            s, e = a + min(float(t0), b - a), a + min(float(t1), b - a)
            words.append(Word(text, s, max(e, s + 0.02)))
        report((i + 1) / len(spans))
    words.sort(key=lambda w: w.start)
    return words, {"model": ref, "language": language or "auto", "windows": len(spans)}
