"""Interchange: other editors' timelines in and out, compared with OpenTimelineIO's own reading of the same files."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from editor.errors import ProjectError
from editor.project import fileio
from editor.project.interchange import convert, read_timeline, write_timeline
from editor.timeline import edits
from editor.timeline.model import (
    Clip,
    Effect,
    Keyframe,
    Marker,
    MediaAsset,
    Project,
    ProjectSettings,
    Track,
    Transition,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "otio"
NTSC = Fraction(30000, 1001)
EDL_RATES = {"25fps.edl": Fraction(25)}


def _otio(path, rate=None):
    import opentimelineio as otio

    if path.suffix == ".edl":
        return otio.adapters.read_from_file(str(path), rate=float(rate or 24))
    return otio.adapters.read_from_file(str(path))


def _frame(rt_seconds: float, rate) -> int:
    return math.floor(rt_seconds * float(rate) + 0.5 + 1e-9)


def otio_reading(tl, rate):
    """What OTIO itself says a timeline holds, top-level clips only: per track (kind, index), the clips as
    (name, record start, record end) in frames, the cuts with transitions, the markers, and the total duration."""
    import opentimelineio as otio

    clips, cuts, markers = [], [], len(tl.tracks.markers)
    for i, t in enumerate(tl.tracks):
        shift = 0.0
        if t.source_range is not None:
            s = t.source_range.start_time.to_seconds()
            if s + t.source_range.duration.to_seconds() > 0:  # (an EDL's negative record-timecode range aside)
                shift = s
        for item in t:
            if isinstance(item, otio.schema.Clip) and item.enabled:
                r = t.range_of_child(item)
                a, b = r.start_time.to_seconds() - shift, r.end_time_exclusive().to_seconds() - shift
                clips.append((i, item.name, _frame(a, rate), _frame(b, rate)))
                markers += len(item.markers)
            elif isinstance(item, otio.schema.Transition):
                at = t.range_of_child(item).start_time.to_seconds() + item.in_offset.to_seconds() - shift
                cuts.append((i, _frame(at, rate), _frame(item.in_offset.to_seconds(), rate),
                             _frame(item.out_offset.to_seconds(), rate)))
    return clips, cuts, markers, _frame(tl.duration().to_seconds(), rate)


def seamline_reading(project: Project):
    clips, cuts, markers = [], [], len(project.markers)
    for i, t in enumerate(project.tracks):
        for c in t.clips:
            clips.append((i, c.name, c.start, c.end))
            markers += len(c.markers)
        markers += len(t.markers)
        for x in t.transitions:
            cut = t.clip(x.a).end
            cuts.append((i, cut, x.frames_before, x.frames_after))
    return clips, cuts, markers, project.duration


def _mentioned(warnings, name) -> bool:
    return any(repr(name) in w or str(name) in w for w in warnings)


def check_same_as_otio(tl, project, warnings):
    """Every clip, cut, marker and the duration OTIO reads is in the project, or a warning says why not."""
    o_clips, o_cuts, o_markers, o_dur = otio_reading(tl, project.settings.rate)
    s_clips, s_cuts, s_markers, s_dur = seamline_reading(project)
    s_set = set(s_clips)
    for c in o_clips:
        assert c in s_set or _mentioned(warnings, c[1]), (c, [x for x in s_clips if x[1] == c[1]], warnings)
    assert len(s_clips) >= len([c for c in o_clips if c in s_set])
    for cut in o_cuts:
        assert cut in s_cuts or any("transition" in w for w in warnings), (cut, s_cuts)
    assert s_markers == o_markers or any("marker" in w for w in warnings)
    assert s_dur == o_dur or any("past its last clip" in w or "nested" in w or "left out" in w or "transition" in w
                                 for w in warnings), (s_dur, o_dur)
    return o_clips


SAMPLE_FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".otio", ".edl", ".xml"))


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_samples_read_as_otio_reads_them_and_come_back(name, tmp_path):
    path = SAMPLES / name
    rate = EDL_RATES.get(name)
    project, warnings = read_timeline(path, rate)
    tl = _otio(path, rate)
    check_same_as_otio(tl, project, warnings)
    assert len(project.tracks) == len(tl.tracks)  # (sample_just_track.xml: OTIO reads no track from it)
    if not tl.tracks:
        assert warnings == ["the timeline holds no tracks"]
    # .seam and back out as .otio: what OTIO reads from our file is what we read from theirs
    fileio.save(project, tmp_path / "p.seam")
    again = fileio.load(tmp_path / "p.seam")
    assert again.state()["tracks"] == project.state()["tracks"]
    write_timeline(again, tmp_path / "p.otio")
    back = _otio(tmp_path / "p.otio")
    assert otio_reading(back, project.settings.rate)[:3] == seamline_reading(project)[:3]
    assert _frame(back.duration().to_seconds(), project.settings.rate) == project.duration
    media = {c.media_reference.target_url for c in back.find_clips() if hasattr(c.media_reference, "target_url")}
    assert media == {Path(a.path).resolve().as_uri() for a in project.assets.values() if a.path}


def test_simple_cut_and_transition_samples_convert_without_traceback(tmp_path):
    for name in ("simple_cut.otio", "transition.otio"):
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), "convert", str(SAMPLES / name),
                            str(tmp_path / "out.seam")], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        lines = r.stderr.strip().splitlines()
        assert lines and all(x.startswith("seamline: warning: offline media") for x in lines), lines
    project = fileio.load(tmp_path / "out.seam")
    v = project.video_tracks()[0]
    # transition.otio: a 2-in/3-out dissolve between Clip-002 and Clip-003, kept asymmetric
    assert [(c.name, c.start, c.duration) for c in v.clips] == [("Clip-001", 0, 3), ("Clip-002", 3, 6),
                                                                ("Clip-003", 9, 4), ("Clip-004", 13, 6)]
    (x,) = v.transitions
    assert (v.clip(x.a).name, v.clip(x.b).name, x.frames_before, x.frames_after) == ("Clip-002", "Clip-003", 2, 3)
    # its media start at frame 1 (available_range start): Clip-003's source range starts at 3 -> 2 into the file
    assert v.clips[2].source_in == 2 and v.clips[3].source_in == 0  # Clip-004: no source range, whole media
    assert all(a.offline for a in project.assets.values())


def test_nested_stacks_are_flattened_with_a_warning():
    project, warnings = read_timeline(SAMPLES / "nested_example.otio")
    names = [c.name for c in project.video_tracks()[0].clips]
    assert names == ["Normal Clip 1", "Clip Inside A Stack 1", "Normal Clip 2", "Clip Inside A Stack 2",
                     "Normal Clip 3", "Clip Inside A Track", "Normal Clip 4"]
    inner = project.video_tracks()[0].clips[1]
    assert (inner.start, inner.duration, inner.source_in) == (238, 31, 373)  # the stack's 31 frames of the clip
    assert sum("flattened" in w for w in warnings) == 3
    assert any("LinearTimeWarp" in w and "nested stack" in w for w in warnings)


def test_premiere_sample_keeps_markers_mixed_rates_and_a_one_sided_transition():
    project, warnings = read_timeline(SAMPLES / "premiere_example.otio")
    assert project.settings.rate == 30
    assert len(project.markers) == 3
    assert sum(len(c.markers) for t in project.tracks for c in t.clips) == 1
    assert any("19-frame fade-out" in w for w in warnings)  # a dissolve into a gap
    assert any("is empty: kept as a gap" in w for w in warnings)
    v1 = project.video_tracks()[0].clips[0]
    assert (v1.start, v1.duration) == (536, 100)  # 50 frames at 15 fps on a 30 fps timeline


def test_available_range_start_is_the_media_start(tmp_path):
    import opentimelineio as otio
    from mediagen import indexed_video

    media = tmp_path / "tc.mp4"
    indexed_video(media, 400, rate=Fraction(25))
    rt = lambda v: otio.opentime.RationalTime(v, 25)
    tl = otio.schema.Timeline()
    tr = otio.schema.Track()
    ref = otio.schema.ExternalReference(target_url=media.as_uri(), available_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime.from_timecode("01:00:00:00", 25), rt(400)))
    tr.append(otio.schema.Clip(name="c", media_reference=ref, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime.from_timecode("01:00:10:00", 25), rt(50))))
    tl.tracks.append(tr)
    otio.adapters.write_to_file(tl, str(tmp_path / "tc.otio"))
    project, warnings = read_timeline(tmp_path / "tc.otio")
    c = project.video_tracks()[0].clips[0]
    assert (c.source_in, c.duration) == (250, 50) and not warnings  # 10 s into the file
    assert not project.assets[c.asset_id].offline and project.assets[c.asset_id].frames == 400


def _rich_project(tmp_path) -> Project:
    from mediagen import indexed_video

    indexed_video(tmp_path / "a.mp4", 90, rate=NTSC, with_audio=True)
    indexed_video(tmp_path / "b.mp4", 75, rate=Fraction(25))
    a = MediaAsset(id="m-a", path=str(tmp_path / "a.mp4"), kind="video", rate=NTSC, frames=90, width=160,
                   height=96, has_audio=True)
    b = MediaAsset(id="m-b", path=str(tmp_path / "b.mp4"), kind="video", rate=Fraction(25), frames=75, width=160,
                   height=96)
    gone = MediaAsset(id="m-gone", path=str(tmp_path / "gone.mov"), kind="video", rate=NTSC, frames=500,
                      offline=True)
    v = Track(id="t-v", kind="video", name="V1", markers=(Marker(frame=7, name="track", color="green"),), clips=(
        Clip(id="c-a", asset_id="m-a", start=0, duration=40, source_in=5, opacity=0.5, fade_in=3, link="L-1",
             keyframes={"opacity": (Keyframe(frame=0, value=0.2), Keyframe(frame=30, value=1.0, ease="ease-in"))},
             markers=(Marker(frame=4, duration=2, name="look", color="amber", comment="here"),)),
        Clip(id="c-b", asset_id="m-b", start=40, duration=50, source_in=10,
             effects=(Effect(kind="LinearTimeWarp", name="slow", time_scalar=0.5),)),
        Clip(id="c-g", asset_id="m-gone", start=120, duration=30, name="missing one")),
        transitions=(Transition(id="x-1", a="c-a", b="c-b", kind="wipe", duration=12, before=4),))
    au = Track(id="t-a", kind="audio", name="A1", volume=0.8, pan=-0.2, lock=True, clips=(
        Clip(id="c-a2", asset_id="m-a", start=0, duration=40, source_in=5, link="L-1", volume=1.5, pan=0.3,
             fade_out=6),))
    return Project(settings=ProjectSettings(width=640, height=360, rate=NTSC, sample_rate=44100, channels=2),
                   assets={"m-a": a, "m-b": b, "m-gone": gone}, tracks=(v, au), name="rich",
                   markers=(Marker(frame=100, duration=5, name="chapter", color="blue"),))


def test_seamline_round_trip_through_otio_and_otioz_is_lossless(tmp_path):
    project = _rich_project(tmp_path)
    for suffix in (".otio", ".otioz"):
        warnings = write_timeline(project, tmp_path / f"p{suffix}")
        back, read_warnings = read_timeline(tmp_path / f"p{suffix}")
        want, got = project.state(), back.state()
        if suffix == ".otioz":  # the bundle carries its own copies of the media
            assert any("gone.mov" in w for w in warnings)
            for d in (want, got):
                for a in d["assets"].values():
                    a["path"] = Path(a["path"]).name
        assert got == want, suffix
        assert [w for w in read_warnings if "gone.mov" not in w] == []


@pytest.mark.parametrize("suffix", [".edl", ".xml", ".kdenlive"])
def test_other_formats_keep_the_cut_and_say_what_they_drop(tmp_path, suffix):
    project = _rich_project(tmp_path)
    project = edits.remove_transition(project, "x-1") if suffix == ".kdenlive" and hasattr(
        edits, "remove_transition") else project
    warnings = write_timeline(project, tmp_path / f"p{suffix}")
    assert any("left out" in w for w in warnings)
    back, _ = read_timeline(tmp_path / f"p{suffix}", NTSC if suffix == ".edl" else None)
    assert back.settings.rate == NTSC
    got = [(c.start, c.end) for c in back.video_tracks()[0].clips]
    assert got[0][0] == 0 and 36 <= got[0][1] <= 48  # EDL and FCP XML move the cut inside the transition's span
    assert got[1][1] == 90


def test_positions_round_to_the_nearest_frame_2997_after_25(tmp_path):
    """A 150-frame 25 fps clip lasts 179.82 frames at 29.97: the next clip starts at 180, not 179."""
    import opentimelineio as otio

    tl = otio.schema.Timeline(global_start_time=otio.opentime.RationalTime(0, float(NTSC)))
    tr = otio.schema.Track()
    for name, rate, dur in (("a", 25, 150), ("b", float(NTSC), 30)):
        tr.append(otio.schema.Clip(name=name, media_reference=otio.schema.MissingReference(),
                                   source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                                        otio.opentime.RationalTime(dur, rate))))
    tr.append(otio.schema.Clip(name="pad", media_reference=otio.schema.MissingReference(),
                               source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, float(NTSC)),
                                                                    otio.opentime.RationalTime(5, float(NTSC)))))
    tl.tracks.append(tr)
    otio.adapters.write_to_file(tl, str(tmp_path / "r.otio"))
    project, _ = read_timeline(tmp_path / "r.otio")
    assert project.settings.rate == NTSC
    assert [(c.start, c.end) for c in project.video_tracks()[0].clips] == [(0, 180), (180, 210), (210, 215)]


def test_too_deep_files_are_refused_before_otio_reads_them(tmp_path):
    deep = tmp_path / "deep.otio"
    deep.write_text('{"OTIO_SCHEMA": "Timeline.1", "metadata": ' + "[" * 60000 + "]" * 60000 + "}")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "convert", str(deep), str(tmp_path / "o.seam")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nested 60001 levels deep" in r.stderr, r.stderr
    xml = tmp_path / "deep.xml"
    xml.write_text('<?xml version="1.0"?><xmeml>' + "<a>" * 5000 + "</a>" * 5000 + "</xmeml>")
    with pytest.raises(ProjectError, match="nested 5001 levels deep"):
        read_timeline(xml)


@pytest.mark.parametrize("content,reason", [
    (b"", "not a readable OpenTimelineIO"),
    (b'{"OTIO_SCHEMA": "Clip.2"', "not a readable"),
    (b'{"OTIO_SCHEMA": "Gap.1", "name": "x"}', "holds a Gap, not a timeline"),
    (b"\xff\xfe garbage", "not UTF-8|not a readable"),
])
def test_bad_otio_files_give_one_line(tmp_path, content, reason):
    path = tmp_path / "bad.otio"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=reason):
        read_timeline(path)


def test_convert_cli_warns_one_line_each_and_refuses_unknown_formats(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "convert", str(SAMPLES / "premiere_example.xml"),
                        str(tmp_path / "p.otio")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and all(x.startswith("seamline: warning: ") for x in lines)
    assert json.loads((tmp_path / "p.otio").read_text())["OTIO_SCHEMA"].startswith("Timeline")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "convert", str(tmp_path / "p.otio"),
                        str(tmp_path / "p.docx")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("seamline: error:") and "unknown timeline format" in r.stderr
    assert not (tmp_path / "p.docx").exists()


def test_convert_seam_to_every_format(tmp_path):
    project = _rich_project(tmp_path)
    fileio.save(project, tmp_path / "p.seam")
    for suffix in (".otio", ".otioz", ".edl", ".xml", ".kdenlive", ".seam"):
        out = tmp_path / f"out{suffix}"
        convert(tmp_path / "p.seam", out)
        assert out.stat().st_size > 0
        back, _ = read_timeline(out, NTSC) if suffix != ".seam" else (fileio.load(out), [])
        assert back.video_tracks()[0].clips[0].start == 0


def test_2997_and_25_fps_clips_with_a_gap_render_frame_exact(tmp_path):
    """The held-out case: every clip of an OTIO timeline with 29.97 and 25 fps media and a gap starts on its nearest
    record frame, and every rendered frame shows the source frame it should."""
    import opentimelineio as otio
    from mediagen import decode_all, index_frame, read_index, write_video

    w, h = 160, 96
    write_video(tmp_path / "a.mp4", (index_frame(i, w, h) for i in range(100)), rate=NTSC)
    write_video(tmp_path / "b.mp4", (index_frame(1000 + i, w, h) for i in range(100)), rate=Fraction(25))
    write_video(tmp_path / "c.mp4", (index_frame(2000 + i, w, h) for i in range(60)), rate=NTSC)
    r = float(NTSC)
    tr = otio.schema.Track()

    def clip(name, rate, start, dur):
        ref = otio.schema.ExternalReference(target_url=(tmp_path / name).as_uri())
        return otio.schema.Clip(name=name, media_reference=ref, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(dur, rate)))

    tr.append(clip("a.mp4", r, 5, 45))  # record [0, 45)
    tr.append(clip("b.mp4", 25, 10, 50))  # 2 s = 59.94 frames: [45, 104.94) -> ends on 105
    tr.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, r),
                                                                   otio.opentime.RationalTime(10, r))))
    tr.append(clip("c.mp4", r, 0, 20))  # starts at 114.94 -> 115 (rounding down would give 114)
    tl = otio.schema.Timeline(tracks=[tr])
    otio.adapters.write_to_file(tl, str(tmp_path / "mixed.otio"))
    out = tmp_path / "out.mp4"
    run = subprocess.run([sys.executable, str(ROOT / "main.py"), "render", str(tmp_path / "mixed.otio"), "-o",
                          str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    frames = decode_all(out)
    assert len(frames) == 135 and frames[0].shape[:2] == (h, w)
    b_step = Fraction(25) / NTSC  # source frames of b per record frame
    for n, img in enumerate(frames):
        if n < 45:
            want = 5 + n
        elif n < 105:
            want = 1000 + 10 + math.floor((n - 45) * b_step + Fraction(1, 1000))
        elif n < 115:
            assert img.mean() < 8, n  # the gap is black
            continue
        else:
            want = 2000 + n - 115
        assert read_index(img) == want, (n, read_index(img), want)
