"""The sound of a retimed clip: it follows the picture's speed with its pitch kept (FFmpeg's atempo, a WSOLA
time-stretcher, through PyAV's filter graph); reversed clips play their sound backwards; a freeze frame is silent.

By default (retime.sound = "auto") the sound is muted below 0.25x and above 4x, where stretched speech stops being
useful; "on" keeps it, "off" mutes it. The mixer asks for any range of project samples; they are made in blocks
(2 s for a constant speed, 0.2 s for a ramp, each at that block's mean speed) from the source with some context
around, and consecutive blocks overlap by 10 ms with a crossfade, so block edges do not click. The last blocks are
kept, so a mixer that plays forward makes each block once.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from fractions import Fraction

import numpy as np

from editor.timeline import timing

QUIET_BELOW, QUIET_ABOVE = 0.25, 4.0
CONTEXT_S = 0.2  # source audio read around a block, so atempo is settled where the block starts
FADE_S = 0.01


def audible(clip, speed: float) -> bool:
    mode = clip.retime.sound if clip.retime is not None else "auto"
    if mode == "off":
        return False
    return mode == "on" or QUIET_BELOW <= speed <= QUIET_ABOVE


def stretch(x: np.ndarray, tempo: float, sample_rate: int) -> np.ndarray:
    """(n, ch) float32 played `tempo` times as fast, pitch kept (atempo; chained below 0.5)."""
    import av

    if abs(tempo - 1.0) < 1e-6 or len(x) == 0:
        return x
    ch = x.shape[1]
    layout = "stereo" if ch == 2 else "mono"
    g = av.filter.Graph()
    chain = [g.add_abuffer(format="fltp", sample_rate=sample_rate, layout=layout,
                           time_base=Fraction(1, sample_rate))]
    t = tempo
    while t < 0.5:
        chain.append(g.add("atempo", "0.5"))
        t /= 0.5
    chain.append(g.add("atempo", f"{t:.9f}"))
    chain.append(g.add("aformat", "sample_fmts=fltp"))
    chain.append(g.add("abuffersink"))
    for a, b in zip(chain, chain[1:]):
        a.link_to(b)
    g.configure()
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x.T, np.float32), format="fltp", layout=layout)
    frame.sample_rate = sample_rate
    frame.pts = 0
    frame.time_base = Fraction(1, sample_rate)
    g.push(frame)
    g.push(None)
    out = []
    while True:
        try:
            out.append(g.pull().to_ndarray())
        except (av.error.EOFError, av.error.BlockingIOError):
            break
    return np.concatenate(out, axis=1).T.astype(np.float32) if out else np.zeros((0, ch), np.float32)


class RetimedSound:
    """Samples of one retimed clip; `read(a, n)` gives source samples [a, a + n) of the clip's media."""

    def __init__(self, project, clip, sample_rate: int, channels: int, read):
        self.clip, self.sr, self.ch, self.read = clip, sample_rate, channels, read
        self.warp = timing.warp_of(clip)
        asset = project.assets[clip.asset_id]
        rate = project.settings.rate
        self.spf = sample_rate / float(rate)  # samples per project frame
        self.src0 = math.floor(Fraction(clip.source_in) / asset.rate * sample_rate)
        self.ratio = float(asset.rate / rate)  # source frames per record frame at 1x
        self.block = int(sample_rate * (0.2 if self.warp.keys else 2.0))
        self.fade = int(sample_rate * FADE_S)
        self._blocks: OrderedDict = OrderedDict()

    def _src(self, j):
        """Source sample (fractional) heard at output sample j from the clip's first sample."""
        return self.src0 + self.warp.offset(np.asarray(j, np.float64) / self.spf) * self.spf

    def _make(self, b: int) -> np.ndarray:
        """Output samples [b*B, (b+1)*B + fade) of the clip."""
        n = self.block + self.fade
        j0 = b * self.block
        speed = abs(float(self._src(j0 + n) - self._src(j0))) / n
        if self.warp.frozen or speed < 1e-6 or not audible(self.clip, speed):
            return np.zeros((n, self.ch), np.float32)
        ctx = int(CONTEXT_S * self.sr)
        p0, p1 = float(self._src(j0)), float(self._src(j0 + n))
        if self.warp.direction > 0:
            a = math.floor(p0) - ctx
            src = self.read(a, math.ceil(p1) - a + ctx)
            lead = p0 - a
        else:  # backwards: read the span forward and turn it round
            a = math.floor(p1) - ctx
            src = self.read(a, math.ceil(p0) - a + ctx)[::-1]
            lead = (a + len(src)) - p0
        out = stretch(np.ascontiguousarray(src), speed, self.sr)
        start = int(round(lead / speed))
        piece = out[start:start + n]
        if len(piece) < n:
            piece = np.concatenate([piece, np.zeros((n - len(piece), self.ch), np.float32)])
        return piece

    def _get(self, b: int) -> np.ndarray:
        hit = self._blocks.get(b)
        if hit is None:
            hit = self._make(b)
            self._blocks[b] = hit
            while len(self._blocks) > 4:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(b)
        return hit

    def samples(self, j0: int, n: int) -> np.ndarray:
        """Output samples [j0, j0 + n) counted from the clip's first sample (silence before it)."""
        out = np.zeros((n, self.ch), np.float32)
        j = max(j0, 0)
        end = j0 + n
        while j < end:
            b = j // self.block
            cur = self._get(b)
            off = j - b * self.block
            take = min(self.block - off, end - j)
            seg = cur[off:off + take].copy()
            if b > 0 and off < self.fade:  # crossfade with the previous block's overlap
                prev = self._get(b - 1)
                k = min(self.fade - off, take)
                w = ((np.arange(off, off + k) + 0.5) / self.fade)[:, None].astype(np.float32)
                seg[:k] = seg[:k] * w + prev[self.block + off:self.block + off + k] * (1 - w)
            out[j - j0:j - j0 + take] = seg
            j += take
        return out


def retimed_source(mixer, clip, s0: int, s1: int) -> np.ndarray:
    """What AudioMixer._source gives for a retimed clip: its samples for project samples [s0, s1)."""
    from editor.timeline.model import evolve

    cache = mixer.__dict__.setdefault("_retimed", {})
    sound = cache.get(clip.id)
    if sound is None or sound.clip is not clip:
        plain = evolve(clip, effects=(), keyframes={}, start=0, source_in=0)  # project sample a = source sample a

        def read(a, n):  # source samples [a, a + n) through the mixer's own reading (silence past the ends)
            return mixer._source(plain, a, a + n) if n > 0 else np.zeros((0, mixer.channels), np.float32)

        sound = RetimedSound(mixer.project, clip, mixer.sr, mixer.channels, read)
        cache[clip.id] = sound
    c0 = mixer._s(clip.start)
    return sound.samples(s0 - c0, s1 - s0)
