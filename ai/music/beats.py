"""The beat of a piece of music: beats, bars (downbeats) and phrases, in seconds of the file.

- Beats: librosa's dynamic-programming beat tracker (Ellis 2007) on a fine onset envelope (11.6 ms hops). Its beats sit
  where the onset envelope peaks, which is 10-30 ms after the sound starts; each beat is then moved to the steepest
  rise of the signal's energy within 50 ms (the attack you hear), and beats in silence are dropped.
- Downbeats: 4/4 is assumed. Of the four ways to group beats into bars, the one whose first beats carry the most
  harmonic change (chords change on the bar) and low-frequency attack (the kick) wins.
- Phrases: groups of 4 bars; of the four ways to group bars, the one whose first bars bring the most change wins.

Analysis runs on a worker (a few seconds a song; librosa's numba kernels compile once per machine and are cached).
The result is cached on disk by file (path, size, time) in the cache folder.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ai.errors import AIError, JobCancelled, MissingPackage

RATE = 22050
HOP = 256
VERSION = "beats-1"


@dataclass(frozen=True)
class BeatGrid:
    tempo: float  # beats per minute
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    phrases: tuple[float, ...]
    method: str = "librosa"

    def as_fields(self) -> dict:
        d = asdict(self)
        d["beats"], d["downbeats"], d["phrases"] = list(self.beats), list(self.downbeats), list(self.phrases)
        return d


def _librosa():
    try:
        from ai.music.numba_cache import use_cache_folder

        use_cache_folder()  # in the bundle: before librosa's import, which compiles-or-caches its numba kernels
        import librosa
    except ImportError:
        raise MissingPackage("finding the beat needs the Python package librosa (pip install librosa)") from None
    return librosa


def _attacks(y: np.ndarray, beats: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Each beat moved to the steepest energy rise within 50 ms around it (10 ms earlier: the tracker is late), and
    how big that rise is (dB)."""
    h = 32
    n = len(y) // h * h
    e = np.sqrt((y[:n].reshape(-1, h) ** 2).mean(axis=1))
    level = 20 * np.log10(e + 1e-5)
    rise = np.diff(level, prepend=level[0])
    rise = np.convolve(rise, [0.5, 0.5], mode="same")  # a rise over two steps counts whole
    out, strength = [], []
    for t in beats:
        c = (t - 0.01) * sr / h
        i0, i1 = max(0, int(c - 0.05 * sr / h)), min(len(rise), int(c + 0.05 * sr / h) + 1)
        if i1 <= i0:
            out.append(t)
            strength.append(0.0)
            continue
        k = i0 + int(np.argmax(rise[i0:i1]))
        out.append(k * h / sr)
        strength.append(float(rise[k]))
    return np.array(out), np.array(strength)


def _z(v: np.ndarray) -> np.ndarray:
    s = v.std()
    return (v - v.mean()) / s if s > 1e-9 else v * 0


def _best_phase(score: np.ndarray, period: int) -> int:
    """Which offset 0..period-1 has the highest mean score among its members."""
    means = [score[k::period].mean() if len(score[k::period]) else -np.inf for k in range(period)]
    return int(np.argmax(means))


