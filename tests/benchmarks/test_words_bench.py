"""Words on screen, measured (not in the default run):

    .venv/bin/python -m pytest tests/benchmarks/test_words_bench.py -s

1080p compositor frames over real footage with no words (the baseline, same run), a still lower third, a title
animating (re-drawn every frame), burnt-in captions; and the built-in captions' speed against real time.
"""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
MEDIA = ROOT.parent / "shared" / "media"


def median_ms(fn, frames):
    times = []
    for n in frames:
        t = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def test_title_and_caption_frame_cost():
    from editor.actions import words
    from editor.actions.media import project_for_files
    from editor.render.compositor import Compositor
    from editor.timeline.cues import Cue

    base = project_for_files([MEDIA / "video" / "01_dog.mp4"])
    still = words.add_title_from_template(base, "lower-third", 0, anim_in="none", anim_out="none")
    popping = words.add_title_from_template(base, "centered", 0, anim_in="pop", anim_in_frames=300)
    typing = words.add_title_from_template(base, "date-place", 0, anim_in="typewriter", anim_in_frames=300)
    caps = words.place_captions(base, [Cue(0, 10, "Grandma told us about the summer she spent by the sea")])
    frames = range(30, 50)  # 20 pictures at 1080p fit the reader cache (192 MB)
    rows = [("1080p frame", "median ms", "added ms")]
    ref = None
    for name, p in (("no words (baseline)", base), ("lower third, still", still), ("title popping in", popping),
                    ("typewriter stamp", typing), ("burnt-in caption", caps)):
        comp = Compositor(p, (1920, 1080))
        for n in frames:  # decode once: the reader's cache holds the pictures, so what is timed is compositing
            comp.frame(n)
        ms = median_ms(comp.frame, frames)
        ref = ms if ref is None else ref
        rows.append((name, f"{ms:.2f}", f"{ms - ref:+.2f}"))
    print("\n## Title and caption cost per frame (01_dog.mp4, 1080p, decoded pictures cached, 2 cores)")
    for r in rows:
        print(f"{r[0]:<22} {r[1]:>10} {r[2]:>11}")


def test_builtin_captions_speed(tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng needed")
    import soundfile as sf
    from scipy.signal import resample_poly

    from ai.captions.job import CaptionsRequest, make_captions

    text = ("We drove to the coast early in the morning. The children slept in the back. When we arrived the sun "
            "was out and grandma was waiting at the door with breakfast.")
    subprocess.run(["espeak-ng", "-w", str(tmp_path / "s.wav"), text], check=True)
    x, sr = sf.read(str(tmp_path / "s.wav"), dtype="float32")
    audio = np.concatenate([np.zeros(16000, np.float32), resample_poly(x, 16000, sr).astype(np.float32)])
    seconds = len(audio) / 16000
    from ai.captions.speech import speech_regions

    t = time.perf_counter()
    speech_regions(audio)  # first call: imports torch, loads the VAD model
    first_vad = time.perf_counter() - t
    t = time.perf_counter()
    speech_regions(audio)
    vad = time.perf_counter() - t
    t = time.perf_counter()
    cues, words, info = make_captions(CaptionsRequest(audio=audio))
    ours = time.perf_counter() - t
    from pocketsphinx import Decoder

    t = time.perf_counter()
    d = Decoder(samprate=16000, loglevel="FATAL")
    d.start_utt()
    d.process_raw((audio * 32767).astype(np.int16).tobytes(), full_utt=True)
    d.end_utt()
    whole = time.perf_counter() - t
    print(f"\n## Built-in captions, {seconds:.1f} s of speech (2 cores)")
    print(f"captions job (VAD {info['vad']} + per-region decode)  {ours:.2f} s  ({seconds / ours:.2f}x real time)")
    print(f"pocketsphinx on the whole file (baseline)          {whole:.2f} s  ({seconds / whole:.2f}x real time)")
    print(f"of which voice activity {vad:.2f} s (first use in a process, torch import and model load: "
          f"{first_vad:.2f} s)")
    print(f"{len(cues)} cues, {len(words)} words")
