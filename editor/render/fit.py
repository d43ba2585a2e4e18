"""Fitting a picture inside a frame (letterbox), shared by the compositor, the exporter and the AI tools' inputs.
Kept apart from the compositor so that its users (ai/) do not load what the compositor draws with (Qt's text engine
for titles)."""
from __future__ import annotations


def fit_rect(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int, int, int]:
    """Letterbox: (x, y, w, h) of a src_w x src_h picture fitted inside dst, centred, aspect kept."""
    s = min(dst_w / src_w, dst_h / src_h)
    w = max(1, min(dst_w, int(round(src_w * s))))
    h = max(1, min(dst_h, int(round(src_h * s))))
    return (dst_w - w) // 2, (dst_h - h) // 2, w, h