def analyse(y: np.ndarray, sr: int = RATE, progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> BeatGrid:
    """Beats, downbeats and phrases of mono audio `y` at rate `sr`."""
    librosa = _librosa()
    report = progress or (lambda f: None)
    y = np.asarray(y, np.float32)
    if y.ndim == 2:
        y = y.mean(axis=1)
    if len(y) < sr * 2:
        raise AIError("the music is too short to find a beat in (less than 2 seconds)")
    if float(np.abs(y).max()) < 1e-4:
        raise AIError("the music is silent: there is no beat to find")
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP, aggregate=np.median)
    report(0.3)
    if cancelled is not None and cancelled():
        raise JobCancelled("beat analysis was cancelled")
    tempo, frames = librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=HOP, trim=True)
    tempo = float(np.atleast_1d(tempo)[0])
    report(0.6)
    raw = librosa.frames_to_time(frames, sr=sr, hop_length=HOP)
    if len(raw) < 4:
        raise AIError("no steady beat was found in the music")
    beats, rise = _attacks(y, raw, sr)
    # beats in silence (the tracker carries its grid through quiet passages) are no place to cut
    h = int(0.05 * sr)
    rms = np.array([np.sqrt(np.mean(y[max(0, int(t * sr) - h):int(t * sr) + h] ** 2) + 1e-12) for t in beats])
    loud = 20 * np.log10(rms / (rms.max() + 1e-12)) > -40
    beats = np.maximum.accumulate(beats[loud])
    keep = np.concatenate([[True], np.diff(beats) > 0.1])
    beats = beats[keep]
    if cancelled is not None and cancelled():
        raise JobCancelled("beat analysis was cancelled")
    # downbeats: harmonic change and low-frequency attack at the start of each bar
    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=HOP * 2)
    bf = np.clip(librosa.time_to_frames(beats, sr=sr, hop_length=HOP * 2), 0, chroma.shape[1] - 1)
    bounds = np.concatenate([bf, [chroma.shape[1]]])
    sync = librosa.util.sync(chroma, bounds, aggregate=np.median, pad=False)[:, :len(bf)]  # one column a beat
    sync = sync / (np.linalg.norm(sync, axis=0, keepdims=True) + 1e-9)
    change = np.concatenate([[0.0], 1 - (sync[:, 1:] * sync[:, :-1]).sum(axis=0)])
    low = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP, fmax=200, n_mels=6)
    lf = np.clip(librosa.time_to_frames(beats, sr=sr, hop_length=HOP), 0, len(low) - 1)
    low_at = np.array([low[max(0, i - 2):i + 3].max() for i in lf])
    report(0.85)
    phase = _best_phase(_z(change) + 0.7 * _z(low_at), 4) if len(beats) >= 8 else 0
    downbeats = beats[phase::4]
    # phrases: 4 bars; the grouping whose first bars change most (and hit hardest)
    bar_change = np.array([change[i] for i in range(phase, len(beats), 4)])
    ef = np.clip(librosa.time_to_frames(downbeats, sr=sr, hop_length=HOP), 0, len(env) - 1)
    bar_hit = np.array([env[max(0, i - 3):i + 4].max() for i in ef])  # broadband attack: a crash, a fill's end
    # a new phrase lifts the top of the spectrum (a crash, the band coming in): bright energy in the beat after the
    # downbeat against the beat before it
    hf = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, hop_length=HOP, n_mels=24, fmin=4000))
    hf = hf.mean(axis=0)
    w = max(4, int(60.0 / max(tempo, 30.0) * sr / HOP))
    lift = np.array([hf[i:i + w].mean() - hf[max(0, i - w):i].mean() if i > 0 else 0.0 for i in ef])
    ph = _best_phase(_z(lift) + 0.5 * _z(bar_hit) + 0.3 * _z(bar_change), 4) if len(downbeats) >= 8 else 0
    phrases = downbeats[ph::4]
    report(1.0)
    r = lambda a: tuple(round(float(t), 4) for t in a)  # noqa: E731
    return BeatGrid(round(tempo, 2), r(beats), r(downbeats), r(phrases))


# -- files ----------------------------------------------------------------------------------------------------------
def _cache_file(path: Path) -> Path:
    from editor.resources import cache_dir

    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{VERSION}".encode()).hexdigest()[:24]
    return cache_dir() / "beats" / f"{key}.json"


def analyse_file(path, progress: Callable[[float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> BeatGrid:
    """Beats of a music (or any media) file's sound, from the cache when the file was analysed before."""
    from editor.media.reader import read_audio

    path = Path(path)
    cached = _cache_file(path)
    if cached.is_file():
        try:
            d = json.loads(cached.read_text())
            return BeatGrid(d["tempo"], tuple(d["beats"]), tuple(d["downbeats"]), tuple(d["phrases"]),
                            d.get("method", "librosa"))
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache entry: analyse again
    y = read_audio(path, RATE, 1)[:, 0]
    if not len(y):
        raise AIError(f"{path.name} has no sound to find a beat in")
    grid = analyse(y, RATE, progress, cancelled)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(grid.as_fields()))
    os.replace(tmp, cached)
    return grid
