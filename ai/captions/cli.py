"""`main.py captions MEDIA -o OUT.srt|OUT.vtt [--backend builtin|whisper] [--language en] [--model NAME]
[--cluster ADDRESS]`"""
from __future__ import annotations

import sys
from pathlib import Path

from ai.captions.job import CaptionsRequest, audio_from_file, captions_spec, read_cues
from ai.errors import AIError
from ai.jobs import run_cli_job
from ai.transition.cli import where


def run_captions_cli(args, bar) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in (".srt", ".vtt"):
        raise AIError(f"{out.name}: captions are written as .srt or .vtt")
    if not out.resolve().parent.is_dir():
        raise AIError(f"{out.parent}: the folder does not exist")
    bar(0.0, "reading the sound")
    req = CaptionsRequest(audio=audio_from_file(args.media), backend=args.backend, language=args.language,
                          model=args.model)
    result = run_cli_job(captions_spec(req, [{"file": str(Path(args.media).resolve())}]), bar, args.cluster)
    from editor.project.subtitles import write_subtitles

    cues = read_cues(result)
    write_subtitles(cues, out)
    prov = result.provenance
    sys.stderr.write(f"{len(cues)} cues from {prov.get('model')} ({prov.get('quality')}); speech found by "
                     f"{prov.get('vad')}{' (cached)' if result.cached else ''}{where(prov)}\n")
    print(out)
    return 0
