"""`main.py sfx CLIP -o OUTDIR [--layers ambience,foley,whoosh] [--describe ...] [--preset beach] [--backend ...]`"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ai.errors import AIError
from ai.jobs import CancelToken, default_generated_dir
from ai.sound.analysis import analyse_file
from ai.sound.layers import SoundRequest, run_sound_job
from editor.media.probe import probe


def run_sfx_cli(args, bar) -> int:
    info = probe(args.clip)
    if info.kind != "video":
        raise AIError(f"{args.clip}: sound layers are made for a video clip")
    bar(0.01, "analysing the picture")
    analysis = analyse_file(args.clip, args.describe)
    layers = [x.strip() for x in args.layers.split(",") if x.strip()]
    req = SoundRequest(analysis=analysis, layers=layers, preset=args.preset, words=args.describe,
                       backend=args.backend, seed=args.seed)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise AIError(f"{out} exists and is not a folder")
    token = CancelToken()
    try:
        result = run_sound_job(req, default_generated_dir(), progress=lambda f, s="": bar(f, s), cancelled=token,
                               sources=[{"file": str(args.clip)}],
                               key_extra=f"{Path(args.clip).resolve()}|{info.duration}")
    except KeyboardInterrupt:
        token.cancel()
        raise
    out.mkdir(parents=True, exist_ok=True)
    for p in result.files:
        if p.suffix == ".wav":
            shutil.copyfile(p, out / p.name)
    prov = result.provenance
    empty = prov.get("empty", {})
    made = [x for x in layers if x not in empty]
    sys.stderr.write(f"layers {', '.join(made) or 'none'} ({prov.get('preset')}); cuts at frames {analysis.cuts}, "
                     f"hits at {analysis.peaks}\n")
    for name, reason in empty.items():
        sys.stderr.write(f"{name}: empty, not written: {reason}\n")
    print(out)
    return 0
