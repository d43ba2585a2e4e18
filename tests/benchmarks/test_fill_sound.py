"""Fill transition and sound layers: quality per set and speed, each beside baselines measured in the same run.

    .venv/bin/python -m pytest tests/benchmarks/test_fill_sound.py -s

Development sets are the ones the built-in fill was tuned on; held-out sets were looked at only to report them
(tests/quality.py lists both). RIFE rows appear when its weights are on this computer (SEAMLINE_MODEL_RIFE, see
ai/transition/rife.py). Prints tables; asserts nothing about time.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
MEDIA = ROOT.parent / "shared" / "media"
FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(not MEDIA.is_dir(), reason="needs ../shared/media")


def table(title, rows):
    print(f"\n## {title}")
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(f"{x!s:<{w}}" for x, w in zip(r, widths)))


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return time.perf_counter() - t, out


def _rife():
    from ai.errors import ModelNotAvailable

    try:
        from ai.transition.rife import RifeInterpolator

        return RifeInterpolator()
    except (ImportError, ModelNotAvailable) as exc:  # no torch or no weights: the table says so
        print(f"(RIFE not measured: {exc})")
        return None


@pytest.mark.timeout(3600)
def test_fill_quality_per_set():
    from quality import (crossfade, development_sets, dis_baseline, held_out_sets, psnr, real_video_dev_sets,
                         real_video_held_sets)

    from ai.transition.flow import FlowInterpolator

    rife = _rife()
    rows = [("set", "kind", "n", "crossfade", "simple DIS", "Seamline", "gain", "worst")
            + (("RIFE", "RIFE vs built-in") if rife else ())]
    for kind, sets in (("development", {**development_sets(MEDIA), **real_video_dev_sets(MEDIA)}),
                       ("held out", {**held_out_sets(MEDIA), **real_video_held_sets(MEDIA)})):
        for name, triplets in sets.items():
            f = np.mean([psnr(crossfade(a, b), g) for a, g, b in triplets])
            d = [psnr(dis_baseline(a, b), g) for a, g, b in triplets]
            o = [psnr(FlowInterpolator(a, b).frame(0.5), g) for a, g, b in triplets]
            row = (name, kind, len(triplets), f"{f:.2f}", f"{np.mean(d):.2f}", f"{np.mean(o):.2f}",
                   f"{np.mean(o) - np.mean(d):+.2f}", f"{min(np.subtract(o, d)):+.2f}")
            if rife:
                r = np.mean([psnr(rife.middle(a, b), g) for a, g, b in triplets])
                row += (f"{r:.2f}", f"{r - np.mean(o):+.2f}")
            rows.append(row)
            print(" | ".join(map(str, row)), flush=True)  # as it goes: the whole table takes minutes
    table("Fill: middle-frame PSNR (dB); gain = Seamline - simple DIS (mean), worst = lowest per triplet", rows)


@pytest.fixture(scope="module")
def hd_pair():
    from quality import read_rgb

    a = cv2.resize(read_rgb(MEDIA / "davis/dog/00020.jpg"), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    b = cv2.resize(read_rgb(MEDIA / "davis/dog/00023.jpg"), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    return a, b


def test_fill_speed_1080p(hd_pair, tmp_path):
    from quality import dis_baseline_frames

    from ai.transition.fill import times
    from ai.transition.flow import FlowInterpolator

    a, b = hd_pair
    ts = times(29)
    rows = [("method (29 in-between frames, 1920x1080, 2 cores)", "seconds", "CPU seconds")]
    for name, fn in (("Seamline built-in (flows once + 29 frames)", lambda: FlowInterpolator(a, b).frames(ts)),
                     ("simple DIS baseline (flows once + 29 warps)", lambda: dis_baseline_frames(a, b, ts))):
        c = time.process_time()
        t, _ = timed(fn)
        rows.append((name, f"{t:.2f}", f"{time.process_time() - c:.2f}"))
    if FFMPEG:
        # A, B at 1 fps, upsampled to 30 fps: output frames 1..29 are the in-betweens. B is given twice, or
        # minterpolate has no frame after B and writes nothing at all; -frames:v 30 stops after A + 29 in-betweens.
        for i, img in enumerate((a, b, b)):
            cv2.imwrite(str(tmp_path / f"f{i}.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        cmd = [FFMPEG, "-v", "error", "-y", "-framerate", "1", "-i", str(tmp_path / "f%d.png"), "-vf",
               "minterpolate=fps=30:mi_mode=mci:scd=none", "-frames:v", "30", str(tmp_path / "mi_%03d.png")]
        t_ff, _ = timed(subprocess.run, cmd, check=True)
        assert len(list(tmp_path.glob("mi_*.png"))) == 30, "ffmpeg did not interpolate: the baseline is void"
        rows.append(("ffmpeg minterpolate mci (same pair, writes PNGs)", f"{t_ff:.2f}", ""))
    if os.environ.get("SEAMLINE_BENCH_RIFE"):  # minutes on a CPU: only when asked
        rife = _rife()
        if rife:
            t, _ = timed(rife.frames, a, b, ts)
            rows.append((f"RIFE HDv3 on {rife.device} (31 halvings)", f"{t:.2f}", ""))
    rows.append(("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}", ""))
    table("Fill transition speed", rows)


SOUND_PREVIOUS = "220c36d"  # main before the sound-speed work (issue 20): measured beside the current code
SOUND_RUNS = 5  # fresh processes per tree, alternating, so both see the same load
SOUND_MEASURE = """
import json, sys, time
from ai.sound.analysis import analyse_file
from ai.sound.layers import SoundRequest, make_layers
c0, t0 = time.process_time(), time.perf_counter()
a = analyse_file(sys.argv[1])
c1, t1 = time.process_time(), time.perf_counter()
layers, _ = make_layers(SoundRequest(analysis=a, preset="indoor", extra_whooshes=[(150, 1.0)]))
c2, t2 = time.process_time(), time.perf_counter()
print(json.dumps({"analysis": [t1 - t0, c1 - c0], "layers": [t2 - t1, c2 - c1], "total": [t2 - t0, c2 - c0],
                  "events": [a.cuts, a.peaks, [f for f, _ in a.fast_moves]], "made": sorted(layers)}))
