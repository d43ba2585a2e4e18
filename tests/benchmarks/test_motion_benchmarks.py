"""Clip motion benchmarks (not in the default run):

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python -m pytest -q -s tests/benchmarks/test_motion_benchmarks.py

- export of a 1080p30 timeline with a keyframed transform on every clip, against the same timeline without;
- the compositor alone on an opaque untransformed clip: this branch against main's compositor (git show main:...)
  on the same readers, in the same run (the plain path must not get slower);
- smart reframe analysis speed (frames per second) on 1080p video, with and without the face cue.
Prints tables; asserts nothing about time.
"""
import importlib.util
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
MEDIA = ROOT.parent / "shared" / "media"


def table(title, rows):
    print(f"\n## {title}")
    w = max(len(str(r[0])) for r in rows)
    for r in rows:
        print(f"{str(r[0]):<{w}}  " + "  ".join(str(x) for x in r[1:]))


@pytest.fixture(scope="module")
def hd_clips(tmp_path_factory):
    """Four 2 s 1080p30 clips from real DAVIS footage (upscaled), each with its own look."""
    from mediagen import write_video

    folder = tmp_path_factory.mktemp("hd")
    paths = []
    for seq in ("dog", "libby", "soapbox", "kite-surf"):
        frames = [cv2.resize(cv2.cvtColor(cv2.imread(str(MEDIA / "davis" / seq / f"{i % 40:05d}.jpg")),
                                          cv2.COLOR_BGR2RGB), (1920, 1080), interpolation=cv2.INTER_CUBIC)
                  for i in range(60)]
        write_video(folder / f"{seq}.mp4", frames, gop=30)
        paths.append(folder / f"{seq}.mp4")
    return paths


def _timeline(paths, moving: bool):
    from editor.actions.media import asset_from_info
    from editor.media.probe import probe
    from editor.timeline import edits, motion_edits as me
    from editor.timeline.model import Clip, Project, ProjectSettings

    p = Project(settings=ProjectSettings(1920, 1080, Fraction(30)))
    p = edits.add_track(p, "video", track_id="v")
    for i, path in enumerate(paths):
        a = asset_from_info(probe(path), Fraction(30))
        p = edits.add_asset(p, a)
        p = edits.overwrite(p, "v", Clip(id=f"c{i}", asset_id=a.id, start=60 * i, duration=60))
        if moving:  # a slow push-in with a drift and a small turn: the usual "make it move" on every clip
            p = me.set_keys(p, f"c{i}", "scale", [(0, 1.0, "ease-in-out"), (59, 1.25)])
            p = me.set_keys(p, f"c{i}", "x", [(0, 0.0), (59, 0.04)])
            p = me.set_keys(p, f"c{i}", "rotation", [(0, 0.0), (59, 2.0)])
    return p


def test_export_cost_of_keyframed_transforms(hd_clips, tmp_path):
    from editor.render.exporter import export

    rows = [("timeline (4 clips, 240 frames 1080p30)", "export s", "fps", "x plain")]
    base = None
    for name, moving in (("plain", False), ("keyframed transform on every clip", True), ("plain (again)", False)):
        p = _timeline(hd_clips, moving)
        t = time.perf_counter()
        export(p, tmp_path / f"{moving}.mp4", preset=None)
        dt = time.perf_counter() - t
        base = base or dt
        rows.append((name, f"{dt:.2f}", f"{240 / dt:.1f}", f"{dt / base:.2f}"))
    from editor.render.compositor import Compositor

    for name, moving in (("compositor only, plain", False), ("compositor only, transformed", True)):
        comp = Compositor(_timeline(hd_clips, moving))
        t = time.perf_counter()
        for n in range(240):
            comp.frame(n)
        dt = time.perf_counter() - t
        rows.append((name, f"{dt:.2f}", f"{240 / dt:.1f}", ""))
    table("Export: keyframed transforms vs none", rows)


def _main_compositor():
    src = subprocess.run(["git", "-C", str(ROOT), "show", "main:editor/render/compositor.py"], capture_output=True,
                         text=True, check=True).stdout
    path = Path("/tmp") / "seamline_main_compositor.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("seamline_main_compositor", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.Compositor


def test_plain_path_is_not_slower_than_main(hd_clips):
    from editor.render.compositor import Compositor
    from editor.render.sources import MediaPool

    p = _timeline(hd_clips[:1], False)
    pool = MediaPool()
    ours, theirs = Compositor(p, pool=pool), _main_compositor()(p, pool=pool)
    rows = [("compositor, opaque untransformed 1080p clip (decode + composite)", "median us/frame")]
    res = {"main": [], "this branch": []}
    for _ in range(5):
        for name, comp in (("main", theirs), ("this branch", ours)):
            t = time.perf_counter()
            for n in range(60):
                comp.frame(n)
            res[name].append((time.perf_counter() - t) / 60 * 1e6)
    for name, v in res.items():
        rows.append((name, f"{np.median(v):.1f}"))
    table("Plain path: this branch vs main", rows)


def test_smart_reframe_speed_on_1080p(hd_clips):
    from ai.reframe import _cache_file, analyse
    from editor.media.faces import face_detector

    t = time.perf_counter()
    import scipy.optimize  # noqa: F401 - the path solver's import, paid once per process (not per clip)

    det = face_detector()  # so is loading the face cascade
    rows = [("1080p clip, 60 frames", "mode", "s", "fps"),
            ("(imports, face cascade: once)", det.name if det else "no faces", f"{time.perf_counter() - t:.2f}", "")]
    runs = (("center", True), ("smart", False), ("smart", True))
    for path in hd_clips[:2]:
        times = {run: [] for run in runs}
        for _ in range(3):  # interleaved rounds, median: the machine is shared
            for mode, faces in runs:
                _cache_file(path, Fraction(9, 16), mode if faces else mode + "-nofaces").unlink(missing_ok=True)
                t = time.perf_counter()
                analyse(path, "9:16", mode=mode, faces=faces)
                times[(mode, faces)].append(time.perf_counter() - t)
        for (mode, faces), ts in times.items():
            dt = float(np.median(ts))
            rows.append((path.stem, mode + ("" if faces or mode == "center" else ", no faces"), f"{dt:.2f}",
                         f"{60 / dt:.1f}"))
    from editor.media.reader import open_visual

    r = open_visual(hd_clips[0])
    t = time.perf_counter()
    for i in range(60):
        r.frame(i)
    dt = time.perf_counter() - t
    r.close()
    rows.append(("decode alone (baseline)", "", f"{dt:.2f}", f"{60 / dt:.1f}"))
    table("Smart reframe analysis speed", rows)
