"""Check a rendered photo story the way the issue's held-out check does, and print what it measures.

    python tests/benchmarks/story_check.py STORY.mp4 STORY.seam --bpm 112 --lead-in 0.4 [--sheet SHEET.png]

- order and presence: the story track's photo clips in order (names carry the photo's file name);
- movement: mean absolute difference between frames 0.5 s apart inside each photo's segment (0 = a still);
- cuts on the beat: each transition's middle (or a fill's middle) against the song's beats (known: --bpm, --lead-in,
  or the beats stored on the song);
- music: its level over the last seconds (fade-out), its dip under speech (the music track mixed alone, during the
  speech against the 2 s before), the speech's level with and without the music ducked;
- loudness: integrated LUFS (pyloudnorm) and true peak (4x oversampled) of the file's sound; the frame size.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _level(x) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.asarray(x, np.float64) ** 2)) + 1e-12))


def main(argv=None) -> int:
    import cv2
    import pyloudnorm

    from editor.media.reader import open_visual, read_audio
    from editor.project import load
    from editor.render.loudness import true_peak_db
    from editor.render.mixer import AudioMixer
    from editor.timeline.model import evolve
    from editor.timeline.music_edits import music_tracks

    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("project")
    ap.add_argument("--bpm", type=float, default=None)
    ap.add_argument("--lead-in", type=float, default=0.0)
    ap.add_argument("--sheet", default=None)
    a = ap.parse_args(argv)
    p = load(a.project)
    rate = float(p.settings.rate)
    v = p.track("story-v1")
    reader = open_visual(a.video)
    print(f"frame size {reader.width}x{reader.height}, {p.duration / rate:.2f} s")
    print("order:", " | ".join(c.name for c in v.clips))
    for c in v.clips:
        if "(" not in c.name or c.name.startswith("Fill"):
            continue
        x_in, x_out = v.transitions_of(c.id)
        f0 = c.start + (x_in.frames_after if x_in else 0)
        f1 = c.end - (x_out.frames_before if x_out else 0)
        step = int(rate / 2)
        diffs = [float(np.mean(cv2.absdiff(reader.frame(f), reader.frame(f + step))))
                 for f in range(f0, f1 - step, step)]
        print(f"  moves {c.name:40s} mean |diff| over 0.5 s: {np.mean(diffs):.2f} (min {np.min(diffs):.2f})")
    (mt,) = music_tracks(p)
    song = p.assets[mt.clips[0].asset_id]
    beats = (np.arange(0, 600, 60.0 / a.bpm) + a.lead_in) if a.bpm else np.array(song.rhythm.beats)
    middles = []
    for x in v.transitions:
        middles.append((v.clip(x.a).end - x.frames_before + x.duration / 2) / rate)
    for c in v.clips:
        if c.name.startswith("Fill"):
            middles.append((c.start + c.duration / 2) / rate)
    if not middles:
        middles = [c.start / rate for c in v.clips[1:]]
    err = np.array([np.min(np.abs(beats - m)) for m in middles]) * 1000
    print(f"cuts on the beat: {len(err)} cuts, median error {np.median(err):.1f} ms, max {np.max(err):.1f} ms")
    sound = read_audio(a.video, 48000, 2).astype(np.float64)
    lufs = pyloudnorm.Meter(48000).integrated_loudness(sound)
    print(f"loudness {lufs:.2f} LUFS, true peak {true_peak_db(sound):.2f} dBTP")
    end = len(sound) / 48000
    tail = [_level(sound[int((end - k - 0.5) * 48000):int((end - k) * 48000)]) for k in (4.0, 3.0, 2.0, 1.0, 0.0)]
    print("level in the last seconds (0.5 s windows ending at -4,-3,-2,-1,0 s):", " ".join(f"{t:.1f}" for t in tail))

    def mix_only(project, ids, t0, t1):
        solo = evolve(project, tracks=tuple(evolve(t, mute=t.id not in ids) for t in project.tracks))
        return AudioMixer(solo).mix(int(t0 * rate), int(t1 * rate))

    from editor.actions.music import find_speech

    speech = find_speech(p)
    undducked = evolve(p, tracks=tuple(evolve(t, clips=tuple(evolve(c, keyframes={}) for c in t.clips))
                                        if t.id == mt.id else t for t in p.tracks))
    for s0, s1 in speech:
        dip = _level(mix_only(undducked, {mt.id}, s0, s1)) - _level(mix_only(p, {mt.id}, s0, s1))
        others = {t.id for t in p.audio_tracks() if t.id != mt.id}
        keep = _level(mix_only(p, others, s0, s1))
        print(f"speech {s0:.2f}-{s1:.2f} s: music {dip:.1f} dB under its undducked level; speech {keep:.1f} dB "
              f"(the same in both mixes: ducking touches only the music); file during speech "
              f"{_level(sound[int(s0 * 48000):int(s1 * 48000)]):.1f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
