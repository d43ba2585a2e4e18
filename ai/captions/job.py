"""Captions from speech, as an AI tool of the usual shape: a request (16 kHz mono audio + settings) -> a job that
writes captions.srt, captions.vtt and cues.json with provenance -> one timeline edit that lays the cues on a captions
track (editor/actions/words.place_captions).

Backends: `builtin` (pocketsphinx's English model, in its wheel: a rough draft to edit, and the UI says so) and
`whisper` (transformers' Whisper with word timestamps, weights from the Models dialog, any Whisper language).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ai.captions.segment import cues_from_words
from ai.captions.speech import RATE, pocketsphinx_words, speech_regions
from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, run_job

BACKENDS = ("builtin", "whisper")
QUALITY = {"builtin": "draft: English only, many words wrong; read it through before you use it",
           "whisper": "good with the larger models; check names and numbers"}


@dataclass
class CaptionsRequest:
    audio: np.ndarray  # 16 kHz mono float32
    backend: str = "builtin"
    language: str = "en"  # a Whisper language code ("en", "zh", ...) or "auto" (whisper)
    model: str | None = None  # whisper: a model id in the local cache or a folder
    max_chars: int = 42
    max_lines: int = 2
    model_settings: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise AIError(f"unknown captions backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        self.audio = np.ascontiguousarray(np.asarray(self.audio, np.float32).reshape(-1))
        if not len(self.audio):
            raise AIError("there is no sound to caption")

    @property
    def seconds(self) -> float:
        return len(self.audio) / RATE


def audio_from_file(path) -> np.ndarray:
    """A media file's sound as 16 kHz mono (MediaError when it has none)."""
    from editor.errors import MediaError
    from editor.media.reader import read_audio

    a = read_audio(path, RATE, 1)
    if not len(a):
        raise MediaError(path, "it has no sound to caption")
    return a[:, 0]


def make_captions(req: CaptionsRequest, report=None, cancelled=None) -> tuple[list, list, dict]:
    """(cues, words, info): the cues in seconds from the start of the audio."""
    report = report or (lambda f, s="": None)
    cancelled = cancelled or (lambda: False)
    if req.backend == "whisper":  # a missing model is said before any work
        from ai.captions.whisper import load, model_ref

        report(0.01, "loading the model")
        load(model_ref(req))
    report(0.02, "finding speech")
    regions, vad = speech_regions(req.audio)
    info = {"vad": vad, "speech": [[round(a, 3), round(b, 3)] for a, b in regions], "quality": QUALITY[req.backend]}
    if not regions:
        return [], [], info
    if req.backend == "builtin":
        words = pocketsphinx_words(req.audio, regions, lambda f: report(0.1 + 0.85 * f, "recognising speech"),
                                   cancelled, req.language)
        info["model"] = "pocketsphinx en-us (built in)"
    else:
        from ai.captions.whisper import whisper_words

        words, extra = whisper_words(req, regions, lambda f: report(0.1 + 0.85 * f, "recognising speech"),
                                     cancelled)
        info.update(extra)
    cues = cues_from_words(words, req.max_chars, req.max_lines, region_ends=[b for _, b in regions],
                           duration=req.seconds)
    return cues, words, info


def captions_spec(req: CaptionsRequest, sources: list[dict] | None = None) -> JobSpec:
    roles = {}
    if req.backend == "whisper":
        from ai.captions.whisper import model_ref

        roles = {"whisper": model_ref(req)}
    params = {"language": req.language, "max_chars": req.max_chars, "max_lines": req.max_lines}
    return JobSpec(tool="captions", backend=req.backend, params=params, inputs={"audio": req.audio}, models=roles,
                   sources=sources or [])


def write_outputs(folder: Path, cues, words) -> None:
    from editor.project.subtitles import subtitles_text

    (folder / "captions.srt").write_text(subtitles_text(cues, "srt"), encoding="utf-8")
    (folder / "captions.vtt").write_text(subtitles_text(cues, "vtt"), encoding="utf-8")
    (folder / "cues.json").write_text(json.dumps({
        "cues": [list(c) for c in cues], "words": [[w.text, round(w.start, 3), round(w.end, 3)] for w in words]},
        ensure_ascii=False, indent=0), encoding="utf-8")


def read_cues(result: JobResult):
    from editor.timeline.cues import Cue

    data = json.loads(result.file("cues.json").read_text(encoding="utf-8"))
    return [Cue(float(a), float(b), str(t)) for a, b, t in data["cues"]]


def request_from_spec(spec) -> CaptionsRequest:
    p = spec.params
    model = spec.models.get("whisper")
    return CaptionsRequest(audio=spec.inputs["audio"], backend=spec.backend, language=p["language"], model=model,
                           max_chars=p["max_chars"], max_lines=p["max_lines"])


def run_spec(spec, folder: Path, report, cancelled) -> dict:
    """The runner: captions.srt, captions.vtt and cues.json into `folder` (the job service's runner shape)."""
    cues, words, info = make_captions(request_from_spec(spec), report, cancelled)
    write_outputs(Path(folder), cues, words)
    return {**info, "cues": len(cues), "words": len(words)}


def run_captions_job(req: CaptionsRequest, cache=None, progress=None, cancelled=None,
                     sources: list[dict] | None = None, cluster: str | None = None) -> JobResult:
    return run_job(captions_spec(req, sources), cache, progress, cancelled, cluster)
