"""Generative camera backends (Wan I2V, LTX I2V, AnimateDiff + motion LoRA) and the depth model, on tiny
random-weight pipelines built offline, through the real loader and the job runtime."""
import json

import numpy as np
import pytest

pytest.importorskip("diffusers")

from ai import models  # noqa: E402
from ai.camera.generative import prompt_for  # noqa: E402
from ai.camera.move import MoveRequest, run_move_job  # noqa: E402
from ai.errors import AIError, JobCancelled  # noqa: E402
from ai.jobs import CancelToken  # noqa: E402


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    from tiny_pipelines import build_animatediff, build_depth, build_ltx, build_wan_i2v

    root = tmp_path_factory.mktemp("cam-models")
    return {"wan": build_wan_i2v(root / "wan-i2v", first_last=False),
            "ltx": build_ltx(root / "ltx-i2v", condition=False),
            "animatediff": build_animatediff(root / "animatediff", lora_names=("zoom-in", "pan-left")),
            "depth": build_depth(root / "depth")}


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    models.unload_all()


def _still():
    rng = np.random.default_rng(3)
    img = np.zeros((60, 90, 3), np.uint8)
    img[:, :, 1] = np.linspace(0, 255, 90, dtype=np.uint8)[None, :]
    return img + rng.integers(0, 10, img.shape, dtype=np.uint8)


def _req(backend, folder, moves=("zoom-in",), seed=0, **kw):
    return MoveRequest(source=_still(), moves=list(moves), size=(48, 32), duration=0.5, fps=12, backend=backend,
                       seed=seed, model_settings={"model": str(folder), "device": "cpu", "size": [32, 32],
                                                  "steps": 2}, **kw)


@pytest.mark.parametrize("backend", ["wan", "ltx", "animatediff"])
def test_generative_move_end_to_end(backend, tiny_models, tmp_path):
    seen = []
    req = _req(backend, tiny_models[backend], moves=("pan-left",) if backend == "animatediff" else ("push-in",))
    result = run_move_job(req, tmp_path / "gen", progress=lambda f, s: seen.append((f, s)))
    from editor.media.probe import probe

    info = probe(result.folder / "move.mp4")
    assert (info.frames, info.width, info.height) == (6, 48, 32)  # project rate and size
    prov = json.loads((result.folder / "provenance.json").read_text())
    assert prov["model"] == str(tiny_models[backend]) and prov["seed"] == 0
    if backend == "animatediff":
        assert prov["lora"] == "pan-left"
    else:
        assert "dollies in" in prov["prompt"]
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert run_move_job(req, tmp_path / "gen").cached
    other = run_move_job(_req(backend, tiny_models[backend], seed=5,
                              moves=("pan-left",) if backend == "animatediff" else ("push-in",)), tmp_path / "gen")
    assert other.folder != result.folder


def test_animatediff_refuses_moves_without_a_lora(tiny_models, tmp_path):
    with pytest.raises(AIError, match="LoRAs cover"):
        run_move_job(_req("animatediff", tiny_models["animatediff"], moves=("truck-left",)), tmp_path / "gen")
    assert not (tmp_path / "gen").exists() or not any((tmp_path / "gen").iterdir())


def test_cancel_stops_generation(tiny_models, tmp_path):
    token = CancelToken()

    def progress(f, s):
        if s == "generating" and f > 0.2:
            token.cancel()

    with pytest.raises(JobCancelled):
        run_move_job(_req("ltx", tiny_models["ltx"]), tmp_path / "gen", progress=progress, cancelled=token)
    assert list((tmp_path / "gen").iterdir()) == []


def test_depth_model_drives_parallax(tiny_models, tmp_path):
    from ai.camera.depth import depth_map

    d = depth_map(_still(), model=str(tiny_models["depth"]))
    assert d.shape[:2] == (60, 90) and np.isfinite(d).all() and d.min() > 0
    req = MoveRequest(source=_still(), moves=["truck-right"], size=(48, 32), duration=0.5,
                      depth_model=str(tiny_models["depth"]))
    result = run_move_job(req, tmp_path / "gen")
    assert result.provenance["depth"] == "model"


def test_prompts_speak_camera_language():
    p = prompt_for(["push-in", "pan-right"], "a birthday party", handheld=0.5, intensity=0.2)
    assert p.startswith("a birthday party.") and "dollies in" in p and "pans" in p and "handheld" in p
