"""Clip transforms in the compositor: points land where the matrix says (to 0.1 px), crop + rotate + scale matches a
reference made with OpenCV, keyframed moves, blend modes, the blurred Fit backdrop, colour and LUTs."""
from fractions import Fraction

import cv2
import numpy as np
import pytest

from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.render import colour
from editor.render.compositor import Compositor
from editor.timeline import edits, geometry, motion_edits as me
from editor.timeline.model import Clip, Project, ProjectSettings


def still_project(tmp_path, img, size=(640, 360), name="src.png"):
    path = tmp_path / name
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    p = Project(settings=ProjectSettings(size[0], size[1], Fraction(30)))
    a = asset_from_info(probe(path), Fraction(30))
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.add_track(p, "video", track_id="v2")
    p = edits.overwrite(p, "v2", Clip(id="c", asset_id=a.id, start=0, duration=30))
    return p


def blob_picture(w, h, cx, cy, sigma=3.0):
    """A Gaussian spot whose centre of mass is (cx, cy) in continuous pixel coordinates."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    g = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma ** 2))
    return np.repeat((g * 255).round().astype(np.uint8)[..., None], 3, axis=2)


def centroid(img):
    w = img[..., 1].astype(np.float64)
    w[w < 3] = 0
    y, x = np.mgrid[0:img.shape[0], 0:img.shape[1]] + 0.5
    return (w * x).sum() / w.sum(), (w * y).sum() / w.sum()


@pytest.mark.parametrize("values", [
    dict(x=0.1, y=-0.05, scale=0.8, rotation=23.0, flip_h=True),
    dict(x=-0.2, y=0.1, scale=0.3, rotation=-71.5),  # shrunk: decoded smaller first, same place
    dict(x=0.03, scale=2.5, rotation=190.0, flip_v=True, fit="fill"),
    dict(scale=1.3, fit="stretch", rotation=5.0),
])
def test_a_point_lands_where_the_matrix_says(tmp_path, values):
    src_pt = (223.4, 147.7)
    p = still_project(tmp_path, blob_picture(400, 300, *src_pt, sigma=4.0))
    p = me.set_transform(p, "c", **values)
    out = Compositor(p).frame(5)
    clip = p.track("v2").clip("c")
    m = geometry.placement(geometry.transform_at(clip, 5), 400, 300, 640, 360)
    want = geometry.apply(m, [src_pt])[0]
    got = centroid(out)
    assert np.hypot(got[0] - want[0], got[1] - want[1]) < 0.1, (got, want)


def test_crop_rotate_scale_matches_an_opencv_reference(tmp_path, shared_media):
    img = cv2.cvtColor(cv2.imread(str(shared_media / "photos" / "skimage_astronaut.png")), cv2.COLOR_BGR2RGB)
    img = np.ascontiguousarray(img[:400, :480])  # 480 x 400
    p = still_project(tmp_path, img)
    # crops that fall on whole pixels: 48 left, 20 top, 96 right, 40 bottom
    p = me.set_transform(p, "c", crop_left=0.1, crop_top=0.05, crop_right=0.2, crop_bottom=0.1, rotation=30.0,
                         scale=1.25, x=0.1, y=-0.04)  # enlarged: read at full size, one bilinear warp
    out = Compositor(p).frame(0)
    # the reference, independently: OpenCV's rotation matrix about the picture centre (its angle is
    # counter-clockwise), scaled by fit (360/400) x 1.25, centre moved to (320 + 64, 180 - 14.4)
    s = 360 / 400 * 1.25
    r = cv2.getRotationMatrix2D((240 - 0.5, 200 - 0.5), -30.0, s)
    r[:, 2] += np.array([320 + 64 - 240, 180 - 14.4 - 200])
    rgba = cv2.cvtColor(img, cv2.COLOR_RGB2RGBA)
    rgba[:, :48] = 0
    rgba[:20] = 0
    rgba[:, 480 - 96:] = 0
    rgba[400 - 40:] = 0
    ref = cv2.warpAffine(rgba, r, (640, 360), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    ref = ref[..., :3]  # premultiplied over black
    diff = np.abs(out.astype(int) - ref.astype(int))
    assert diff.mean() < 0.2 and np.percentile(diff, 99.9) <= 3, (diff.mean(), diff.max())


def test_opaque_full_frame_clips_stay_on_the_plain_path_and_a_zoom_covers_the_tracks_below(tmp_path):
    rng = np.random.default_rng(1)
    p = still_project(tmp_path, rng.integers(0, 255, (180, 320, 3), np.uint8))
    comp = Compositor(p)
    plain = comp.frame(0)
    assert plain.shape == (360, 640, 3)
    # a zoomed clip covers the frame: the track below is not even decoded
    p = edits.overwrite(p, "v1", Clip(id="under", asset_id=p.track("v2").clip("c").asset_id, start=0, duration=30))
    p = me.set_transform(p, "c", scale=1.2, rotation=2.0)
    calls = []
    comp = Compositor(p)
    orig = comp._track_layer
    comp._track_layer = lambda t, n: calls.append(t.id) or orig(t, n)
    comp.frame(0)
    assert calls == ["v2"]


def test_keyframed_position_moves_smoothly_and_picture_in_picture_shows_the_track_below(tmp_path):
    p = still_project(tmp_path, np.full((90, 160, 3), 200, np.uint8))
    red = np.zeros((90, 160, 3), np.uint8)
    red[..., 0] = 255
    cv2.imwrite(str(tmp_path / "red.png"), cv2.cvtColor(red, cv2.COLOR_RGB2BGR))
    a = asset_from_info(probe(tmp_path / "red.png"), Fraction(30))
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v3")
    p = edits.overwrite(p, "v3", Clip(id="pip", asset_id=a.id, start=0, duration=30))
    p = me.set_transform(p, "pip", scale=0.25)
    p = me.set_keys(p, "pip", "x", [(0, -0.3), (29, 0.3, "linear")])
    xs = []
    for n in (0, 7, 14, 21, 28):
        f = Compositor(p).frame(n)
        redness = (f[..., 0].astype(int) - f[..., 1]) > 100
        xs.append(np.nonzero(redness.any(axis=0))[0].mean())
        assert f[5, 5].tolist() == [200, 200, 200]  # the track below shows around the small picture
    steps = np.diff(xs)
    assert steps == pytest.approx([0.6 * 640 * 7 / 29] * 4, abs=1.0)
    assert xs[0] == pytest.approx(320 - 0.3 * 640, abs=1)


def test_blend_modes_and_blurred_backdrop(tmp_path):
    p = still_project(tmp_path, np.full((90, 160, 3), 100, np.uint8))
    grey = np.full((90, 160, 3), 128, np.uint8)
    cv2.imwrite(str(tmp_path / "g.png"), grey)
    a = asset_from_info(probe(tmp_path / "g.png"), Fraction(30))
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v3")
    p = edits.overwrite(p, "v3", Clip(id="top", asset_id=a.id, start=0, duration=30))
    for mode, want in (("multiply", 100 * 128 / 255), ("screen", 255 - (155 * 127 / 255)), ("add", 228),
                       ("difference", 28), ("darken", 100), ("lighten", 128)):
        q = me.set_transform(p, "top", blend=mode, scale=0.5)
        f = Compositor(q).frame(0)
        assert f[180, 320].astype(float) == pytest.approx([want] * 3, abs=1.5), mode
        assert f[5, 5].tolist() == [100, 100, 100]
    # Fit into a vertical frame with a blurred copy behind instead of black bars
    v = still_project(tmp_path, cv2.cvtColor(cv2.imread(str(tmp_path / "src.png")), cv2.COLOR_BGR2RGB),
                      size=(180, 320), name="v.png")
    v = me.set_transform(v, "c", backdrop="blur")
    f = Compositor(v).frame(0)
    assert f[5, 90].min() > 40  # not black bars: the blurred picture


def test_colour_controls_and_a_cube_lut(tmp_path):
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (64, 64, 3), np.uint8)
    assert colour.apply(img, {}) is img
    brighter = colour.apply(img, {"exposure": 1.0})
    assert brighter.mean() > img.mean() + 20
    warm = colour.apply(np.full((4, 4, 3), 128, np.uint8), {"temperature": 0.8})[0, 0]
    assert warm[0] > 140 and warm[2] < 115
    grey = colour.apply(img, {"saturation": 0.0})
    assert np.ptp(grey.astype(int), axis=2).max() <= 1
    flat = colour.apply(img, {"contrast": -1.0}).astype(int)
    assert flat.std() < img.std() * 0.6
    # identity LUT changes nothing; a channel-swap LUT swaps channels (trilinear between its 17 points)
    n = 17
    g = np.linspace(0, 1, n, dtype=np.float32)
    bb, gg, rr = np.meshgrid(g, g, g, indexing="ij")
    colour.write_cube(tmp_path / "id.cube", np.stack([rr, gg, bb], axis=-1))
    colour.write_cube(tmp_path / "swap.cube", np.stack([bb, gg, rr], axis=-1))
    same = colour.apply(img, {"lut": str(tmp_path / "id.cube")})
    assert np.abs(same.astype(int) - img).max() <= 1
    swapped = colour.apply(img, {"lut": str(tmp_path / "swap.cube")})
    assert np.abs(swapped.astype(int) - img[..., ::-1]).max() <= 1
    half = colour.apply(img, {"lut": str(tmp_path / "swap.cube"), "lut_mix": 0.5})
    assert np.abs(half.astype(int) - (img.astype(int) + img[..., ::-1]) / 2).max() <= 1.5
    (tmp_path / "bad.cube").write_text("LUT_3D_SIZE 4\n0 0 0\n")
    from editor.errors import MediaError

    with pytest.raises(MediaError, match="cut short: 1 of 64"):
        colour.apply(img, {"lut": str(tmp_path / "bad.cube")})
