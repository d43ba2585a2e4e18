"""The job service's cache: honest keys (content, every parameter, model revision, depth model), a cache that heals
and trusts nothing outside its own folders, and a size limit kept by evicting the least recently used."""
import json
import os
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from ai.cache import JobCache
from ai.camera.move import MoveRequest, move_spec
from ai.jobs import local_identities, run_job
from ai.sound.analysis import ClipAnalysis
from ai.sound.layers import SoundRequest, sound_spec
from ai.transition.fill import FillRequest, fill_spec, run_fill_job

ROOT = Path(__file__).resolve().parent.parent


def key(spec):
    return spec.key(local_identities(spec))


def _pair():
    rng = np.random.default_rng(2)
    a = cv2.GaussianBlur(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), (0, 0), 2)
    return a, np.roll(a, 3, axis=1)


def _analysis():
    n = 60
    return ClipAnalysis(fps=Fraction(30), frames=n, motion=np.linspace(0, 1, n), position=np.zeros(n), cuts=[30],
                        fast_moves=[(10, 1.0)], peaks=[20], brightness=0.5, saturation=0.3, hue=60.0)


def test_changing_any_parameter_misses_and_the_same_request_hits():
    a, b = _pair()
    base = key(fill_spec(FillRequest(a=a, b=b, frames=5)))
    assert key(fill_spec(FillRequest(a=a, b=b, frames=5))) == base
    for other in (FillRequest(a=a, b=b, frames=6), FillRequest(a=a, b=b, frames=5, fps=Fraction(25)),
                  FillRequest(a=a, b=np.roll(b, 1, axis=0), frames=5)):
        assert key(fill_spec(other)) != base
    still = a
    move = dict(source=still, moves=["pan-left"], size=(64, 48), duration=1.0)
    base = key(move_spec(MoveRequest(**move)))
    for change in ({"moves": ["pan-right"]}, {"size": (62, 48)}, {"duration": 1.5}, {"intensity": 0.6},
                   {"easing": "linear"}, {"focus": (0.4, 0.5)}, {"handheld": 0.2}, {"hfov": 50.0}, {"seed": 1},
                   {"fps": Fraction(25)}):
        assert key(move_spec(MoveRequest(**{**move, **change}))) != base, change
    sound = dict(layers=["ambience", "whoosh"], preset="beach", seed=0)
    base = key(sound_spec(SoundRequest(analysis=_analysis(), **sound)))
    for change in ({"layers": ["ambience"]}, {"preset": "city"}, {"seed": 3}, {"words": "waves"},
                   {"extra_whooshes": [(40, 1.0)]}):
        assert key(sound_spec(SoundRequest(analysis=_analysis(), **{**sound, **change}))) != base, change
    changed = _analysis()
    changed.peaks = [21]
    assert key(sound_spec(SoundRequest(analysis=changed, **sound))) != base


def _fake_model(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "config.json").write_text("{}")
    (folder / "diffusion_pytorch_model.safetensors").write_bytes(weights)
    return folder


