"""Drawing the timeline: only what lies in the dirty rectangle, clips from cached pictures.

A clip's picture (colour, filmstrip or waveform, name, outline) is drawn once into a pixmap and reused until
something it shows changes (its media range, length on screen, selection, the pictures of its media). The playhead
moving repaints a strip a few pixels wide; an edit repaints the clips it changed.
"""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap

from editor.ui import style
from editor.ui.geometry import Rect, Row
from editor.ui.key_marks import paint_key_diamonds
from editor.ui import music_marks
from editor.ui.labels import timecode

COLORS = {"video": QColor(62, 96, 150), "image": QColor(120, 92, 160), "audio": QColor(46, 130, 96),
          "generated": QColor(168, 110, 40), "offline": QColor(120, 30, 30),
          "title": QColor(150, 60, 130), "caption": QColor(150, 122, 36)}
SELECTED = QColor(255, 210, 80)
BG = QColor(30, 31, 35)
MAX_CACHED_W = 2048  # wider clips (zoomed far in) are drawn directly, only their visible part
CACHE_SIZE = 4000


def qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


class ClipPictures:
    """clip id -> (key, pixmap) of its drawn picture, least recently used dropped first."""

    def __init__(self):
        self.items: OrderedDict[str, tuple[tuple, QPixmap]] = OrderedDict()
        self.drawn = 0  # pictures drawn (not reused): the benchmark and tests read it

    def get(self, clip_id: str, key: tuple):
        hit = self.items.get(clip_id)
        if hit is not None and hit[0] == key:
            self.items.move_to_end(clip_id)
            return hit[1]
        return None

    def put(self, clip_id: str, key: tuple, pix: QPixmap) -> None:
        self.items[clip_id] = (key, pix)
        self.items.move_to_end(clip_id)
        self.drawn += 1
        while len(self.items) > CACHE_SIZE:
            self.items.popitem(last=False)

    def clear(self) -> None:
        self.items.clear()


