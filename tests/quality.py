"""Reference methods and scores for the fill-transition quality checks (BASELINES.md describes them)."""
import glob
from pathlib import Path

import cv2
import numpy as np


def read_rgb(path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def psnr(x: np.ndarray, y: np.ndarray) -> float:
    mse = np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def dis_baseline(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The "simple DIS flow" middle frame of BASELINES.md."""
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    f01, f10 = dis.calc(ga, gb, None), dis.calc(gb, ga, None)
    h, w = ga.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    w0 = cv2.remap(a, gx + 0.5 * f10[..., 0], gy + 0.5 * f10[..., 1], cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_REPLICATE)
    w1 = cv2.remap(b, gx + 0.5 * f01[..., 0], gy + 0.5 * f01[..., 1], cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_REPLICATE)
    return ((w0.astype(np.float32) + w1) / 2).round().astype(np.uint8)


def crossfade(a, b):
    return ((a.astype(np.float32) + b) / 2).round().astype(np.uint8)


def triplet_sets(media: Path, k: int = 20) -> dict[str, list[tuple]]:
    """(A, ground-truth middle, B) triplets as in BASELINES.md: Middlebury, Vimeo, DAVIS d=1 and d=3 at frame k."""
    sets = {}
    mb = sorted(glob.glob(str(media / "triplets/middlebury_rubberwhale/*.png")))
    sets["Middlebury"] = [tuple(read_rgb(mb[i + j]) for j in range(3)) for i in range(len(mb) - 2)]
    v = media / "triplets/vimeo90k_pytoflow"
    sets["Vimeo"] = [tuple(read_rgb(v / f"im{i}.png") for i in (1, 2, 3))]
    seqs = sorted(glob.glob(str(media / "davis/*")))
    for d in (1, 3):
        sets[f"DAVIS d={d}"] = [tuple(read_rgb(f"{s}/{i:05d}.jpg") for i in (k - d, k, k + d)) for s in seqs]
    return sets
