"""Models: the catalogue, downloads from a local fake hub (total, speed, cancel, resume, free space, remove), the
settings file's checks, safetensors-only loading, and releasing loaded pipelines."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ai import catalog, downloads, settings
from ai.errors import AIError, JobCancelled, ModelNotAvailable
from fake_hub import FakeHub

ROOT = Path(__file__).resolve().parent.parent
LORA = "guoyww/animatediff-motion-lora-zoom-in"


@pytest.fixture
def hub(monkeypatch, tmp_path):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 1 << 16)
    weights = bytes(range(256)) * (12 << 12)  # 12 MB
    server = FakeHub({LORA: {"diffusion_pytorch_model.safetensors": weights, "config.json": b'{"r": 2}',
                             "model.bin": b"pickle: never fetched", "README.md": b"# card"}},
                     chunk=1 << 16, delay=0.004)
    yield server
    server.close()


def test_every_model_a_backend_names_is_in_the_catalogue_with_its_licence():
    named = {m for t in catalog.TOOLS.values() for b in t.backends for m in b.models}
    assert named <= set(catalog.MODELS)
    for want in (catalog.ADAPTER, catalog.DEPTH, *(catalog.lora_id(m) for m in catalog.LORA_MOVES)):
        assert want in catalog.MODELS  # the motion adapter, all 8 motion LoRAs and the depth model
    for card in catalog.MODELS.values():
        assert card.licence and card.commercial in ("yes", "no", "limited") and card.size_gb > 0
    assert catalog.MODELS["cvssp/audioldm2"].commercial == "no"
    # the CLI's --backend choices and the panel read the same table
    assert catalog.tool("fill-transition").choices() == ["auto", "builtin", "rife", "wan", "ltx"]
    assert "depth" not in catalog.tool("camera-move").choices()
    assert catalog.tool("captions").choices() == ["builtin", "whisper"]
    assert "openai/whisper-small" in catalog.tool("captions").backend("whisper").models
    assert catalog.MODELS["openai/whisper-small"].kind == "speech"  # the captions' models are in the dialog too


def test_download_reports_total_and_speed_cancels_resumes_and_removes(hub, tmp_path):
    total = 12 * (1 << 20) + len(b'{"r": 2}')
    seen, token = [], {"stop": False}

    def on_bytes(done, tot, speed):
        seen.append((done, tot, speed))
        if done > 4 << 20:
            token["stop"] = True

    with pytest.raises(JobCancelled, match="resumes"):
        downloads.download(LORA, endpoint=hub.url, on_bytes=on_bytes, cancelled=lambda: token["stop"])
    assert all(t == total for _, t, _ in seen) and any(s > 0 for _, _, s in seen)
    st = downloads.status(LORA)
    assert not st.present and 4 << 20 < st.partial_bytes < 12 << 20  # kept for the resume
    hub.log.clear()
    texts = []
    folder = downloads.download(LORA, endpoint=hub.url, progress=lambda f, s: texts.append((f, s)))
    ranges = [r for m, p, r in hub.log if m == "GET" and p.endswith(".safetensors")]
    assert ranges == [f"bytes={st.partial_bytes}-"]  # only the rest was fetched
    assert texts[-1][0] == 1.0 and "12.6 MB of 12.6 MB" in texts[-1][1]
    assert (folder / "diffusion_pytorch_model.safetensors").read_bytes()[:4] == bytes(range(4))
    assert not any(p.endswith(".bin") or p.endswith("README.md") for _, p, _ in hub.log)  # no pickles
    st = downloads.status(LORA)
    assert st.present and st.folder == folder and st.bytes_on_disk >= 12 << 20 and st.partial_bytes == 0
    assert downloads.remove(LORA) >= 12 << 20 and not downloads.status(LORA).present


def test_download_checks_free_space_first(hub, monkeypatch):
    import collections

    Usage = collections.namedtuple("Usage", "total used free")
    monkeypatch.setattr(downloads.shutil, "disk_usage", lambda p: Usage(10 << 30, 10 << 30, 200 << 20))
    with pytest.raises(downloads.NotEnoughSpace, match=r"needs 0\.0 GB more .* 0\.2 GB free"):
        downloads.download(LORA, endpoint=hub.url)
    assert not [p for m, p, _ in hub.log if m == "GET" and "/resolve/" in p]  # nothing fetched


def test_a_missing_model_error_names_it_for_the_models_dialog(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path))
    from ai.models import identity

    with pytest.raises(ModelNotAvailable) as err:
        identity(LORA)
    assert err.value.model_id == LORA and "AI > Models" in str(err.value)


@pytest.mark.parametrize("text, problem", [
    ("[1, 2]", "must hold a JSON object"),
    ('{"ltx": "fast"}', '"ltx" must be an object'),
    ('{"ltx": {"size": "big"}}', '"ltx.size" must be [width, height]'),
    ('{"ltx": {"device": "gpu"}}', '"ltx.device" must be one of auto, cuda, mps, cpu'),
    ('{"ltx": {"steps": -3}}', '"ltx.steps" must be a whole number'),
    ('{"ltxx": {}}', '"ltxx" is not a backend'),
    ('{"cache": {"limit_gb": "lots"}}', '"cache" must be'),
    ('{"ltx": {', "not valid JSON"),
])
def test_a_wrong_settings_file_is_one_clear_line(tmp_path, monkeypatch, text, problem):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path))
    (tmp_path / "models.json").write_text(text)
    with pytest.raises(settings.SettingsError) as err:
        settings.load_user_settings()
    msg = str(err.value)
    assert str(tmp_path / "models.json") in msg and problem in msg and "\n" not in msg


def test_the_cli_says_what_is_wrong_with_the_settings_file(tmp_path, shared_media):
    (tmp_path / "models.json").write_text('{"wan": {"model": 5}}')
    a = shared_media / "davis/dog/00020.jpg"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", str(a), str(a), "-o",
                        str(tmp_path / "out"), "--backend", "auto", "--frames", "2"],
                       env={**__import__("os").environ, "SEAMLINE_CONFIG": str(tmp_path)}, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().endswith('"wan.model" must be a model id or a folder path; fix it or delete the file')


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            yield name, {k.arg: k.value for k in node.keywords}, node


def _violations(tree, where: str) -> list[str]:
    bad = []

    def true(v):
        return isinstance(v, ast.Constant) and v.value is True

    for name, kw, node in _calls(tree):
        at = f"{where}:{node.lineno}"
        owner = getattr(node.func.value, "attr", getattr(node.func.value, "id", "")) \
            if isinstance(node.func, ast.Attribute) else ""
        no_weights = owner.endswith(("Processor", "Tokenizer", "TokenizerFast", "FeatureExtractor"))
        if name in ("from_pretrained", "load_lora_weights") and not no_weights and not true(kw.get("use_safetensors")):
            bad.append(f"{at} {name} without use_safetensors=True")
        if name == "load" and owner == "torch" and not true(kw.get("weights_only")):
            bad.append(f"{at} torch.load without weights_only=True")
        if name == "pipeline" and "model_kwargs" in kw:
            mk = kw["model_kwargs"]
            if not (isinstance(mk, ast.Dict) and any(getattr(k, "value", None) == "use_safetensors" and true(v)
                                                     for k, v in zip(mk.keys, mk.values))):
                bad.append(f"{at} pipeline without model_kwargs use_safetensors=True")
        if "trust_remote_code" in kw and not (isinstance(kw["trust_remote_code"], ast.Constant)
                                              and kw["trust_remote_code"].value is False):
            bad.append(f"{at} trust_remote_code")
    return bad


def test_every_model_load_is_safetensors_only_and_never_runs_remote_code():
    """Fails when any from_pretrained / load_lora_weights / transformers pipeline call lacks use_safetensors=True,
    when torch.load lacks weights_only=True, or when anything trusts remote code. (Processors, tokenizers and
    feature extractors read JSON and text files, no weights: they are exempt.)"""
    bad = []
    for path in sorted((ROOT / "ai").rglob("*.py")) + sorted((ROOT / "editor").rglob("*.py")):
        bad += _violations(ast.parse(path.read_text(), str(path)), str(path.relative_to(ROOT)))
    assert not bad, "\n".join(bad)
    # the checker catches each kind of bad call
    sample = ("import torch\nX.from_pretrained('m')\ntorch.load('f')\nT.CLIPVisionModel.from_pretrained('m', "
              "use_safetensors=False)\np = pipeline('depth', model_kwargs={})\nY.from_pretrained('m', "
              "use_safetensors=True, trust_remote_code=True)\nW.WhisperProcessor.from_pretrained('m')\n")
    assert len(_violations(ast.parse(sample), "sample")) == 5


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("diffusers")
    from tiny_pipelines import build_depth, build_ltx

    root = tmp_path_factory.mktemp("release-models")
    return {"ltx": build_ltx(root / "ltx"), "depth": build_depth(root / "depth")}


def test_loaded_pipelines_are_released_when_settings_change_memory_runs_short_or_ram_is_low(tiny, monkeypatch,
                                                                                           tmp_path):
    from ai import models

    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path))
    models.unload_all()
    s = settings.ModelSettings(model=str(tiny["ltx"]), device="cpu")
    first = models.load_pipeline("ltx", s)
    assert models.load_pipeline("ltx", s) is first and models.loaded() == ["ltx"]
    settings.update_user_settings("ltx", {"model": str(tiny["ltx"]), "steps": 4})  # settings changed
    assert models.loaded() == []
    models.load_pipeline("ltx", s)
    models.load_depth_pipeline(str(tiny["depth"]))
    assert models.loaded() == ["ltx", "depth"]  # enough memory: both stay
    monkeypatch.setattr(models, "free_bytes", lambda device="cpu": 0)  # another model needs the memory
    models.load_pipeline("ltx", settings.ModelSettings(model=str(tiny["ltx"]), device="cpu", vae_tiling=False))
    assert models.loaded() == ["ltx"]
    assert models.check_memory() == 1 and models.loaded() == []  # a low-memory warning
    monkeypatch.setattr(models, "free_bytes", lambda device="cpu": models.total_ram())
    models.load_depth_pipeline(str(tiny["depth"]))
    assert models.check_memory() == 0 and models.loaded() == ["depth"]
    models.unload_all()


def test_models_dialog_settings_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path))
    settings.update_user_settings("wan", {"model": "/models/wan", "device": "cuda", "size": [832, 480]})
    assert settings.settings_for("wan").size == (832, 480) and settings.settings_for("wan").device == "cuda"
    (tmp_path / "models.json").write_text("{broken")
    settings.update_user_settings("cache", {"limit_gb": 5})  # a damaged file is kept aside, a good one written
    assert json.loads((tmp_path / "models.json").read_text()) == {"cache": {"limit_gb": 5}}
    assert list(tmp_path.glob("models.json.damaged-*"))
    with pytest.raises(AIError, match="steps"):
        settings.settings_for("wan", {"steps": 0})