class TimelinePainter:
    def __init__(self, view):
        self.view = view
        self.cache = ClipPictures()
        self.small = style.font(0)
        self.bold = style.font(0, bold=True)

    # -- the whole paint --------------------------------------------------------------------------------------
    def paint(self, p: QPainter, dirty: QRect) -> None:
        v = self.view
        geo, project = v.geo, v.doc.project
        p.setClipRect(dirty)
        p.fillRect(dirty, BG)
        x0, x1 = max(dirty.left(), geo.header_w), dirty.right() + 1
        first, last = geo.frames_in(x0, x1)
        if dirty.top() < geo.ruler_h:
            self.ruler(p, first, last, project.settings.rate, dirty)
        for row in geo.rows(project):
            if row.top > dirty.bottom() or row.top + row.height < dirty.top():
                continue
            self.row(p, row, first, last, x0, x1)
            if dirty.left() < geo.header_w:
                self.header(p, row)
        if not any(t.clips for t in project.tracks):
            self.empty_hint(p)
        self.overlays(p)
        x = geo.x_of(v.doc.playhead)
        if dirty.left() - 2 <= x <= dirty.right() + 2 and x >= geo.header_w:
            p.setPen(QPen(QColor(240, 70, 60), 2))
            p.drawLine(QPointF(x, 0), QPointF(x, v.height()))

    def ruler(self, p, first, last, rate, dirty):
        geo = self.view.geo
        p.fillRect(QRect(dirty.left(), 0, dirty.width(), geo.ruler_h), QColor(44, 46, 52))
        p.setPen(QColor(200, 200, 200))
        p.setFont(self.small)
        fps = max(1, round(float(rate)))
        label_w = QFontMetrics(self.small).horizontalAdvance("00:00:00:00") + 16
        target = label_w / geo.px_per_frame
        steps = [1, 2, 5, 10, fps // 2 or 1, fps, 2 * fps, 5 * fps, 10 * fps, 30 * fps, 60 * fps, 300 * fps,
                 600 * fps, 1800 * fps, 3600 * fps]
        step = next((s for s in sorted(steps) if s >= target), steps[-1])
        f = max(0, (first - label_w // max(1, int(geo.px_per_frame)) - step) // step * step)
        while f <= last:
            x = geo.x_of(f)
            if x >= geo.header_w:
                p.drawLine(QPointF(x, geo.ruler_h - 8), QPointF(x, geo.ruler_h))
                p.drawText(QPointF(x + 3, geo.ruler_h - 10), timecode(f, rate))
            f += step
        p.fillRect(QRect(0, 0, geo.header_w, geo.ruler_h), QColor(44, 46, 52))

    def row(self, p, row: Row, first, last, x0, x1):
        geo = self.view.geo
        t = row.track
        p.fillRect(QRectF(x0, row.top, x1 - x0, row.height - 1), QColor(38, 40, 46) if t.kind == "video" else (
            QColor(34, 40, 38) if t.kind == "audio" else QColor(42, 38, 30)))
        clips = t.clips_between(first, last + 1)
        ppf = geo.px_per_frame
        slivers = []
        for c in clips:
            if c.duration * ppf < 4:
                slivers.append(c)
            else:
                self.clip(p, row, c)
        if slivers:
            self.slivers(p, row, slivers)
        if ppf >= 0.15 and t.transitions:  # (narrower than a few pixels: not drawn)
            for c in clips:  # each transition is found from the clip it leaves: O(log n), not a scan
                x = t.transitions_of(c.id)[1]
                if x is not None:
                    self.transition(p, row, c, x)
        if geo.show_handles():
            for a, b in geo.cuts(t, first, last):
                self.handle(p, row, a, b)
        if t.lock:
            p.fillRect(QRectF(x0, row.top, x1 - x0, row.height - 1), QColor(0, 0, 0, 70))

    # -- clips ----------------------------------------------------------------------------------------------------
    def _kind(self, t, asset, c=None) -> str:
        if c is not None and c.asset_id is None:  # generated: a title or a caption cue
            return "title" if c.title is not None else "caption"
        if asset is None or asset.offline:
            return "offline"
        if asset.provenance:
            return "generated"
        return asset.kind if t.kind == "video" else "audio"

    def slivers(self, p, row: Row, clips):
        """Zoomed far out, clips a few pixels wide: runs of the same colour drawn as one rectangle."""
        v, geo = self.view, self.view.geo
        assets, sel = v.doc.project.assets, v.doc.selection
        kinds: dict[str, QColor] = {}
        run = None  # [x0, x1, colour]
        top, h = row.top + 2, row.height - 4
        for c in clips:
            if c.id in sel:
                colour = SELECTED
            else:
                colour = kinds.get(c.asset_id)
                if colour is None:
                    colour = kinds[c.asset_id] = COLORS[self._kind(row.track, assets.get(c.asset_id), c)]
            x0 = geo.x_of(c.start)
            x1 = x0 + max(1.0, c.duration * geo.px_per_frame)
            if run is not None and run[2] is colour and x0 <= run[1] + 1:
                run[1] = x1
                continue
            if run is not None:
                p.fillRect(QRectF(run[0], top, run[1] - run[0], h), run[2])
            run = [x0, x1, colour]
        if run is not None:
            p.fillRect(QRectF(run[0], top, run[1] - run[0], h), run[2])

    def clip(self, p, row: Row, c):
        v, geo = self.view, self.view.geo
        asset = v.doc.project.assets.get(c.asset_id)
        r = geo.clip_rect(c, row)
        kind = self._kind(row.track, asset, c)
        selected = c.id in v.doc.selection
        if r.w < 4:  # zoomed far out: a sliver, no outline, name or picture
            p.fillRect(qrect(r), SELECTED if selected else COLORS[kind])
            return
        if asset is not None:
            v.pictures.want(asset)
        w, h = int(r.w + 0.999), int(r.h)
        if w > MAX_CACHED_W:
            p.save()
            p.translate(r.x, r.y)
            lo = max(0.0, geo.header_w - r.x)
            self.draw_clip(p, row.track, c, asset, kind, selected, r.w, h, lo, min(r.w, v.width() - r.x))
            p.restore()
            return
        lead = 0.0  # a cut at its start carries a "+": the name starts after it
        if row.track.kind == "video" and geo.show_handles() and c.start > 0:
            prev = row.track.clip_at(c.start - 1)
            if prev is not None and prev.end == c.start:
                lead = geo.handle_px / 2 + 2
        key = (c.asset_id, c.source_in, c.duration, c.name, c.fade_in, c.fade_out, w, h, selected, kind,
               v.pictures.version.get(c.asset_id, 0), round(geo.px_per_frame, 6), lead, c.text,
               repr(c.title) if c.title is not None else None,
               tuple((n, tuple(k.frame for k in ks)) for n, ks in c.keyframes.items()) if c.keyframes else None,
               music_marks.cache_key(v.doc.project, row.track, c))
        pix = self.cache.get(c.id, key)
        if pix is None:
            pix = QPixmap(w, h)
            pix.fill(Qt.transparent)
            q = QPainter(pix)
            self.draw_clip(q, row.track, c, asset, kind, selected, r.w, h, 0.0, r.w, lead)
            q.end()
            self.cache.put(c.id, key, pix)
        p.drawPixmap(QPointF(r.x, r.y), pix)

    def draw_clip(self, p, t, c, asset, kind, selected, w, h, lo, hi, lead=0.0):
        """A clip's picture in its own coordinates (0, 0, w, h); only columns lo..hi need drawing."""
        v = self.view
        r = QRectF(0, 0, w, h)
        path = QPainterPath()
        path.addRoundedRect(r, 4, 4)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillPath(path, COLORS[kind])
        fm = QFontMetrics(self.small)
        band = fm.height() + 2
        if t.kind == "video" and asset is not None:
            strip = v.pictures.strips.get(asset.id)
            if strip is not None and w > 20:
                p.save()
                p.setClipPath(path)
                self.filmstrip(p, c, asset, strip, band, w, h, lo, hi)
                p.restore()
        elif t.kind == "audio" and asset is not None:
            self.wave(p, c, asset, w, h, lo, hi)
        if c.fade_in or c.fade_out:
            p.setPen(QPen(QColor(255, 255, 255, 160), 1))
            fi, fo = c.fade_in * self.view.geo.px_per_frame, c.fade_out * self.view.geo.px_per_frame
            if fi:
                p.drawLine(QPointF(0, h), QPointF(fi, band))
            if fo:
                p.drawLine(QPointF(w - fo, band), QPointF(w, h))
        p.setPen(QPen(SELECTED if selected else QColor(0, 0, 0, 140), 2 if selected else 1))
        p.setBrush(Qt.NoBrush)
        p.drawPath(path)
        name = c.name or (asset.name if asset else c.text or ("title" if c.title is not None else "missing media"))
        x0 = max(lo, lead, 0)
        text_w = int(min(hi, w) - x0) - 8
        if text_w > 12:
            p.fillRect(QRectF(x0 + 1, 1, min(text_w + 6, fm.horizontalAdvance(name) + 8), band),
                       QColor(0, 0, 0, 90))
            p.setPen(QColor(245, 245, 245))
            p.setFont(self.small)
            p.drawText(QRectF(x0 + 4, 1, text_w, band), Qt.AlignLeft | Qt.AlignVCenter,
                       fm.elidedText(name, Qt.ElideRight, text_w))
        paint_key_diamonds(p, c, QRectF(0, 0, w, h), self.view.geo.px_per_frame)  # editor/ui/key_marks.py
        music_marks.paint(p, v.doc.project, t, c, QRectF(0, 0, w, h), self.view.geo.px_per_frame)  # beats, volume

    def filmstrip(self, p, c, asset, strip, top, w, h, lo, hi):
        """Pictures along the clip, each from the source time under it (not the first frame repeated)."""
        geo = self.view.geo
        ph = h - top
        if ph < 8:
            return
        first = strip.pixmaps[0]
        tile = max(24.0, first.width() * ph / max(1, first.height()))
        rate = float(self.view.doc.project.settings.rate)
        src0 = c.source_in / float(asset.rate)
        x = max(0.0, (lo // tile) * tile)
        while x < min(w, hi):
            secs = src0 + (x + tile / 2) / geo.px_per_frame / rate
            pix = strip.at(secs)
            p.drawPixmap(QRectF(x, top, tile, ph), pix, QRectF(pix.rect()))
            x += tile

    def wave(self, p, c, asset, w, h, lo, hi):
        v, geo = self.view, self.view.geo
        peaks = v.pictures.peaks.get(asset.id)
        if peaks is None or not len(peaks):
            return
        rate = float(v.doc.project.settings.rate)
        p.setPen(QColor(170, 240, 200))
        mid, half = h / 2, h / 2 - 3
        src0 = c.source_in / float(asset.rate)
        for x in range(int(max(0, lo)), int(min(w, hi)), 2):
            i = int((src0 + x / geo.px_per_frame / rate) * 100)
            if 0 <= i < len(peaks):
                lo_, hi_ = peaks[i]
                p.drawLine(QPointF(x, mid - hi_ * half), QPointF(x, mid - lo_ * half))

    # -- cuts and transitions ------------------------------------------------------------------------------------
    def transition(self, p, row, a, x):
        geo = self.view.geo
        x0 = geo.x_of(a.end - x.frames_before)
        r = QRectF(x0, row.top + 4, x.duration * geo.px_per_frame, row.height - 8)
        p.setPen(QPen(QColor(250, 250, 250, 210), 1))
        p.setBrush(QColor(255, 255, 255, 55))
        p.drawRect(r)
        p.drawLine(r.bottomLeft(), r.topRight())
        if r.width() > 40:
            p.setFont(self.small)
            p.drawText(r.adjusted(2, 0, -2, 0), Qt.AlignCenter, x.kind.replace("-", " "))

    def handle(self, p, row, a, b):
        v = self.view
        r = qrect(v.geo.handle_rect(b.start, row))
        key = (row.track.id, a.id, b.id)
        sel = v.doc.selected_cut == key
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor(255, 255, 255), 1))
        p.setBrush(QColor(230, 150, 40) if sel else QColor(80, 80, 90, 230))
        p.drawEllipse(r)
        prog = v.progress.get(key)
        if prog is not None:
            p.setPen(QPen(SELECTED, 3))
            p.drawArc(r.adjusted(-3, -3, 3, 3), 90 * 16, int(-360 * 16 * prog))
        p.setPen(QColor(255, 255, 255))
        p.setFont(self.bold)
        p.drawText(r, Qt.AlignCenter, "+")

    # -- headers ------------------------------------------------------------------------------------------------
    def header(self, p, row: Row):
        v, geo = self.view, self.view.geo
        t = row.track
        p.fillRect(QRect(0, row.top, geo.header_w, row.height - 1),
                   QColor(70, 74, 90) if t.id == v.doc.selected_track else QColor(52, 54, 62))
        p.setPen(QColor(235, 235, 235))
        p.setFont(self.bold)
        p.drawText(QRect(8, row.top + 2, geo.header_w - 10, QFontMetrics(self.bold).height() + 2), Qt.AlignLeft,
                   t.name)
        p.setFont(self.small)
        for name, r in geo.switch_rects(row):
            on = getattr(t, name)
            p.fillRect(qrect(r), QColor(220, 140, 40) if on else QColor(80, 82, 90))
            p.setPen(QColor(255, 255, 255))
            p.drawText(qrect(r), Qt.AlignCenter, name[0].upper())

    def empty_hint(self, p):
        v, geo = self.view, self.view.geo
        p.setPen(QColor(200, 200, 210))
        p.setFont(style.font(2))
        area = QRectF(geo.header_w, geo.ruler_h, v.width() - geo.header_w, v.height() - geo.ruler_h)
        p.drawText(area, Qt.AlignCenter | Qt.TextWordWrap,
                   "Drop videos, photos or music here\n(or import them with Ctrl+I, then drag them from Media)")

    # -- what a drag shows --------------------------------------------------------------------------------------
    def overlays(self, p):
        v, geo = self.view, self.view.geo
        d = v.drag
        if d is None:
            return
        if d.target is not None:
            tgt, dur = d.target, d.duration
            row = geo.row_of(v.doc.project, tgt.track_id) if tgt.track_id else None
            if row is None:  # a new track will be made: show where, under the last row or at the top
                rows = geo.rows(v.doc.project)
                top = (rows[-1].top + rows[-1].height) if (tgt.kind == "audio" and rows) else geo.ruler_h
                row = Row(None, top, geo.row_height_for(tgt.kind) if hasattr(geo, "row_height_for") else 40)
                p.fillRect(QRectF(geo.header_w, row.top, v.width(), 3), SELECTED)
            x = geo.x_of(tgt.start)
            if tgt.mode == "insert":
                p.setPen(QPen(SELECTED, 3))
                p.drawLine(QPointF(x, row.top - 2), QPointF(x, row.top + row.height + 2))
                tri = QPainterPath()
                tri.moveTo(x - 7, row.top - 2)
                tri.lineTo(x + 7, row.top - 2)
                tri.lineTo(x, row.top + 7)
                p.fillPath(tri, SELECTED)
            elif tgt.mode == "swap" and tgt.swap_with:
                r = geo.clip_rect_in(v.doc.project, tgt.swap_with)
                if r is not None:
                    p.setPen(QPen(QColor(120, 220, 255), 3, Qt.DashLine))
                    p.setBrush(QColor(120, 220, 255, 50))
                    p.drawRoundedRect(qrect(r), 4, 4)
            else:
                p.setPen(QPen(SELECTED, 2, Qt.DashLine))
                p.setBrush(QColor(255, 220, 80, 40))
                p.drawRect(QRectF(x, row.top + 2, dur * geo.px_per_frame, row.height - 4))
        if d.kind == "band" and d.current is not None:
            p.setPen(QPen(QColor(120, 180, 255), 1, Qt.DashLine))
            p.setBrush(QColor(120, 180, 255, 40))
            p.drawRect(QRectF(qrect(Rect.spanning(d.origin[0], d.origin[1], d.current[0], d.current[1]))))
