"""Start the editor window."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

T0 = time.monotonic()


def start(files=(), demo=None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from editor.resources import resource
    from editor.project.recovery import discard as discard_recoveries
    from editor.ui.document import load_recovery, pending_recoveries
    from editor.ui.main_window import MainWindow

    from editor.session import tune_gc

    tune_gc()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Seamline")
    app.setOrganizationName("Seamline")
    app.setDesktopFileName("seamline")  # ties windows to packaging/seamline.desktop (taskbar icon, Wayland)
    icon = resource("seamline.png")  # PNG: needs no SVG plugin in the bundle
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    from editor.actions.slow_motion import install_fill_flow

    install_fill_flow()  # slow motion uses the fill tool's optical flow (the render layer cannot import ai/)
    window = MainWindow()
    from editor.ui.transport import show_window

    show_window(window)  # maximised the first time, then as it was left
    if os.environ.get("SEAMLINE_STARTUP_REPORT"):
        print(f"window shown after {time.monotonic() - T0:.3f} s", flush=True)
    recoveries = pending_recoveries()
    if recoveries:
        auto = os.environ.get("SEAMLINE_RESTORE")  # "yes"/"no" answers the question (tests, scripts)
        answer = auto.lower() == "yes" if auto else QMessageBox.question(
            window, "Seamline", "Seamline was closed unexpectedly. Restore the unsaved work?",
            QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes
        if answer:
            from editor.errors import ProjectError

            try:
                doc, message = load_recovery(recoveries[0])
            except ProjectError as exc:
                window.notify(str(exc), "Autosaved work")
            else:
                window.set_document(doc)
                window.doc.write_recovery()
                if message:
                    window.notify(message, "Autosaved work")
            recoveries = recoveries[1:]
        discard_recoveries(recoveries)
    if demo is not None:
        from editor.ui.demo import open_demo

        QTimer.singleShot(0, lambda: open_demo(window, demo or None))
    elif files:
        from editor.project.interchange import ALL_SUFFIXES

        projects = [f for f in files if Path(f).suffix.lower() in ALL_SUFFIXES]
        if projects:
            window.open_path(projects[0])
        else:
            window.import_files(files, lay_out=True)
    shot = os.environ.get("SEAMLINE_SCREENSHOT")  # path: grab the window after SEAMLINE_QUIT_AFTER seconds
    if os.environ.get("SEAMLINE_QUIT_AFTER"):
        def finish():  # scripted runs (screenshots, tests): no questions on the way out
            if shot:
                window.grab().save(shot)
            window.ask = lambda *a: QMessageBox.Discard
            window.close()
            app.quit()

        QTimer.singleShot(int(float(os.environ["SEAMLINE_QUIT_AFTER"]) * 1000), finish)
    return app.exec()
