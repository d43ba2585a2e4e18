"""Phone and camera media a user drops in: EXIF-rotated photos, HEIC, transparency, animations, rotated/anamorphic/VFR
video, odd image modes, absurd sizes. Every file here is made by the test."""
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from editor.actions.media import asset_from_info
from editor.errors import MediaError
from editor.media.probe import probe
from editor.media.proxy import ProxyFile, build_proxy
from editor.media.reader import ImageReader, VideoReader, open_visual
from editor.media.pictures import orient
from editor.media.thumbs import thumbnail
from editor.render.compositor import Compositor
from editor.render.exporter import export
from editor.timeline import edits
from editor.timeline.model import Clip, Project, ProjectSettings
from media_corpus import colour_frames, encode, png_claiming, y4m_claiming
from mediagen import decode_all, index_frame, read_index

ROOT = Path(__file__).resolve().parent.parent
RED = np.array([230, 20, 20])


def exif(orientation: int) -> bytes:
    e = Image.Exif()
    e[0x0112] = orientation
    return e.tobytes()


def corner_photo(w=120, h=80) -> np.ndarray:
    """Blue picture with a red top-left corner: where the corner ends up shows how the picture was turned."""
    return colour_frames(1, w, h)[0]


def red_corner(img) -> str:
    h, w = img.shape[:2]
    quads = {"top-left": img[: h // 6, : w // 6], "top-right": img[: h // 6, -w // 6:],
             "bottom-left": img[-h // 6:, : w // 6], "bottom-right": img[-h // 6:, -w // 6:]}
    return min(quads, key=lambda k: np.abs(quads[k].reshape(-1, 3).mean(axis=0) - RED).sum())


def project(size=(160, 96), rate=Fraction(30)):
    p = Project(settings=ProjectSettings(size[0], size[1], rate))
    p = edits.add_track(p, "video", track_id="v1")
    return edits.add_track(p, "video", track_id="v2")


def lay(p, path, track, start=0, duration=6, **clip):
    """The project with the file laid on a track, and the new clip's id."""
    a = asset_from_info(probe(path), p.settings.rate)
    p = edits.add_asset(p, a)
    cid = f"c{len(p.assets)}"
    return edits.overwrite(p, track, Clip(id=cid, asset_id=a.id, start=start, duration=duration, **clip)), cid


def solid_video(path, colour, size=(160, 96), n=12):
    frame = np.zeros((size[1], size[0], 3), np.uint8)
    frame[:] = colour
    return encode(path, [frame] * n)


@pytest.mark.parametrize("o", range(1, 9))
def test_every_exif_orientation_matches_pillow_exif_transpose(tmp_path, o):
    path = tmp_path / f"o{o}.png"  # lossless, so the pixels can be compared exactly
    Image.fromarray(corner_photo()).save(path, exif=exif(o))
    ref = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    info = probe(path)
    assert (info.width, info.height) == (ref.shape[1], ref.shape[0]) == ((80, 120) if o >= 5 else (120, 80))
    assert np.array_equal(ImageReader(path).frame(0), ref)
    assert np.array_equal(orient(corner_photo(), o), ref)


def test_portrait_phone_photo_is_upright_in_probe_thumbnail_preview_export_and_camera_move(tmp_path):
    # every portrait phone JPEG: landscape pixels + orientation 6 (turn 90 degrees clockwise to show)
    path = tmp_path / "IMG_0001.jpg"
    Image.fromarray(corner_photo()).save(path, quality=95, exif=exif(6))
    info = probe(path)
    assert (info.kind, info.width, info.height) == ("image", 80, 120)
    assert red_corner(ImageReader(path).frame(0)) == "top-right"
    thumb = thumbnail(path, height=72)
    assert thumb.shape == (72, 48, 3) and red_corner(thumb) == "top-right"
    p = project(size=(160, 240))
    p, _ = lay(p, path, "v1")
    preview = Compositor(p).frame(0)
    assert red_corner(preview) == "top-right" and preview.shape == (240, 160, 3)
    frames = decode_all(export(p, tmp_path / "out.mp4", preset=None))
    assert red_corner(frames[0]) == "top-right"
    from ai.media_io import edge_frame

    assert edge_frame(path, "first")[0].shape == (120, 80, 3)
    out = tmp_path / "move.mp4"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "camera-move", str(path), "-o", str(out), "--move",
                        "push-in", "--duration", "0.5", "--fps", "10"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    moved = decode_all(out)
    assert moved[0].shape[0] > moved[0].shape[1]  # the move is portrait, like the photo
    assert red_corner(moved[0]) == "top-right"


def test_heic_photos_from_phones(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    path = tmp_path / "IMG_0002.HEIC"
    pillow_heif.from_pillow(Image.fromarray(corner_photo())).save(str(path), quality=95)
    info = probe(path)
    assert (info.kind, info.width, info.height, info.decoder) == ("image", 120, 80, "pillow")
    img = ImageReader(path).frame(0)
    assert np.abs(img.astype(int) - corner_photo()).mean() < 6
    assert red_corner(img) == "top-left"
    # a portrait HEIC written with orientation 6 (libheif stores it as a rotation of the picture)
    portrait = tmp_path / "IMG_0003.heic"
    Image.fromarray(corner_photo()).save(portrait, quality=95, exif=exif(6))
    info = probe(portrait)
    assert (info.width, info.height) == (80, 120)
    assert red_corner(ImageReader(portrait).frame(0)) == "top-right"


def test_cmyk_16bit_greyscale_and_palette_pictures_read_with_their_colours(tmp_path):
    import cv2

    photo = corner_photo()
    Image.fromarray(photo).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95)
    Image.fromarray(photo).convert("CMYK").save(tmp_path / "cmyk.tif")
    cv2.imwrite(str(tmp_path / "rgb16.png"), cv2.cvtColor(photo.astype(np.uint16) * 257, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(tmp_path / "rgba16.png"), cv2.cvtColor(
        np.dstack([photo, np.full((80, 120), 255, np.uint8)]).astype(np.uint16) * 257, cv2.COLOR_RGBA2BGRA))
    grey = photo[..., 1]
    Image.fromarray(grey.astype(np.uint16) * 257).save(tmp_path / "grey16.png")
    Image.fromarray(grey).save(tmp_path / "grey.jpg", quality=95)
    Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(tmp_path / "palette.png")
    for name, want, tol in [("cmyk.jpg", photo, 6), ("cmyk.tif", photo, 1), ("rgb16.png", photo, 0),
                            ("rgba16.png", photo, 0), ("grey16.png", np.dstack([grey] * 3), 0),
                            ("grey.jpg", np.dstack([grey] * 3), 3), ("palette.png", photo, 4)]:
        r = ImageReader(tmp_path / name)
        img = r.frame(0)
        assert img.shape == (80, 120, 3) and img.dtype == np.uint8, name
        assert np.abs(img.astype(int) - want).mean() <= tol, name
        assert not r.has_alpha, name  # opaque pictures stay on the compositor's plain path


@pytest.mark.parametrize("maker,size", [(png_claiming, (100000, 100000)), (y4m_claiming, (20000, 12000))])
def test_absurd_sizes_are_refused_from_the_header(tmp_path, maker, size):
    path = maker(tmp_path / ("huge.png" if maker is png_claiming else "huge.y4m"), *size)
    with pytest.raises(MediaError, match="too large"):
        probe(path)
    with pytest.raises(MediaError, match="too large"):
        open_visual(path)


def alpha_logo(w=120, h=80) -> np.ndarray:
    """Straight RGBA: red top half opaque, a half-transparent band, the bottom transparent (with junk colour)."""
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., :3] = (0, 255, 0)  # colour under alpha 0 must never show
    rgba[: h // 2 + 10, :, :3] = (255, 0, 0)
    rgba[: h // 2, :, 3] = 255
    rgba[h // 2: h // 2 + 10, :, 3] = 128
    return rgba


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_still_is_laid_over_the_track_below(tmp_path, fmt):
    logo = tmp_path / f"logo.{fmt}"
    Image.fromarray(alpha_logo(160, 96)).save(logo, **({"lossless": True} if fmt == "webp" else {}))
    assert probe(logo).alpha
    p = project()
    p, _ = lay(p, solid_video(tmp_path / "blue.mp4", (0, 0, 255)), "v1")
    p, cid = lay(p, logo, "v2")
    f = Compositor(p).frame(0).astype(int)
    assert np.abs(f[10, 80] - (255, 0, 0)).max() <= 3  # opaque part
    assert np.abs(f[80, 80] - (0, 0, 255)).max() <= 6  # the blue track shows through, no green
    band = f[52, 80]
    assert abs(band[0] - 128) <= 6 and abs(band[2] - 127) <= 8 and band[1] < 6  # half red over blue
    p = edits.set_clip_property(p, cid, "opacity", 0.5)
    f = Compositor(p).frame(0).astype(int)
    assert abs(f[10, 80, 0] - 128) <= 6 and abs(f[10, 80, 2] - 127) <= 8
    frames = decode_all(export(p, tmp_path / "out.mp4", preset=None))
    assert np.abs(frames[0][80, 80].astype(int) - (0, 0, 255)).max() <= 12


def test_scaled_transparent_edges_have_no_dark_fringe(tmp_path):
    # a white disc whose see-through surroundings are stored black: scaling straight alpha would mix that black
    # into the edge; premultiplied scaling does not
    h = w = 301
    yy, xx = np.mgrid[:h, :w]
    disc = ((yy - 150) ** 2 + (xx - 150) ** 2 < 120 ** 2)
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[disc] = 255
    Image.fromarray(rgba).save(tmp_path / "disc.png")
    p = project(size=(112, 112))
    p, _ = lay(p, solid_video(tmp_path / "white.mp4", (255, 255, 255), size=(112, 112)), "v1")
    p, _ = lay(p, tmp_path / "disc.png", "v2")
    f = Compositor(p).frame(0)
    assert f.min() >= 250  # white on white stays white at every scaled edge pixel


def test_transparent_video_and_transition_keep_the_track_below(tmp_path):
    frames = colour_frames(12, 160, 96)
    rgba = [np.dstack([f, np.where(np.arange(96)[:, None] < 48, 255, 0).repeat(160, 1).astype(np.uint8)])
            for f in frames]
    mov = encode(tmp_path / "alpha.mov", rgba, codec="prores_ks", pix_fmt="yuva444p10le",
                 options={"profile": "4", "alpha_bits": "16"})
    info = probe(mov)
    assert info.kind == "video" and info.alpha
    p = project()
    p, _ = lay(p, solid_video(tmp_path / "blue.mp4", (0, 0, 255)), "v1", duration=12)
    p, a = lay(p, mov, "v2", duration=6)
    p, b = lay(p, mov, "v2", start=6, duration=6)
    f = Compositor(p).frame(2).astype(int)
    assert np.abs(f[80, 80] - (0, 0, 255)).max() <= 6 and np.abs(f[30, 80] - frames[2][30, 80]).max() <= 8
    p = edits.add_transition(p, "v2", a, b, "dissolve", 4)
    f = Compositor(p).frame(6).astype(int)  # mid-dissolve between two half-transparent clips: blue still below
    assert np.abs(f[80, 80] - (0, 0, 255)).max() <= 6


def _animation(path, delays, alpha=False, **kw):
    frames = []
    for i in range(len(delays)):
        img = index_frame(i, 64, 64)
        if alpha:
            img = np.dstack([img, np.full((64, 64), 255, np.uint8)])
            img[48:] = (0, 255, 0, 0)  # see-through (a colour under it that must not show)
        frames.append(Image.fromarray(img))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=delays, loop=0, **kw)
    return path


@pytest.mark.parametrize("name,kw", [("a.gif", {}), ("a.webp", {"lossless": True}), ("a.png", {})])
def test_animations_are_video_clips_timed_by_their_frame_delays(tmp_path, name, kw):
    path = _animation(tmp_path / name, [100, 200, 100, 300], **kw)
    info = probe(path)
    assert (info.kind, info.rate, info.frames, info.width, info.height) == ("video", 10, 7, 64, 64)
    assert abs(info.duration - 0.7) < 1e-6
    r = open_visual(path)
    assert [read_index(r.frame(n)) for n in range(7)] == [0, 1, 1, 2, 3, 3, 3]
    assert read_index(r.frame(2)) == 1 and read_index(r.frame(0)) == 0  # backwards too
    p = project(size=(64, 64), rate=Fraction(10))
    p, _ = lay(p, path, "v1", duration=7)
    assert [read_index(f) for f in decode_all(export(p, tmp_path / "out.mp4", preset=None))] == \
        [0, 1, 1, 2, 3, 3, 3]


def test_transparent_animated_webp_shows_the_track_below(tmp_path):
    path = _animation(tmp_path / "sticker.webp", [50] * 4, alpha=True, lossless=True)
    assert probe(path).alpha
    p = project(size=(64, 64))
    p, _ = lay(p, solid_video(tmp_path / "blue.mp4", (0, 0, 255), size=(64, 64)), "v1")
    p, _ = lay(p, path, "v2")
    f = Compositor(p).frame(0).astype(int)
    assert np.abs(f[60, 32] - (0, 0, 255)).max() <= 6


def test_rotated_phone_video_probe_thumbnail_and_proxy_agree(tmp_path):
    # landscape pixels + a display matrix: the way phones store portrait video
    src = encode(tmp_path / "portrait.mp4", colour_frames(30, 320, 192) * 1, rotation=90, options={"g": "30"})
    info = probe(src)
    assert (info.width, info.height) == (192, 320)
    frame = VideoReader(src).frame(0)
    assert frame.shape == (320, 192, 3)
    corner = red_corner(frame)
    assert corner != "top-left"  # it was turned
    thumb = thumbnail(src, height=80)
    assert thumb.shape == (80, 48, 3) and red_corner(thumb) == corner
    px = ProxyFile(build_proxy(src))
    assert (px.width, px.height) == (192, 320) and red_corner(px.frame(0)) == corner
    px.close()


def test_anamorphic_video_is_shown_at_its_display_aspect(tmp_path):
    # HDV-style: 120 x 90 stored, pixels 4:3 wide -> 160 x 90 on screen
    src = encode(tmp_path / "hdv.m2ts", colour_frames(6, 120, 90), codec="mpeg2video", fmt="mpegts",
                 sar=Fraction(4, 3))
    info = probe(src)
    assert (info.width, info.height) == (160, 90)
    f = VideoReader(src).frame(0)
    assert f.shape == (90, 160, 3)
    assert np.abs(f[:20, :38].reshape(-1, 3).mean(axis=0) - RED).max() < 25  # the corner scaled with the frame


def test_vfr_video_on_the_timeline_shows_each_picture_at_its_timestamp(tmp_path):
    pts = [0, 1, 2, 5, 6, 9, 10, 11]  # holes: frame 2 stays three frame times, frame 4 three
    src = encode(tmp_path / "vfr.mp4", [index_frame(i, 64, 64) for i in range(len(pts))], pts=pts,
                 time_base=Fraction(1, 30))
    p = project(size=(64, 64))
    p, _ = lay(p, src, "v1", start=3, duration=11)
    got = [read_index(f) for f in decode_all(export(p, tmp_path / "out.mp4", preset=None))[3:]]
    assert got == [0, 1, 2, 2, 2, 3, 4, 4, 4, 5, 6]


@pytest.mark.parametrize("container_options", [{}, {"mpegts_m2ts_mode": "1"}])
def test_camcorder_transport_streams_import_and_seek_frame_exactly(tmp_path, container_options):
    # MPEG-TS/M2TS have no index: a seek lands by bytes, often between keyframes. A 3 s file with one keyframe
    # a second used to be refused as "truncated" (its end could not be decoded after a seek).
    src = tmp_path / ("cam.m2ts" if container_options else "cam.ts")
    encode(src, [index_frame(i, 64, 64) for i in range(90)], fmt="mpegts", container_options=container_options,
           options={"g": "30"}, audio_codec="aac")
    info = probe(src)
    assert (info.kind, info.frames, info.width, info.height) == ("video", 90, 64, 64) and info.has_audio
    r = VideoReader(src, cache_bytes=1)
    order = list(np.random.default_rng(3).permutation(90)[:30]) + [89, 0, 45, 44]
    assert [read_index(r.frame(int(n))) for n in order] == [int(n) for n in order]


def test_media_limits_agree_with_the_project_model(tmp_path):
    """What probe accepts must fit a MediaAsset (else an import would fail later with a validation error)."""
    import sys

    from editor.media import stills

    probe_module = sys.modules["editor.media.probe"]  # (editor.media.probe is also the name of the function)
    from editor.project import schema
    from editor.timeline import model

    assert stills.MAX_SIDE <= model.MAX_SIDE and probe_module.MAX_RATE <= model.MAX_RATE
    assert stills.MAX_SECONDS <= schema.MAX_SECONDS
    # an animation whose delays add up to more than a day (a GIF frame can claim 655 s)
    frames = [Image.new("L", (4, 4), (i % 5) * 50) for i in range(140)]  # no two alike: Pillow merges repeats
    frames[0].save(tmp_path / "forever.gif", save_all=True, append_images=frames[1:], duration=655_000, loop=0)
    with pytest.raises(MediaError, match="hours"):
        probe(tmp_path / "forever.gif")
    info = probe(_animation(tmp_path / "ok.gif", [100, 100]))
    asset_from_info(info, Fraction(30))  # fits the model
