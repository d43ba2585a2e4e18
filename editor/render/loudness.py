"""Loudness on export: the mix brought to a target integrated loudness (ITU-R BS.1770-4, LUFS) with a true-peak
limiter, in two passes over the same blocks the exporter mixes.

Pass 1 (`normaliser`) mixes the audio alone, block by block, and measures it with a streaming meter that uses
pyloudnorm's K-weighting filters and gating (tests check it against `pyloudnorm.Meter.integrated_loudness` on whole
signals); it then runs the gain and the limiter once more (audio only, cheap) and corrects the gain for what the
limiter took off. Pass 2 is the exporter's own: every mixed block goes through `LoudnessStage.process`, which
applies the gain and limits the true peak (the signal oversampled 4x, as BS.1770-4 Annex 2 measures it) with a short
look-ahead, so the gain is already down when a peak arrives and no sample is clipped. The stage delays the sound by its
look-ahead; `flush()` returns the last samples, and the total length is the input's, sample for sample.

The exporter hook is `export(..., loudness=-14.0)` (or `project.settings.loudness`).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

TARGETS = (-14.0, -16.0, -23.0)  # web and phones; podcasts / some platforms; EBU R128 broadcast
DEFAULT_TARGET = -14.0
CEILING_DBTP = -1.0
OVERSAMPLE = 4
AIM = 10 ** (-0.15 / 20)
ROUNDS = 5  # at most: gain and ceiling set, measured through the codec, corrected


# -- measuring ------------------------------------------------------------------------------------------------------
class LoudnessMeter:
    """BS.1770-4 integrated loudness of a stream fed in blocks of any size (the same numbers as pyloudnorm's Meter on
    the whole signal: its filters, 400 ms gating blocks every 100 ms, -70 LUFS absolute and -10 LU relative gates)."""

    def __init__(self, rate: int, channels: int):
        import pyloudnorm

        meter = pyloudnorm.Meter(rate)
        self.rate, self.channels = rate, channels
        self.stages = [(f.b, f.a, f.passband_gain) for f in meter._filters.values()]
        self.zi = [np.zeros((len(a) - 1, channels)) for b, a, _ in self.stages]
        self.step = 0.1 * rate  # 100 ms: a quarter of a gating block
        self.sums: list[np.ndarray] = []  # per 100 ms sub-block: sum of squares per channel
        self._partial = np.zeros(channels)
        self._filled = 0  # samples in the current sub-block
        self.samples = 0

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter

        y = np.asarray(block, np.float64).reshape(len(block), -1)
        for i, (b, a, g) in enumerate(self.stages):
            y, self.zi[i] = lfilter(b, a, y, axis=0, zi=self.zi[i])
            y = y * g
        sq = y * y
        pos = 0
        while pos < len(sq):
            # pyloudnorm's block bounds are int(0.1 * j * rate): the sub-block ends at the next such bound
            j = len(self.sums) + 1
            end_abs = int(0.4 * (j * 0.25) * self.rate)
            take = min(len(sq) - pos, end_abs - self.samples)
            self._partial += sq[pos:pos + take].sum(axis=0)
            pos += take
            self.samples += take
            if self.samples == end_abs:
                self.sums.append(self._partial)
                self._partial = np.zeros(self.channels)

    def integrated(self) -> float:
        """Integrated loudness so far, LUFS (-inf for silence or less than one 400 ms block)."""
        t = self.samples / self.rate
        if t < 0.4:
            return float("-inf")
        n_blocks = int(np.round((t - 0.4) / 0.1)) + 1
        subs = self.sums + [self._partial]  # the last, partial sub-block counts as far as it goes
        subs = np.array(subs + [np.zeros(self.channels)] * 4)
        csum = np.concatenate([np.zeros((1, self.channels)), np.cumsum(subs, axis=0)])
        z = (csum[4:n_blocks + 4] - csum[:n_blocks]) / (0.4 * self.rate)  # (blocks, channels) mean squares
        power = z.sum(axis=1)  # channel weights 1.0 (L, R)
        with np.errstate(divide="ignore"):
            lk = -0.691 + 10 * np.log10(power)
        above = lk >= -70.0
        if not above.any():
            return float("-inf")
        rel = -0.691 + 10 * np.log10(z[above].mean(axis=0).sum()) - 10.0
        gated = above & (lk > rel)
        if not gated.any():
            return float("-inf")
        return float(-0.691 + 10 * np.log10(z[gated].mean(axis=0).sum()))


def true_peak_db(x: np.ndarray) -> float:
    """The true peak (dBTP) of (n, channels) audio: the highest magnitude of the signal oversampled 4x."""
    from scipy.signal import resample_poly

    x = np.asarray(x, np.float64).reshape(len(x), -1)
    if not len(x):
        return float("-inf")
    peak = max(float(np.abs(x).max()), float(np.abs(resample_poly(x, OVERSAMPLE, 1, axis=0)).max()))
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


# -- limiting -------------------------------------------------------------------------------------------------------
class TruePeakLimiter:
    """Gain and a look-ahead limiter on the oversampled peak. Feed blocks to `process` (it returns what it can emit
    so far, delayed by the look-ahead) and call `flush` at the end for the rest."""

    def __init__(self, rate: int, channels: int, gain: float = 1.0, ceiling_db: float = CEILING_DBTP,
                 lookahead_s: float = 0.002, release_s: float = 0.12):
        self.rate, self.channels, self.gain = rate, channels, gain
        self.ceiling = 10 ** (ceiling_db / 20)
        self.L = max(2, int(round(lookahead_s * rate)))
        self.H = self.L + 32  # history kept for the oversampling filter and the look-back of the gain
        self.release = math.exp(-1.0 / (release_s * rate))
        self._hist = np.zeros((self.H, channels))  # the last H samples emitted (after gain, before limiting)
        self._pend = np.zeros((0, channels))  # received, not yet emitted
        self._zi = None
        self._fed = self._out = 0
        self.reduction_db = 0.0  # deepest gain reduction so far

    def _peaks(self, x: np.ndarray) -> np.ndarray:
        from scipy.signal import resample_poly

        up = np.abs(resample_poly(x, OVERSAMPLE, 1, axis=0)).max(axis=1).reshape(-1, OVERSAMPLE).max(axis=1)
        p = np.maximum(up, np.abs(x).max(axis=1))
        p[1:] = np.maximum(p[1:], p[:-1])  # a peak between n-1 and n counts for both
        return p

    def _run(self, x_new: np.ndarray, final: bool) -> np.ndarray:
        from scipy.ndimage import minimum_filter1d
        from scipy.signal import lfilter

        buf = np.concatenate([self._hist, self._pend, x_new])
        H, L = self.H, self.L
        tail = 0 if final else H  # the newest samples have no right-hand context for the filter yet
        n_emit = len(buf) - H - tail - (0 if final else L)
        if n_emit <= 0:
            self._pend = buf[H:]
            return np.zeros((0, self.channels), np.float32)
        # aimed 0.15 dB under the ceiling: a gain that moves makes peaks between samples a little higher than
        # the gain times the peaks it was computed from
        want = np.minimum(1.0, self.ceiling * AIM / np.maximum(self._peaks(buf), 1e-12))
        # fwd[j] = min(want[j .. j+L]): the gain a peak within the look-ahead needs
        fwd = minimum_filter1d(want, size=L + 1, origin=-((L + 1) // 2), mode="nearest")
        c = np.concatenate([[0.0], np.cumsum(fwd)])
        m = np.arange(H, H + n_emit)
        g = (c[m + 1] - c[m - L]) / (L + 1)  # g[m] = mean(fwd[m-L .. m]) <= want[m]: a ramp, never late
        if self._zi is None:
            self._zi = np.array([g[0] * self.release])
        smooth, self._zi = lfilter([1 - self.release], [1, -self.release], g, zi=self._zi)
        g = np.minimum(g, smooth)  # falls at once (the look-ahead ramp), rises back slowly
        self.reduction_db = min(self.reduction_db, 20 * math.log10(max(float(g.min()), 1e-9)))
        x = buf[H:H + n_emit]
        out = np.clip(x * g[:, None], -self.ceiling, self.ceiling)
        keep = buf[:H + n_emit]
        self._hist = keep[-H:]
        self._pend = buf[H + n_emit:]
        return out.astype(np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        x = np.asarray(block, np.float64).reshape(len(block), -1) * self.gain
        self._fed += len(x)
        out = self._run(x, final=False)
        self._out += len(out)
        return out

    def flush(self) -> np.ndarray:
        """The samples still held back (after this, exactly as many samples came out as went in)."""
        left = self._fed - self._out
        if left <= 0:
            return np.zeros((0, self.channels), np.float32)
        out = self._run(np.zeros((0, self.channels)), final=True)[:left]
        self._out += len(out)
        return out


# -- the two passes -------------------------------------------------------------------------------------------------
class LoudnessStage(TruePeakLimiter):
    """Pass 2: the gain found by pass 1 and the true-peak limiter (what the exporter runs every block through)."""
    measured_lufs: float = float("-inf")
    target_lufs: float = DEFAULT_TARGET


def _blocks(start: int, end: int, chunk: int):
    n = start
    while n < end:
        yield n, min(end, n + chunk)
        n += chunk


class PeakMeter:
    """True peak (4x oversampled) of a stream fed in blocks (each block is measured with a little of the one before,
    so a peak between two blocks is not missed)."""

    def __init__(self, channels: int):
        self._tail = np.zeros((0, channels))
        self.peak_db = float("-inf")

    def add(self, block: np.ndarray) -> None:
        x = np.concatenate([self._tail, np.asarray(block, np.float64).reshape(len(block), -1)])
        if len(x) >= 4:
            self.peak_db = max(self.peak_db, true_peak_db(x))
        self._tail = x[-32:]


class CodecCheck:
    """What a listener gets: the stream through the exporter's audio encoder and back (in memory), measured. FFmpeg's
    AAC encoder lets peaks of a dense, limited mix overshoot by a dB or more, so the ceiling is set on its output."""

    def __init__(self, rate: int, channels: int, codec: str = "aac", bit_rate: int | None = None):
        import av

        from fractions import Fraction

        layout = "stereo" if channels == 2 else "mono"
        self.enc = av.CodecContext.create(codec, "w")
        self.enc.sample_rate, self.enc.layout, self.enc.format = rate, layout, "fltp"
        self.enc.time_base = Fraction(1, rate)
        if bit_rate:
            self.enc.bit_rate = bit_rate
        self.enc.open()
        self.dec = av.CodecContext.create(codec, "r")
        self.dec.extradata = self.enc.extradata
        self.dec.sample_rate, self.dec.layout = rate, layout
        self.dec.open()
        self.fifo = av.AudioFifo()
        self.layout, self.rate, self.pts = layout, rate, 0
        self.meter, self.peaks = LoudnessMeter(rate, channels), PeakMeter(channels)

    def _eat(self, packets) -> None:
        for p in packets:
            for fr in self.dec.decode(p):
                y = fr.to_ndarray().T
                self.meter.add(y)
                self.peaks.add(y)

    def add(self, block: np.ndarray) -> None:
        import av

        if not len(block):
            return
        f = av.AudioFrame.from_ndarray(np.ascontiguousarray(np.asarray(block, np.float32).T), format="fltp",
                                       layout=self.layout)
        f.sample_rate = self.rate
        self.fifo.write(f)
        for out in self.fifo.read_many(1024):
            out.pts, self.pts = self.pts, self.pts + out.samples
            self._eat(self.enc.encode(out))

    def finish(self) -> tuple[float, float]:
        rest = self.fifo.read()
        if rest is not None:
            rest.pts = self.pts
            self._eat(self.enc.encode(rest))
        self._eat(self.enc.encode(None))
        return self.meter.integrated(), self.peaks.peak_db


def normaliser(mix: Callable[[int, int], np.ndarray], start: int, end: int, chunk: int, rate: int, channels: int,
               target_lufs: float = DEFAULT_TARGET, ceiling_db: float = CEILING_DBTP, codec: str | None = "aac",
               bit_rate: int | None = None, cancelled: Callable[[], bool] | None = None) -> LoudnessStage:
    """Pass 1: measure mix(a, b) over the frames [start, end) in blocks of `chunk` frames (the exporter's blocks), and
    return the stage that brings it to `target_lufs` with true peaks under `ceiling_db` in the encoded file (the
    gain and the limiter run again through `codec` in memory and are corrected for what the encoder does to level
    and peaks; codec=None: as PCM). Silence stays silence."""
    from editor.errors import ExportCancelled

    if not -40.0 <= target_lufs <= -5.0:
        raise ValueError(f"a loudness target goes from -40 to -5 LUFS, not {target_lufs}")
    spans = list(_blocks(start, end, chunk))

    def measure(gain: float | None, ceiling: float):
        check = CodecCheck(rate, channels, codec, bit_rate) if gain is not None and codec else None
        meter, peaks = LoudnessMeter(rate, channels), PeakMeter(channels)
        lim = None if gain is None else TruePeakLimiter(rate, channels, gain, ceiling)
        for a, b in spans:
            if cancelled is not None and cancelled():
                raise ExportCancelled("export cancelled")
            block = mix(a, b)
            if lim is not None:
                block = lim.process(block)
            (check or meter).add(block)
            peaks.add(block)
        if lim is not None:
            (check or meter).add(lim.flush())
        return check.finish() if check else (meter.integrated(), peaks.peak_db)

    measured, _ = measure(None, ceiling_db)
    stage_gain, ceiling = 1.0, ceiling_db - 0.3
    if math.isfinite(measured):
        gain_db = target_lufs - measured
        tried = []  # (keeps the ceiling, miss in LU, gain dB, ceiling): only settings measured through the codec
        overshoot = 0.0  # the most the encoder has added to the limited peaks so far
        for _ in range(ROUNDS):  # the limiter and the encoder take a little loudness off and add a little peak
            got, peak = measure(10 ** (gain_db / 20), ceiling)
            if not math.isfinite(got):
                break
            tried.append((peak <= ceiling_db, abs(got - target_lufs), gain_db, ceiling))
            if peak <= ceiling_db and abs(got - target_lufs) < 0.3:
                break
            overshoot = max(overshoot, peak - ceiling)
            gain_db += target_lufs - got
            ceiling = min(ceiling, ceiling_db - overshoot - 0.15)
        if tried:  # the closest of those that kept the ceiling (else the one that came nearest to it)
            _, _, gain_db, ceiling = min(tried, key=lambda t: (not t[0], t[1] if t[0] else -t[3]))
        stage_gain = 10 ** (gain_db / 20)
    stage = LoudnessStage(rate, channels, stage_gain, ceiling)
    stage.measured_lufs, stage.target_lufs = measured, target_lufs
    return stage
