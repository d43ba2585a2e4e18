"""Colour correction of a clip's picture: exposure, contrast, saturation, temperature, tint and a 3D LUT (.cube).

Exposure (stops) and white balance (temperature: red/blue, tint: green/magenta) act on linear light; contrast is an
S-curve on the display value that keeps black and white; all three fold into one 256-entry table per channel (one
cv2.LUT call). Saturation mixes each pixel with its luma (Rec. 709 weights). A .cube 3D LUT is applied with
trilinear interpolation (two bilinear cv2.remap lookups in the LUT laid out as blue slices, mixed along blue).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import cv2
import numpy as np

from editor.errors import MediaError

NEUTRAL = {"exposure": 0.0, "contrast": 0.0, "saturation": 1.0, "temperature": 0.0, "tint": 0.0}


def _to_linear(x):
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _to_display(x):
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055)


@functools.lru_cache(maxsize=64)
def channel_tables(exposure: float, contrast: float, temperature: float, tint: float) -> np.ndarray:
    """(256, 1, 3) uint8 table for cv2.LUT: exposure and white balance in linear light, then contrast."""
    x = np.arange(256, dtype=np.float64) / 255
    gains = np.array([2 ** (0.5 * temperature), 2 ** (-0.4 * tint), 2 ** (-0.5 * temperature)])
    gains /= gains @ np.array([0.2126, 0.7152, 0.0722])  # a grey stays as bright
    lin = _to_linear(x)[:, None] * (2.0 ** exposure) * gains[None, :]
    y = _to_display(lin)
    if contrast:
        g = 2.0 ** (1.5 * contrast)
        yg, ig = np.power(y, g), np.power(1 - y, g)
        y = yg / np.maximum(yg + ig, 1e-12)
    return np.clip(np.round(y * 255), 0, 255).astype(np.uint8).reshape(256, 1, 3)


def is_neutral(v: dict) -> bool:
    return all(v.get(k, d) == d for k, d in NEUTRAL.items()) and not v.get("lut")


def apply(img: np.ndarray, v: dict) -> np.ndarray:
    """A corrected copy of an RGB (or premultiplied RGBA: colour on the RGB part) uint8 picture."""
    if is_neutral(v):
        return img
    alpha = None
    if img.shape[2] == 4:
        img, alpha = np.ascontiguousarray(img[..., :3]), img[..., 3:]
    out = img
    if any(v.get(k, 0.0) for k in ("exposure", "contrast", "temperature", "tint")):
        out = cv2.LUT(out, channel_tables(float(v.get("exposure", 0)), float(v.get("contrast", 0)),
                                          float(v.get("temperature", 0)), float(v.get("tint", 0))))
    s = float(v.get("saturation", 1.0))
    if s != 1.0:
        luma = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        out = cv2.addWeighted(out, s, luma, 1.0 - s, 0.0)
    if v.get("lut"):
        lut = read_cube(v["lut"])
        graded = apply_lut(out, lut)
        mix = float(v.get("lut_mix", 1.0))
        out = graded if mix >= 1.0 else cv2.addWeighted(graded, mix, out, 1.0 - mix, 0.0)
    if alpha is not None:
        out = np.concatenate([np.minimum(out, alpha), alpha], axis=2)  # stays premultiplied
    return out


# -- 3D LUTs --------------------------------------------------------------------------------------------------------
def read_cube(path) -> np.ndarray:
    """A .cube 3D LUT as float32 (N, N, N, 3) indexed [b, g, r] (values 0..1), cached per file version."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise MediaError(path, "the LUT file is missing; pick it again in the clip's colour settings") from None
    return _read_cube(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_cube(path: str, _size: int, _mtime: int) -> np.ndarray:
    if _size > 64 << 20:
        raise MediaError(path, "the LUT file is too large for a .cube LUT")
    size, lo, hi, rows = None, np.zeros(3), np.ones(3), []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                head = line.split()[0].upper()
                if head == "LUT_3D_SIZE":
                    size = int(line.split()[1])
                elif head == "LUT_1D_SIZE":
                    raise MediaError(path, "this is a 1D LUT; Seamline reads 3D .cube LUTs")
                elif head == "DOMAIN_MIN":
                    lo = np.array([float(x) for x in line.split()[1:4]])
                elif head == "DOMAIN_MAX":
                    hi = np.array([float(x) for x in line.split()[1:4]])
                elif head in ("TITLE", "LUT_3D_INPUT_RANGE"):
                    continue
                else:
                    rows.append([float(x) for x in line.split()[:3]])
    except (ValueError, IndexError):
        raise MediaError(path, "not a readable .cube LUT (a line is not three numbers)") from None
    except OSError as exc:
        raise MediaError(path, f"the LUT cannot be read: {exc.strerror or exc}") from None
    if size is None or not 2 <= size <= 256:
        raise MediaError(path, "not a .cube 3D LUT (no LUT_3D_SIZE between 2 and 256)")
    if len(rows) != size ** 3:
        raise MediaError(path, f"the LUT is cut short: {len(rows)} of {size ** 3} entries")
    table = np.asarray(rows, np.float32).reshape(size, size, size, 3)  # red changes fastest: [b][g][r]
    if np.any(lo != 0) or np.any(hi != 1):
        raise MediaError(path, "the LUT has a DOMAIN other than 0..1 (a log/HDR LUT); Seamline takes display LUTs")
    table = np.clip(table, 0.0, 1.0)
    table.setflags(write=False)
    return table


def apply_lut(img: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Trilinear 3D LUT lookup of an RGB uint8 picture."""
    n = table.shape[0]
    tiles = np.ascontiguousarray(table.transpose(1, 0, 2, 3).reshape(n, n * n, 3))  # row g, column b * n + r
    scale = (n - 1) / 255.0
    pos = cv2.multiply(img.astype(np.float32), (scale, scale, scale, 0))
    r, g, b = cv2.split(pos)
    b0 = np.floor(b)
    fb = b - b0
    b0 = np.minimum(b0, n - 2)
    fb = np.where(b >= n - 1, 1.0, fb).astype(np.float32)
    out = None
    for step, w in ((0, 1.0 - fb), (1, fb)):
        mx = (r + (b0 + step) * n).astype(np.float32)
        part = cv2.remap(tiles, mx, g, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out = part * w[..., None] if out is None else out + part * w[..., None]
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def write_cube(path, table: np.ndarray, title: str = "") -> None:
    """Write a (N, N, N, 3) [b, g, r] table as a .cube file (tests and presets)."""
    n = table.shape[0]
    lines = [f'TITLE "{title}"'] if title else []
    lines.append(f"LUT_3D_SIZE {n}")
    lines += [f"{v[0]:.6f} {v[1]:.6f} {v[2]:.6f}" for v in table.reshape(-1, 3)]
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
