"""Does a timeline cost per frame what it shows, not how many clips it has? A 2,000-clip and a 100-clip timeline of
the same length, a dissolve on every cut, rendered by `main.py render` of an OTIO file at 160x90 (issue 19's held-out
check), against the previous design (git archive of 20cb4d3) in the same run.

    .venv/bin/python -m pytest tests/benchmarks/test_many_clips.py -s
"""
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
PREVIOUS = os.environ.get("SEAMLINE_BASELINE_REF", "20cb4d3")
LENGTH = 6000  # frames of timeline (200 s at 30 fps)


def write_timeline(path: Path, sources: list[Path], clips: int, dissolve: int = 2) -> None:
    """`clips` clips cut one after another from the sources (each file read forward, as a cut-down film), a
    `dissolve`-frame dissolve on every cut."""
    import opentimelineio as otio

    rt = lambda v: otio.opentime.RationalTime(v, 30)  # noqa: E731
    each = LENGTH // clips
    tl = otio.schema.Timeline(name=f"{clips} clips")
    tr = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    pos = {s: 0 for s in sources}
    for k in range(clips):
        src = sources[k % len(sources)]
        ref = otio.schema.ExternalReference(target_url=src.as_uri(),
                                            available_range=otio.opentime.TimeRange(rt(0), rt(LENGTH + 60)))
        if k:
            tr.append(otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                             in_offset=rt(dissolve // 2), out_offset=rt(dissolve - dissolve // 2)))
        tr.append(otio.schema.Clip(name=f"c{k}", media_reference=ref,
                                   source_range=otio.opentime.TimeRange(rt(pos[src] + 1), rt(each))))
        pos[src] += each
    tl.tracks.append(tr)
    otio.adapters.write_to_file(tl, str(path))


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    from mediagen import indexed_video

    d = tmp_path_factory.mktemp("sources")
    return [indexed_video(d / f"s{i}.mp4", LENGTH + 60, Fraction(30), size=(160, 90)) for i in range(2)]


@pytest.fixture(scope="module")
def previous_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("previous")
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS, "editor", "ai", "main.py"],
                          capture_output=True, check=True).stdout
    tarfile.open(fileobj=io.BytesIO(blob)).extractall(out)
    return out


def render(tree: Path, otio_file: Path, out: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}
    t0, c0 = time.perf_counter(), os.times()
    r = subprocess.run([sys.executable, str(tree / "main.py"), "render", str(otio_file), "-o", str(out)],
                       capture_output=True, text=True, env=env, cwd=str(tree), timeout=7200)
    wall, c1 = time.perf_counter() - t0, os.times()
    assert r.returncode == 0, r.stderr[-2000:]
    return wall, (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)


def test_many_clips_cost_per_frame(sources, previous_tree, tmp_path):
    rows = [("design", "clips", "ms/frame wall", "ms/frame CPU", "vs 100 clips (CPU)")]
    for name, tree in (("previous", previous_tree), ("current", ROOT)):
        base = None
        for clips in (100, 2000):
            f = tmp_path / f"{name}-{clips}.otio"
            write_timeline(f, sources, clips)
            wall, cpu = render(tree, f, tmp_path / f"{name}-{clips}.mp4")
            per = 1000 * cpu / LENGTH
            base = base or per
            rows.append((name, clips, f"{1000 * wall / LENGTH:.2f}", f"{per:.2f}", f"{per / base:.2f}x"))
    print("\n## Many clips: render of a 6,000-frame 160x90 timeline, a dissolve on every cut")
    for r in rows:
        print("  ".join(f"{str(x):<18}" for x in r))
    print(json.dumps(rows))
