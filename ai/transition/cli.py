"""`main.py fill-transition A B -o OUT [--frames N | --duration S] [--backend ...] [--fps F] [--size WxH]`"""
from __future__ import annotations

import sys
from fractions import Fraction

from ai.errors import AIError
from ai.jobs import CancelToken, default_generated_dir
from ai.media_io import edge_frame, fit, read_pngs, write_output
from ai.transition.fill import FillRequest, frames_for_seconds, run_fill_job


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
    token = CancelToken()
    try:
        result = run_fill_job(req, default_generated_dir(), progress=lambda f, s="": bar(f, s), cancelled=token,
                              sources=[{"file": str(args.a), "frame": "last"}, {"file": str(args.b),
                                                                              "frame": "first"}])
    except KeyboardInterrupt:
        token.cancel()
        raise
    frames = read_pngs([p for p in result.files if p.suffix == ".png"])
    out = write_output(frames, args.output, fps)
    prov = result.provenance
    sys.stderr.write(f"{len(frames)} frames, backend {prov.get('backend_used', prov['backend'])}"
                     f"{' (cached)' if result.cached else ''}\n")
    print(out)
    return 0
