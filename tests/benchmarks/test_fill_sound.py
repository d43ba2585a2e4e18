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


def test_sound_layers_speed(tmp_path):
    from ai.sound.analysis import analyse_file
    from ai.sound.layers import SoundRequest, make_layers

    clip = MEDIA / "video/02_cups.mp4"
    c = time.process_time()
    t_an, analysis = timed(analyse_file, clip)
    t_lay, _ = timed(make_layers, SoundRequest(analysis=analysis, preset="indoor",
                                               extra_whooshes=[(150, 1.0)]))  # all three layers made
    cpu = time.process_time() - c
    rows = [("step (10 s 720p clip, 300 frames)", "seconds"), ("analysis (decode + motion/cuts)", f"{t_an:.2f}"),
            ("three layers, loudness set", f"{t_lay:.2f}"), ("total", f"{t_an + t_lay:.2f} ({cpu:.2f} CPU s)")]
    import av

    t_dec = time.perf_counter()
    with av.open(str(clip)) as cont:
        s = cont.streams.video[0]
        s.thread_type = "AUTO"
        for _ in cont.decode(s):
            pass
    rows.append(("baseline: PyAV decode of the same clip alone", f"{time.perf_counter() - t_dec:.2f}"))
    if shutil.which("sox"):
        t_sox, _ = timed(subprocess.run, ["sox", "-n", "-r", "48000", "-c", "2", str(tmp_path / "n.wav"), "synth",
                                          "10", "pinknoise", "band", "1000", "800", "fade", "0.1", "10", "0.1"],
                         check=True)
        rows.append(("baseline: sox, one 10 s filtered noise bed", f"{t_sox:.2f}"))
    rows.append(("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}"))
    table("Sound layers speed", rows)
