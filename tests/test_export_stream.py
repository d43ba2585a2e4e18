"""Exports stream their sources: a file is open while its clips play, sound is read in ranges, memory stays flat."""
from fractions import Fraction

import numpy as np

from editor.media.audio_stream import AudioStream
from editor.media.reader import read_audio
from editor.render.exporter import export
from editor.render.mixer import AudioMixer, PeakLimiter, one_pole, sliding_max
from editor.render.sources import IDLE_READERS, MediaPool, StreamingPool
from editor.timeline import edits
from editor.timeline.model import Clip
from mediagen import decode_all, indexed_video, read_index
from test_render import project_with


def _cut_between(tmp_path, files: int, piece: int = 8):
    srcs = [indexed_video(tmp_path / f"s{i}.mp4", 40, with_audio=True) for i in range(files)]
    p, ids = project_with(srcs)
    for i, m in enumerate(ids):
        for kind in ("v", "a"):
            p = edits.overwrite(p, f"{kind}1", Clip(id=f"{kind}{i}", asset_id=m, start=i * piece, duration=piece,
                                                     source_in=3 * i % 30, link=f"L{i}"))
    return p


def test_export_opens_each_file_only_while_its_clips_play(tmp_path, monkeypatch):
    p = _cut_between(tmp_path, 6)
    p = edits.add_transition(p, "v1", "v2", "v3", "dissolve", 4)
    seen, pools = [], []
    done = StreamingPool.frame_done

    def spy(self):
        pools.append(self)
        done(self)
        seen.append(self.open_counts[0])  # picture readers kept open for the next frame

    monkeypatch.setattr(StreamingPool, "frame_done", spy)
    out = export(p, tmp_path / "cut.mp4", preset=None)
    # the file(s) the frame shows (two only inside the dissolve, frames 22..25), and at most IDLE_READERS more set
    # aside for a moment after their clips end, in case the next clip is of the same file
    assert len(seen) == 48
    assert all(n <= (2 if 22 <= f < 26 else 1) + IDLE_READERS for f, n in enumerate(seen)), seen
    assert pools[0].open_counts == (0, 0)  # everything closed at the end
    assert pools[0].opened <= 2 * 6 + 2  # each file opened once for pictures and once for sound (+ dissolve lanes)
    frames = decode_all(out)
    for n in (0, 7, 8, 20, 40, 47):  # frame-accurate through the reopenings
        i = n // 8
        assert read_index(frames[n]) == 3 * i + n % 8, n


