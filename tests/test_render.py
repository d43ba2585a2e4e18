"""Compositor, mixer and exporter: what a user sees and hears in the exported file."""
import os
from fractions import Fraction

import av
import numpy as np
import pytest

from editor.actions.media import asset_from_info, project_for_files
from editor.errors import ExportCancelled, MediaError
from editor.media.probe import probe
from editor.render.compositor import Compositor
from editor.render.exporter import export
from editor.render.mixer import AudioMixer, pan_gains
from editor.render.sources import MediaPool
from editor.timeline import edits
from editor.timeline.model import Clip, Project, ProjectSettings
from mediagen import decode_all, decode_audio, flash_click_video, indexed_video, read_index


def project_with(paths, rate=Fraction(30), size=(160, 96)):
    p = Project(settings=ProjectSettings(size[0], size[1], rate))
    ids = []
    for path in paths:
        a = asset_from_info(probe(path), rate)
        p = edits.add_asset(p, a)
        ids.append(a.id)
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.add_track(p, "video", track_id="v2")
    p = edits.add_track(p, "audio", track_id="a1")
    return p, ids


@pytest.mark.parametrize("rate", [Fraction(30), Fraction(30000, 1001)])
def test_export_is_frame_accurate_after_trim_split_move(tmp_path, rate):
    src = indexed_video(tmp_path / "idx.mp4", 120, rate)
    p, (m,) = project_with([src], rate)
    p = edits.overwrite(p, "v1", Clip(id="c1", asset_id=m, start=0, duration=40, source_in=10))  # shows 10..49
    p = edits.overwrite(p, "v1", Clip(id="c2", asset_id=m, start=40, duration=30, source_in=80))  # shows 80..109
    p = edits.trim(p, "c1", "in", 5)  # c1 now at 5, shows 15..49
    p = edits.split(p, "c2", 50)  # c2 40..49 (80..89), right 50..69 (90..109)
    right = p.track("v1").clip_at(55).id
    p = edits.move(p, right, 75)  # gap 50..74, then 90..109 at 75..94
    expected = {}
    for n in range(95):
        c = p.track("v1").clip_at(n)
        expected[n] = None if c is None else c.source_in + (n - c.start)
    out = export(p, tmp_path / "out.mp4", preset=None)
    frames = decode_all(out)
    assert len(frames) == 95
    for n, img in enumerate(frames):
        if expected[n] is None:
            assert img.max() < 20, f"frame {n} should be black (gap)"
        else:
            assert read_index(img) == expected[n], f"frame {n}"
    with av.open(str(out)) as c:
        assert c.streams.video[0].average_rate == rate


@pytest.mark.parametrize("rate", [Fraction(30), Fraction(30000, 1001)])
def test_flash_and_click_stay_in_sync_after_trim_and_export(tmp_path, rate):
    src = flash_click_video(tmp_path / "fc.mp4", 90, flash=60, rate=rate)
    p, (m,) = project_with([src], rate)
    p = edits.overwrite(p, "v1", Clip(id="v", asset_id=m, start=12, duration=70, source_in=7, link="L"))
    p = edits.overwrite(p, "a1", Clip(id="a", asset_id=m, start=12, duration=70, source_in=7, link="L"))
    p = edits.trim(p, "v", "in", 13)  # linked: both move
    out = export(p, tmp_path / "out.mp4", preset=None)
    frames = decode_all(out)
    flash_frame = int(np.argmax([f.mean() for f in frames]))
    assert flash_frame == 12 + (60 - 7)
    audio = decode_audio(out)
    click = int(np.argmax(np.abs(audio[:, 0]) > 0.3))
    flash_time = flash_frame / rate
    assert abs(click / 48000 - float(flash_time)) <= float(1 / rate), (click / 48000, float(flash_time))


def test_real_footage_imports_renders_and_exports(tmp_path, shared_media):
    files = [shared_media / "video" / n for n in ("01_dog.mp4", "chaplin.mp4", "bedroom.mp4")]
    p = project_for_files(files, size=(320, 180))
    v, a = p.video_tracks()[0], p.audio_tracks()[0]
    # keep it short: 1 s of each, with a dissolve between dog and chaplin
    p = edits.trim(p, v.clips[0].id, "out", -(v.clips[0].duration - 30))
    p = edits.close_gap(p, v.id, 35)
    assert len(a.clips) == 2  # dog and chaplin have sound; bedroom has none
    p = edits.add_transition(p, v.id, v.clips[0].id, v.clips[1].id, "dissolve", 10)
    n = 45
    out = export(p, tmp_path / "real.mp4", preset=None, frame_range=(0, n))
    info = probe(out)
    assert info.frames == n and (info.width, info.height) == (320, 180) and info.audio
    frames = decode_all(out)
    assert all(f.mean() > 5 for f in frames)  # no black frame: real pictures everywhere
    audio = decode_audio(out)
    # the dog clip's track is digital silence; chaplin's MP3 sound comes in after the cut at 1 s
    assert np.abs(audio[: 40000]).max() < 1e-3
    assert np.abs(audio[52000:]).max() > 0.05 and np.abs(audio).max() <= 0.9


