"""Generative sound backends (Stable Audio Open, AudioLDM2) on tiny random-weight pipelines built offline."""
import json

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("diffusers")

from ai import models  # noqa: E402
from ai.errors import JobCancelled, MissingPackage  # noqa: E402
from ai.jobs import CancelToken  # noqa: E402
from ai.sound.analysis import analyse_file  # noqa: E402
from ai.sound.generative import loop_to_length  # noqa: E402
from ai.sound.layers import SoundRequest, run_sound_job  # noqa: E402


@pytest.fixture(scope="session")
def tiny_audio(tmp_path_factory):
    from tiny_pipelines import build_audioldm2, build_stable_audio

    root = tmp_path_factory.mktemp("audio-models")
    return {"stable-audio": build_stable_audio(root / "sa"), "audioldm2": build_audioldm2(root / "aldm2")}


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    from test_sound import ball_clip

    return analyse_file(ball_clip(tmp_path_factory.mktemp("clip") / "ball.mp4"))


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    models.unload_all()


def _req(analysis, backend, folder, seed=0, layers=("ambience", "foley", "whoosh")):
    return SoundRequest(analysis=analysis, layers=list(layers), preset="beach", words="kids playing", backend=backend,
                        seed=seed, model_settings={"model": str(folder), "device": "cpu", "steps": 2})


@pytest.mark.parametrize("backend", ["stable-audio", "audioldm2"])
def test_generative_layers_end_to_end(backend, tiny_audio, analysis, tmp_path):
    seen = []
    req = _req(analysis, backend, tiny_audio[backend])
    result = run_sound_job(req, tmp_path / "gen", progress=lambda f, s: seen.append(f))
    names = sorted(p.name for p in result.files if p.suffix == ".wav")
    assert names == ["ambience.wav", "foley.wav", "mixdown.wav", "whoosh.wav"]
    for p in result.files:
        if p.suffix == ".wav":
            info = sf.info(str(p))
            assert (info.samplerate, info.channels, info.frames) == (48000, 2, req.samples)
    prov = json.loads((result.folder / "provenance.json").read_text())
    assert prov["model"] == str(tiny_audio[backend]) and "kids playing" in prov["prompts"]["ambience"]
    assert seen == sorted(seen)
    assert run_sound_job(req, tmp_path / "gen").cached
    whoosh, _ = sf.read(str(result.folder / "whoosh.wav"))
    cut = int(45 / 30 * 48000)
    # silent until the cut, then the whoosh (the tiny models' sound is faint, so compare, not threshold)
    assert np.abs(whoosh[: cut - 96]).max() <= 1e-3 * np.abs(whoosh[cut:]).max()
    assert np.abs(whoosh[cut:]).max() > 0


def test_cancel_from_the_old_style_callback(tiny_audio, analysis, tmp_path):
    token = CancelToken()

    def progress(f, s):
        if s == "generating":
            token.cancel()

    with pytest.raises(JobCancelled):
        run_sound_job(_req(analysis, "audioldm2", tiny_audio["audioldm2"], layers=("ambience",)), tmp_path / "gen",
                      progress=progress, cancelled=token)
    assert list((tmp_path / "gen").iterdir()) == []


def test_missing_torchsde_is_named(tiny_audio, analysis, monkeypatch, tmp_path):
    real = models.importlib.util.find_spec
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda n: None if n == "torchsde" else real(n))
    with pytest.raises(MissingPackage, match="torchsde"):
        run_sound_job(_req(analysis, "stable-audio", tiny_audio["stable-audio"]), tmp_path / "gen")


def test_long_beds_are_seamless_crossfaded_segments():
    rate = 48000
    t = np.arange(rate * 2) / rate
    seg = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 220 * t)], 1).astype(np.float32) * 0.5
    bed = loop_to_length([seg, seg * 0.9], 7 * rate, int(0.5 * rate))
    assert bed.shape == (7 * rate, 2)
    env = np.sqrt(np.convolve(bed[:, 0] ** 2, np.ones(2400) / 2400, mode="valid"))
    assert env[2400:-2400].min() > 0.25  # no gap or dip at the joins
