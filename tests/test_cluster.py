"""AI jobs on a real local Ray cluster (CPU, 2 CPUs, one per session): every tool's built-in backend gives the same
files there as here, a tiny generative pipeline runs there, cancel and a killed worker leave nothing behind."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("ray")

from ai.cache import JobCache  # noqa: E402
from ai.camera.move import MoveRequest, run_move_job  # noqa: E402
from ai.errors import ClusterError, JobCancelled, MissingPackage  # noqa: E402
from ai.jobs import CancelToken  # noqa: E402
from ai.transition.fill import FillRequest, run_fill_job  # noqa: E402

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parent.parent


def _same_files(a, b):
    assert [p.name for p in a.files] == [p.name for p in b.files]
    for x, y in zip(a.files, b.files):
        assert x.read_bytes() == y.read_bytes(), x.name


def _ran_on_the_cluster(result):
    import ray

    node = result.provenance["node"]
    assert node["where"] == "ray" and node["node_id"] in {n["NodeID"] for n in ray.nodes()}
    assert node["pid"] != os.getpid()


def test_every_builtin_tool_gives_the_same_files_on_the_cluster(ray_cluster, tmp_path, shared_media):
    from ai.sound.analysis import analyse_file
    from ai.sound.layers import SoundRequest, run_sound_job
    from test_sound import ball_clip

    rng = np.random.default_rng(0)
    a = cv2.GaussianBlur(rng.integers(0, 255, (72, 128, 3), dtype=np.uint8), (0, 0), 2)
    fill = FillRequest(a=a, b=np.roll(a, 5, axis=1), frames=5)
    # a clip moving under the camera: its file travels to the worker as bytes (no shared filesystem assumed)
    move = MoveRequest(source=cv2.cvtColor(cv2.imread(str(shared_media / "photos/skimage_coffee.png")),
                                           cv2.COLOR_BGR2RGB), moves=["push-in"], size=(128, 72), duration=0.5,
                       clip=str(shared_media / "video/bedroom.mp4"))
    sound = SoundRequest(analysis=analyse_file(ball_clip(tmp_path / "ball.mp4")), layers=["foley", "whoosh"])
    for run, req in ((run_fill_job, fill), (run_move_job, move), (run_sound_job, sound)):
        seen = []
        there = run(req, tmp_path / "there", progress=lambda f, s: seen.append(s), cluster=ray_cluster)
        here = run(req, tmp_path / "here")
        _same_files(there, here)
        _ran_on_the_cluster(there)
        assert here.provenance["node"]["where"] == "local" and there.provenance["key"] == here.provenance["key"]
        assert any(s.startswith("running on") for s in seen)  # progress streamed back
    assert run_fill_job(fill, tmp_path / "there", cluster=ray_cluster).cached


@pytest.fixture(scope="module")
def tiny_ltx(tmp_path_factory):
    pytest.importorskip("diffusers")
    from tiny_pipelines import build_ltx

    return build_ltx(tmp_path_factory.mktemp("models") / "ltx-condition")


def test_a_tiny_generative_pipeline_runs_on_the_cluster(ray_cluster, tiny_ltx, tmp_path):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)
    req = FillRequest(a=a, b=255 - a, frames=3, backend="ltx",
                      model_settings={"model": str(tiny_ltx), "device": "cpu", "size": [32, 32], "steps": 2})
    result = run_fill_job(req, tmp_path / "gen", cluster=ray_cluster)
    _ran_on_the_cluster(result)
    prov = result.provenance
    assert prov["backend_used"] == "ltx" and prov["models"]["pipeline"]["revision"] == "local"
    assert len(prov["models"]["pipeline"]["fingerprint"]) == 16
    assert len([p for p in result.files if p.suffix == ".png"]) == 3


def _long_move(shared_media):
    return MoveRequest(source=cv2.cvtColor(cv2.imread(str(shared_media / "photos/sam2_cars.jpg")),
                                           cv2.COLOR_BGR2RGB), moves=["pan-right"], size=(1280, 720), duration=20.0)


def test_cancel_mid_job_stops_the_task_and_leaves_nothing(ray_cluster, tmp_path, shared_media):
    token = CancelToken()
    stages = []

    def progress(f, s):
        stages.append(s)
        if s == "rendering":
            token.cancel()

    t = time.monotonic()
    with pytest.raises(JobCancelled):
        run_move_job(_long_move(shared_media), tmp_path / "gen", progress=progress, cancelled=token,
                     cluster=ray_cluster)
    assert time.monotonic() - t < 60 and "rendering" in stages
    assert list((tmp_path / "gen").iterdir()) == []


def test_a_killed_worker_gives_a_clear_error_and_no_partial_output(ray_cluster, tmp_path, shared_media):
    from ai import cluster

    killed = []

    def progress(f, s):
        if s == "rendering" and not killed:
            pid = cluster.running()[0]["pid"]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with pytest.raises(ClusterError, match="stopped before it finished.*nothing was saved"):
        run_move_job(_long_move(shared_media), tmp_path / "gen", progress=progress, cluster=ray_cluster)
    assert killed and list((tmp_path / "gen").iterdir()) == []
    assert JobCache(tmp_path / "gen").size() == 0


def test_cli_fill_with_cluster_matches_the_local_run(ray_cluster, tmp_path, shared_media):
    a, b = shared_media / "davis/dog/00020.jpg", shared_media / "davis/dog/00023.jpg"
    env = {**os.environ, "SEAMLINE_CACHE": str(tmp_path / "cache")}
    outs, errs = [], []
    for name, extra in (("there.mp4", ["--cluster", ray_cluster]), ("here.mp4", [])):
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", str(a), str(b), "-o",
                            str(tmp_path / name), "--frames", "4", "--size", "160x90", *extra], env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
        outs.append((tmp_path / name).read_bytes())
        errs.append(r.stderr)
        env["SEAMLINE_CACHE"] = str(tmp_path / "cache-local")  # the local run must not reuse the cluster's result
    assert "ran on the cluster node" in errs[0] and "cluster" not in errs[1]
    assert outs[0] == outs[1]


def test_without_ray_the_option_says_how_to_install_it(monkeypatch, tmp_path):
    from ai import cluster

    monkeypatch.setattr(cluster, "ray_installed", lambda: False)
    a = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(MissingPackage, match=r"pip install 'seamline\[cluster\]'"):
        run_fill_job(FillRequest(a=a, b=a, frames=1), tmp_path / "gen", cluster="gpu-box:6379")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert "--cluster" in r.stdout and "seamline[cluster]" in r.stdout


def test_the_editor_runs_its_jobs_on_the_cluster_chosen_in_settings(ray_cluster, qtbot, tmp_path, monkeypatch):
    pytest.importorskip("pytestqt")
    from fractions import Fraction

    from PySide6.QtWidgets import QMessageBox

    from ai.settings import update_user_settings
    from editor.actions.media import project_for_files
    from editor.ui.ai_panel import select_backend
    from editor.ui.document import Document
    from editor.ui.main_window import MainWindow
    from mediagen import indexed_video

    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    update_user_settings("compute", {"mode": "ray", "address": ray_cluster})
    src = indexed_video(tmp_path / "a.mp4", 60, Fraction(30), size=(96, 54))
    w = MainWindow(Document(project_for_files([src, src])))
    w.quiet_errors = True
    w.ask = lambda *a: QMessageBox.Discard  # closing at the end of the test: no question
    qtbot.addWidget(w)
    v = w.doc.project.video_tracks()[0]
    a, b = sorted(v.clips, key=lambda c: c.start)
    w.doc.select_cut(v.id, a.id, b.id)
    select_backend(w.ai.fill.backend, "builtin")
    w.ai.fill.duration.setValue(0.25)
    w.fill_selected_cut()
    qtbot.waitUntil(lambda: len(w.doc.project.video_tracks()[0].clips) == 3, timeout=120000)
    fill = sorted(w.doc.project.video_tracks()[0].clips, key=lambda c: c.start)[1]
    prov = w.doc.project.assets[fill.asset_id].provenance
    assert prov["node"]["where"] == "ray" and prov["tool"] == "fill-transition"
    assert Path(w.doc.project.assets[fill.asset_id].path).is_file()  # placed beside the project, not in the cache


def test_a_render_split_into_segments_on_the_cluster_equals_the_local_render(ray_cluster, tmp_path):
    from fractions import Fraction

    import av

    from editor.actions.media import project_for_files
    from editor.actions.render_cluster import plan, render_on_cluster
    from editor.project.fileio import save
    from editor.render.exporter import export
    from mediagen import indexed_video

    src = indexed_video(tmp_path / "a.mp4", 330, Fraction(30), size=(160, 90), with_audio=True)
    project = project_for_files([src, src])
    assert len(plan(project.duration, 2)) == 2  # two workers: two segments, each starting a GOP

    def decoded(path):
        with av.open(str(path)) as c:
            video = [(f.pts, f.to_ndarray(format="yuv420p")) for f in c.decode(video=0)]
        with av.open(str(path)) as c:
            sound = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1)
        return video, sound

    export(project, tmp_path / "here.mp4", preset=None, crf=0)  # lossless: pixels compare exactly
    seen = []
    render_on_cluster(project, tmp_path / "there.mp4", ray_cluster, preset=None, crf=0, progress=seen.append)
    here, there = decoded(tmp_path / "here.mp4"), decoded(tmp_path / "there.mp4")
    assert len(here[0]) == len(there[0]) == project.duration
    assert all(pa == pb and np.array_equal(x, y) for (pa, x), (pb, y) in zip(here[0], there[0]))
    assert np.array_equal(here[1], there[1])  # the sound, mixed once, is the local render's sound
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "here.mp4", "there.mp4"]  # no segments left
    # the command line, with the default (lossy) quality: same frames at the same times, within the encoder's error
    save(project, tmp_path / "p.seam")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "render", str(tmp_path / "p.seam"), "-o",
                        str(tmp_path / "cli.mp4"), "--cluster", ray_cluster], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    cli = decoded(tmp_path / "cli.mp4")
    export(project, tmp_path / "lossy.mp4", preset=None)
    lossy = decoded(tmp_path / "lossy.mp4")
    assert [p for p, _ in cli[0]] == [p for p, _ in lossy[0]] == [p for p, _ in here[0]]

    def psnr(x, y):
        return 10 * np.log10(255 ** 2 / max(1e-9, np.mean((x.astype(float) - y) ** 2)))

    # each segment is quantised on its own: no frame further from the truth than the local lossy render's worst
    truth = [x for _, x in here[0]]
    assert min(psnr(x, t) for (_, x), t in zip(cli[0], truth)) > min(psnr(x, t) for (_, x), t in
                                                                      zip(lossy[0], truth)) - 1.0
