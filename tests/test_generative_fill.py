"""Generative fill backends end to end on tiny random-weight pipelines, through the project's real loader."""
import json

import numpy as np
import pytest

pytest.importorskip("diffusers")

from ai import generation as G  # noqa: E402
from ai import models  # noqa: E402
from ai.errors import JobCancelled, MissingPackage, ModelNotAvailable, NoGPU, OutOfMemory  # noqa: E402
from ai.jobs import CancelToken  # noqa: E402
from ai.transition.fill import FillRequest, fill_transition, run_fill_job  # noqa: E402


@pytest.fixture(scope="session")
def tiny_wan(tmp_path_factory):
    from tiny_pipelines import build_wan_i2v

    return build_wan_i2v(tmp_path_factory.mktemp("models") / "wan-flf2v")


@pytest.fixture(scope="session")
def tiny_ltx(tmp_path_factory):
    from tiny_pipelines import build_ltx

    return build_ltx(tmp_path_factory.mktemp("models") / "ltx-condition")


@pytest.fixture(autouse=True)
def _fresh_models(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    models.unload_all()


def _pair(w=48, h=40):
    rng = np.random.default_rng(1)
    a = np.zeros((h, w, 3), np.uint8)
    a[..., 0] = 200
    b = np.zeros((h, w, 3), np.uint8)
    b[..., 2] = 200
    return a + rng.integers(0, 20, a.shape, dtype=np.uint8), b


def _req(folder, backend, frames=5, seed=0, **extra):
    a, b = _pair()
    return FillRequest(a=a, b=b, frames=frames, backend=backend, seed=seed,
                       model_settings={"model": str(folder), "device": "cpu", "size": [32, 32], "steps": 2, **extra})


@pytest.mark.parametrize("backend", ["wan", "ltx"])
def test_generative_fill_runs_end_to_end(backend, tiny_wan, tiny_ltx, tmp_path):
    folder = tiny_wan if backend == "wan" else tiny_ltx
    seen = []
    req = _req(folder, backend, frames=6)
    result = run_fill_job(req, tmp_path / "gen", progress=lambda f, s: seen.append((f, s)))
    pngs = [p for p in result.files if p.suffix == ".png"]
    assert len(pngs) == 6
    from ai.media_io import read_pngs

    frames = read_pngs(pngs)
    assert all(f.shape == (40, 48, 3) for f in frames)  # resampled to the output size
    prov = json.loads((result.folder / "provenance.json").read_text())
    assert prov["backend_used"] == backend and prov["model"] == str(folder)
    assert prov["generated_size"] == [32, 32] and (prov["generated_frames"] - 1) % (4 if backend == "wan" else 8) == 0
    fr = [f for f, s in seen]
    assert fr == sorted(fr) and any(s == "generating" for f, s in seen)
    assert run_fill_job(req, tmp_path / "gen").cached
    # same seed: same pictures (a fresh CPU generator per call); another seed: different ones
    again, _ = fill_transition(req)
    assert all(np.array_equal(x, y) for x, y in zip(again, frames))
    other, _ = fill_transition(_req(folder, backend, frames=6, seed=7))
    assert not all(np.array_equal(x, y) for x, y in zip(other, frames))


def test_cancel_interrupts_the_pipeline_and_leaves_nothing(tiny_wan, tmp_path):
    token = CancelToken()

    def progress(f, stage):
        if stage == "generating" and f > 0.2:
            token.cancel()

    with pytest.raises(JobCancelled):
        run_fill_job(_req(tiny_wan, "wan", steps=4), tmp_path / "gen", progress=progress, cancelled=token)
    assert list((tmp_path / "gen").iterdir()) == []


def test_frame_count_and_size_rules():
    assert [G.frame_count("wan", n) for n in (3, 5, 6, 31, 200)] == [5, 5, 9, 33, 81]
    assert [G.frame_count("ltx", n) for n in (3, 9, 10, 31, 500)] == [9, 9, 17, 33, 161]
    w, h = G.gen_size("wan", 1920, 1080)
    assert w % 16 == 0 and h % 16 == 0 and abs(w / h - 16 / 9) < 0.05 and 900_000 < w * h < 1_000_000
    w, h = G.gen_size("ltx", 1080, 1920)
    assert w % 32 == 0 and h % 32 == 0 and h > w


def test_seams_match_a_and_b():
    a = np.full((40, 60, 3), 100, np.uint8)
    b = np.full((40, 60, 3), 160, np.uint8)
    # a model whose clip runs evenly but 20 levels too bright at A's end and 10 at B's
    drifted = [np.full_like(a, v) for v in (120, 132, 145, 157, 170)]
    fixed = G.match_seams(drifted[1:4], [0.25, 0.5, 0.75], a, b, drifted[0], drifted[-1])
    means = [a.mean()] + [f.mean() for f in fixed] + [b.mean()]
    assert np.allclose(np.diff(means), 15, atol=1.0)  # no jump at either seam


def test_clear_errors(tiny_wan, tmp_path, monkeypatch):
    a, b = _pair()
    missing = FillRequest(a=a, b=b, frames=3, backend="wan",
                          model_settings={"model": str(tmp_path / "nowhere"), "device": "cpu"})
    with pytest.raises(ModelNotAvailable, match="GB.*Download.*built-in"):
        fill_transition(missing)
    no_gpu = FillRequest(a=a, b=b, frames=3, backend="wan", model_settings={"model": str(tiny_wan)})
    with pytest.raises(NoGPU, match="minutes.*built-in"):
        fill_transition(no_gpu)
    real_find = models.importlib.util.find_spec
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda n: None if n == "ftfy" else real_find(n))
    with pytest.raises(MissingPackage, match="ftfy"):
        fill_transition(_req(tiny_wan, "wan"))
    monkeypatch.undo()
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    import torch

    pipe = models.load_pipeline("wan", models.settings_for("wan", _req(tiny_wan, "wan").model_settings))
    monkeypatch.setattr(type(pipe), "__call__", lambda *a, **k: (_ for _ in ()).throw(
        torch.OutOfMemoryError("CUDA out of memory")))
    with pytest.raises(OutOfMemory, match="offload"):
        fill_transition(_req(tiny_wan, "wan"))


def test_auto_uses_a_configured_model_for_different_shots(tiny_ltx, monkeypatch, shared_media):
    models.save_user_settings({"ltx": {"model": str(tiny_ltx), "device": "cpu", "size": [32, 32], "steps": 2}})
    monkeypatch.setattr(models, "configured_backends", lambda tool: ["ltx"])
    from ai.media_io import fit
    from quality import read_rgb

    a = fit(read_rgb(shared_media / "davis/dog/00000.jpg"), (96, 54))
    b = fit(read_rgb(shared_media / "davis/soapbox/00000.jpg"), (96, 54))
    _, info = fill_transition(FillRequest(a=a, b=b, frames=3, backend="auto"))
    assert info["backend_used"] == "ltx"
    c = fit(read_rgb(shared_media / "davis/dog/00001.jpg"), (96, 54))
    _, info = fill_transition(FillRequest(a=a, b=c, frames=3, backend="auto"))
    assert info["backend_used"] == "builtin"
