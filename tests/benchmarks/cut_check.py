"""Cut lists with known cuts, made from the shared footage (not the hard cases the detector was designed on): DAVIS
sequences in reverse order in 15-frame shots at 720p, and three random cut-ups of the shared clips (jump cuts inside
one clip included). Prints hits and false cuts per list.

    .venv/bin/python tests/benchmarks/cut_check.py [OUT_FOLDER] [SEED]
"""
import glob
import os
import random
import sys
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, ROOT)
MEDIA = os.path.join(os.path.dirname(ROOT), "shared", "media")
OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/seamline-cuts"
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 7

import av
import cv2
from mediagen import write_video
from quality import read_rgb, video_frames

from ai.sound.analysis import analyse_file

os.makedirs(OUT, exist_ok=True)
rng = random.Random(SEED)
def score(found, truth):
    hit = sum(any(abs(f - t) <= 1 for f in found) for t in truth)
    false = sum(not any(abs(f - t) <= 1 for t in truth) for f in found)
    return hit, len(truth), false
tot = [0, 0, 0]
# 1) DAVIS reversed order, 15-frame shots, 1280x720
seqs = sorted(glob.glob(MEDIA + "/davis/*"))[::-1]
frames, truth = [], []
for s in seqs:
    fs = sorted(glob.glob(s + "/*.jpg"))
    k = rng.randrange(0, len(fs) - 16)
    if frames: truth.append(len(frames))
    frames += [cv2.resize(read_rgb(f), (1280, 720), interpolation=cv2.INTER_AREA) for f in fs[k:k + 15]]
write_video(os.path.join(OUT, "d15.mp4"), frames, rate=Fraction(30))
sets = [(os.path.join(OUT, "d15.mp4"), truth)]
# 2) real videos, random segments (some from the same video: jump cuts), 20-35 frames, 640x360
vids = sorted(glob.glob(MEDIA + "/video/*.mp4"))
for trial in range(3):
    frames, truth = [], []
    for j in range(8):
        v = rng.choice(vids)
        with av.open(v) as c: n = c.streams.video[0].frames
        L = rng.randrange(20, 36); k = rng.randrange(0, n - L)
        fr = video_frames(v, range(k, k + L))
        if frames: truth.append(len(frames))
        frames += [cv2.resize(fr[i], (640, 360), interpolation=cv2.INTER_AREA) for i in range(k, k + L)]
    p = os.path.join(OUT, f"real{trial}.mp4")
    write_video(p, frames, rate=Fraction(30))
    sets.append((p, truth))
for p, truth in sets:
    found = analyse_file(p).cuts
    h, t, f = score(found, truth)
    tot[0] += h; tot[1] += t; tot[2] += f
    print(os.path.basename(p), "found", found, "truth", truth, f"hit {h}/{t} false {f}")
print(f"TOTAL hit {tot[0]}/{tot[1]} false {tot[2]}")
