import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED = ROOT.parent / "shared" / "media"


@pytest.fixture(scope="session")
def shared_media():
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("../shared/media must be beside the checkout in CI")
        pytest.skip("../shared/media is not beside the checkout")
    return SHARED


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SEAMLINE_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path_factory.getbasetemp() / "data"))


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster (CPU only, 2 CPUs) for the whole session; its address."""
    pytest.importorskip("ray")
    import shutil
    import tempfile

    from ai.cluster import start_local

    tmp = tempfile.mkdtemp(prefix="ray")  # short: Ray's socket paths live under it
    try:
        yield start_local(num_cpus=2, temp_dir=tmp)
    finally:
        import ray

        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
