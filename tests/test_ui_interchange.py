"""The editor's File menu reads and writes other editors' timelines (editor/project/interchange)."""
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "otio"


import test_ui

window = test_ui.window  # the editor window fixture


def test_open_a_timeline_lists_what_could_not_come_along_and_exports_it(qtbot, window, tmp_path):
    from PySide6.QtGui import QAction

    window.notes = []
    window.notify = lambda msg, title="": window.notes.append((title, msg))

    labels = [a.text() for a in window.findChildren(QAction)]
    assert any(t.startswith("Import Timeline") for t in labels) and any(t.startswith("Export Timeline") for t in labels)
    w = window.import_timeline(SAMPLES / "transition.otio")
    with qtbot.waitSignal(w.signals.finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: bool(window.notes), timeout=5000)
    v = window.doc.project.video_tracks()[0]
    assert [c.name for c in v.clips] == ["Clip-001", "Clip-002", "Clip-003", "Clip-004"] and len(v.transitions) == 1
    assert "offline media" in window.notes[0][1]
    monkeypatch_path = tmp_path / "out.xml"
    from PySide6.QtWidgets import QFileDialog

    orig = QFileDialog.getSaveFileName
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (str(monkeypatch_path), ""))
    try:
        w = window.export_timeline_dialog()
        with qtbot.waitSignal(w.signals.finished, timeout=30000):
            pass
    finally:
        QFileDialog.getSaveFileName = orig
    assert monkeypatch_path.read_text().lstrip().startswith("<?xml")
