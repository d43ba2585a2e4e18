"""Edit proxies: the preview reads a small all-intra copy of long-GOP video, frame-exact with the original."""
import os
from fractions import Fraction

import numpy as np
import pytest

from editor.actions.media import project_for_files
from editor.errors import ExportCancelled
from editor.media.probe import probe
from editor.media.proxy import (ProxiedReader, ProxyFile, build_proxy, find_proxy, keyframe_interval, proxy_path,
                                wants_proxy)
from editor.media.reader import VideoReader
from editor.render.compositor import Compositor
from editor.render.sources import MediaPool
from mediagen import index_frame, indexed_video, read_index, write_video


def test_proxy_holds_every_frame_at_its_own_number(tmp_path):
    src = indexed_video(tmp_path / "gop.mp4", 75, size=(320, 192))
    assert wants_proxy(probe(src))  # GOP 30 > 12
    out = build_proxy(src)
    assert out == find_proxy(src) and out.is_file()
    px = ProxyFile(out)
    assert (px.frames, px.width, px.height) == (75, 320, 192)
    rng = np.random.default_rng(1)
    for n in [0, 1, 29, 30, 74, *rng.integers(0, 75, 20)]:
        assert read_index(px.frame(int(n))) == n
    px.close()
    assert build_proxy(src) == out  # the second call reuses it


def test_proxy_follows_vfr_timing_and_is_at_most_540_lines(tmp_path):
    # VFR: frame 2 stays on screen for three frame times; proxies must show what the original reader shows
    pts = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11]
    frames = [index_frame(i, 1280, 720) for i in range(len(pts))]
    src = write_video(tmp_path / "vfr.mp4", frames, rate=Fraction(30), pts=pts, time_base=Fraction(1, 30)) \
        or tmp_path / "vfr.mp4"
    reader = VideoReader(src)
    px = ProxyFile(build_proxy(src))
    assert (px.width, px.height) == (960, 540)
    assert [read_index(px.frame(n)) for n in range(px.frames)] == \
        [read_index(reader.frame(n)) for n in range(reader.frames)]
    reader.close()
    px.close()


def test_short_gop_small_video_gets_no_proxy(tmp_path):
    src = write_video(tmp_path / "intra.mp4", [index_frame(i, 160, 96) for i in range(40)], gop=1) \
        or tmp_path / "intra.mp4"
    assert keyframe_interval(src) == pytest.approx(1.0)
    assert not wants_proxy(probe(src))


def test_cancelled_proxy_leaves_nothing_and_a_changed_file_gets_a_new_one(tmp_path):
    src = indexed_video(tmp_path / "c.mp4", 60)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 10

    with pytest.raises(ExportCancelled):
        build_proxy(src, cancelled=cancel)
    assert find_proxy(src) is None
    assert not [p for p in proxy_path(src).parent.iterdir() if p.name.endswith(".part")]
    first = proxy_path(src)
    indexed_video(src, 50)  # re-encoded in place: new size/mtime
    os.utime(src, ns=(1, 1))
    assert proxy_path(src) != first


def test_preview_pool_reads_the_proxy_when_it_fits_and_export_reads_the_original(tmp_path):
    src = indexed_video(tmp_path / "p.mp4", 60, size=(1280, 720))
    p = project_for_files([src])
    build_proxy(src)
    pool = MediaPool(proxies=True)
    half = Compositor(p, size=(640, 360), pool=pool)
    full = Compositor(p, size=(1280, 720), pool=pool)
    plain = Compositor(p, size=(640, 360))  # what export would show at that size
    for n in (0, 17, 59, 31):
        a, b = half.frame(n), plain.frame(n)
        assert read_index(a) == n
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 4  # same picture
    reader = pool.visual(p.assets[next(iter(p.assets))], p.video_tracks()[0].id)
    assert isinstance(reader, ProxiedReader) and reader.proxy_hits == 4
    assert read_index(full.frame(40)) == 40
    assert reader.proxy_hits == 4  # 1280x720 does not fit a 960x540 proxy: original
    pool.use_proxies = False
    half.frame(12)
    assert reader.proxy_hits == 4
    pool.close()


def test_a_damaged_proxy_is_ignored_and_a_late_proxy_is_picked_up(tmp_path):
    src = indexed_video(tmp_path / "d.mp4", 40, size=(1280, 720))
    p = project_for_files([src])
    pool = MediaPool(proxies=True)
    comp = Compositor(p, size=(640, 360), pool=pool)
    assert read_index(comp.frame(5)) == 5  # no proxy yet: the original
    reader = pool.visual(p.assets[next(iter(p.assets))], p.video_tracks()[0].id)
    assert not reader.has_proxy
    out = build_proxy(src)
    bad = tmp_path / "bad.sprx"
    bad.write_bytes(out.read_bytes()[:5000])
    assert not reader.attach(bad)
    assert pool.attach_proxy(str(src), out) == 1
    assert reader.has_proxy and read_index(comp.frame(21)) == 21 and reader.proxy_hits == 1
    pool.close()
    out.write_bytes(out.read_bytes()[:-100])  # damaged on disk: the next build makes it again
    assert build_proxy(src) == out
    again = ProxyFile(out)
    assert again.frames == 40 and read_index(again.frame(39)) == 39
    again.close()


def test_proxies_stay_within_their_disk_budget_least_recently_used_first(tmp_path, monkeypatch):
    from editor.media.proxy import prune

    monkeypatch.setenv("SEAMLINE_CACHE", str(tmp_path / "own-cache"))  # only this test's proxies
    paths = [indexed_video(tmp_path / f"v{i}.mp4", 30) for i in range(3)]
    made = [build_proxy(p) for p in paths]
    for k, m in enumerate(made):  # v0 oldest ... v2 newest
        os.utime(m, (1000 + k, 1000 + k))
    ProxyFile(made[0]).close()  # opening v0's proxy marks it as just used
    size = max(m.stat().st_size for m in made)
    prune(limit=2 * size)
    assert made[0].exists() and made[2].exists() and not made[1].exists()
    monkeypatch.setenv("SEAMLINE_PROXY_GB", str(size / (1 << 30) * 1.5))
    build_proxy(paths[1])  # building a new one prunes the rest, never the one just made
    assert find_proxy(paths[1]) is not None
    assert sum(p.exists() for p in made) == 1


def test_a_full_disk_gives_a_clear_error_and_leaves_no_partial_proxy(tmp_path, monkeypatch):
    import builtins
    import errno

    import editor.media.proxy as proxy_mod
    from editor.errors import MediaError

    src = indexed_video(tmp_path / "full.mp4", 40)

    class FullDisk:
        def __init__(self, f):
            self.f, self.n = f, 0

        def write(self, data):
            self.n += 1
            if self.n > 5:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(proxy_mod, "open", lambda *a, **k: FullDisk(builtins.open(*a, **k)), raising=False)
    with pytest.raises(MediaError, match="no space left"):
        build_proxy(src)
    assert find_proxy(src) is None
    assert not list(proxy_path(src).parent.glob("*.part"))
