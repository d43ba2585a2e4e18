"""Sizes that follow the platform: fonts from the application font (never below 9 pt) and a layout scale from its
height, so the editor reads well on HiDPI screens and with large system fonts."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

MIN_PT = 9.0


def base_font() -> QFont:
    app = QApplication.instance()
    return QFont(app.font()) if app is not None else QFont()


def font(delta: float = 0.0, bold: bool = False) -> QFont:
    """The application font `delta` points larger (or smaller), never below 9 pt."""
    f = base_font()
    pt = f.pointSizeF() if f.pointSizeF() > 0 else 10.0
    f.setPointSizeF(max(MIN_PT, pt + delta))
    f.setBold(bold)
    return f


def layout_scale() -> float:
    """1.0 for a 9-10 pt font at 96 dpi; more for larger fonts or a higher logical dpi."""
    return max(1.0, QFontMetricsF(font()).height() / 17.0)