def test_the_model_revision_weights_and_depth_model_are_in_the_key(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "cfg"))
    repo = tmp_path / "hf" / "models--Lightricks--LTX-Video-0.9.7-distilled"
    for rev in ("a" * 40, "b" * 40):
        _fake_model(repo / "snapshots" / rev, b"w" * 100)
    (repo / "refs").mkdir()
    a, b = _pair()

    def ltx_key():
        spec = fill_spec(FillRequest(a=a, b=b, frames=3, backend="ltx", model_settings={"device": "cpu"}))
        ids = local_identities(spec)
        return spec.key(ids), ids["pipeline"]["revision"]

    (repo / "refs" / "main").write_text("a" * 40)
    k1, rev1 = ltx_key()
    (repo / "refs" / "main").write_text("b" * 40)
    k2, rev2 = ltx_key()
    assert (rev1, rev2) == ("a" * 40, "b" * 40) and k1 != k2  # the hub revision
    (repo / "snapshots" / ("b" * 40) / "diffusion_pytorch_model.safetensors").write_bytes(b"w" * 101)
    assert ltx_key()[0] != k2  # a weight file changed size
    # generative settings are parameters too
    spec = fill_spec(FillRequest(a=a, b=b, frames=3, backend="ltx", model_settings={"device": "cpu", "steps": 4}))
    assert key(spec) != ltx_key()[0]
    # the depth model of a 2.5D move: built-in, one model, another model
    d1, d2 = _fake_model(tmp_path / "depth1", b"d" * 10), _fake_model(tmp_path / "depth2", b"d" * 11)
    move = dict(source=a, moves=["truck-left"], size=(64, 48), duration=1.0)
    keys = {key(move_spec(MoveRequest(**move))), key(move_spec(MoveRequest(**move, depth_model=str(d1)))),
            key(move_spec(MoveRequest(**move, depth_model=str(d2))))}
    assert len(keys) == 3
    assert move_spec(MoveRequest(**move, depth_model=str(d1))).models == {"depth": str(d1)}


def test_the_same_content_under_another_file_name_hits(tmp_path, shared_media):
    still = cv2.cvtColor(cv2.imread(str(shared_media / "photos/skimage_coffee.png")), cv2.COLOR_BGR2RGB)
    clip = tmp_path / "holiday.mp4"
    shutil.copyfile(shared_media / "video/bedroom.mp4", clip)
    req = dict(source=still, moves=["zoom-in"], size=(96, 54), duration=0.5)
    k1 = key(move_spec(MoveRequest(**req, clip=str(clip))))
    renamed = tmp_path / "renamed-copy.mp4"
    shutil.copyfile(clip, renamed)
    assert key(move_spec(MoveRequest(**req, clip=str(renamed)))) == k1
    assert key(move_spec(MoveRequest(**req, clip=str(shared_media / "video/01_dog.mp4")))) != k1
    # through the CLI: the same pictures under other names come from the cache
    env = {**os.environ, "SEAMLINE_CACHE": str(tmp_path / "cache")}
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    shutil.copyfile(shared_media / "davis/dog/00020.jpg", a)
    shutil.copyfile(shared_media / "davis/dog/00023.jpg", b)
    runs = []
    for rename in (False, True):
        if rename:
            a, b = a.rename(tmp_path / "first.jpg"), b.rename(tmp_path / "second.jpg")
        x, y = a, b
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", str(x), str(y), "-o",
                            str(tmp_path / "out"), "--frames", "3", "--size", "96x54"], env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        runs.append(r.stderr)
    assert "(cached)" not in runs[0] and "(cached)" in runs[1]


def test_the_cache_heals_missing_or_corrupt_outputs(tmp_path):
    a, b = _pair()
    req = FillRequest(a=a, b=b, frames=3)
    first = run_fill_job(req, tmp_path)
    first.file("frame_0002.png").unlink()  # a cached frame went missing
    again = run_fill_job(req, tmp_path)
    assert not again.cached and again.file("frame_0002.png").is_file()
    with open(again.file("fill.mp4"), "r+b") as fh:  # corrupt, same size
        fh.seek(100)
        fh.write(b"\x00\x01\x02")
    third = run_fill_job(req, tmp_path)
    assert not third.cached and run_fill_job(req, tmp_path).cached
    (third.folder / "provenance.json").write_text("{not json")
    assert not run_fill_job(req, tmp_path).cached


