"""Generate captions for part of the timeline: the sound of a clip, a selection or the whole timeline, mixed as the
viewer hears it, goes to the captions tool (ai/captions) on a worker; its cues land on a captions track as one edit,
replacing the cues that were there for that stretch."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from editor.timeline.model import EditError, Project


def scope_range(project: Project, scope: str, clip_ids=(), playhead: int = 0) -> tuple[int, int]:
    """[start, end) frames to caption: "clip" (the selected clip, or the one under the playhead), "selection" (from
    the first selected clip's start to the last one's end) or "timeline"."""
    if scope == "timeline":
        if project.duration <= 0:
            raise EditError("the timeline is empty: there is nothing to caption")
        return 0, project.duration
    clips = [project.find_clip(c)[1] for c in clip_ids if project.track_of(c) is not None]
    clips = [c for c in clips if not c.generated]
    if not clips and scope == "clip":
        for t in project.tracks:
            c = t.clip_at(playhead)
            if c is not None and not c.generated:
                clips = [c]
                break
    if not clips:
        raise EditError("select a clip with sound to caption (or caption the whole timeline)")
    if scope == "clip":
        clips = clips[:1]
    return min(c.start for c in clips), max(c.end for c in clips)


def speech_audio(project: Project, start: int, end: int, cancelled=None) -> np.ndarray:
    """The mixed sound of [start, end) as 16 kHz mono (what the recognisers read), a minute at a time."""
    from math import gcd

    from scipy.signal import resample_poly

    from editor.render.mixer import AudioMixer

    mixer = AudioMixer(project)
    sr = project.settings.sample_rate
    step = max(1, int(60 * project.settings.rate))
    parts = []
    for a in range(start, end, step):
        if cancelled is not None and cancelled():
            from ai.errors import JobCancelled

            raise JobCancelled("captions were cancelled")
        parts.append(mixer.mix(a, min(end, a + step)).mean(axis=1))
    mono = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    g = gcd(16000, sr)
    return resample_poly(mono, 16000 // g, sr // g).astype(np.float32)


def generate(project: Project, start: int, end: int, backend: str = "builtin", language: str = "en",
             model: str | None = None, generated=None, progress=None, cancelled=None):
    """Run the captions job for [start, end) (call on a worker). Returns (cues, provenance)."""
    from ai.captions.job import CaptionsRequest, read_cues, run_captions_job

    report = progress or (lambda f, s="": None)
    report(0.0, "mixing the sound")
    audio = speech_audio(project, start, end, cancelled)
    if not np.any(np.abs(audio) > 1e-4):
        raise EditError("there is no sound in that part of the timeline")
    req = CaptionsRequest(audio=audio, backend=backend, language=language, model=model)
    rate = project.settings.rate
    src = [{"range": [start, end], "rate": str(Fraction(rate))}]
    result = run_captions_job(req, None, progress=report, cancelled=cancelled, sources=src)  # the AI job cache
    return read_cues(result), result.provenance
