"""Exported colours: HD converted and tagged BT.709, SD BT.601, limited range, checked with colour bars against
ffmpeg's own conversion of the same RGB picture."""
import json
import shutil
import subprocess
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from editor.actions.media import asset_from_info
from editor.media.colour import BT601, BT709, colour_space_for, rgb_to_yuv420
from editor.media.probe import probe
from editor.media.reader import VideoReader
from editor.render.exporter import export
from editor.timeline import edits
from editor.timeline.model import Clip, Project, ProjectSettings

FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(not (FFMPEG and shutil.which("ffprobe")), reason="needs ffmpeg and ffprobe")

# SMPTE-like bars: 75 % white, yellow, cyan, green, magenta, red, blue; then a row of 100 % primaries and greys
TOP = [(191, 191, 191), (191, 191, 0), (0, 191, 191), (0, 191, 0), (191, 0, 191), (191, 0, 0), (0, 0, 191)]
BOTTOM = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (16, 16, 16), (0, 0, 0), (128, 128, 128)]


def bars(w: int, h: int) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    for row, colours in ((0, TOP), (1, BOTTOM)):
        for i, c in enumerate(colours):
            img[row * h // 2:(row + 1) * h // 2, i * w // 7:(i + 1) * w // 7] = c
    return img


def patches(w: int, h: int, margin: int = 8):
    """(y0, y1, x0, x1) inside each bar, away from the edges (where chroma filters legitimately differ)."""
    for row in range(2):
        for i in range(7):
            yield (row * h // 2 + margin, (row + 1) * h // 2 - margin, i * w // 7 + margin, (i + 1) * w // 7 - margin)


def ffmpeg_yuv(img: np.ndarray, matrix: str) -> np.ndarray:
    h, w = img.shape[:2]
    r = subprocess.run([FFMPEG, "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i", "-",
                        "-vf", f"scale=out_color_matrix={matrix}:out_range=tv", "-pix_fmt", "yuv420p", "-f",
                        "rawvideo", "-"], input=img.tobytes(), capture_output=True, check=True)
    return np.frombuffer(r.stdout, np.uint8).reshape(h * 3 // 2, w)


def planes(yuv: np.ndarray, w: int, h: int):
    uv = yuv[h:].reshape(2, h // 2, w // 2)
    return yuv[:h], uv[0], uv[1]


def worst_difference(ours: np.ndarray, ref: np.ndarray, w: int, h: int) -> int:
    worst = 0
    for a, b in zip(planes(ours, w, h), planes(ref, w, h)):
        sub = 1 if a.shape[0] == h else 2
        for y0, y1, x0, x1 in patches(w, h):
            pa = a[y0 // sub:y1 // sub, x0 // sub:x1 // sub].astype(int)
            pb = b[y0 // sub:y1 // sub, x0 // sub:x1 // sub].astype(int)
            worst = max(worst, int(np.abs(pa - pb).max()))
    return worst


def export_bars(tmp_path, w: int, h: int):
    img = bars(w, h)
    still = tmp_path / f"bars{h}.png"
    cv2.imwrite(str(still), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    p = Project(settings=ProjectSettings(w, h, Fraction(25)))
    a = asset_from_info(probe(still), p.settings.rate)
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.overwrite(p, "v1", Clip(id="bars", asset_id=a.id, start=0, duration=3))
    out = export(p, tmp_path / f"bars{h}.mp4", preset=None, crf=0)  # crf 0: lossless, the conversion alone
    return img, out


def stream_tags(path) -> dict:
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream=color_space,color_primaries,color_transfer,color_range", "-of", "json", str(path)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["streams"][0]


@pytest.mark.parametrize("w,h,matrix,tag", [(1920, 1080, "bt709", "bt709"), (640, 480, "bt601", "smpte170m")])
def test_exported_bars_match_ffmpegs_conversion_and_tags(tmp_path, w, h, matrix, tag):
    img, out = export_bars(tmp_path, w, h)
    with av.open(str(out)) as c:
        frame = next(c.decode(video=0))
        assert frame.format.name == "yuv420p"
        decoded = frame.to_ndarray()
    assert worst_difference(decoded, ffmpeg_yuv(img, matrix), w, h) <= 1
    assert stream_tags(out) == {"color_space": tag, "color_primaries": tag, "color_transfer": tag,
                                "color_range": "tv"}
    # the other matrix would be far off: the comparison can tell them apart
    other = "bt601" if matrix == "bt709" else "bt709"
    assert worst_difference(decoded, ffmpeg_yuv(img, other), w, h) > 10
    # and a player that honours the tags shows the bars' RGB (PyAV decodes with the stream's own matrix)
    back = VideoReader(out).frame(0)
    for y0, y1, x0, x1 in patches(w, h):
        assert np.abs(back[y0:y1, x0:x1].astype(int) - img[y0:y1, x0:x1].astype(int)).max() <= 3


def test_conversion_picks_the_matrix_by_height_and_stays_in_range():
    assert colour_space_for(1080) is BT709 and colour_space_for(720) is BT709 and colour_space_for(2160) is BT709
    assert colour_space_for(576) is BT601 and colour_space_for(480) is BT601
    for space in (BT709, BT601):
        yuv = rgb_to_yuv420(bars(64, 32), space)
        y, u, v = planes(yuv, 64, 32)
        assert y.min() >= 16 and y.max() <= 235 and u.min() >= 16 and u.max() <= 240 and v.min() >= 16
        assert y[20, 50] == 16 and y[20, 30] == 235  # black and white land on limited-range black and white
    with pytest.raises(ValueError, match="even"):
        rgb_to_yuv420(np.zeros((5, 4, 3), np.uint8), BT709)
