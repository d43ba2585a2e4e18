"""Audio mixer: project frames [a, b) -> float32 samples (n, channels) at the project sample rate."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from editor.render.transitions import transition_span
from editor.render.retime_audio import retimed_source
from editor.render.sources import MediaPool
from editor.timeline.index import track_index
from editor.timeline.keyframes import values
from editor.timeline.timing import is_retimed
from editor.timeline.model import Clip, Project, Track

DECLICK_S = 0.004


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power balance: unity at centre, a side gets cos/sin of the pan angle scaled so centre = 1."""
    theta = (max(-1.0, min(1.0, pan)) + 1.0) * math.pi / 4
    return min(1.0, math.sqrt(2) * math.cos(theta)), min(1.0, math.sqrt(2) * math.sin(theta))


class AudioMixer:
    def __init__(self, project: Project, pool: MediaPool | None = None):
        self.project = project
        s = project.settings
        self.sr, self.channels = s.sample_rate, s.channels
        self.pool = pool or MediaPool(s.sample_rate, s.channels)

    def _s(self, frame: int) -> int:
        return self.project.settings.frame_to_sample(frame)

    def _source(self, clip: Clip, s0: int, s1: int) -> np.ndarray:
        """Samples of a clip's media for project samples [s0, s1) (may reach into handles; silence past ends)."""
        if (clip.effects or "speed" in clip.keyframes) and is_retimed(clip):  # speed: editor/render/retime_audio.py
            return retimed_source(self, clip, s0, s1)
        asset = self.project.assets[clip.asset_id]
        src_start = math.floor(Fraction(clip.source_in) / asset.rate * self.sr)
        return self.pool.audio_range(asset, src_start + (s0 - self._s(clip.start)), s1 - s0, key=clip.id)

    def _envelope(self, clip: Clip, s0: int, s1: int, declick_in: bool, declick_out: bool) -> np.ndarray:
        k = np.arange(s0, s1, dtype=np.float64)
        c0, c1 = self._s(clip.start), self._s(clip.end)
        vk = clip.keyframes.get("volume") if clip.keyframes else None
        g = np.full(len(k), clip.volume, np.float64) if not vk else values(vk, (k - c0) / (
            self.sr / float(self.project.settings.rate)), clip.volume)
        fi = max(self._s(clip.start + clip.fade_in) - c0, int(DECLICK_S * self.sr) if declick_in else 0)
        fo = max(c1 - self._s(clip.end - clip.fade_out), int(DECLICK_S * self.sr) if declick_out else 0)
        if fi:
            g *= np.clip((k - c0 + 0.5) / fi, 0.0, 1.0)
        if fo:
            g *= np.clip((c1 - k - 0.5) / fo, 0.0, 1.0)
        return g.astype(np.float32)

    def _spans(self, track: Track, clip: Clip):
        """(span of the transition into the clip, span of the one out of it), None where there is none."""
        x_in, x_out = track.transitions_of(clip.id)
        t_in = transition_span(track.clip(x_in.a), x_in) if x_in is not None and track.clip(x_in.a) else None
        t_out = transition_span(clip, x_out) if x_out is not None and track.clip(x_out.b) else None
        return t_in, t_out

    def _track(self, track: Track, s0: int, s1: int) -> np.ndarray:
        """One track's samples for [s0, s1): only the clips that can sound there (O(log n) from the index)."""
        out = np.zeros((s1 - s0, self.channels), np.float32)
        r = self.project.settings.rate
        f0 = (s0 * r.numerator) // (self.sr * r.denominator)
        f1 = -((-s1 * r.numerator) // (self.sr * r.denominator)) + 1
        pad = track_index(track).longest_transition  # a transition lets a clip sound past its own ends
        for clip in track.clips_between(f0 - pad, f1 + pad):
            t_in, t_out = self._spans(track, clip)
            f0 = t_in[0] if t_in else clip.start
            f1 = t_out[1] if t_out else clip.end
            c0, c1 = self._s(f0), self._s(f1)
            lo, hi = max(c0, s0), min(c1, s1)
            if hi <= lo:
                continue
            src = self._source(clip, lo, hi)
            g = self._envelope(clip, lo, hi, t_in is None, t_out is None)
            k = np.arange(lo, hi, dtype=np.float64)
            if t_in:  # equal-power fade in across the transition
                a0, a1 = self._s(t_in[0]), self._s(t_in[1])
                p = np.clip((k - a0 + 0.5) / max(1, a1 - a0), 0, 1)
                g *= np.sin(p * np.pi / 2).astype(np.float32)
            if t_out:
                a0, a1 = self._s(t_out[0]), self._s(t_out[1])
                p = np.clip((k - a0 + 0.5) / max(1, a1 - a0), 0, 1)
                g *= np.cos(p * np.pi / 2).astype(np.float32)
            src *= g[:, None]
            if self.channels == 2 and clip.pan:
                src *= np.array(pan_gains(clip.pan), np.float32)
            out[lo - s0:hi - s0] += src
        out *= track.volume
        if self.channels == 2 and track.pan:
            out *= np.array(pan_gains(track.pan), np.float32)
        return out

    def mix(self, start_frame: int, end_frame: int) -> np.ndarray:
        s0, s1 = self._s(start_frame), self._s(end_frame)
        out = np.zeros((max(0, s1 - s0), self.channels), np.float32)
        tracks = self.project.audio_tracks()
        solo = any(t.solo for t in tracks)
        for t in tracks:
            if t.mute or (solo and not t.solo):
                continue
            out += self._track(t, s0, s1)
        return out


class PeakLimiter:
    """Keeps peaks under a ceiling with instant attack and a smooth release; state carries across chunks.

    Built on cv2 (a max filter) and numpy rather than scipy.signal/ndimage: importing those costs an export ~100 MiB
    of memory for two one-line filters.
    """

    def __init__(self, sample_rate: int, ceiling_db: float = -1.0, release_s: float = 0.15):
        self.ceiling = 10 ** (ceiling_db / 20)
        self.release = math.exp(-1.0 / (release_s * sample_rate))
        self.window = max(1, int(0.002 * sample_rate))
        self.gain = 1.0

    def process(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return x
        # per sample, the loudest channel (column by column: numpy's max over a short last axis is ~15x slower)
        peak = np.maximum.reduce([np.abs(x[:, k]) for k in range(x.shape[1])])
        if peak.max() <= self.ceiling and self.gain >= 0.9999:
            return x
        env = sliding_max(peak, self.window)
        want = np.minimum(1.0, self.ceiling / np.maximum(env.astype(np.float64), 1e-9))
        # release: gain rises back slowly (one-pole), falls at once
        smooth = one_pole(want, self.release, self.gain)
        g = np.minimum(want, smooth)
        self.gain = float(g[-1])
        y = x * g[:, None].astype(np.float32)
        return np.clip(y, -self.ceiling, self.ceiling)


def sliding_max(x: np.ndarray, radius: int) -> np.ndarray:
    """max of x[i - radius : i + radius + 1], the ends repeated (scipy's maximum_filter1d, mode="nearest")."""
    import cv2

    kernel = np.ones((1, 2 * radius + 1), np.uint8)
    row = np.ascontiguousarray(x, np.float32).reshape(1, -1)
    return cv2.dilate(row, kernel, borderType=cv2.BORDER_REPLICATE).reshape(-1)


def one_pole(x: np.ndarray, r: float, y_prev: float, span: int = 1024) -> np.ndarray:
    """y[n] = r * y[n-1] + (1 - r) * x[n], starting from y[-1] = y_prev (scipy's lfilter([1-r], [1, -r]))."""
    out = np.empty(len(x), np.float64)
    k = np.arange(1, span + 1, dtype=np.float64)
    grow = r ** -k  # r^-(n+1), per span: small enough to keep float64 exact
    for a in range(0, len(x), span):
        part = np.asarray(x[a:a + span], np.float64)
        n = len(part)
        # y[n] = r^(n+1) * (y_prev + (1 - r) * sum_{j<=n} r^-(j+1) x[j])
        acc = y_prev + (1 - r) * np.cumsum(part * grow[:n])
        out[a:a + n] = acc / grow[:n]
        y_prev = out[a + n - 1]
    return out
