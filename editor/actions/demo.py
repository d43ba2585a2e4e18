"""The first-run demo: media Seamline makes itself, a timeline that shows every AI tool (built-in backends)."""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

W, H, FPS = 640, 360, Fraction(30)
SHOT, HANDLE = 120, 15  # frames of each demo shot on the timeline, and the spare frames left unused


def _scene(kind: str, n: int) -> list[np.ndarray]:
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    frames = []
    for k in range(n):
        t = k / float(FPS)
        if kind == "park":  # a sunny lawn with a ball bouncing left to right
            img = np.zeros((H, W, 3), np.float32)
            img[..., 0] = 90 + 60 * (ys / H)
            img[..., 1] = 150 + 50 * (ys / H)
            img[..., 2] = 230 - 120 * (ys / H)
            img[ys > H * 0.6] = (70, 150, 60)
            img += np.sin(xs / 9 + ys / 13) [..., None] * 6
            x = int(60 + (W - 120) * t / (n / float(FPS)))
            y = int(H * 0.6 - 120 * abs(math.sin(2.2 * t)))
            out = np.clip(img, 0, 255).astype(np.uint8)
            cv2.circle(out, (x, y), 26, (240, 60, 50), -1, cv2.LINE_AA)
            cv2.circle(out, (x - 8, y - 8), 7, (255, 200, 190), -1, cv2.LINE_AA)
        else:  # a beach: waves rolling in
            img = np.zeros((H, W, 3), np.float32)
            img[..., 0] = 120 + 80 * (ys / H)
            img[..., 1] = 180 + 40 * (ys / H)
            img[..., 2] = 240
            sea = ys > H * 0.45 + 12 * np.sin(xs / 40 + 2 * t)
            img[sea] = (30, 110, 170)
            foam = np.abs(ys - (H * 0.7 + 20 * np.sin(xs / 55 - 3 * t))) < 6
            img[foam] = (235, 240, 245)
            img[ys > H * 0.82 + 10 * np.sin(xs / 70 + t)] = (220, 200, 150)
            out = np.clip(img, 0, 255).astype(np.uint8)
        frames.append(out)
    return frames


def _still() -> np.ndarray:
    ys, xs = np.mgrid[0:720, 0:1280].astype(np.float32)
    img = np.zeros((720, 1280, 3), np.float32)
    img[..., 0] = 255 - 80 * ys / 720
    img[..., 1] = 150 - 60 * ys / 720
    img[..., 2] = 90 + 60 * ys / 720
    out = img.astype(np.uint8)
    cv2.circle(out, (640, 430), 120, (255, 220, 120), -1, cv2.LINE_AA)  # the sun
    hills = (ys > 470 + 60 * np.sin(xs / 160)).astype(bool)
    out[hills] = (60, 80, 70)
    for i, x in enumerate((300, 560, 900)):  # three people, near to far
        s = 1.6 - 0.35 * i
        cv2.ellipse(out, (x, int(600 - 40 * i)), (int(30 * s), int(70 * s)), 0, 0, 360, (30, 30, 40), -1)
        cv2.circle(out, (x, int(600 - 40 * i - 95 * s)), int(25 * s), (30, 30, 40), -1)
    return out


def _tone(n_samples: int, freq: float, rng) -> np.ndarray:
    t = np.arange(n_samples) / 48000
    x = 0.08 * np.sin(2 * np.pi * freq * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))
    x += 0.02 * rng.standard_normal(n_samples)
    return np.stack([x, x], axis=1).astype(np.float32)