"""


def _sound_tree(tmp_path):
    """The previous design's ai/ and editor/ (git archive), or None when this checkout does not have the commit."""
    import io
    import tarfile

    r = subprocess.run(["git", "-C", str(ROOT), "archive", SOUND_PREVIOUS, "editor", "ai"], capture_output=True,
                       check=False)
    if r.returncode:
        print(f"(previous design {SOUND_PREVIOUS} not in this checkout: current code only)")
        return None
    out = tmp_path / "previous"
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tar:
        tar.extractall(out)
    return out


def test_sound_layers_speed(tmp_path):
    """A fresh process per run (imports and first calls count, as in `main.py sfx`): analysis (decode + motion +
    cuts) then the three layers with loudness set, the current code beside the previous design, alternating."""
    import json

    clip = MEDIA / "video/02_cups.mp4"
    trees = {"previous": _sound_tree(tmp_path), "current": ROOT}
    runs = {name: [] for name, tree in trees.items() if tree}
    for _ in range(SOUND_RUNS):
        for name, results in runs.items():
            env = {**os.environ, "PYTHONPATH": str(trees[name]), "QT_QPA_PLATFORM": "offscreen"}
            r = subprocess.run([sys.executable, "-c", SOUND_MEASURE, str(clip)], capture_output=True, text=True,
                               env=env, cwd=str(trees[name]), timeout=600, check=False)
            assert r.returncode == 0, r.stderr[-2000:]
            results.append(json.loads(r.stdout.strip().splitlines()[-1]))
    if "previous" in runs:  # same events and layers, or the comparison says nothing
        assert runs["previous"][0]["events"] == runs["current"][0]["events"]
        assert runs["previous"][0]["made"] == runs["current"][0]["made"]

    def stat(name, step):
        wall = sorted(x[step][0] for x in runs[name])
        cpu = sorted(x[step][1] for x in runs[name])
        return f"{wall[0]:.2f} / {wall[len(wall) // 2]:.2f}", f"{cpu[0]:.2f}"

    head = ["step (10 s 720p clip, 300 frames)"]
    for name in runs:
        head += [f"{name}: s min / median", f"{name}: CPU s min"]
    rows = [tuple(head)]
    for step, label in (("analysis", "analysis (decode + motion/cuts)"), ("layers", "three layers, loudness set"),
                        ("total", "total")):
        rows.append((label,) + sum((stat(name, step) for name in runs), ()))
    import av

    dec = []
    for _ in range(3):
        t_dec, c_dec = time.perf_counter(), time.process_time()
        with av.open(str(clip)) as cont:
            s = cont.streams.video[0]
            s.thread_type = "AUTO"
            for _ in cont.decode(s):
                pass
        dec.append((time.perf_counter() - t_dec, time.process_time() - c_dec))
    dec.sort()
    pad = ("",) * (len(head) - 3)
    rows.append(("baseline: PyAV decode of the same clip alone", f"{dec[0][0]:.2f} / {dec[1][0]:.2f}",
                 f"{min(c for _, c in dec):.2f}") + pad)
    if shutil.which("sox"):
        t_sox, _ = timed(subprocess.run, ["sox", "-n", "-r", "48000", "-c", "2", str(tmp_path / "n.wav"), "synth",
                                          "10", "pinknoise", "band", "1000", "800", "fade", "0.1", "10", "0.1"],
                         check=True)
        rows.append(("baseline: sox, one 10 s filtered noise bed", f"{t_sox:.2f}", "") + pad)
    rows.append(("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}", "") + pad)
    rows.append(("events (cuts, peaks, pans), layers made", str(runs["current"][0]["events"]),
                 ",".join(runs["current"][0]["made"])) + pad)
    table(f"Sound layers speed ({SOUND_RUNS} fresh processes per design, alternating; previous = {SOUND_PREVIOUS})",
          rows)
