"""A small streaming audio reader: sample ranges of one file, decoded on demand, reading forward.

For one-pass work (export): a clip's sound is read block after block, so the reader seeks once (to where the clip
starts in its file) and then decodes forward, holding no more than a block and one decoded frame. The whole-file
`read_audio` (editor.media.reader) stays for the preview, which scrubs.

Sample positions follow `read_audio` exactly: sample 0 is the time of the first video frame (or of the first audio
frame in an audio-only file), so frame n of the picture and sample n * sample_rate / rate stay in sync.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from editor.errors import MediaError
from editor.media.probe import IMAGE_FORMATS

SEEK_AHEAD_S = 3.0  # a read further ahead than this seeks instead of decoding through
PREROLL_S = (0.3, 2.0)  # seek this far before the wanted sample (decoders need a frame or two to settle)
NEAR_START_S = 0.1  # nearer the start than this, decode from the start (see _restart)
KEEP_S = 0.5  # sound kept behind the last read: a read reaching back this far needs no seek


class AudioStream:
    def __init__(self, path, sample_rate: int = 48000, channels: int = 2, stream_index: int | None = None):
        import av

        self.path = Path(path)
        self.sample_rate, self.channels = sample_rate, channels
        try:
            self._container = av.open(str(self.path), metadata_errors="ignore")
        except av.error.FFmpegError as exc:
            raise MediaError(self.path, f"cannot be opened: {exc}") from None
        c = self._container
        self._stream = None
        if c.streams.audio:
            self._stream = c.streams.audio[0] if stream_index is None else c.streams[stream_index]
            self._stream.thread_type = "AUTO"
        vs = [s for s in c.streams.video if s.start_time is not None and c.format.name not in IMAGE_FORMATS]
        self._origin = float(vs[0].start_time * vs[0].time_base) if vs else None  # None: the first audio frame's
        self._buf = np.zeros((0, channels), np.float32)
        self._pending = []
        self._n = 0
        self._pos = 0  # file sample index of the first buffered sample
        self._eof = self._stream is None
        self._first_time = None
        self._iter = None
        self._resampler = None
        self._seekable = True
        self.seeks = 0
        self._from_start = True
        if self._stream is not None:
            try:
                self._restart(from_start=True)
                self._pull()  # the first frame: fixes the origin of an audio-only file
            except BaseException:
                self.close()
                raise
            if self._origin is None:
                self._origin = self._first_time if self._first_time is not None else 0.0
                self._pos = 0

    # -- decoding --------------------------------------------------------------------------------------------
    def _restart(self, seconds: float | None = None, from_start: bool = False) -> None:
        import av

        if from_start and self._iter is not None:  # back to the very start: open anew, as a seek to the first
            index = self._stream.index  # packet loses the encoder-delay trim the demuxer applies at the start
            self._container.close()
            self._container = av.open(str(self.path), metadata_errors="ignore")
            self._stream = self._container.streams[index]
            self._stream.thread_type = "AUTO"
            self.seeks += 1
        elif not from_start:
            tb = self._stream.time_base
            self._container.seek(max(0, int(seconds / tb)), stream=self._stream, backward=True, any_frame=False)
            self.seeks += 1
        self._from_start = from_start  # nothing of the file lies before the buffer
        self._iter = self._container.decode(self._stream)
        self._resampler = av.AudioResampler(format="flt", layout="stereo" if self.channels == 2 else "mono",
                                            rate=self.sample_rate)
        self._buf = np.zeros((0, self.channels), np.float32)
        self._pending: list[np.ndarray] = []
        self._n = 0  # samples buffered (in _buf and _pending)
        self._pos = None
        self._first_time = None
        self._eof = False

    def _pull(self) -> None:
        """Decode one more frame onto the end of the buffer (or mark the end of the file)."""
        import av

        try:
            frame = next(self._iter)
        except StopIteration:
            frame = None
        except av.error.FFmpegError:  # a damaged tail: what was decoded stands, the rest is silence
            frame = None
        if frame is None:
            outs = self._resampler.resample(None)
            self._eof = True
        else:
            if self._pos is None:
                self._first_time = frame.time
                if self._origin is None or frame.time is None:
                    self._pos = 0
                    self._seekable = self._seekable and frame.time is not None
                else:
                    self._pos = int(round((frame.time - self._origin) * self.sample_rate))
            outs = self._resampler.resample(frame)
        for o in outs:
            part = o.to_ndarray().reshape(-1, self.channels)
            self._pending.append(part)
            self._n += len(part)

    def _consolidate(self) -> None:
        if self._pending:
            self._buf = np.concatenate([self._buf, *self._pending])
            self._pending = []

    def _seek_to(self, sample: int) -> None:
        """Position the decoder so that `sample` lies at or after the start of the buffer."""
        if self._seekable:
            for preroll in PREROLL_S:
                t = self._origin + sample / self.sample_rate - preroll
                if t <= self._origin + NEAR_START_S:
                    break
                self._restart(t)
                while self._pos is None and not self._eof:
                    self._pull()
                if self._pos is None or self._pos <= sample:
                    return
        self._restart(from_start=True)  # near the start, or the index could not land early enough
        while self._pos is None and not self._eof:
            self._pull()

    # -- reading ---------------------------------------------------------------------------------------------
    def read(self, start: int, count: int) -> np.ndarray:
        """Samples [start, start + count) of the file as float32 (count, channels); silence outside the file."""
        out = np.zeros((max(0, count), self.channels), np.float32)
        end = start + count
        lo = max(start, 0)
        if lo >= end or self._stream is None:
            return out
        if self._pos is not None:
            behind = lo < self._pos and not self._from_start
            far = lo > self._pos + self._n + SEEK_AHEAD_S * self.sample_rate
            if behind or far:
                self._seek_to(lo)
        while not self._eof and (self._pos is None or self._pos + self._n < end):
            self._pull()
            if self._pos is not None and self._pos + self._n <= lo:
                self._drop_before(lo)  # decoding through a stretch nobody asked for: hold nothing of it
        if self._pos is None:
            return out
        self._consolidate()
        a, b = max(lo, self._pos), min(end, self._pos + self._n)
        if b > a:
            out[a - start:b - start] = self._buf[a - self._pos:b - self._pos]
        # the next block starts at `end`; keep a little before it (retimed sound reads context around each block)
        self._drop_before(end - int(KEEP_S * self.sample_rate))
        return out

    def _drop_before(self, sample: int) -> None:
        k = min(sample - self._pos, self._n)
        if k > 0:
            self._consolidate()
            self._buf = self._buf[k:].copy()
            self._n -= k
            self._pos += k
            self._from_start = False

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
        self._buf, self._pending, self._n = self._buf[:0], [], 0
