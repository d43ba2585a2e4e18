"""Music glue: add a song, find its beat, duck it under speech. The analysis functions are plain functions with
progress and cancel (run them on a worker); each returns what one Session edit (editor/timeline/music_edits.py)
then places, so the timeline changes in one undoable step.

When ai/jobs.py's catalog lands, `analyse_beats` and `find_speech` register as analysis jobs ("beats", "speech")
with these signatures: (project snapshot, ids, progress(fraction), cancelled()) -> result.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from editor.actions.media import import_asset
from editor.timeline import edits
from editor.timeline.music_edits import apply_ducking, music_tracks, place_music, set_rhythm
from editor.timeline.model import Ducking, MediaAsset, Project, evolve

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
VAD_RATE = 16_000


def is_music_drop(project: Project, asset: MediaAsset) -> bool:
    """A sound file dropped on an empty timeline is music: it goes on a music track."""
    return asset.kind == "audio" and not any(t.clips for t in project.tracks)


@edits.edit
def add_music(project: Project, path, start: int = 0) -> Project:
    """Import a song and lay it on the music track (one edit)."""
    asset = import_asset(project, path)
    out = edits.add_asset(project, asset)
    return place_music(out, asset.id, start)


def analyse_beats(project: Project, asset_id: str, progress: Progress | None = None,
                  cancelled: Cancelled | None = None):
    """The beat grid of a song in the project (cached per file); place it with `rhythm_edit`."""
    from ai.music.beats import analyse_file

    asset = project.assets[asset_id]
    return analyse_file(asset.path, progress, cancelled)


def rhythm_edit(project: Project, asset_id: str, grid) -> Project:
    return set_rhythm(project, asset_id, grid.tempo, grid.beats, grid.downbeats, grid.phrases, grid.method)


def speech_track_ids(project: Project) -> list[str]:
    """The audio tracks whose sound can be speech: every audio track that is not music (muted ones included: a
    track muted now may be heard later; the user can clear ducking keys by hand)."""
    return [t.id for t in project.audio_tracks() if t.role != "music" and t.clips]


def find_speech(project: Project, track_ids: list[str] | None = None, span: tuple[int, int] | None = None,
                progress: Progress | None = None, cancelled: Cancelled | None = None) -> list[tuple[float, float]]:
    """Where speech is on the timeline (seconds), found by the voice-activity detector (silero-vad, or an energy
    detector without torch) in the mix of the given tracks (default: every audio track that is not music)."""
    from ai.captions.speech import speech_regions
    from ai.errors import JobCancelled
    from editor.render.mixer import AudioMixer
    from scipy.signal import resample_poly

    ids = set(speech_track_ids(project) if track_ids is None else track_ids)
    if not ids:
        return []
    tracks = tuple(evolve(t, mute=False, solo=False) for t in project.tracks if t.id in ids)
    only = evolve(project, tracks=tracks)
    s = project.settings
    a, b = span or (0, only.duration)
    mixer = AudioMixer(only)
    step = max(1, int(s.rate) * 10)
    chunks = []
    try:
        for n in range(a, b, step):
            if cancelled is not None and cancelled():
                raise JobCancelled("finding speech was cancelled")
            block = mixer.mix(n, min(b, n + step)).mean(axis=1)
            chunks.append(block)
            if progress is not None:
                progress(0.5 * (n - a + step) / max(1, b - a))
    finally:
        mixer.pool.close()
    if not chunks:
        return []
    mono = np.concatenate(chunks).astype(np.float64)
    from math import gcd

    g = gcd(VAD_RATE, s.sample_rate)
    audio = resample_poly(mono, VAD_RATE // g, s.sample_rate // g).astype(np.float32)
    regions, _ = speech_regions(audio)
    if progress is not None:
        progress(1.0)
    offset = s.seconds(a)
    return [(offset + x, offset + y) for x, y in regions]


def ducking_edit(project: Project, track_id: str, regions, ducking: Ducking | None = None) -> Project:
    return apply_ducking(project, track_id, regions, ducking)


def duck_music(project: Project, ducking: Ducking | None = None, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> Project:
    """Headless: find the speech and duck every music track under it (the CLI and tests; the UI runs `find_speech`
    on a worker and applies `ducking_edit` through the Session)."""
    regions = find_speech(project, progress=progress, cancelled=cancelled)
    out = project
    for t in music_tracks(project):
        out = apply_ducking(out, t.id, regions, ducking)
    return out
