"""Generative sound layers: Stable Audio Open (stereo 44.1 kHz) and AudioLDM2 (mono 16 kHz), via diffusers.

One prompt per layer, built from the analysis and the user's words. The ambience bed is generated in segments as
long as the model allows and joined with crossfades into a seamless bed of any length; foley hits and whooshes are
generated once each and placed at the analysed events with the same panning as the built-in layers. Everything is
resampled to 48 kHz stereo; loudness and fades are applied by the caller (as for the built-in layers).
"""
from __future__ import annotations

import math

import numpy as np

from ai.errors import AIError, JobCancelled
from ai.sound import synth

RATE = synth.RATE
NEGATIVE = "music, speech, vocals, low quality, distortion"


class _Cancel(Exception):
    pass


class GenerativeSound:
    def __init__(self, req, report, cancelled):
        from ai import models

        self.req = req
        self.report = report
        self.cancelled = cancelled
        self.backend = req.backend
        self.settings = models.settings_for(self.backend, req.model_settings)
        models.require(self.backend, self.settings, seconds_of_output=req.samples / RATE)
        report(0.02, "loading model")
        self.pipe = models.load_pipeline(self.backend, self.settings)
        self.prompts: dict[str, str] = {}
        self.rng = np.random.default_rng(req.seed)

    # -- prompts ----------------------------------------------------------------------------------------------
    def prompt(self, layer: str) -> str:
        words = self.req.words.strip()
        place = self.req.chosen_preset()
        base = f"{words}, " if words else ""
        text = {"ambience": f"{base}{place} ambience, continuous natural background atmosphere, field recording",
                "foley": f"{base}a single short impact hit, foley sound effect, close, dry",
                "whoosh": "a fast whoosh swoosh transition sound effect, air movement, clean"}[layer]
        self.prompts[layer] = text
        return text

    # -- one generation ---------------------------------------------------------------------------------------
    def max_seconds(self) -> float:
        p = self.pipe
        if self.backend == "stable-audio":
            return float(p.transformer.config.sample_size * p.vae.hop_length / p.vae.config.sampling_rate)
        return 30.0

    def native_rate(self) -> int:
        if self.backend == "stable-audio":
            return int(self.pipe.vae.config.sampling_rate)
        return int(self.pipe.vocoder.config.sampling_rate)

    def generate(self, prompt: str, seconds: float, seed: int) -> np.ndarray:
        """(n, 2) float32 at 48 kHz."""
        from ai import models

        steps = self.settings.steps or (100 if self.backend == "stable-audio" else 50)

        def cb(step, timestep, latents):
            done = (self._seg + (step + 1) / steps) / self._segs
            self.report(self.span[0] + (self.span[1] - self.span[0]) * min(1.0, done), "generating")
            if self.cancelled is not None and self.cancelled():
                raise _Cancel()

        seconds = max(0.05, min(seconds, self.max_seconds()))
        try:
            if self.backend == "stable-audio":
                out = self.pipe(prompt, negative_prompt=NEGATIVE, audio_end_in_s=seconds, num_inference_steps=steps,
                                guidance_scale=7.0, generator=models.generator(seed), callback=cb,
                                callback_steps=1, output_type="np")
                audio = np.asarray(out.audios[0], np.float32).T  # (samples, 2)
            else:
                out = self.pipe(prompt, negative_prompt=NEGATIVE, audio_length_in_s=seconds,
                                num_inference_steps=steps, guidance_scale=3.5, generator=models.generator(seed),
                                callback=cb, callback_steps=1, output_type="np")
                mono = np.asarray(out.audios[0], np.float32).reshape(-1)
                audio = widen(mono)
        except _Cancel:
            raise JobCancelled("the sound layers were cancelled") from None
        except Exception as exc:
            if models.is_oom(exc):
                raise models.oom_error(self.backend) from None
            raise
        audio = np.nan_to_num(audio)
        return resample(audio, self.native_rate(), RATE)

    # -- layers -----------------------------------------------------------------------------------------------
    span = (0.1, 0.9)  # the part of the job's progress the current layer fills
    _seg, _segs = 0, 1

    def layer(self, name: str) -> np.ndarray:
        n = self.req.samples
        prompt = self.prompt(name)
        if name == "ambience":
            return self._bed(prompt, n)
        events = self._events(name)
        out = np.zeros((n, 2), np.float32)
        if not events:
            return out
        sound = trim_to_onset(self.generate(prompt, 1.0 if name == "foley" else 1.2, self.req.seed + 7))
        mono = sound.mean(axis=1)
        for frame, pan in events:
            at = self.req.frame_sample(frame)
            if name == "foley":
                synth.place(out, mono, at, pan)
            else:  # a whoosh travels across the stereo field
                d = len(mono)
                gl, gr = synth.pan_gains(np.linspace(-0.8, 0.8, d) * (1 if pan >= 0 else -1))
                synth.place(out, np.stack([mono * gl, mono * gr], axis=1), at)
        return out

    def _events(self, name: str) -> list[tuple[int, float]]:
        a = self.req.analysis
        if name == "foley":
            return [(k, float(a.position[k])) for k in a.peaks]
        from ai.sound.events import whoosh_events

        return whoosh_events(self.req)

    def _bed(self, prompt: str, n: int) -> np.ndarray:
        seg_s = self.max_seconds()
        need_s = n / RATE
        if need_s <= seg_s:
            return fit_length(self.generate(prompt, need_s, self.req.seed), n)
        xfade = int(min(2.0, seg_s / 4) * RATE)
        segments = max(1, min(3, math.ceil((need_s - seg_s) / (seg_s - xfade / RATE)) + 1))
        pieces = []
        self._segs = segments
        for i in range(segments):
            self._seg = i
            pieces.append(self.generate(prompt, seg_s, self.req.seed + i))
        self._seg, self._segs = 0, 1
        return loop_to_length(pieces, n, xfade)


