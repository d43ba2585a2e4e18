"""`main.py sfx CLIP -o OUTDIR [--layers ambience,foley,whoosh] [--describe ...] [--preset beach] [--backend ...]
[--cluster ADDRESS]`"""
from __future__ import annotations

import sys
from pathlib import Path

from ai.errors import AIError
from ai.jobs import run_cli_job
from ai.media_io import copy_atomic
from ai.sound.analysis import analyse_file
from ai.sound.layers import SoundRequest, sound_spec
from ai.transition.cli import where
from editor.media.probe import probe


def run_sfx_cli(args, bar) -> int:
    info = probe(args.clip)
    if info.kind != "video":
        raise AIError(f"{args.clip}: sound layers are made for a video clip")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise AIError(f"{out} exists and is not a folder")
    layers = [x.strip() for x in args.layers.split(",") if x.strip()]
    bar(0.01, "analysing the picture")
    analysis = analyse_file(args.clip, args.describe)  # here, even with --cluster: the backend is what runs there
    req = SoundRequest(analysis=analysis, layers=layers, preset=args.preset, words=args.describe,
                       backend=args.backend, seed=args.seed)
    result = run_cli_job(sound_spec(req, sources=[{"file": str(args.clip)}]), bar, args.cluster)
    out.mkdir(parents=True, exist_ok=True)
    for p in result.files:
        if p.suffix == ".wav":
            copy_atomic(p, out / p.name)
    prov = result.provenance
    empty = prov.get("empty", {})
    made = [x for x in layers if x not in empty]
    sys.stderr.write(f"layers {', '.join(made) or 'none'} ({prov.get('preset')}); cuts at frames {analysis.cuts}, "
                     f"hits at {analysis.peaks}{' (cached)' if result.cached else ''}{where(prov)}\n")
    for name, reason in empty.items():
        sys.stderr.write(f"{name}: empty, not written: {reason}\n")
    print(out)
    return 0
