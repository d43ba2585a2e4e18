"""Words drawn at the output resolution with Qt's text engine: QTextLayout shapes every script (HarfBuzz: Arabic
joins, Indic clusters, emoji sequences), lays out lines, and falls back glyph by glyph to another installed font when
the chosen one lacks a character (CJK from Noto Sans CJK, emoji from a colour emoji font when one is installed).

Why Qt and not Pillow + libraqm: Qt is already Seamline's toolkit (no new dependency), it merges fonts per glyph
(Pillow draws a box for every character its one font lacks), and its QImage painting runs headless under the offscreen
platform plugin without a window. Only QtGui is used, and this module is imported only when a frame has words on it, so
renders without titles never load Qt. `ensure_engine()` makes the QGuiApplication that Qt's font database needs when
no Qt application exists (the command line, tests, a render worker process).

Everything returned is a premultiplied RGBA numpy array (the compositor lays it "over" the picture).
"""
from __future__ import annotations

import logging
import math
import os
import threading

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTextBoundaryFinder
from PySide6.QtGui import (QBrush, QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath, QPen,
                           QTextLayout, QTextOption)

log = logging.getLogger(__name__)

SAFE = 0.05  # title-safe margin: 5 % of the frame on each side (the inner 90 %)
FALLBACKS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Color Emoji",
             "Noto Sans Arabic", "DejaVu Sans")
_APP = None
_LOCK = threading.Lock()
_WARNED: set[str] = set()
_FAMILIES: set[str] | None = None


def ensure_engine() -> None:
    """A Qt GUI application for the font database (offscreen when Seamline made it: no window, no display)."""
    global _APP, _FAMILIES
    with _LOCK:
        if QGuiApplication.instance() is None:
            if threading.current_thread() is not threading.main_thread():
                log.warning("the text engine was started off the main thread; call ensure_engine() first")
            # a QApplication (a QGuiApplication that also allows widgets): whatever this process does later with Qt
            # (the editor's windows, a dialog) still works; a bare QGuiApplication would make that abort
            from PySide6.QtWidgets import QApplication

            _APP = QApplication(["seamline", "-platform", os.environ.get("SEAMLINE_TEXT_PLATFORM", "offscreen")])
        if _FAMILIES is None:
            _FAMILIES = set(QFontDatabase.families())


def families() -> list[str]:
    ensure_engine()
    return sorted(_FAMILIES or ())


DEFAULT = "Sans"  # the model's default family: the best sans-serif installed, chosen here


def resolve_family(name: str) -> str:
    """The family to draw with: the one asked for when it is installed, else the best sans-serif installed (a
    warning, once per family, unless it was the default "Sans")."""
    ensure_engine()
    if name in _FAMILIES:
        return name
    default = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
    for candidate in ("Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", default):
        if candidate in _FAMILIES:
            break
    if name != DEFAULT and name not in _WARNED:
        _WARNED.add(name)
        log.warning("font %r is not installed; using %r", name, candidate)
    return candidate


def missing_font(name: str) -> bool:
    ensure_engine()
    return name not in _FAMILIES


def make_font(style, px: float, weight: int | None = None, merging: bool = True) -> QFont:
    f = QFont()
    fam = resolve_family(style.font)
    f.setFamilies([fam] + [x for x in FALLBACKS if x != fam and x in _FAMILIES])
    f.setPixelSize(max(1, int(round(px))))
    f.setWeight(QFont.Weight(int(weight if weight is not None else style.weight)))
    f.setItalic(bool(style.italic))
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # the same shapes at every size
    if not merging:
        f.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    return f


def qcolor(hexcode: str) -> QColor:
    h = hexcode.lstrip("#")
    r, g, b = int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    a = int(h[6:8], 16) if len(h) == 8 else 255
    return QColor(r, g, b, a)


class Block:
    """Text laid out in lines: one or two pieces (text, subtitle), each line placed inside the block's box."""

    def __init__(self, pieces: list[tuple[str, QFont]], limit: float, align: str, spacing: float):
        self.layouts: list[QTextLayout] = []
        self.text_lengths: list[int] = []
        y, widths, lines = 0.0, [], []
        for i, (text, font) in enumerate(pieces):
            if not text:
                continue
            if self.layouts:
                y += 0.25 * font.pixelSize()  # a little air between the text and its subtitle
            lay = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font)
            opt = QTextOption()
            opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            opt.setUseDesignMetrics(True)
            lay.setTextOption(opt)
            lay.beginLayout()
            while True:
                line = lay.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(limit)
                line.setPosition(QPointF(0, y))
                y += line.height() * spacing
                widths.append(line.naturalTextWidth())
                lines.append(line)
            lay.endLayout()
            self.layouts.append(lay)
            self.text_lengths.append(len(text))
        self.width = max(widths, default=0.0)
        self.height = y
        for line, w in zip(lines, widths):
            x = {"left": 0.0, "center": (self.width - w) / 2, "right": self.width - w}[align]
            line.setPosition(QPointF(x, line.position().y()))

    def glyph_runs(self, reveal: int | None = None):
        """Every glyph run, or only those of the first `reveal` characters (across text then subtitle)."""
        if reveal is None:  # whole lines (Qt's ranged glyphRuns drops a glyph of some right-to-left runs)
            for lay in self.layouts:
                yield from lay.glyphRuns()
            return
        left = reveal
        for lay, n in zip(self.layouts, self.text_lengths):
            if left <= 0:
                return
            take = int(min(n, left))
            for i in range(lay.lineCount()):
                line = lay.lineAt(i)
                a, b = line.textStart(), line.textStart() + line.textLength()
                if a >= take:
                    break
                yield from line.glyphRuns(a, min(b, take) - a)
            left -= n


