"""Fuzzing: a few hundred seeded mutations of .seam and .otio files through `main.py render` and `main.py convert`
(tests/fuzzing.py). Nothing may crash, hang or print a traceback; a refused file gets one clear error line."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from fuzzing import FAILURES, make_jobs, run_jobs, summary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def fuzz_seeds(folder: Path) -> dict[str, list[bytes]]:
    """Seed documents: the v1 fixtures, the same saved as v2, and a v2 project (and its .otio) with real media."""
    import cv2
    from mediagen import index_frame, indexed_video

    from editor.project import fileio
    from editor.project.interchange import write_timeline
    from editor.timeline.model import (
        Clip,
        Effect,
        Keyframe,
        Marker,
        MediaAsset,
        Project,
        ProjectSettings,
        Track,
        Transition,
    )

    media = folder / "media"
    media.mkdir()
    indexed_video(media / "a.mp4", 40, rate=Fraction(30000, 1001), with_audio=True)
    indexed_video(media / "b.mp4", 30, rate=Fraction(25))
    cv2.imwrite(str(media / "p.png"), index_frame(3, 64, 48))
    r = Fraction(30000, 1001)
    assets = {"m-a": MediaAsset(id="m-a", path=str(media / "a.mp4"), kind="video", rate=r, frames=40, width=160,
                                height=96, has_audio=True, audio_rate=48000, audio_channels=2),
              "m-b": MediaAsset(id="m-b", path=str(media / "b.mp4"), kind="video", rate=Fraction(25), frames=30,
                                width=160, height=96),
              "m-p": MediaAsset(id="m-p", path=str(media / "p.png"), kind="image", rate=r, width=64, height=48)}
    v = Track(id="t-v", kind="video", clips=(
        Clip(id="c-1", asset_id="m-a", start=0, duration=30, source_in=2, link="L-1", fade_in=3, opacity=0.8,
             keyframes={"opacity": (Keyframe(frame=0, value=0.5), Keyframe(frame=20, value=1.0))},
             markers=(Marker(frame=2, name="m"),)),
        Clip(id="c-2", asset_id="m-b", start=30, duration=20, effects=(Effect(kind="LinearTimeWarp",
                                                                              time_scalar=0.5),)),
        Clip(id="c-3", asset_id="m-p", start=55, duration=15)),
        transitions=(Transition(id="x-1", a="c-1", b="c-2", duration=6, before=2),))
    a = Track(id="t-a", kind="audio", volume=1.2, clips=(
        Clip(id="c-4", asset_id="m-a", start=0, duration=30, source_in=2, link="L-1", fade_out=4),))
    rich = Project(settings=ProjectSettings(width=160, height=96, rate=r), assets=assets, tracks=(v, a),
                   markers=(Marker(frame=10, duration=2, name="chapter"),))
    seam = []
    for f in sorted((FIXTURES / "v1").glob("*.seam")):
        seam.append(f.read_bytes())
        fileio.save(fileio.load(f), folder / ("v2-" + f.name))
        seam.append((folder / ("v2-" + f.name)).read_bytes())
    fileio.save(rich, folder / "rich.seam")
    seam += [(folder / "rich.seam").read_bytes()] * 3  # weighted: the one whose media exist
    write_timeline(rich, folder / "rich.otio")
    otio = [(folder / "rich.otio").read_bytes()] * 2 + [
        (FIXTURES / "otio" / n).read_bytes() for n in ("simple_cut.otio", "transition.otio", "nested_example.otio",
                                                       "multiple_track.otio")]
    return {".seam": seam, ".otio": otio}


def test_fuzzed_project_and_timeline_files_never_crash_hang_or_trace(tmp_path):
    seeds = fuzz_seeds(tmp_path)
    work = tmp_path / "fuzz"
    work.mkdir()
    jobs = make_jobs(seeds, {".seam": 200, ".otio": 100}, work, seed=20261203)
    results = run_jobs(jobs, work, per_file_timeout=60)
    s = summary(results)
    print(s)
    bad = [r for r in results if r["outcome"] in FAILURES]
    assert not bad, [(r["id"], r.get("kind"), r["outcome"], (r.get("traceback") or r.get("stderr") or "")[-600:])
                     for r in bad[:5]]
    assert s["by_outcome"].get("refused", 0) > 50 and s["by_outcome"].get("ok", 0) > 10


def test_the_harness_pins_a_crash_a_hang_and_a_traceback_on_their_file(tmp_path):
    bad = tmp_path / "bad.seam"
    bad.write_text("{")
    jobs = [{"id": "a", "cmd": "render", "path": str(bad)}, {"id": "crash", "cmd": "selftest-crash", "path": ""},
            {"id": "b", "cmd": "render", "path": str(bad)}, {"id": "hang", "cmd": "selftest-hang", "path": ""},
            {"id": "raise", "cmd": "selftest-raise", "path": ""}, {"id": "c", "cmd": "convert", "path": str(bad)}]
    out = {r["id"]: r["outcome"] for r in run_jobs(jobs, tmp_path, per_file_timeout=5)}
    assert out == {"a": "refused", "crash": "signal", "b": "refused", "hang": "hang", "raise": "traceback",
                   "c": "refused"}


@pytest.mark.parametrize("where,value,message", [
    (("tracks", 0, "clips", 0, "volume"), 5.0, r"tracks\[0\].clips\[0\].volume: must be <= 4"),
    (("tracks", 0, "clips", 0, "opacity"), 1.5, r"tracks\[0\].clips\[0\].opacity: must be <= 1"),
    (("tracks", 0, "pan"), -3, r"tracks\[0\].pan: must be >= -1"),
    (("settings", "width"), 100_000, r"settings.width: must be <= 16384"),
    (("tracks", 0, "clips", 2, "duration"), 10 ** 12, r"tracks\[0\].clips\[2\].duration: must be <="),
])
def test_values_the_ui_limits_are_checked_on_load(tmp_path, where, value, message):
    """A still 1e12 frames long, a gain of 5, an opacity above 1: refused when the file is read, not rendered."""
    import json

    from editor.errors import ProjectError
    from editor.project import fileio

    seeds = fuzz_seeds(tmp_path)
    doc = json.loads(seeds[".seam"][-1])  # the project whose media exist; clip 2 is a still
    node = doc
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = value
    path = tmp_path / "limits.seam"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProjectError, match=message):
        fileio.load(path)
