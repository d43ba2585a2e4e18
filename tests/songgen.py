"""Sound the music tests make: a click track, a song-like piece (drums, bass, chords) with a known beat, bars and
phrases, pink noise, and speech from espeak-ng."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf


def click_track(bpm: float, seconds: float, sr: int = 44100, offset: float = 0.5, accent_every: int = 4):
    """(mono audio, beat times): short 1.5 kHz clicks, the first of every `accent_every` louder."""
    x = np.zeros(int(seconds * sr), np.float32)
    n = int(0.03 * sr)
    t = np.arange(n) / sr
    click = (np.sin(2 * np.pi * 1500 * t) * np.exp(-t * 150)).astype(np.float32)
    beats = np.arange(offset, seconds - 0.05, 60.0 / bpm)
    for i, b in enumerate(beats):
        k = int(round(b * sr))
        x[k:k + n] += click[:len(x) - k] * (0.9 if i % accent_every == 0 else 0.45)
    return x, beats


def _env(n, sr, decay):
    return np.exp(-np.arange(n) / sr * decay)


def song(bpm: float = 120.0, bars: int = 16, sr: int = 44100, lead_in: float = 0.0, seed: int = 0):
    """(stereo audio, beats, downbeats): 4/4, kick on 1 and 3, snare on 2 and 4, eighth-note hats, a bass line and
    pad chords (I-V-vi-IV), a crash at the start of every 4-bar phrase. Beats are exact by construction."""
    rng = np.random.default_rng(seed)
    spb = 60.0 / bpm
    total = lead_in + bars * 4 * spb + 2.0
    n = int(total * sr)
    out = np.zeros((n, 2), np.float64)
    beats = lead_in + np.arange(bars * 4) * spb
    roots = [48, 43, 45, 41]  # C, G, A, F (MIDI)

    def add(at, sig, pan=0.0):
        k = int(round(at * sr))
        m = min(len(sig), n - k)
        if m <= 0:
            return
        out[k:k + m, 0] += sig[:m] * (1 - pan) / 1.0
        out[k:k + m, 1] += sig[:m] * (1 + pan) / 1.0

    kick_n = int(0.25 * sr)
    t = np.arange(kick_n) / sr
    kick = np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * _env(kick_n, sr, 12) * 0.9
    snare_n = int(0.18 * sr)
    snare = (rng.standard_normal(snare_n) * 0.5 + np.sin(2 * np.pi * 190 * np.arange(snare_n) / sr) * 0.4) * _env(
        snare_n, sr, 22) * 0.6
    hat_n = int(0.05 * sr)
    hat = np.diff(rng.standard_normal(hat_n + 1)) * _env(hat_n, sr, 80) * 0.12
    crash_n = int(1.5 * sr)
    crash = np.diff(rng.standard_normal(crash_n + 1)) * _env(crash_n, sr, 3) * 0.15
    for i, b in enumerate(beats):
        bar, beat = divmod(i, 4)
        if beat in (0, 2):
            add(b, kick)
        else:
            add(b, snare, 0.1)
        add(b, hat, -0.3)
        add(b + spb / 2, hat * 0.7, -0.3)
        if beat == 0 and bar % 4 == 0:
            add(b, crash, 0.3)
        root = roots[bar % 4]
        f = 440 * 2 ** ((root - 69 - 12) / 12)
        bn = int(spb * 0.9 * sr)
        tb = np.arange(bn) / sr
        add(b, np.sign(np.sin(2 * np.pi * f * tb)) * 0.12 * _env(bn, sr, 4))
        if beat == 0:
            cn = int(4 * spb * sr)
            tc = np.arange(cn) / sr
            chord = sum(np.sin(2 * np.pi * 440 * 2 ** ((root + 12 + iv - 69) / 12) * tc) for iv in (0, 4, 7))
            pad = chord * 0.05 * np.minimum(1, tc / 0.05) * np.minimum(1, (cn / sr - tc) / 0.2)
            add(b, pad, 0.0)
    out /= max(1e-9, np.abs(out).max()) / 0.8
    return out.astype(np.float32), beats, beats[::4]


def pink_noise(seconds: float, sr: int = 48000, channels: int = 2, seed: int = 0, peak: float = 0.5):
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    w = rng.standard_normal((n, channels))
    f = np.fft.rfft(w, axis=0)
    k = np.arange(len(f), dtype=np.float64)
    k[0] = 1
    x = np.fft.irfft(f / np.sqrt(k)[:, None], n=n, axis=0)
    return (x / np.abs(x).max() * peak).astype(np.float32)


def write_wav(path, audio, sr) -> Path:
    sf.write(str(path), audio, sr, subtype="FLOAT")
    return Path(path)


def speech(path, text: str, sr: int = 48000) -> Path:
    """A WAV of espeak-ng saying `text` (skips the test when espeak-ng is missing)."""
    import pytest

    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (packaging/setup.sh installs it)")
    raw = Path(str(path) + ".raw.wav")
    subprocess.run([exe, "-w", str(raw), "-s", "150", text], check=True, capture_output=True)
    x, r = sf.read(str(raw), dtype="float32")
    raw.unlink()
    if r != sr:
        from scipy.signal import resample_poly

        x = resample_poly(x, sr, r).astype(np.float32)
    sf.write(str(path), x, sr)
    return Path(path)