def test_presets_letterbox_into_their_size(tmp_path):
    src = indexed_video(tmp_path / "idx.mp4", 3, size=(160, 96))
    p, (m,) = project_with([src], size=(160, 96))
    p = edits.overwrite(p, "v1", Clip(id="c", asset_id=m, start=0, duration=3))
    out = export(p, tmp_path / "sq.mp4", preset="square")
    info = probe(out)
    assert (info.width, info.height) == (1080, 1080)
    f = decode_all(out)[0]
    assert f[:200].max() < 30 and f[-200:].max() < 30  # bars top and bottom


def _simple_project(tmp_path, n=60):
    src = indexed_video(tmp_path / "idx.mp4", n, with_audio=True)
    p, (m,) = project_with([src])
    p = edits.overwrite(p, "v1", Clip(id="c", asset_id=m, start=0, duration=n))
    return p


def test_cancelled_export_leaves_existing_file_untouched(tmp_path):
    p = _simple_project(tmp_path)
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"the user's previous export")
    seen = []
    with pytest.raises(ExportCancelled):
        export(p, target, preset=None, progress=seen.append, cancelled=lambda: len(seen) >= 10)
    assert target.read_bytes() == b"the user's previous export"
    assert sorted(os.listdir(tmp_path)) == ["idx.mp4", "keep.mp4"]  # no partial file left behind
    assert 0 < seen[-1] < 1


def test_failed_export_leaves_no_file(tmp_path):
    p = _simple_project(tmp_path)
    os.remove(p.assets[next(iter(p.assets))].path)  # media vanished mid-session
    with pytest.raises((MediaError, Exception)):
        export(p, tmp_path / "new.mp4", preset=None)
    assert os.listdir(tmp_path) == []
    with pytest.raises(MediaError, match="folder"):
        export(p, tmp_path / "nope" / "x.mp4")


def test_compositor_stacks_tracks_with_opacity_and_dissolve(tmp_path):
    src = indexed_video(tmp_path / "idx.mp4", 40)
    p, (m,) = project_with([src])
    p = edits.overwrite(p, "v1", Clip(id="a", asset_id=m, start=0, duration=20, source_in=0))
    p = edits.overwrite(p, "v1", Clip(id="b", asset_id=m, start=20, duration=20, source_in=0))
    pool = MediaPool()

    def comp():  # a compositor reads the project it was given: a snapshot
        return Compositor(p, pool=pool)

    assert read_index(comp().frame(5)) == 5
    p = edits.add_transition(p, "v1", "a", "b", "dissolve", 10)
    mid = comp().frame(20).astype(int)  # halfway: A's frame 20 and B's frame 0 mixed
    a, b = comp()._layer(p.track("v1").clip("a"), 20)[0], comp()._layer(p.track("v1").clip("b"), 20)[0]
    assert np.abs(mid - (a.astype(int) * 0.45 + b.astype(int) * 0.55)).mean() < 2
    p = edits.overwrite(p, "v2", Clip(id="top", asset_id=m, start=0, duration=10, source_in=3, opacity=0.5))
    f = comp().frame(0).astype(int)
    lower, upper = comp()._layer(p.track("v1").clip("a"), 0)[0], comp()._layer(p.track("v2").clip("top"), 0)[0]
    assert np.abs(f - (lower.astype(int) + upper.astype(int)) / 2).max() <= 1
    p = edits.set_track_property(p, "v2", "mute", True)
    assert read_index(comp().frame(0)) == 0


def test_mixer_pan_mute_solo_crossfade_and_declick(tmp_path):
    src = indexed_video(tmp_path / "tone.mp4", 90, with_audio=True)
    p, (m,) = project_with([src])
    p = edits.overwrite(p, "a1", Clip(id="x", asset_id=m, start=0, duration=30, source_in=0, pan=-1.0))
    pool = MediaPool()

    def mix(a, b):  # a mixer reads the project it was given: a snapshot
        return AudioMixer(p, pool).mix(a, b)

    out = mix(0, 30)
    assert np.abs(out[:, 1]).max() < 1e-6 and np.abs(out[:, 0]).max() > 0.15  # hard left
    assert abs(out[0, 0]) < 0.01  # declicked start
    assert pan_gains(0.0) == (1.0, 1.0)
    p = edits.set_track_property(p, "a1", "mute", True)
    assert np.abs(mix(0, 30)).max() == 0
    p = edits.set_track_property(p, "a1", "mute", False)
    p = edits.add_track(p, "audio", track_id="a2")
    p = edits.overwrite(p, "a2", Clip(id="y", asset_id=m, start=0, duration=30))
    p = edits.set_track_property(p, "a2", "solo", True)
    out = mix(0, 30)
    assert np.abs(out[:, 1]).max() > 0.15  # only the centred solo track plays
    # equal-power crossfade keeps the level of a steady tone across the cut
    p = edits.set_track_property(p, "a2", "solo", False)
    p = edits.set_clip_property(p, "x", "pan", 0.0)
    p = edits.overwrite(p, "a1", Clip(id="z", asset_id=m, start=30, duration=30, source_in=30))
    p = edits.add_transition(p, "a1", "x", "z", "crossfade", 10)
    p = edits.set_track_property(p, "a2", "mute", True)
    seg = mix(22, 38)[:, 0]
    env = np.sqrt(np.convolve(seg ** 2, np.ones(480) / 480, mode="valid"))
    assert env.min() > 0.1  # no dip to silence at the cut