def test_hundreds_of_short_clips_between_two_files_hand_their_readers_on(tmp_path, monkeypatch):
    """A cut-down film: 60 clips of 4 frames alternating between two files, each file read forward, a dissolve on
    every cut. Each file's reader goes from clip to clip (reading on), instead of being opened and seeked again for
    every clip, and every frame is still the right one."""
    srcs = [indexed_video(tmp_path / f"s{i}.mp4", 150, with_audio=True) for i in range(2)]
    p, ids = project_with(srcs)
    for k in range(60):
        m, pos = ids[k % 2], 2 * (k // 2)  # each file read forward: its next clip starts where its last one left off
        for kind in ("v", "a"):
            p = edits.overwrite(p, f"{kind}1", Clip(id=f"{kind}{k}", asset_id=m, start=4 * k, duration=4,
                                                     source_in=pos * 2, link=f"L{k}"))
    for k in range(59):
        p = edits.add_transition(p, "v1", f"v{k}", f"v{k + 1}", "dissolve", 2)
    pools = []
    done = StreamingPool.frame_done
    monkeypatch.setattr(StreamingPool, "frame_done", lambda self: (pools.append(self), done(self)))
    out = export(p, tmp_path / "many.mp4", preset=None)
    # one reader per clip would be 120 (60 pictures, 60 sounds); here the pictures take one reader per file, the
    # sound a few per file (a second-long block mixes several clips of each file at once)
    assert pools[0].opened <= 12, pools[0].opened
    frames = decode_all(out)
    clips = {c.id: c for c in p.track("v1").clips}
    for n in range(0, 240, 5):  # outside the dissolves: the clip's own source frame
        c = p.track("v1").clip_at(n)
        if n % 4 in (1, 2):
            assert read_index(frames[n]) == p.source_frame(clips[c.id], n), n


def test_streaming_sound_is_the_preview_sound(tmp_path):
    """The export's block-by-block mix equals the preview's whole-file mix, fades and a crossfade included."""
    p = _cut_between(tmp_path, 3, piece=20)
    p = edits.set_clip_property(p, "a0", "fade_in", 5)
    p = edits.set_clip_property(p, "a2", "fade_out", 7)
    p = edits.add_transition(p, "a1", "a1", "a2", "crossfade", 6)
    whole = AudioMixer(p, MediaPool()).mix(0, 60)
    pool = StreamingPool()
    mixer = AudioMixer(p, pool)
    parts = []
    for a in range(0, 60, 7):  # odd block size: clips start and end inside blocks
        parts.append(mixer.mix(a, min(60, a + 7)))
        pool.block_done()
    streamed = np.concatenate(parts)
    assert streamed.shape == whole.shape and np.abs(whole).max() > 0.1
    assert np.abs(streamed - whole).max() < 1e-6
    pool.close()
    assert pool.open_counts == (0, 0)


def test_audio_stream_reads_ranges_like_the_whole_file(tmp_path):
    path = indexed_video(tmp_path / "a.mp4", 150, with_audio=True)  # 5 s of AAC at 48 kHz
    full = read_audio(path)
    s = AudioStream(path)
    rng = np.random.default_rng(3)
    for a, n in [(0, 1000), (-500, 2000), (len(full) - 300, 1000), (len(full) + 10, 50)] + \
            [(int(rng.integers(0, len(full))), int(rng.integers(1, 40000))) for _ in range(12)]:
        want = np.zeros((n, 2), np.float32)
        lo, hi = max(a, 0), min(a + n, len(full))
        if hi > lo:
            want[lo - a:hi - a] = full[lo:hi]
        assert np.allclose(s.read(a, n), want, rtol=0, atol=1e-5), (a, n)  # AAC re-decoded after a seek: 1e-6
    s.close()
    # a clip read block by block from 4 s on: one seek, then forward only
    s = AudioStream(path)
    blocks = [s.read(192000 + k * 4000, 4000) for k in range(10)]
    assert s.seeks == 1
    assert np.allclose(np.concatenate(blocks), full[192000:232000], rtol=0, atol=1e-5)
    # retimed sound reads each block with 0.2 s of context before it: still no further seek
    for k in range(5):
        a = 100000 + k * 9600
        assert np.allclose(s.read(a - 9600, 19200), full[a - 9600:a + 9600], rtol=0, atol=1e-5)
    assert s.seeks == 2
    s.close()


def test_audio_stream_of_resampled_mp3_matches_the_whole_file(shared_media):
    """chaplin.mp4 has 44.1 kHz MP3 sound: after a seek the resampler's phase differs by under a sample, so the
    comparison allows a small error but no shift."""
    path = shared_media / "video" / "chaplin.mp4"
    full = read_audio(path)
    s = AudioStream(path)
    for a in (15118, 217839, 348249):
        got, want = s.read(a, 30000), full[a:a + 30000]
        err = np.sqrt(np.mean((got - want) ** 2)) / np.sqrt(np.mean(want ** 2))
        assert err < 0.06, (a, err)
        shifted = [np.sqrt(np.mean((got[50:-50] - full[a + d + 50:a + d + 30000 - 50]) ** 2)) for d in (-40, 40)]
        assert min(shifted) > 3 * np.sqrt(np.mean((got[50:-50] - want[50:-50]) ** 2))
    s.close()


def test_limiter_filters_match_scipy():
    from scipy.ndimage import maximum_filter1d
    from scipy.signal import lfilter

    rng = np.random.default_rng(0)
    x = rng.random(20000)
    for release_s in (0.15, 0.005):
        r = np.exp(-1 / (release_s * 48000))
        want, _ = lfilter([1 - r], [1, -r], x, zi=[0.7 * r])
        assert np.allclose(one_pole(x, r, 0.7), want, atol=1e-12)
    peaks = rng.random(5000).astype(np.float32)
    assert np.array_equal(sliding_max(peaks, 96), maximum_filter1d(peaks, size=193, mode="nearest"))


def test_limiter_keeps_a_loud_mix_under_the_ceiling_across_blocks():
    t = np.arange(48000 * 2) / 48000
    loud = (1.6 * np.sin(2 * np.pi * 220 * t) * (t > 0.5)).astype(np.float32)
    x = np.stack([loud, loud], 1)
    lim = PeakLimiter(48000)
    y = np.concatenate([lim.process(x[a:a + 4800]) for a in range(0, len(x), 4800)])
    ceiling = 10 ** (-1 / 20)
    assert np.abs(y).max() <= ceiling + 1e-6
    assert np.abs(y[48000 + 24000:]).max() > 0.85 * ceiling  # limited, not muted
    assert np.array_equal(y[:24000], x[:24000])  # quiet part untouched


def test_export_imports_no_scipy(tmp_path):
    """scipy.signal costs an export ~100 MiB of memory; the render path must not pull it in."""
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys; from editor.render.exporter import export; from editor.render.mixer import PeakLimiter;"
            "import numpy as np; PeakLimiter(48000).process(np.full((4800, 2), 1.5, np.float32));"
            "print('scipy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.stdout.strip() == "False", r.stderr


def test_streaming_reader_serves_slow_motion_reads_without_seeking(tmp_path):
    """Slow motion shows frame k blended with k + 1, then k again with k + 1, ...: the streaming reader keeps the
    last two frames, so it never goes back to a keyframe (a 1-frame cache would seek on every output frame)."""
    src = indexed_video(tmp_path / "long_gop.mp4", 60)
    p, (m,) = project_with([src])
    pool = StreamingPool()
    reader = pool.visual(p.assets[m], "v1")
    for k in range(0, 40):
        for f in (k // 3, k // 3 + 1):  # a third of normal speed
            assert read_index(reader.frame(f)) == f
    assert reader.seeks <= 1
    pool.close()


def test_slower_source_repeats_frames_without_a_cache(tmp_path):
    """A 25 fps file on a 30 fps timeline shows some source frames twice: the streaming reader keeps only its last
    frame, and the export stays frame-accurate."""
    src = indexed_video(tmp_path / "s25.mp4", 50, Fraction(25))
    p, (m,) = project_with([src], Fraction(30))
    p = edits.overwrite(p, "v1", Clip(id="c", asset_id=m, start=0, duration=36, source_in=4))
    clip = p.track("v1").clip("c")
    frames = decode_all(export(p, tmp_path / "o.mp4", preset=None))
    assert [read_index(f) for f in frames] == [p.source_frame(clip, n) for n in range(36)]


def test_loudness_pass_closes_sound_readers_as_it_goes(tmp_path, monkeypatch):
    """Loudness normalisation mixes the sound in a first pass: its readers close block by block there too, so a
    long timeline never holds every clip's decoder open at once."""
    p = _cut_between(tmp_path, 24)
    most = []
    done = StreamingPool.block_done

    def spy(self):
        most.append(self.open_counts[1])  # before the clean-up: everything open during this block
        done(self)

    monkeypatch.setattr(StreamingPool, "block_done", spy)
    export(p, tmp_path / "loud.mp4", preset=None, loudness=-16.0)
    # a 1 s block spans 4-5 pieces of 8 frames (open: those and the previous block's, set aside after it, and at
    # most IDLE_READERS of those kept for one more block); 24 files
    assert len(most) > 14 and max(most) <= 10 + IDLE_READERS
