"""`main.py camera-move SOURCE -o OUT --move push-in [--move pan-right] [--duration 5] ... [--cluster ADDRESS]`"""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

from ai.camera.move import MoveRequest, default_size, move_spec
from ai.errors import AIError
from ai.jobs import run_cli_job
from ai.media_io import VIDEO_EXTS, copy_atomic, copy_pngs
from ai.transition.cli import where
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
    from editor.media.reader import ImageReader, open_visual

    info = probe(args.source)
    clip = None
    ratio = Fraction(1)
    if info.kind == "image":
        source = ImageReader(args.source, info=info).frame(0)
        fps = args.fps or Fraction(30)
    elif info.kind == "video":
        reader = open_visual(args.source, info=info)  # a video or an animated GIF/WebP/APNG
        try:
            source = reader.frame(0)
        finally:
            if hasattr(reader, "close"):
                reader.close()
        fps = args.fps or info.rate
        clip, ratio = str(args.source), Fraction(info.rate) / Fraction(fps)
    else:
        raise AIError(f"{args.source}: a camera move needs a picture or a video, not {info.kind}")
    size = args.size or default_size(source.shape[1], source.shape[0])
    duration = args.duration
    if info.kind == "video":
        duration = min(duration, info.duration)
    req = MoveRequest(source=source, moves=args.move, size=size, fps=fps, duration=duration,
                      intensity=args.intensity, easing=args.easing, focus=_focus(args.focus), handheld=args.handheld,
                      hfov=args.fov, backend=args.backend, prompt=args.prompt, seed=args.seed,
                      clip=clip, clip_ratio=ratio)
    out = Path(args.output)
    video = out.suffix.lower() in VIDEO_EXTS
    if video and not out.resolve().parent.is_dir():
        raise AIError(f"{out}: the folder to write into does not exist")
    if not video and out.exists() and not out.is_dir():
        raise AIError(f"{out} exists and is not a folder; give a video file name (.mp4) or a folder")
    # PNGs come straight from the renderer (no video compression in between), through the same job protocol
    spec = move_spec(req, sources=[{"file": str(args.source)}], fmt="mp4" if video else "png")
    result = run_cli_job(spec, bar, args.cluster)
    if video:
        copy_atomic(result.file("move.mp4"), out)
    else:
        copy_pngs([p for p in result.files if p.suffix == ".png"], out)
    sys.stderr.write(f"{req.frames} frames, {req.size[0]}x{req.size[1]}, backend {req.backend}"
                     f"{' (cached)' if result.cached else ''}{where(result.provenance)}\n")
    print(out)
    return 0