def build_demo(folder, progress=None, cancelled=None) -> Path:
    """Write media + demo.seam into folder; returns the project path. Built-in backends only."""
    from ai.cache import place
    from ai.camera.move import MoveRequest, run_move_job
    from ai.sound.layers import SoundRequest, run_sound_job
    from editor.actions.ai_results import (add_generated_clip, add_sound_layers, clip_pictures, insert_fill,
                                          make_fill, placeable_layers)
    from editor.actions.media import asset_from_info, project_for_files
    from editor.media.probe import probe
    from editor.project.fileio import save
    from editor.timeline import edits

    report = progress or (lambda f, s="": None)
    folder = Path(folder)
    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    generated = folder / "generated"
    rng = np.random.default_rng(0)
    report(0.02, "making demo clips")
    clips = []
    for i, kind in enumerate(("park", "beach")):
        path = media / f"{kind}.mp4"
        if not path.exists():
            from ai.media_io import write_video

            frames = _scene(kind, SHOT + HANDLE)
            write_video(frames, path, FPS, audio=_tone((SHOT + HANDLE) * 48000 // int(FPS), 220 * (i + 1), rng))
        clips.append(path)
    still = media / "sunset.png"
    if not still.exists():
        cv2.imwrite(str(still), cv2.cvtColor(_still(), cv2.COLOR_RGB2BGR))
    report(0.15, "laying out the timeline")
    project = edits.rename_project(project_for_files(clips, size=(W, H), rate=FPS), "Seamline demo")
    v = project.video_tracks()[0]
    a, b = sorted(v.clips, key=lambda c: c.start)
    # like real footage, each shot is used without its spare half second (park's end, beach's start): the
    # filled cut then crossfades the two clips' sound across the in-between frames instead of leaving a gap
    project = edits.trim(project, a.id, "out", -HANDLE)
    project = edits.trim(project, b.id, "in", HANDLE)
    project = edits.close_gap(project, v.id, project.track(v.id).clip(a.id).end)
    a, b = project.track(v.id).clip(a.id), project.track(v.id).clip(b.id)
    report(0.2, "filling the cut")
    asset, n = make_fill(project, v.id, a.id, b.id, generated, seconds=0.75,
                         progress=lambda f, s="": report(0.2 + 0.3 * f, "filling the cut"), cancelled=cancelled)
    project = insert_fill(project, v.id, a.id, b.id, asset, n)
    report(0.5, "camera move from the still")
    req = MoveRequest(source=cv2.cvtColor(cv2.imread(str(still)), cv2.COLOR_BGR2RGB), moves=["push-in", "pan-right"],
                      size=(W, H), fps=FPS, duration=3.0, intensity=0.6)
    result = run_move_job(req, None, lambda f, s="": report(0.5 + 0.25 * f, "camera move"), cancelled)
    move = asset_from_info(probe(place(result, generated, ["move.mp4"])["move.mp4"]), FPS,
                           provenance=result.provenance, name="Push in + pan right (sunset.png)")
    project = add_generated_clip(project, move, v.id, project.duration)
    report(0.75, "sound layers")
    first = project.track(v.id).clips[0]
    from ai.sound.analysis import analyse_frames

    # the sound follows the part of the shot that is on the timeline
    analysis = analyse_frames(clip_pictures(project, first), FPS, "park, kids playing")
    # the shot has no cut of its own: its whoosh leads into the filled cut at its end
    lead_in = [(max(0, first.duration - 12), 1.0)]
    sres = run_sound_job(SoundRequest(analysis=analysis, preset="park", words="park, kids playing",
                                      extra_whooshes=lead_in), None,
                         lambda f, s="": report(0.75 + 0.2 * f, "sound layers"), cancelled)
    layers = []
    names = placeable_layers(sres.provenance, ("ambience", "foley", "whoosh"))[0]
    wavs = place(sres, generated, [f"{name}.wav" for name in names])
    for name in names:
        la = asset_from_info(probe(wavs[f"{name}.wav"]), FPS, provenance=sres.provenance,
                             name=f"{name.capitalize()} \u2014 park")
        layers.append((name.capitalize(), la))
    project = add_sound_layers(project, layers, first.start, first.duration)
    moved = [c for c in project.track(v.id).clips if c.asset_id == move.id][0]
    project = edits.set_clip_property(project, moved.id, "fade_out", 15)
    path = save(project, folder / "demo.seam")
    report(1.0, "done")
    return path


def default_folder() -> Path:
    from editor.resources import data_dir

    return data_dir() / "demo"
