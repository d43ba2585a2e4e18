"""Project files (.seam), OTIO round-trip, and the headless CLI."""
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from editor.actions.media import project_for_files
from editor.errors import ProjectError
from editor.project import load
from editor.project.fileio import missing_media, save
from editor.project.interchange import read_timeline, write_timeline
from editor.timeline import edits
from mediagen import indexed_video

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    a = indexed_video(media / "a.mp4", 60, Fraction(30000, 1001), with_audio=True)
    b = indexed_video(media / "b.mp4", 45, Fraction(30000, 1001))
    p = project_for_files([a, b])
    v = p.video_tracks()[0]
    p = edits.add_transition(p, v.id, v.clips[0].id, v.clips[1].id, "dissolve", 12)
    p = edits.set_clip_property(p, v.clips[1].id, "opacity", 0.75)
    p = edits.add_track(p, "video")
    return edits.set_track_property(p, p.audio_tracks()[0].id, "pan", -0.25)


def test_save_load_round_trip_with_relative_paths(project, tmp_path):
    path = tmp_path / "family.seam"
    save(project, path)
    back = load(path)
    assert back.state()["tracks"] == project.state()["tracks"] and back.settings == project.settings
    assert back.settings.rate == Fraction(30000, 1001)
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["assets"][0]["path"]["rel"] == "media/a.mp4"
    # the folder moves to another place: relative paths still find the media
    moved = tmp_path.parent / (tmp_path.name + "_moved")
    os.rename(tmp_path, moved)
    again = load(moved / "family.seam")
    assert not missing_media(again)
    assert all(a.path.startswith(str(moved)) for a in again.assets.values())


def test_save_is_atomic_and_keeps_a_backup(project, tmp_path):
    path = tmp_path / "p.seam"
    save(project, path)
    first = path.read_text()
    save(edits.add_track(project, "audio"), path)
    assert (tmp_path / "p.seam.bak").read_text() == first
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_a_full_disk_keeps_the_old_file_and_leaves_nothing(project, tmp_path, monkeypatch):
    import errno

    from editor.project import fileio

    path = tmp_path / "p.seam"
    save(project, path)
    before = path.read_bytes()

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    with pytest.raises(ProjectError, match="disk full while writing"):
        save(edits.add_track(project, "audio"), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["media", "p.seam"]


def test_saved_files_follow_the_umask_and_stale_temps_of_a_killed_save_are_cleaned(project, tmp_path):
    path = tmp_path / "p.seam"
    old = os.umask(0o022)
    try:
        save(project, path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".p.seam.{dead.stdout.strip()}.abc123.tmp"  # what a save killed mid-write leaves
    stale.write_text("{")
    save(project, path)
    assert not stale.exists()


@pytest.mark.parametrize("content,reason", [
    (b"", "damaged or truncated"),
    (b'{"kind": "seamline-project", "schema": 1, "settings": {"width": 10', "damaged or truncated"),
    (b'{"kind": "seamline-project", "schema": 99}', "newer Seamline"),
    (b'{"kind": "something-else"}', "not a Seamline project"),
    (b'{"kind": "seamline-project", "schema": 1, "settings": {"width": "wide"}}', "settings.width: must be a whole"),
    (b'{"kind": "seamline-project", "version": 2, "tracks": [{"id": "t", "kind": "video", "clips": [{"id": "c", '
     b'"asset_id": "m", "start": 0, "duration": 1e12}]}]}', r"tracks\[0\].clips\[0\].duration: must be <="),
    (b'[' * 100000, "nested too deeply|damaged"),
    (b"\xff\xfe\x00garbage", "damaged"),
])
def test_bad_project_files_raise_project_error(tmp_path, content, reason):
    path = tmp_path / "bad.seam"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=reason):
        load(path)
    assert path.read_bytes() == content  # nothing overwritten


def test_inconsistent_project_is_refused(project, tmp_path):
    path = tmp_path / "p.seam"
    save(project, path)
    data = json.loads(path.read_text())
    data["tracks"][0]["clips"][1]["start"] = 10  # overlaps the first clip
    path.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match="overlap"):
        load(path)


def test_missing_media_opens_offline(project, tmp_path):
    path = tmp_path / "p.seam"
    save(project, path)
    os.remove(tmp_path / "media" / "b.mp4")
    back = load(path)
    assert [a.name for a in missing_media(back)] == ["b.mp4"]
    assert len(back.video_tracks()[0].clips) == 2


def test_otio_round_trip(project, tmp_path):
    path = tmp_path / "p.otio"
    write_timeline(project, path)
    back, _ = read_timeline(path)
    assert back.state()["tracks"] == project.state()["tracks"]
    assert back.settings == project.settings
    import opentimelineio as otio

    tl = otio.adapters.read_from_file(str(path))
    kinds = [type(i).__name__ for i in tl.tracks[0]]
    assert kinds == ["Clip", "Transition", "Clip"]


def test_otio_with_gaps_from_elsewhere(tmp_path):
    import opentimelineio as otio

    media = indexed_video(tmp_path / "a.mp4", 60)
    tl = otio.schema.Timeline(name="foreign")
    tr = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    rt = lambda v: otio.opentime.RationalTime(v, 30)  # noqa: E731
    tr.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(10))))
    tr.append(otio.schema.Clip(name="a", media_reference=otio.schema.ExternalReference(
        target_url=media.as_uri(), available_range=otio.opentime.TimeRange(rt(0), rt(60))),
        source_range=otio.opentime.TimeRange(rt(5), rt(20))))
    tl.tracks.append(tr)
    otio.adapters.write_to_file(tl, str(tmp_path / "f.otio"))
    p = load(tmp_path / "f.otio")
    c = p.video_tracks()[0].clips[0]
    assert (c.start, c.duration, c.source_in) == (10, 20, 5) and not missing_media(p)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_cli_probe_and_render(project, tmp_path):
    r = _cli("probe", tmp_path / "media" / "a.mp4")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["kind"] == "video" and info["frames"] == 60 and info["rate"] == "30000/1001"
    save(project, tmp_path / "p.seam")
    r = _cli("render", tmp_path / "p.seam", "-o", tmp_path / "out.mp4", "--preset", "720p")
    assert r.returncode == 0, r.stderr
    from editor.media.probe import probe

    out = probe(tmp_path / "out.mp4")
    assert (out.width, out.height, out.frames) == (1280, 720, project.duration)
    write_timeline(project, tmp_path / "p.otio")
    r = _cli("render", tmp_path / "p.otio", "-o", tmp_path / "out2.mp4")
    assert r.returncode == 0, r.stderr


def test_cli_errors_are_one_clear_line(tmp_path):
    (tmp_path / "bad.seam").write_text("{")
    for args in [("probe", tmp_path / "nothing.mov"), ("render", tmp_path / "bad.seam", "-o", tmp_path / "x.mp4")]:
        r = _cli(*args)
        assert r.returncode != 0
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("seamline: error:"), r.stderr
    assert not (tmp_path / "x.mp4").exists()
