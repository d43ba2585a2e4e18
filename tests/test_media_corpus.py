"""Odd and broken media through the command line, as a user (or a script) runs it: `main.py probe FILE`,
`main.py render` of a small project using the file, and the editor started with all of them.

Each run is a subprocess with a timeout: 0 tracebacks, 0 signals, 0 hangs, the displayed size in probe's JSON,
and a one-line `seamline: error: ...` for what cannot be used. The corpus is tests/media_corpus.py.
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.project.fileio import save
from editor.timeline import edits
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings
from media_corpus import make_corpus
from mediagen import decode_all

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
RATE = Fraction(30)
PER_FILE = 2  # frames of each usable file in the combined render


@dataclass
class Run:
    returncode: int | None  # None: killed after TIMEOUT (a hang)
    stdout: str
    stderr: str


def cli(*args, env=None, timeout=TIMEOUT) -> Run:
    try:
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        return Run(None, exc.stdout or "", exc.stderr or "")
    return Run(r.returncode, r.stdout, r.stderr)


def misbehaviour(run: Run) -> str:
    """What no input may ever cause; "" when the run ended cleanly (success or a handled error)."""
    if run.returncode is None:
        return "hang"
    if run.returncode < 0:
        return f"killed by signal {-run.returncode}"
    if "Traceback" in run.stderr:
        return "traceback: " + run.stderr.strip().splitlines()[-1]
    if run.returncode != 0:
        lines = [ln for ln in run.stderr.strip().splitlines() if not ln.startswith("seamline: warning:")]
        if len(lines) != 1 or not lines[0].startswith("seamline: error: "):
            return f"not a one-line error: {run.stderr.strip()[-300:]!r}"
    return ""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def probed(corpus):
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda s: cli("probe", s.path), corpus))
    return list(zip(corpus, runs))


def test_corpus_covers_what_users_feed_it(corpus):
    names = {s.name for s in corpus}
    for must in ["camcorder.ts", "avchd.m2ts", "vfr.mp4", "phone_portrait.mp4", "prores.mov", "vp9.webm",
                 "alpha.png", "alpha.webp", "animated.gif", "portrait_exif6.jpg", "cmyk.jpg", "rgb16.png",
                 "huge.png", "huge.y4m", "garbage.mov", "empty.mp4", "truncated.mp4", "video_named.jpg",
                 "photo_named.mp4", "voice.m4a"]:
        assert must in names, f"{must} could not be made here"
    if "hevc10.mp4" not in names:
        pytest.skip("libx265 is not in this PyAV build: 10-bit HEVC left out of the corpus")


def test_probe_every_file(probed):
    problems = []
    for s, run in probed:
        bad = misbehaviour(run)
        if bad:
            problems.append(f"{s.name}: {bad}")
            continue
        if s.kind is None:
            if run.returncode == 0:
                problems.append(f"{s.name}: accepted, should be refused ({s.why})")
            elif s.error and not __import__("re").search(s.error, run.stderr):
                problems.append(f"{s.name}: refused for another reason: {run.stderr.strip()}")
            continue
        if run.returncode != 0:
            problems.append(f"{s.name}: refused ({s.why}): {run.stderr.strip()}")
            continue
        info = json.loads(run.stdout)
        got = (info["kind"], (info["width"], info["height"]) if s.size else None)
        if got != (s.kind, s.size):
            problems.append(f"{s.name}: probed as {got}, should be {(s.kind, s.size)}")
        if s.frames is not None and info["frames"] != s.frames:
            problems.append(f"{s.name}: {info['frames']} frames, should be {s.frames}")
        if s.alpha and not info["alpha"]:
            problems.append(f"{s.name}: its transparency was not seen")
    assert not problems, "\n".join(problems)


def _project(size=(96, 64)) -> Project:
    p = Project(settings=ProjectSettings(size[0], size[1], RATE))
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.add_track(p, "video", track_id="v2")
    return edits.add_track(p, "audio", track_id="a1")


def test_render_a_project_using_every_usable_file(corpus, tmp_path):
    """One project lays every file that probes fine on V2 (audio on A1) over a video on V1; one render."""
    usable = [s for s in corpus if s.kind is not None]
    background = next(s for s in corpus if s.name == "plain.mp4")
    p = _project()
    bg = asset_from_info(probe(background.path), RATE)
    p = edits.add_asset(p, bg)
    p = edits.overwrite(p, "v1", Clip(id="bg", asset_id=bg.id, start=0, duration=8))
    at = 0
    for i, s in enumerate(usable):
        a = asset_from_info(probe(s.path), RATE)
        p = edits.add_asset(p, a)
        track = "a1" if s.kind == "audio" else "v2"
        p = edits.overwrite(p, track, Clip(id=f"c{i}", asset_id=a.id, start=at, duration=PER_FILE))
        if track == "v2":
            p = edits.overwrite(p, "v1", Clip(id=f"b{i}", asset_id=bg.id, start=at, duration=PER_FILE,
                                               source_in=i % 8))
        at += PER_FILE
    project_file = save(p, tmp_path / "all.seam")
    run = cli("render", project_file, "-o", tmp_path / "all.mp4", timeout=240)
    assert not misbehaviour(run) and run.returncode == 0, run.stderr[-2000:]
    assert len(decode_all(tmp_path / "all.mp4")) == at


def test_render_a_project_whose_file_turned_bad(corpus, tmp_path):
    """The same small project, its clip's file swapped for each refused one (a file damaged or replaced after
    import): a one-line error naming the file, never a traceback."""
    template = next(s for s in corpus if s.name == "plain.mp4")
    base = asset_from_info(probe(template.path), RATE)
    jobs = []
    for s in (s for s in corpus if s.kind is None):
        p = _project()
        asset = MediaAsset(id=base.id, path=str(s.path), name=s.name, kind=base.kind, rate=base.rate,
                           frames=base.frames, width=base.width, height=base.height, has_audio=base.has_audio,
                           audio_rate=base.audio_rate, audio_channels=base.audio_channels)
        p = edits.add_asset(p, asset)
        p = edits.overwrite(p, "v2", Clip(id="c", asset_id=asset.id, start=0, duration=4))
        p = edits.overwrite(p, "a1", Clip(id="a", asset_id=asset.id, start=0, duration=4))
        jobs.append((s, save(p, tmp_path / f"{s.name}.seam")))
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda job: cli("render", job[1], "-o", tmp_path / f"{job[0].name}.mp4"), jobs))
    problems = []
    for (s, _), run in zip(jobs, runs):
        bad = misbehaviour(run)
        if bad:
            problems.append(f"{s.name}: {bad}")
        elif run.returncode == 0:
            problems.append(f"{s.name}: rendered as if it were fine")
        elif s.name not in run.stderr:
            problems.append(f"{s.name}: the error does not name the file: {run.stderr.strip()}")
    assert not problems, "\n".join(problems)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*partial*"))


@pytest.mark.gui
def test_editor_starts_with_the_whole_corpus(corpus, tmp_path):
    """`seamline FILE...` with every file: the usable ones are imported, the rest listed as errors, no crash."""
    run = cli(*[s.path for s in corpus], timeout=120,
              env={"QT_QPA_PLATFORM": "offscreen", "SEAMLINE_QUIT_AFTER": "8", "SEAMLINE_AUDIO": "off",
                   "SEAMLINE_DATA": str(tmp_path / "data"), "SEAMLINE_RESTORE": "no"})
    assert not misbehaviour(run) and run.returncode == 0, run.stderr[-2000:]
