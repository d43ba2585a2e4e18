"""Shot cuts for the sound layers, on hard cases made from real footage: a jump cut between two moments of the same
scene (similar-looking shots), cuts between several real clips, a camera flash and fast pans that are not cuts."""
from fractions import Fraction

import cv2
import numpy as np
import pytest
from mediagen import write_video
from quality import read_rgb, video_frames

from ai.sound.analysis import analyse_file
from ai.sound.layers import SoundRequest, make_layers

W, H = 320, 180


def _clip_frames(path, start, count):
    frames = video_frames(path, range(start, start + count))
    return [cv2.resize(frames[i], (W, H), interpolation=cv2.INTER_AREA) for i in range(start, start + count)]


def _pan(photo, speed_px, count, blur=True):
    """A camera panning across a large photo at speed_px output pixels a frame (with motion blur)."""
    img = read_rgb(photo)
    width = int(speed_px * count + W)
    big = cv2.resize(img, (width, int(img.shape[0] * width / img.shape[1])), interpolation=cv2.INTER_AREA)
    y = (big.shape[0] - H) // 2
    out = []
    for k in range(count):
        x = int(k * speed_px)
        f = big[y:y + H, x:x + W]
        if blur and speed_px > 4:
            kernel = np.ones((1, int(speed_px // 2) | 1), np.float32)
            f = cv2.filter2D(f, -1, kernel / kernel.sum())
        out.append(np.ascontiguousarray(f))
    return out


@pytest.fixture(scope="module")
def hard_clips(shared_media, tmp_path_factory):
    v = shared_media / "video"
    d = tmp_path_factory.mktemp("cuts")
    clips = {}
    # a jump cut: the same dog, the same garden, 5 s later
    clips["jump"] = (_clip_frames(v / "01_dog.mp4", 0, 40) + _clip_frames(v / "01_dog.mp4", 150, 40), [40])
    # four cuts between real shots, two of them of the same scene
    clips["four"] = (_clip_frames(v / "02_cups.mp4", 0, 30) + _clip_frames(v / "01_dog.mp4", 60, 30)
                     + _clip_frames(v / "01_dog.mp4", 200, 30) + _clip_frames(v / "bedroom.mp4", 0, 30)
                     + _clip_frames(v / "02_cups.mp4", 200, 30), [30, 60, 90, 120])
    # a camera flash: two frames burnt out, then the same shot
    cups = _clip_frames(v / "02_cups.mp4", 60, 60)
    for k in (30, 31):
        cups[k] = np.clip(cups[k].astype(np.float32) * 1.9 + 70, 0, 255).astype(np.uint8)
    clips["flash"] = (cups, [])
    # fast pans (7 % and 15 % of the width a frame, blurred) across a real photo: no cut
    clips["pan"] = (_pan(shared_media / "photos/sam2_cars.jpg", 22, 40), [])
    clips["whip"] = (_pan(shared_media / "photos/sam2_truck.jpg", 48, 30), [])
    # a jump cut into fast motion: the hands move quickly right after it (they raise the change around the cut)
    clips["jump-into-motion"] = (_clip_frames(v / "02_cups.mp4", 104, 30) + _clip_frames(v / "02_cups.mp4", 250, 30),
                                 [30])
    # action footage that changes a lot every frame anyway (DAVIS: motocross, kite-surf, drift, horse jump, soapbox),
    # cut every 20 frames: each cut stands only 2-4x above the change around it
    action = []
    for name in ("motocross-jump", "kite-surf", "drift-straight", "horsejump-high", "soapbox"):
        jpgs = sorted((shared_media / "davis" / name).glob("*.jpg"))[10:30]
        action += [cv2.resize(read_rgb(f), (W, H), interpolation=cv2.INTER_AREA) for f in jpgs]
    clips["action"] = (action, [20, 40, 60, 80])
    # a held shot that suddenly whips away: the calm before and the blur after are one shot
    whip = _pan(shared_media / "photos/sam2_truck.jpg", 48, 24)
    clips["hold-then-whip"] = ([whip[0]] * 20 + whip, [])
    out = {}
    for name, (frames, cuts) in clips.items():
        path = d / f"{name}.mp4"
        write_video(path, frames, rate=Fraction(30))
        out[name] = (path, cuts)
    return out


@pytest.mark.parametrize("name", ["jump", "four", "flash", "pan", "whip", "jump-into-motion", "hold-then-whip",
                                  "action"])
def test_cuts_found_and_nothing_else(hard_clips, name):
    path, truth = hard_clips[name]
    found = analyse_file(path).cuts
    assert len(found) == len(truth) and all(abs(f - t) <= 1 for f, t in zip(found, truth)), (found, truth)


def test_a_whoosh_on_every_cut_and_none_on_a_fast_pan(hard_clips):
    from test_sound import onsets

    path, truth = hard_clips["four"]
    a = analyse_file(path)
    whoosh = make_layers(SoundRequest(analysis=a, layers=["whoosh"]))[0]["whoosh"]
    starts = onsets(whoosh)
    for cut in truth:
        assert any(abs(s - cut / 30) <= 2 / 30 for s in starts), (cut, starts)
    for name in ("pan", "whip"):  # no whoosh at all: the layer is reported empty instead of made silent
        a = analyse_file(hard_clips[name][0])
        layers, info = make_layers(SoundRequest(analysis=a, layers=["ambience", "whoosh"]))
        assert list(layers) == ["ambience"]
        assert info["empty"] == {"whoosh": "no cuts in this clip, so no whooshes"}
