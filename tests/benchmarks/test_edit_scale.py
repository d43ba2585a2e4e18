"""Edit, undo, file and per-frame costs as projects grow, against the previous design measured in the same run.

    .venv/bin/python -m pytest tests/benchmarks/test_edit_scale.py -s

The previous design (snapshot-per-step undo, linear lookups; commit 20cb4d3) is extracted from git into a temporary
folder and runs the same driver (edit_scale_driver.py) in its own process. CPU milliseconds (process time) of one
operation; memory is what the undo history holds (tracemalloc). Prints tables; asserts nothing about time.
"""
import json
import os
import subprocess
import sys
import tarfile
import io
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("edit_scale_driver.py")
PREVIOUS = "20cb4d3"


@pytest.fixture(scope="module")
def previous_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("previous")
    try:
        blob = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS, "editor", "ai"], capture_output=True,
                              check=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("the previous design is not in this checkout's git history")
    tarfile.open(fileobj=io.BytesIO(blob)).extractall(out)
    return out


def run(tree: Path, *args) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, str(DRIVER), *map(str, args)], capture_output=True, text=True, env=env,
                       cwd=str(tree), timeout=3600)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def table(title, rows):
    print(f"\n## {title}")
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(f"{str(x):<{w}}" for x, w in zip(r, widths)))


def test_edit_undo_and_file_cost_by_project_size(previous_tree):
    rows = [("clips (V+A)", "design", "open ms", "save ms", "split ms", "ripple ms", "first ripple ms", "undo ms",
             "100 steps MiB", "1000 steps MiB")]
    for n in (100, 1000, 5000):
        for name, tree in (("previous", previous_tree), ("session", ROOT)):
            r = run(tree, "edits", n)
            rows.append((n, name, f"{r['open_ms']:.1f}", f"{r['save_ms']:.1f}", f"{r['split_ms']:.2f}",
                         f"{r['ripple_ms']:.2f}", f"{r['first_ripple_ms']:.2f}", f"{r['undo_ms']:.2f}",
                         f"{r['history_100_mib']:.2f}", f"{r['history_1000_mib']:.1f}"))
    table("Edits and undo, CPU ms of one operation (median of 9); memory held by the undo history (V1 + linked A1, "
          "a dissolve on every cut)", rows)


def test_per_frame_timeline_overhead(previous_tree):
    rows = [("clips (V+A)", "design", "compositor ms/frame", "mixer ms/frame")]
    for n in (100, 1000, 5000):
        for name, tree in (("previous", previous_tree), ("session", ROOT)):
            r = run(tree, "frame", n)
            rows.append((n, name, f"{r['video_ms']:.3f}", f"{r['audio_ms']:.3f}"))
    table("Per-frame timeline overhead with a dissolve on every cut (decoding replaced by a constant picture)", rows)
