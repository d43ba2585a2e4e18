"""Built-in procedural sound: ambience beds, foley hits and movement, whooshes. 48 kHz stereo float32.

Every layer is synthesised for the exact length asked (no loop seams), panned with an equal-power law that follows
where the motion is, and given smooth envelopes so nothing clicks.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

from ai.sound.presets import PRESETS  # noqa: F401  (synth.PRESETS is what the layers check against)

RATE = 48000


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def coloured_noise(n: int, tilt: float, rng) -> np.ndarray:
    """Noise with a spectral slope of `tilt` (dB/oct / 3: 0 white, -1 pink, -2 brown)."""
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    spec *= f ** (tilt / 2)
    x = np.fft.irfft(spec, n)
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)


def bandpass(x: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    hi = min(hi, RATE / 2 * 0.95)
    sos = butter(order, [lo, hi], btype="band", fs=RATE, output="sos")
    return sosfilt(sos, x, axis=0).astype(np.float32)


def pan_gains(pos: np.ndarray | float):
    """Equal-power pan: -1 left .. 1 right -> (left gain, right gain), each cos/sin of the angle."""
    theta = (np.clip(pos, -1, 1) + 1) * np.pi / 4
    return np.cos(theta), np.sin(theta)


def _slow(n: int, rate_hz: float, rng) -> np.ndarray:
    """A smooth random modulation between 0 and 1 (a few cycles of rate_hz)."""
    k = max(4, int(n / RATE * rate_hz * 4) + 4)
    pts = rng.uniform(0, 1, k)
    xs = np.linspace(0, n, k)
    return np.interp(np.arange(n), xs, pts).astype(np.float32) if n else np.zeros(0, np.float32)


def ambience(n: int, preset: str, seed: int = 0) -> np.ndarray:
    """A continuous wide stereo bed: two decorrelated noise channels shaped by the preset."""
    p = PRESETS.get(preset, PRESETS["indoor"])
    rng = _rng(seed)
    chans = []
    for side in range(2):
        x = coloured_noise(max(n, 2048), p["tilt"], rng)[:n]
        x = bandpass(x, *p["band"])
        swell = 1 - p["depth"] + p["depth"] * _smooth(_slow(n, p["swell"], rng), 9600)
        chans.append(x * swell)
    bed = np.stack(chans, axis=1)
    bed += _texture(n, p["texture"], rng)
    return bed.astype(np.float32)


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    if len(x) < 3:
        return x
    b, a = butter(1, 2.0 / max(3, width), fs=2.0)
    return lfilter(b, a, x).astype(np.float32)


def _texture(n: int, kind: str, rng) -> np.ndarray:
    out = np.zeros((n, 2), np.float32)
    if kind == "birds":  # short chirps: quick upward sine sweeps, scattered left and right
        t = 0
        while t < n:
            t += int(rng.uniform(0.4, 1.6) * RATE)
            if t >= n:
                break
            d = int(rng.uniform(0.05, 0.12) * RATE)
            seg = np.arange(min(d, n - t)) / RATE
            f0 = rng.uniform(2500, 4500)
            chirp = np.sin(2 * np.pi * (f0 * seg + 6000 * seg ** 2)) * np.sin(np.pi * seg / (d / RATE)) ** 2
            gl, gr = pan_gains(rng.uniform(-0.9, 0.9))
            out[t:t + len(seg), 0] += 0.25 * gl * chirp
            out[t:t + len(seg), 1] += 0.25 * gr * chirp
    elif kind == "drops":
        idx = rng.integers(0, max(1, n), size=int(n / RATE * 300))
        out[idx, rng.integers(0, 2, size=len(idx))] += rng.uniform(0.2, 0.6, size=len(idx)).astype(np.float32)
        out = bandpass(out, 1500, 9000)
    elif kind == "waves":  # slow breaking surges, alternating sides
        period = int(7.0 * RATE)
        for k, t in enumerate(range(int(rng.uniform(0.5, 3) * RATE), n, period)):
            d = min(int(4.5 * RATE), n - t)
            env = np.sin(np.linspace(0, np.pi, d)) ** 3
            crash = bandpass(rng.standard_normal(d).astype(np.float32), 300, 6000) * env
            gl, gr = pan_gains(0.4 if k % 2 else -0.4)
            out[t:t + d, 0] += 0.6 * gl * crash
            out[t:t + d, 1] += 0.6 * gr * crash
    elif kind == "traffic":
        for t in range(int(rng.uniform(0, 2) * RATE), n, int(3.5 * RATE)):
            d = min(int(3 * RATE), n - t)
            pos = np.linspace(-1, 1, d) * (1 if rng.uniform() > 0.5 else -1)
            env = np.exp(-((np.linspace(-2, 2, d)) ** 2))
            car = bandpass(rng.standard_normal(d).astype(np.float32), 60, 900) * env
            gl, gr = pan_gains(pos)
            out[t:t + d, 0] += 0.5 * gl * car
            out[t:t + d, 1] += 0.5 * gr * car
    elif kind == "chatter":  # babble: band noise with syllable-rate modulation
        for side in range(2):
            mod = 0.5 + 0.5 * np.sin(2 * np.pi * np.cumsum(rng.uniform(3, 6, n)) / RATE)
            out[:, side] += 0.35 * bandpass(rng.standard_normal(n).astype(np.float32), 300, 3000) * mod
    elif kind == "gusts":
        g = _smooth(_slow(n, 0.4, rng), 4800)
        for side in range(2):
            out[:, side] += 0.4 * bandpass(rng.standard_normal(n).astype(np.float32), 300, 1800) * g
    return out


def hit(rng, strength: float = 1.0) -> np.ndarray:
    """A short impact: a low thump plus a noise transient, sharp attack (2 ms), ~250 ms decay."""
    d = int(0.3 * RATE)
    t = np.arange(d) / RATE
    f = 90 * np.exp(-t * 18) + 55
    thump = np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.exp(-t * 14)
    click = bandpass(rng.standard_normal(d).astype(np.float32), 800, 7000) * np.exp(-t * 45)
    x = (0.8 * thump + 0.6 * click) * strength
    attack = min(d, int(0.002 * RATE))
    x[:attack] *= np.linspace(0, 1, attack)
    x[-int(0.01 * RATE):] *= np.linspace(1, 0, int(0.01 * RATE))
    return x.astype(np.float32)


def whoosh(rng, seconds: float = 0.6, direction: float = 1.0) -> np.ndarray:
    """A filtered-noise sweep with Doppler-like pitch motion, panned across in `direction`. Onset at sample 0."""
    d = int(seconds * RATE)
    t = np.linspace(0, 1, d)
    noise = rng.standard_normal(d).astype(np.float32)
    # a band that sweeps up toward the pass-by then falls (Doppler): a smooth mix of fixed bands (no filter
    # switching, so no clicks)
    centre = 400 + 2600 * np.exp(-((t - 0.25) / 0.2) ** 2) + 300 * (1 - t)
    out = np.zeros(d, np.float32)
    weights_sum = np.zeros(d, np.float32)
    for c in np.geomspace(250, 4500, 9):
        w = np.exp(-(np.log(centre / c) ** 2) / (2 * 0.3 ** 2)).astype(np.float32)
        out += bandpass(noise, c / 1.5, c * 1.5) * w
        weights_sum += w
    out /= np.maximum(weights_sum, 1e-3)
    env = np.where(t < 0.12, 0.6 + 0.4 * (t / 0.12), np.exp(-((t - 0.12) / 0.35) ** 2))
    attack = int(0.003 * RATE)
    env[:attack] *= np.linspace(0, 1, attack)
    env[-int(0.02 * RATE):] *= np.linspace(1, 0, int(0.02 * RATE))
    x = out * env
    gl, gr = pan_gains(np.linspace(-0.8, 0.8, d) * (1 if direction >= 0 else -1))
    return np.stack([x * gl, x * gr], axis=1).astype(np.float32)


def place(layer: np.ndarray, sound: np.ndarray, at: int, pan: float | None = None) -> None:
    """Add a (mono or stereo) sound into a layer at sample `at` (panned if mono), clipped to the layer."""
    if at >= len(layer):
        return
    end = min(len(layer), at + len(sound))
    s = sound[: end - at]
    if s.ndim == 1:
        gl, gr = pan_gains(0.0 if pan is None else pan)
        layer[at:end, 0] += s * gl
        layer[at:end, 1] += s * gr
    else:
        layer[at:end] += s


def movement(motion: np.ndarray, position: np.ndarray, frame_samples: np.ndarray, n: int, rng) -> np.ndarray:
    """Soft rustle that follows how much is moving and where (the continuous part of the foley)."""
    env = np.interp(np.arange(n), frame_samples, motion / (motion.max() + 1e-6)).astype(np.float32)
    env = _smooth(env, 2400)
    pos = np.interp(np.arange(n), frame_samples, position).astype(np.float32)
    x = bandpass(rng.standard_normal(n).astype(np.float32), 300, 3500) * env * 0.3
    gl, gr = pan_gains(pos)
    return np.stack([x * gl, x * gr], axis=1).astype(np.float32)


def seconds_to_samples(seconds: float) -> int:
    return int(math.floor(seconds * RATE + 1e-6))
