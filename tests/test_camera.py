"""Camera moves: geometry on real photos, parallax, easing, no borders, the CLI."""
import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from ai.camera.depth import depth_map
from ai.camera.move import MoveRequest, builtin_frames, run_move_job
from ai.camera.paths import MOVES, CameraPath
from ai.camera.render import MoveRenderer
from ai.errors import AIError
from quality import read_rgb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def photo(shared_media):
    return read_rgb(shared_media / "photos/sam2_cars.jpg")


def _locate(patch, frame):
    """Sub-pixel position of a patch in a frame (template matching + parabola fit)."""
    res = cv2.matchTemplate(frame, patch, cv2.TM_CCOEFF_NORMED)
    _, _, _, (x, y) = cv2.minMaxLoc(res)

    def refine(a, b, c):
        d = a - 2 * b + c
        return 0.0 if abs(d) < 1e-9 else 0.5 * (a - c) / d

    dx = refine(res[y, x - 1], res[y, x], res[y, x + 1]) if 0 < x < res.shape[1] - 1 else 0
    dy = refine(res[y - 1, x], res[y, x], res[y + 1, x]) if 0 < y < res.shape[0] - 1 else 0
    return x + dx, y + dy


@pytest.mark.parametrize("move,axis", [("pan-right", 0), ("pan-left", 0), ("tilt-up", 1)])
def test_pan_and_tilt_move_centre_content_by_f_tan_angle(photo, move, axis):
    size = (640, 360)
    path = CameraPath([move], 25, 0.5, "linear")
    r = MoveRenderer(photo, path, size, hfov=60.0)
    first, last = r.frame(0), r.frame(24)
    c = (size[0] // 2, size[1] // 2)
    patch = first[c[1] - 24:c[1] + 24, c[0] - 24:c[0] + 24]
    x, y = _locate(patch, last)
    moved = (x + 24 - c[0], y + 24 - c[1])[axis]
    angle = MOVES[move]["yaw" if axis == 0 else "pitch"] * 0.5
    expected = -r.out.f * math.tan(math.radians(angle))  # turning right moves the picture left
    if axis == 1:
        expected = -expected  # tilting up moves the picture down (image y points down)
    assert abs(moved - expected) <= 1.0, (moved, expected)


def _magnification(r, k, x, y, depth=None):
    """Output pixels per source pixel at (x, y) of frame k (from the renderer's own sampling map)."""
    e = 2.0
    u1, _ = r.source_point(k, x - e, y)
    u2, _ = r.source_point(k, x + e, y)
    return 2 * e / (u2 - u1)


@pytest.mark.parametrize("move", ["push-in", "zoom-in"])
def test_push_in_and_zoom_in_enlarge_the_focus_point_steadily(photo, move):
    focus = (0.6, 0.45)
    path = CameraPath([move], 30, 0.8, "linear")
    depth = depth_map(photo, focus)
    r = MoveRenderer(photo, path, (480, 270), focus=focus, depth=depth)
    fx, fy = focus[0] * 480, focus[1] * 270
    mags = [_magnification(r, k, fx, fy) for k in range(30)]
    steps = np.diff(np.log(mags))
    assert np.all(steps > 0) and mags[-1] > 1.15 * mags[0]
    assert steps.max() < 1.1 * steps.min()  # steady: the same growth every frame, no jumps
    # the focus point stays where it is in the frame
    u0 = r.source_point(0, fx, fy)
    for k in (10, 29):
        assert np.hypot(*np.subtract(r.source_point(k, fx, fy), u0)) < 1.0 / mags[k] * 2 + 0.5


def test_dolly_zoom_keeps_subject_size_while_background_changes(photo):
    focus = (0.5, 0.5)
    depth = depth_map(photo, focus)
    r = MoveRenderer(photo, CameraPath(["dolly-zoom-in"], 30, 1.0, "linear"), (480, 270), focus=focus, depth=depth)
    subject = [_magnification(r, k, 240, 135) for k in (0, 15, 29)]
    assert max(subject) / min(subject) < 1.02
    # background: a point at least 1.5x further than the subject
    dm = cv2.resize(r.depth, (r.sw, r.sh))
    ys, xs = np.nonzero(dm > 1.5)
    assert len(xs) > 100
    i = len(xs) // 2
    bx, by = r.output_point(0, float(xs[i]), float(ys[i]))
    bx, by = min(max(bx, 10), 470), min(max(by, 10), 260)
    back = [_magnification(r, k, bx, by) for k in (0, 29)]
    assert abs(back[1] / back[0] - 1) > 0.05


def test_no_frame_shows_outside_the_picture(photo):
    depth = depth_map(photo)
    for move in list(MOVES) + ["handheld"]:
        path = CameraPath([move], 20, 1.0, "ease-in-out", handheld=0.0, seed=1)
        r = MoveRenderer(photo, path, (320, 180), depth=depth)
        for k in range(20):
            mx, my = r.maps(k)
            assert mx.min() >= 0 and my.min() >= 0, move
            assert mx.max() <= r.sw - 1 and my.max() <= r.sh - 1, move
    frames = list(builtin_frames(MoveRequest(source=np.full((200, 300, 3), 255, np.uint8), moves=["roll-right",
                                                                                                 "push-in"],
                                             size=(160, 90), duration=1, intensity=1.0)))
    assert min(int(f.min()) for f in frames) == 255  # a white picture stays white: no black border


def test_combined_moves_and_easing(photo):
    linear = MoveRenderer(photo, CameraPath(["pan-right"], 40, 0.5, "linear"), (320, 180))
    xs = [linear.source_point(k, 160, 90)[0] for k in range(40)]
    d = np.diff(xs)
    assert np.all(d > 0) and d.max() - d.min() < 0.02 * d.mean()  # linear: even, monotone steps
    eased = MoveRenderer(photo, CameraPath(["pan-right"], 40, 0.5, "ease-in-out"), (320, 180))
    e = np.diff([eased.source_point(k, 160, 90)[0] for k in range(40)])
    assert np.all(e >= 0) and e[0] < 0.2 * e[19] and e[-1] < 0.2 * e[19]  # slow in, slow out, no jump
    both = CameraPath(["push-in", "pan-right"], 10, 0.5).poses()[-1]
    assert both.tz > 0 and both.yaw > 0
    with pytest.raises(AIError, match="unknown camera move"):
        CameraPath(["spin-around"], 10)


def test_truck_parallax_near_moves_more_than_far(photo):
    depth = depth_map(photo)
    r = MoveRenderer(photo, CameraPath(["truck-right"], 20, 1.0, "linear"), (480, 270), depth=depth)
    dm = cv2.resize(r.depth, (r.sw, r.sh))
    near = np.argwhere(dm < np.percentile(dm, 5))[len(np.argwhere(dm < np.percentile(dm, 5))) // 2]
    far = np.argwhere(dm > np.percentile(dm, 95))[len(np.argwhere(dm > np.percentile(dm, 95))) // 2]
    shifts = []
    for v, u in (near, far):
        x0, _ = r.output_point(0, float(u), float(v))
        x1, _ = r.output_point(19, float(u), float(v))
        shifts.append(abs(x1 - x0))
    assert shifts[0] > 1.3 * shifts[1] and shifts[1] > 0


def test_builtin_depth_prefers_ground_and_subject(photo):
    d = depth_map(photo)
    h = d.shape[0]
    assert np.median(d[-h // 5:]) < np.median(d[: h // 5])  # the bottom of a street photo is nearer than the top


def _cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def test_cli_video_and_pngs(shared_media, tmp_path):
    r = _cli("camera-move", shared_media / "photos/skimage_astronaut.png", "-o", tmp_path / "m.mp4", "--move",
             "push-in", "--move", "pan-right", "--duration", "1", "--size", "320x180", "--fps", "24")
    assert r.returncode == 0, r.stderr
    from editor.media.probe import probe

    info = probe(tmp_path / "m.mp4")
    assert (info.frames, info.width, info.height, info.rate) == (24, 320, 180, 24)
    r = _cli("camera-move", shared_media / "video/bedroom.mp4", "-o", tmp_path / "pngs", "--move", "zoom-in",
             "--duration", "0.5", "--size", "160x90", "--easing", "linear")
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "pngs").glob("frame_*.png"))) == 15
    r = _cli("camera-move", shared_media / "photos/skimage_astronaut.png", "-o", tmp_path / "x.mp4", "--move",
             "barrel-roll")
    assert r.returncode != 0 and "unknown camera move" in r.stderr and not (tmp_path / "x.mp4").exists()


def test_move_job_caches_and_records(photo, tmp_path):
    req = MoveRequest(source=cv2.resize(photo, (300, 200)), moves=["orbit-left"], size=(160, 96), duration=0.5)
    first = run_move_job(req, tmp_path / "gen")
    assert (first.folder / "move.mp4").exists() and first.provenance["params"]["moves"] == ["orbit-left"]
    assert first.provenance["depth"] == "built-in"
    assert run_move_job(req, tmp_path / "gen").cached
