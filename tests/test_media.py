"""Probe, frame-accurate reading, audio, thumbnails: on generated files and real footage."""
import random
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from editor.errors import MediaError
from editor.media.probe import probe
from editor.media.reader import ImageReader, VideoReader, read_audio
from editor.media.thumbs import thumbnail, waveform_peaks
from mediagen import index_frame, indexed_video, read_index, write_video


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    return indexed_video(tmp_path_factory.mktemp("m") / "idx.mp4", 240, Fraction(30000, 1001), with_audio=True)


def test_probe_real_footage(shared_media):
    dog = probe(shared_media / "video/01_dog.mp4")
    assert (dog.kind, dog.width, dog.height, dog.rate, dog.frames) == ("video", 1280, 720, Fraction(30000, 1001),
                                                                         289)
    assert dog.audio[0].rate == 48000 and dog.audio[0].channels == 2 and dog.data_streams == 1
    chaplin = probe(shared_media / "video/chaplin.mp4")
    assert chaplin.rate == 25 and chaplin.audio[0].rate == 44100
    bedroom = probe(shared_media / "video/bedroom.mp4")
    assert bedroom.audio == [] and bedroom.frames == 200
    photo = probe(shared_media / "photos/skimage_astronaut.png")
    assert photo.kind == "image" and photo.width > 0


def test_bad_files_raise_media_error_naming_file_and_reason(tmp_path, indexed):
    cases = {}
    cases["missing.mp4"] = ("does not exist", None)
    (tmp_path / "empty.mp4").write_bytes(b"")
    cases["empty.mp4"] = ("empty", None)
    (tmp_path / "notes.mp4").write_text("hello, this is not a video\n" * 50)
    cases["notes.mp4"] = ("not a media file", None)
    data = indexed.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    cases["cut.mp4"] = ("truncated|damaged", None)
    (tmp_path / "garbage.mov").write_bytes(bytes(random.Random(1).randrange(256) for _ in range(20000)))
    cases["garbage.mov"] = ("not a media file|damaged|no video", None)
    for name, (reason, _) in cases.items():
        with pytest.raises(MediaError, match=reason) as err:
            probe(tmp_path / name)
        assert name in str(err.value)


def test_wrong_extension_is_read_by_content(tmp_path, shared_media):
    png_as_mp4 = tmp_path / "photo.mp4"
    shutil.copy(shared_media / "photos/skimage_coffee.png", png_as_mp4)
    assert probe(png_as_mp4).kind == "image"


def test_random_seeks_match_sequential_decode(indexed):
    r = VideoReader(indexed, cache_bytes=1 << 20)  # tiny cache: force real seeks
    order = list(range(240))
    random.Random(7).shuffle(order)
    for n in order[:80] + [0, 239, 1, 238, 120, 119, 121]:
        assert read_index(r.frame(n)) == n
    assert r.seeks > 10
    seq = VideoReader(indexed)
    assert [read_index(seq.frame(n)) for n in range(240)] == list(range(240))
    assert seq.seeks == 1  # forward playback decodes forward, no seek per frame


def test_variable_frame_rate_shows_the_frame_on_screen(tmp_path):
    # frames at 0, 1, 2, 4, 5, 8 (in 1/30 s): a VFR file with holes
    pts = [0, 1, 2, 4, 5, 8, 9, 10]
    path = tmp_path / "vfr.mp4"
    write_video(path, [index_frame(i, 64, 64) for i in range(len(pts))], rate=Fraction(30), pts=pts,
                time_base=Fraction(1, 30))
    r = VideoReader(path)
    shown = [read_index(r.frame(n)) for n in range(11)]
    assert shown == [0, 1, 2, 2, 3, 4, 4, 4, 5, 6, 7]


def test_rotated_phone_video_stands_upright(tmp_path):
    src = tmp_path / "flat.mp4"
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :48] = (255, 0, 0)  # left half red
    write_video(src, [img] * 5)
    rotated = tmp_path / "rot.mp4"
    # the way phones store portrait video: landscape pixels plus "rotate 90 clockwise to display"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(src), "-c", "copy", "-metadata:s:v:0", "rotate=90",
                    str(rotated)], check=True)
    info = probe(rotated)
    assert (info.width, info.height) == (64, 96) and info.rotation in (90, 270)
    f = VideoReader(rotated).frame(0)
    assert f.shape == (96, 64, 3)
    # ffmpeg's own player logic (autorotate) is the reference
    upright = tmp_path / "upright.png"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(rotated), "-frames:v", "1", str(upright)], check=True)
    ref = ImageReader(upright).frame(0)
    assert ref.shape == f.shape
    assert np.abs(ref.astype(int) - f).mean() < 8
    ends = sorted([f[:16, :, 0].mean(), f[80:, :, 0].mean()])
    assert ends[0] < 50 and ends[1] > 200  # the red half is now at one end of the tall picture


def test_audio_is_resampled_and_aligned(shared_media):
    a = read_audio(shared_media / "video/chaplin.mp4", 48000, 2)
    assert a.dtype == np.float32 and a.shape[1] == 2
    assert abs(len(a) / 48000 - 9.64) < 0.1
    assert np.abs(a).max() > 0.01


def test_image_reader_scales(shared_media):
    r = ImageReader(shared_media / "photos/skimage_chelsea.png")
    assert r.frame(0, size=(100, 66)).shape == (66, 100, 3)
    assert r.frame(99).shape == (r.height, r.width, 3)


def test_thumbnail_and_peaks_are_cached_on_disk(indexed, monkeypatch, tmp_path):
    monkeypatch.setenv("SEAMLINE_CACHE", str(tmp_path / "c"))
    t = thumbnail(indexed, 5, height=48)
    assert t.shape[0] == 48 and read_index(t) == 5
    files = list((tmp_path / "c").iterdir())
    assert len(files) == 1
    assert np.array_equal(thumbnail(indexed, 5, height=48), t)
    peaks = waveform_peaks(indexed)
    assert peaks.shape[1] == 2 and 0.15 < peaks[:, 1].max() < 0.3  # the 0.2 tone
    assert len(list((tmp_path / "c").iterdir())) == 2


def test_media_errors_cross_process_boundaries_whole():
    """A cluster worker's MediaError reaches the editor as itself, with its file and reason (it is pickled)."""
    import pickle

    from editor.media.atomic import DiskFullError

    for err in (MediaError("/clips/a.mp4", "truncated: 3 of 90 frames"), DiskFullError("/out/film.mp4")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err) and back.path == err.path
