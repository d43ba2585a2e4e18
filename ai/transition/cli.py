"""`main.py fill-transition A B -o OUT [--frames N | --duration S] [--backend ...] [--fps F] [--size WxH]
[--cluster ADDRESS]`"""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

from ai.errors import AIError
from ai.jobs import run_cli_job
from ai.media_io import VIDEO_EXTS, copy_atomic, copy_pngs, edge_frame, fit
from ai.transition.fill import FillRequest, fill_spec, frames_for_seconds


def run_fill_cli(args, bar) -> int:
    a, rate_a = edge_frame(args.a, "last")
    b, _ = edge_frame(args.b, "first")
    fps = args.fps or rate_a or Fraction(30)
    size = args.size or (a.shape[1], a.shape[0])
    a, b = fit(a, size), fit(b, size)
    if args.frames is not None:
        if args.frames < 1:
            raise AIError("--frames must be at least 1")
        n = args.frames
    else:
        n = frames_for_seconds(args.duration if args.duration is not None else 1.0, fps)
    req = FillRequest(a=a, b=b, frames=n, fps=fps, backend=args.backend, prompt=args.prompt, seed=args.seed)
    out = Path(args.output)
    if out.suffix.lower() in VIDEO_EXTS and not out.resolve().parent.is_dir():
        raise AIError(f"{out}: the folder to write into does not exist")
    spec = fill_spec(req, sources=[{"file": str(args.a), "frame": "last"}, {"file": str(args.b), "frame": "first"}])
    result = run_cli_job(spec, bar, args.cluster)
    if out.suffix.lower() in VIDEO_EXTS:
        copy_atomic(result.file("fill.mp4"), out)
    else:
        copy_pngs([p for p in result.files if p.suffix == ".png"], out)
    prov = result.provenance
    sys.stderr.write(f"{n} frames, backend {prov.get('backend_used', prov['backend'])}"
                     f"{' (cached)' if result.cached else ''}{where(prov)}\n")
    print(out)
    return 0


def where(prov: dict) -> str:
    node = prov.get("node") or {}
    return f", ran on the cluster node {node.get('host')} ({node.get('ip')})" if node.get("where") == "ray" else ""
