"""Sound layers for a clip: ambience bed, action/foley, transition whooshes; loudness-set, panned, click-free.

The tool's shape: analysis (ai/sound/analysis: motion, cuts, hits, look) -> a job spec (the analysis itself is the
input, so the same picture under another file name hits the cache) -> the runner writes one WAV per layer and a
mixdown -> one timeline edit (editor/actions/ai_results.add_sound_layers).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from ai.catalog import tool as get_tool
from ai.errors import AIError
from ai.jobs import JobResult, JobSpec, run_job
from ai.sound import synth
from ai.sound.analysis import ClipAnalysis
from ai.sound.events import whoosh_events
from ai.sound.loudness import fade_edges, limit, normalise, peak_db

TOOL = "sfx"
RATE = synth.RATE
LAYERS = ("ambience", "foley", "whoosh")
TARGETS = {"ambience": -30.0, "foley": -20.0, "whoosh": -18.0}
BACKENDS = tuple(get_tool(TOOL).choices())
CEILING_DB = -1.2  # a little under -1 dBFS


@dataclass
class SoundRequest:
    analysis: ClipAnalysis
    layers: list[str] = field(default_factory=lambda: list(LAYERS))
    preset: str | None = None
    words: str = ""
    backend: str = "builtin"
    seed: int = 0
    extra_whooshes: list[tuple[int, float]] = field(default_factory=list)  # (frame, direction): fills etc.
    model_settings: dict = field(default_factory=dict)

    def __post_init__(self):
        bad = [x for x in self.layers if x not in LAYERS]
        if bad or not self.layers:
            raise AIError(f"layers are chosen from {', '.join(LAYERS)}; got {', '.join(bad) or 'none'}")
        if self.preset is not None and self.preset not in synth.PRESETS:
            raise AIError(f"unknown preset {self.preset!r}; choose one of {', '.join(synth.PRESETS)}")
        if self.backend not in BACKENDS:
            raise AIError(f"unknown sound backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        self.analysis.words = self.words or self.analysis.words

    @property
    def samples(self) -> int:
        a = self.analysis
        return int(Fraction(a.frames) * RATE / Fraction(a.fps))

    def frame_sample(self, k: int) -> int:
        return int(Fraction(k) * RATE / Fraction(self.analysis.fps))

    def chosen_preset(self) -> str:
        return self.preset or self.analysis.preset_guess()


def empty_reason(name: str, req: SoundRequest) -> str | None:
    """Why a layer would have nothing in it (so it is not placed as a silent track), or None."""
    a = req.analysis
    if name == "whoosh" and not whoosh_events(req):
        return "no cuts in this clip, so no whooshes"
    if name == "foley" and not a.peaks and float(np.max(a.motion, initial=0.0)) < 0.05:
        return "nothing moves in this clip, so no foley"
    return None


def builtin_layer(name: str, req: SoundRequest, seed: int) -> np.ndarray:
    n = req.samples
    rng = np.random.default_rng(seed + {"ambience": 0, "foley": 1, "whoosh": 2}[name] * 1000)
    a = req.analysis
    if name == "ambience":
        return synth.ambience(n, req.chosen_preset(), seed)
    layer = np.zeros((n, 2), np.float32)
    if name == "foley":
        frames = np.array([req.frame_sample(k) for k in range(a.frames)])
        layer += synth.movement(a.motion, a.position, frames, n, rng)
        top = max(a.motion.max(), 1e-6)
        for k in a.peaks:
            synth.place(layer, synth.hit(rng, 0.5 + 0.5 * a.motion[k] / top), req.frame_sample(k), a.position[k])
        return layer
    for k, direction in whoosh_events(req):
        synth.place(layer, synth.whoosh(rng, 0.55, direction), req.frame_sample(k))
    return layer


def finish(layer: np.ndarray, target: float) -> np.ndarray:
    """Loudness to target, peaks under the ceiling, click-free edges."""
    if peak_db(layer) == float("-inf"):
        return layer
    return fade_edges(normalise(fade_edges(layer, RATE), target, RATE, CEILING_DB), RATE, 0.005)


def mixdown(layers: dict[str, np.ndarray]) -> np.ndarray:
    mix = np.sum(list(layers.values()), axis=0).astype(np.float32)
    if peak_db(mix) > CEILING_DB:
        mix = limit(mix, RATE, CEILING_DB - 0.1)
    return mix


def make_layers(req: SoundRequest, report: Callable[[float, str], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """The layers asked for, loudness-set; a layer with nothing in it is left out and info["empty"][name] says
    why (a silent track on the timeline would only confuse)."""
    report = report or (lambda f, s="": None)
    out: dict[str, np.ndarray] = {}
    info: dict = {"preset": req.chosen_preset(), "events": {
        "cuts": req.analysis.cuts, "peaks": req.analysis.peaks, "fast_moves": req.analysis.fast_moves}}
    gen = None
    if req.backend != "builtin":
        from ai.sound.generative import GenerativeSound

        gen = GenerativeSound(req, report, cancelled)
        info["model"] = gen.settings.model
    empty = {name: reason for name in req.layers if (reason := empty_reason(name, req))}
    info["empty"] = empty
    names = [n for n in req.layers if n not in empty]

    def check_cancel():
        if cancelled is not None and cancelled():
            from ai.errors import JobCancelled

            raise JobCancelled("the sound layers were cancelled")

    if gen is None:  # built-in: the layers are independent and numpy/scipy release the GIL, so two at a time
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {pool.submit(lambda n: finish(builtin_layer(n, req, req.seed), TARGETS[n]), n): n
                       for n in names}
            for done, fut in enumerate(as_completed(futures), 1):
                check_cancel()
                out[futures[fut]] = fut.result()
                report(0.05 + 0.9 * done / max(1, len(names)), futures[fut])
        out = {n: out[n] for n in names}
    for i, name in enumerate(names if gen is not None else []):
        check_cancel()
        lo, hi = 0.05 + 0.9 * i / len(names), 0.05 + 0.9 * (i + 1) / len(names)
        report(lo, name)
        gen.span = (lo, hi)
        out[name] = finish(gen.layer(name), TARGETS[name])
    if gen is not None:
        info["prompts"] = gen.prompts
    return out, info


def write_wav(path: Path, audio: np.ndarray) -> None:
    import soundfile as sf

    sf.write(str(path), np.clip(audio, -1, 1), RATE, subtype="PCM_24")


def _plain(v):
    """JSON form of an analysis value (numpy scalars, Fractions, tuples)."""
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _tuples(v):
    return [tuple(x) if isinstance(x, list) else x for x in v] if isinstance(v, list) else v


def sound_spec(req: SoundRequest, sources: list[dict] | None = None) -> JobSpec:
    """The analysis is the input: its arrays by content, its other fields as parameters (whatever fields
    ClipAnalysis has, so the analysis can grow without touching the job)."""
    backend = get_tool(TOOL).backend(req.backend)
    inputs, analysis = {}, {}
    for f in dataclasses.fields(req.analysis):
        v = getattr(req.analysis, f.name)
        if isinstance(v, np.ndarray):
            inputs[f"analysis.{f.name}"] = v
        else:
            analysis[f.name] = _plain(v)
    params = {"layers": list(req.layers), "preset": req.chosen_preset(), "words": req.words, "seed": req.seed,
              "extra": _plain(req.extra_whooshes), "analysis": analysis}
    settings, roles = {}, {}
    if backend.kind == "generative":
        from ai.settings import settings_for

        s = settings_for(backend.settings_key, req.model_settings)
        settings, roles = s.as_dict(), {"pipeline": s.model}
    return JobSpec(tool=TOOL, backend=req.backend, params=params, inputs=inputs, model_settings=settings,
                   models=roles, sources=sources or [])


def request_from_spec(spec: JobSpec) -> SoundRequest:
    p = spec.params
    values = {k: _tuples(v) for k, v in p["analysis"].items()}
    values["fps"] = Fraction(values["fps"])
    values.update({k.split(".", 1)[1]: v for k, v in spec.inputs.items() if k.startswith("analysis.")})
    analysis = ClipAnalysis(**values)
    return SoundRequest(analysis=analysis, layers=list(p["layers"]), preset=p["preset"], words=p["words"],
                        backend=spec.backend, seed=p["seed"], extra_whooshes=_tuples(p["extra"]),
                        model_settings=spec.model_settings)


def run_spec(spec: JobSpec, folder: Path, report, cancelled) -> dict:
    """The runner: one WAV per layer that has something in it plus mixdown.wav, 48 kHz stereo, exactly the clip's
    length; provenance["empty"] names the layers left out and why."""
    layers, info = make_layers(request_from_spec(spec), report, cancelled)
    for name, audio in layers.items():
        write_wav(folder / f"{name}.wav", audio)
    if layers:
        write_wav(folder / "mixdown.wav", mixdown(layers))
    return info


def run_sound_job(req: SoundRequest, cache=None, progress=None, cancelled=None, sources: list[dict] | None = None,
                  cluster: str | None = None) -> JobResult:
    return run_job(sound_spec(req, sources), cache, progress, cancelled, cluster)
