"""`main.py camera-move SOURCE -o OUT --move push-in [--move pan-right] [--duration 5] ...`"""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

from ai.camera.move import MoveRequest, default_size, run_move_job
from ai.errors import AIError
from ai.jobs import CancelToken, default_generated_dir
from ai.media_io import VIDEO_EXTS, write_output
from editor.media.probe import probe


def _focus(text):
    if not text:
        return (0.5, 0.5)
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise AIError(f"--focus takes x,y between 0 and 1 (like 0.5,0.4), not {text!r}") from None
    return (x, y)


def run_camera_cli(args, bar) -> int:
    from editor.media.atomic import copy_atomic
    from editor.media.reader import ImageReader, open_visual

    info = probe(args.source)
    clip_frames = None
    clip_key = ""
    if info.kind == "image":
        source = ImageReader(args.source, info=info).frame(0)
        fps = args.fps or Fraction(30)
    elif info.kind == "video":
        reader = open_visual(args.source, info=info)  # a video or an animated GIF/WebP/APNG
        if hasattr(reader, "cache"):
            reader.cache.max_bytes = 1  # read once, in order: no frame cache
        fps = args.fps or info.rate
        source = reader.frame(0)
        rate_ratio = info.rate / fps

        def clip_frames(k, _r=reader, _q=rate_ratio):
            return _r.frame(int(k * _q))

        clip_key = f"{Path(args.source).resolve()}|{info.duration}"
    else:
        raise AIError(f"{args.source}: a camera move needs a picture or a video, not {info.kind}")
    size = args.size or default_size(source.shape[1], source.shape[0])
    duration = args.duration
    if info.kind == "video":
        duration = min(duration, info.duration)
    req = MoveRequest(source=source, moves=args.move, size=size, fps=fps, duration=duration,
                      intensity=args.intensity, easing=args.easing, focus=_focus(args.focus), handheld=args.handheld,
                      hfov=args.fov, backend=args.backend, prompt=args.prompt, seed=args.seed,
                      clip_frames=clip_frames, clip_key=clip_key)
    token = CancelToken()
    out = Path(args.output)
    cached = False
    try:
        if out.suffix.lower() in VIDEO_EXTS:
            if not out.resolve().parent.is_dir():
                raise AIError(f"{out}: the folder to write into does not exist")
            result = run_move_job(req, default_generated_dir(), progress=lambda f, s="": bar(f, s),
                                  cancelled=token, sources=[{"file": str(args.source)}])
            cached = result.cached
            copy_atomic(result.folder / "move.mp4", out)
        else:  # numbered PNGs straight from the renderer (no video compression in between)
            write_output(move_frames(req, lambda f, s="": bar(f, s), token), out, fps)
            bar(1.0, "done")
    except KeyboardInterrupt:
        token.cancel()
        raise
    sys.stderr.write(f"{req.frames} frames, {req.size[0]}x{req.size[1]}, backend {req.backend}"
                     f"{' (cached)' if cached else ''}\n")
    print(out)
    return 0


def move_frames(req, report, cancelled):
    if req.backend == "builtin":
        from ai.camera.move import builtin_frames

        return list(builtin_frames(req, report, cancelled))
    from ai.camera.generative import generate_move

    return generate_move(req, report, cancelled)[0]
