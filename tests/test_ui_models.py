"""AI > Models and AI > Settings in the editor: every model with its licence, an error that says "download X" opens
the dialog at X, a download with progress and cancel from the dialog, the cache size and Clear cache."""
from fractions import Fraction

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from ai import catalog  # noqa: E402
from editor.ui.ai_panel import select_backend  # noqa: E402

LTX = "Lightricks/LTX-Video-0.9.7-distilled"
LORA = "guoyww/animatediff-motion-lora-zoom-in"


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "config"))
    from PySide6.QtWidgets import QMessageBox

    from editor.ui.document import Document
    from editor.ui.main_window import MainWindow

    def make(project=None):
        w = MainWindow(Document(project) if project is not None else Document())
        w.quiet_errors = True
        w.ask = lambda *a: QMessageBox.Discard
        qtbot.addWidget(w)
        w.show()
        return w

    yield make


def test_models_dialog_lists_every_model_with_its_licence(window, qtbot):
    from editor.ui.models_dialog import COLUMNS

    w = window()
    dlg = w.models_dialog(LORA)
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == len(catalog.MODELS)
    assert dlg.selected() == LORA
    row = dlg.rows["cvssp/audioldm2"]
    assert "non-commercial only" in dlg.table.item(row, COLUMNS.index("Licence")).text()
    assert dlg.table.item(row, COLUMNS.index("On this machine")).text() == "missing"
    assert dlg.button(LORA, "Download").isEnabled() and not dlg.button(LORA, "Remove").isEnabled()


def test_a_missing_model_error_opens_the_models_dialog_at_it(window, qtbot, tmp_path):
    from editor.actions.media import project_for_files
    from mediagen import indexed_video

    src = indexed_video(tmp_path / "a.mp4", 60, Fraction(30), size=(64, 36))
    p = project_for_files([src, src])
    w = window(p)
    v = w.doc.project.video_tracks()[0]
    a, b = sorted(v.clips, key=lambda c: c.start)
    w.doc.select_cut(v.id, a.id, b.id)
    select_backend(w.ai.fill.backend, "ltx")
    w.ai.fill.duration.setValue(0.5)
    qtbot.mouseClick(w.ai.fill.row.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(w, "last_model_error", None) == LTX, timeout=60000)
    assert "AI > Models" in w.statusBar().currentMessage()
    dlg = w.models_dialog(w.last_model_error)
    qtbot.addWidget(dlg)
    assert dlg.selected() == LTX


def test_download_from_the_dialog_shows_bytes_and_cancels(window, qtbot, monkeypatch, tmp_path):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    from editor.ui.models_dialog import ModelsDialog
    from fake_hub import FakeHub

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 1 << 16)
    hub = FakeHub({LORA: {"diffusion_pytorch_model.safetensors": b"x" * (8 << 20), "config.json": b"{}"}},
                  delay=0.01)
    try:
        w = window()
        dlg = ModelsDialog(w, focus=LORA, endpoint=hub.url)
        qtbot.addWidget(dlg)
        qtbot.mouseClick(dlg.button(LORA, "Download"), Qt.LeftButton)
        import re

        def fetched_mb():
            m = re.search(r"([\d.]+) MB of 8\.4 MB at [\d.]+ MB/s", dlg.bar.format())
            return float(m.group(1)) if m else 0.0

        qtbot.waitUntil(lambda: fetched_mb() >= 1.0, timeout=30000)
        qtbot.mouseClick(dlg.cancel_btn, Qt.LeftButton)
        qtbot.waitUntil(lambda: dlg.worker is None, timeout=30000)
        assert "cancelled" in dlg.bar.format()
        assert "downloaded, resumes" in dlg.table.item(dlg.rows[LORA], 4).text()
        qtbot.mouseClick(dlg.button(LORA, "Download"), Qt.LeftButton)
        qtbot.waitUntil(lambda: dlg.worker is None, timeout=60000)
        assert dlg.table.item(dlg.rows[LORA], 4).text().startswith("present")
        qtbot.mouseClick(dlg.button(LORA, "Remove"), Qt.LeftButton)
        assert dlg.table.item(dlg.rows[LORA], 4).text() == "missing"
    finally:
        hub.close()


def test_ai_settings_show_the_cache_size_clear_it_and_choose_compute(window, qtbot, monkeypatch, tmp_path):
    import numpy as np

    from ai import cluster
    from ai.settings import compute
    from ai.transition.fill import FillRequest, run_fill_job
    from editor.ui.ai_settings import AISettingsDialog

    monkeypatch.setenv("SEAMLINE_CACHE", str(tmp_path / "cache"))
    a = np.zeros((32, 32, 3), np.uint8)
    run_fill_job(FillRequest(a=a, b=a + 50, frames=2))  # one result in the default cache
    w = window()
    monkeypatch.setattr(cluster, "ray_installed", lambda: True)
    dlg = AISettingsDialog(w)
    qtbot.addWidget(dlg)
    assert dlg.size.text().endswith("in 1 results")
    qtbot.mouseClick(dlg.clear_btn, Qt.LeftButton)
    assert dlg.size.text().startswith("0.00 GB in 0 results")
    dlg.ray.setChecked(True)
    dlg.address.setText("gpu-box:6379")
    dlg.limit.setValue(5)
    dlg.save()
    assert compute() == {"mode": "ray", "address": "gpu-box:6379"}
    from editor.ui.ai_actions import cluster_address

    assert cluster_address() == "gpu-box:6379"
    monkeypatch.setattr(cluster, "ray_installed", lambda: False)
    dlg = AISettingsDialog(w)
    qtbot.addWidget(dlg)
    assert not dlg.ray.isEnabled() and "pip install 'seamline[cluster]'" in dlg.cluster_status.text()