def test_a_crafted_entry_cannot_make_seamline_read_outside_the_cache(tmp_path):
    from ai.cache import file_sha256

    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    a, b = _pair()
    req = FillRequest(a=a, b=b, frames=2)
    cache = tmp_path / "cache"
    result = run_fill_job(req, cache)
    prov_path = result.folder / "provenance.json"
    good = json.loads(prov_path.read_text())
    rec = {"size": secret.stat().st_size, "sha256": file_sha256(secret)}
    for files in ({"../../secret.txt": rec}, {str(secret): rec}, {".hidden": rec}):
        prov_path.write_text(json.dumps({**good, "files": files}))
        again = run_fill_job(req, cache)
        assert not again.cached and all(p.parent == again.folder for p in again.files)
        prov_path = again.folder / "provenance.json"
    (again.folder / "frame_0001.png").unlink()
    os.symlink(secret, again.folder / "frame_0001.png")  # a link out of the folder with a matching record
    prov = json.loads(prov_path.read_text())
    prov["files"]["frame_0001.png"] = rec
    prov_path.write_text(json.dumps(prov))
    healed = run_fill_job(req, cache)
    assert not healed.cached and not healed.file("frame_0001.png").is_symlink()
    assert secret.read_text() == "private"


def _entry(cache: JobCache, name: str, size: int):
    tmp = cache.partial("sfx", name)
    (tmp / "mixdown.wav").write_bytes(os.urandom(size))
    return cache.commit(tmp, "sfx", name, {"tool": "sfx"})


def test_lru_eviction_keeps_the_size_limit(tmp_path):
    cache = JobCache(tmp_path, limit_bytes=3_500_000)
    a = _entry(cache, "a", 1_000_000)
    time.sleep(0.02)
    b = _entry(cache, "b", 1_000_000)
    time.sleep(0.02)
    _entry(cache, "c", 1_000_000)
    time.sleep(0.02)
    assert cache.lookup("sfx", "a").cached  # a is used again: b is now the least recently used
    time.sleep(0.02)
    _entry(cache, "d", 1_000_000)
    names = sorted(f.name for f, _, _ in cache.entries())
    assert names == ["sfx-a", "sfx-c", "sfx-d"] and cache.size() <= cache.limit
    assert not b.folder.exists() and a.folder.exists()
    big = _entry(cache, "e", 3_000_000)  # the newest result stays; the older ones make room for it
    assert [f.name for f, _, _ in cache.entries()] == ["sfx-e"] and big.folder.exists()
    assert cache.size() <= cache.limit
    freed = cache.clear()
    assert freed > 3_000_000 and cache.size() == 0 and cache.entries() == []


def test_the_cache_limit_comes_from_the_settings(tmp_path, monkeypatch):
    from ai.settings import update_user_settings

    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path))
    assert JobCache(tmp_path / "c").limit == 20_000_000_000  # default 20 GB
    update_user_settings("cache", {"limit_gb": 1.5})
    assert JobCache(tmp_path / "c").limit == 1_500_000_000


def test_failed_jobs_leave_nothing(tmp_path, monkeypatch):
    from ai.transition import fill

    a, b = _pair()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fill, "write_video", broken, raising=False)
    import ai.media_io

    monkeypatch.setattr(ai.media_io, "write_video", broken)
    with pytest.raises(RuntimeError):
        run_job(fill_spec(FillRequest(a=a, b=b, frames=2)), tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_cli_job_leaves_nothing(tmp_path, shared_media, sig):
    import signal

    env = {**os.environ, "SEAMLINE_CACHE": str(tmp_path / "cache")}
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "camera-move",
                          str(shared_media / "photos/sam2_cars.jpg"), "-o", str(tmp_path / "m.mp4"), "--move",
                          "pan-right", "--duration", "30", "--size", "1280x720"], env=env, stderr=subprocess.PIPE,
                         text=True)
    jobs = tmp_path / "cache" / "ai-jobs"
    deadline = time.monotonic() + 120
    while not (jobs.is_dir() and any(jobs.iterdir())) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)
    p.send_signal(getattr(signal, sig))
    _, err = p.communicate(timeout=60)
    # like every headless command (editor/interrupt.py): one line, exit status 128 + the signal's number
    assert p.returncode == 128 + getattr(signal, sig) and f"stopped by {sig}" in err and "Traceback" not in err, \
        err[-3000:]
    assert list(jobs.iterdir()) == [] and sorted(x.name for x in tmp_path.iterdir()) == ["cache"]
