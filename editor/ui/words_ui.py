"""Hooks the words-on-screen UI into the main window with one call: the transport bar under the preview, the Titles
tab, the Captions dock, loop shortcuts (I / O), and the File menu's subtitle import/export."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget


def install(window) -> None:
    from editor.ui.captions_dock import CaptionsDock
    from editor.ui.titles_panel import TitlesPanel
    from editor.ui.transport import with_transport

    window.docks["Preview"].setWidget(with_transport(window.preview))
    window.transport = window.preview.transport
    window.titles = TitlesPanel(window)
    window.captions = CaptionsDock(window)
    for name, widget, area in (("Titles", window.titles, Qt.RightDockWidgetArea),
                               ("Captions", window.captions, Qt.RightDockWidgetArea)):
        dock = QDockWidget(name, window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        window.addDockWidget(area, dock)
        window.docks[name] = dock
    window.tabifyDockWidget(window.docks["AI"], window.docks["Titles"])
    window.tabifyDockWidget(window.docks["Titles"], window.docks["Captions"])
    window.docks["AI"].raise_()
    window.resizeDocks([window.docks["AI"]], [380], Qt.Horizontal)
    menus = getattr(window, "menus", None) or {  # the window's own references (menus.py) when it keeps them
        a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    for menu, text, slot, key in (("Playback", "Loop In", window.transport.set_in, "I"),
                                  ("Playback", "Loop Out", window.transport.set_out, "O"),
                                  ("Playback", "Loop", lambda: window.transport.loop_btn.click(), "Ctrl+L"),
                                  ("File", "Import Subtitles...", window.captions.import_dialog, None),
                                  ("File", "Export Subtitles...", window.captions.export_dialog, None)):
        m = menus.get(menu)
        if m is None:
            continue
        a = QAction(text, window)
        if key:
            a.setShortcut(QKeySequence(key))
        a.triggered.connect(slot)
        m.addAction(a)
    view = menus.get("View")
    if view is not None:
        for name in ("Titles", "Captions"):
            view.addAction(window.docks[name].toggleViewAction())


def attach(window, doc) -> None:
    """A new document in the window (File > New / Open)."""
    for w in (getattr(window, "transport", None), getattr(window, "titles", None), getattr(window, "captions", None)):
        if w is not None:
            w.attach(doc)
