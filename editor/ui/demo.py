"""`main.py --demo`: build the demo project on a worker behind a progress dialog, then open it."""
from __future__ import annotations

from PySide6.QtWidgets import QProgressDialog

from editor.ui import workers


def open_demo(window, folder=None):
    from editor.actions.demo import build_demo, default_folder

    target = folder or default_folder()
    dlg = QProgressDialog("Building the demo project...", "Cancel", 0, 1000, window)
    dlg.setWindowTitle("Seamline demo")
    dlg.setMinimumDuration(0)
    w = workers.Worker(build_demo, target)
    w.signals.progress.connect(lambda f, s: (dlg.setValue(int(f * 1000)), dlg.setLabelText(s)))
    dlg.canceled.connect(w.cancel)

    def done(path):
        dlg.close()
        window.open_path(path)
        window.timeline.zoom_to_fit()

    w.signals.finished.connect(done)
    w.signals.failed.connect(lambda msg: (dlg.close(), window.show_error(f"the demo could not be built: {msg}")))
    w.signals.cancelled.connect(dlg.close)
    window.demo_worker = workers.start(w)
    dlg.show()
    return w