def widen(mono: np.ndarray) -> np.ndarray:
    """Mono -> stereo with width: the side channel is a decorrelated (delayed, filtered) copy."""
    from scipy.signal import lfilter

    d = max(1, len(mono) // 200)
    side = np.concatenate([np.zeros(min(d, len(mono)), np.float32), mono[:-d] if d < len(mono) else []])
    side = lfilter([0.5, 0.5], [1.0], side).astype(np.float32)
    return np.stack([mono + 0.3 * side, mono - 0.3 * side], axis=1).astype(np.float32)


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    if src == dst or len(x) == 0:
        return x.astype(np.float32)
    g = gcd(src, dst)
    return resample_poly(x, dst // g, src // g, axis=0).astype(np.float32)


def trim_to_onset(x: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """Start a one-shot sound where it starts (so it lands on its event), with a short fade-in."""
    env = np.abs(x).max(axis=1)
    if env.max() <= 0:
        return x
    start = int(np.argmax(env > threshold * env.max()))
    y = x[max(0, start - int(0.002 * RATE)):].copy()
    ramp = min(len(y), int(0.002 * RATE))
    y[:ramp] *= np.linspace(0, 1, ramp)[:, None]
    return y


def fit_length(x: np.ndarray, n: int) -> np.ndarray:
    if len(x) >= n:
        return x[:n]
    return loop_to_length([x], n, min(len(x) // 4, RATE))


def loop_to_length(pieces: list[np.ndarray], n: int, xfade: int) -> np.ndarray:
    """Join segments (cycling through them) with equal-power crossfades until n samples: a seamless bed."""
    if not pieces or all(len(p) == 0 for p in pieces):
        raise AIError("the model produced no audio")
    out = np.zeros((n, 2), np.float32)
    pos, i = 0, 0
    fade_in = np.sin(np.linspace(0, np.pi / 2, max(1, xfade)))[:, None].astype(np.float32)
    fade_out = fade_in[::-1]
    while pos < n:
        seg = pieces[i % len(pieces)].copy()
        i += 1
        xf = min(xfade, len(seg) // 2)
        if pos > 0 and xf > 0:
            seg[:xf] *= fade_in[-xf:] if xf < len(fade_in) else fade_in
        end = min(n, pos + len(seg))
        if end < n and xf > 0:
            seg[len(seg) - xf:] *= fade_out[:xf]
        out[pos:end] += seg[: end - pos]
        if len(seg) - xf <= 0:
            break
        pos += len(seg) - xf
    return out