def graphemes(text: str) -> list[int]:
    """Character positions where each user-perceived character ends (for the typewriter)."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Grapheme, text)
    out, pos = [], finder.toNextBoundary()
    while pos != -1:
        out.append(pos)
        pos = finder.toNextBoundary()
    return out


def _to_array(img: QImage) -> np.ndarray:
    h, w = img.height(), img.width()
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes())
    return buf.reshape(h, img.bytesPerLine())[:, :w * 4].reshape(h, w, 4).copy()


def _blank(w: int, h: int) -> QImage:
    img = QImage(max(1, w), max(1, h), QImage.Format.Format_RGBA8888_Premultiplied)
    img.fill(0)
    return img


def over(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA `src` over premultiplied RGBA `dst` (same size), in place on dst."""
    keep = (255 - src[..., 3:4]).astype(np.uint16)
    dst[...] = src + ((dst.astype(np.uint16) * keep + 127) // 255).astype(np.uint8)
    return dst


def draw_block(style, block: Block, px: float, reveal: int | None = None) -> tuple[np.ndarray, float]:
    """The block drawn with its box, outline and shadow: (premultiplied RGBA, margin) where margin is how far the
    drawing reaches out of the text box on each side (padding, outline, shadow)."""
    pad = style.box_padding * px if style.box else 0.0
    stroke = style.outline * px
    shadow = style.shadow * px
    margin = pad + stroke + 2.5 * shadow + 2
    W = int(math.ceil(block.width + 2 * margin))
    H = int(math.ceil(block.height + 2 * margin))
    origin = QPointF(margin, margin)
    text_img = _blank(W, H)
    p = QPainter(text_img)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    runs = list(block.glyph_runs(reveal))
    if stroke > 0:
        path = QPainterPath()
        for run in runs:
            raw = run.rawFont()
            if "emoji" in raw.familyName().lower():
                continue  # colour glyphs have no outline (and asking a bitmap font for paths upsets Qt's cache)
            for gi, pos in zip(run.glyphIndexes(), run.positions()):
                path.addPath(raw.pathForGlyph(gi).translated(pos + origin))
        pen = QPen(qcolor(style.outline_color), 2 * stroke, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.strokePath(path, pen)
    p.setPen(qcolor(style.color))
    for run in runs:
        p.drawGlyphRun(origin, run)
    p.end()
    out = _to_array(text_img)
    if shadow > 0:
        d = int(round(shadow))
        a = np.zeros(out.shape[:2], np.float32)
        a[d:, d:] = out[:out.shape[0] - d, :out.shape[1] - d, 3]
        a = cv2.GaussianBlur(a, (0, 0), max(0.5, shadow * 0.6)) / 255.0
        c = qcolor(style.shadow_color)
        sh = np.empty_like(out)
        ca = a * c.alphaF()
        sh[..., 3] = np.clip(ca * 255 + 0.5, 0, 255)
        for i, v in enumerate((c.red(), c.green(), c.blue())):
            sh[..., i] = np.clip(ca * v + 0.5, 0, 255)
        out = over(sh, out)
    if style.box:
        box_img = _blank(W, H)
        p = QPainter(box_img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(qcolor(style.box_color)))
        r = style.box_radius * px
        off = margin - pad
        p.drawRoundedRect(QRectF(off, off, block.width + 2 * pad, block.height + 2 * pad), r, r)
        p.end()
        out = over(_to_array(box_img), out)
    return out, margin


def layout(style, text: str, subtitle: str, frame: tuple[int, int], scale: float = 1.0,
           subtitle_scale: float = 0.55, merging: bool = True) -> tuple[Block, float]:
    """Lay a title's text (and subtitle) out for a frame size; returns (block, text pixel size)."""
    ensure_engine()
    W, H = frame
    px = style.size * H * scale
    pieces = [(text, make_font(style, px, merging=merging))]
    if subtitle:
        pieces.append((subtitle, make_font(style, px * subtitle_scale, max(400, style.weight - 300), merging)))
    pad = style.box_padding * px if style.box else 0.0
    limit = max(px, W * (1 - 2 * SAFE) * scale - 2 * pad - 2 * style.outline * px)
    return Block(pieces, limit, style.align, style.line_spacing), px


def place(style, block: Block, margin: float, px: float, frame: tuple[int, int]) -> tuple[float, float]:
    """Top-left of the drawing (margin included) for a block whose box sits at (x, y) inside the title-safe area."""
    W, H = frame
    pad = style.box_padding * px if style.box else 0.0
    bw, bh = block.width + 2 * pad, block.height + 2 * pad
    sx, sy, sw, sh = W * SAFE, H * SAFE, W * (1 - 2 * SAFE), H * (1 - 2 * SAFE)
    left = sx + style.x * max(0.0, sw - bw) + min(0.0, sw - bw) / 2
    top = sy + style.y * max(0.0, sh - bh) + min(0.0, sh - bh) / 2
    return left + pad - margin, top + pad - margin
