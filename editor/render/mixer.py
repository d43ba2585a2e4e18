"""Audio mixer: project frames [a, b) -> float32 samples (n, channels) at the project sample rate."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from editor.render.limiter import PeakLimiter, one_pole, sliding_max  # noqa: F401  (where callers look for them)
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
