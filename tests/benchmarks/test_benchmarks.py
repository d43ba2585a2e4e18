"""Measured speed and quality, each beside a baseline measured in the same run. Not part of the default run:

    .venv/bin/python -m pytest tests/benchmarks -s

Prints tables; asserts nothing about time (these machines are noisy).
"""
import os
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
MEDIA = ROOT.parent / "shared" / "media"
FFMPEG = shutil.which("ffmpeg")


def table(title, rows):
    print(f"\n## {title}")
    w = max(len(r[0]) for r in rows)
    for r in rows:
        print(f"{r[0]:<{w}}  " + "  ".join(str(x) for x in r[1:]))


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return time.perf_counter() - t, out


def test_camera_move_speed(tmp_path):
    from ai.camera.move import MoveRequest, run_move_job
    from quality import read_rgb

    photo = read_rgb(MEDIA / "photos/sam2_truck.jpg")
    rows = [("move (150 frames, 1920x1080, encoded)", "seconds")]
    for moves in (["pan-right"], ["push-in"], ["truck-left", "tilt-up"]):
        req = MoveRequest(source=photo, moves=moves, size=(1920, 1080), duration=5.0)
        t, _ = timed(run_move_job, req, tmp_path / "gen" / "-".join(moves))
        rows.append((" + ".join(moves) + " (depth included)", f"{t:.2f}"))
    if FFMPEG:  # baseline: ffmpeg zoompan (a 2D Ken Burns) over the same photo, same frames and size
        cmd = [FFMPEG, "-v", "error", "-y", "-loop", "1", "-i", str(MEDIA / "photos/sam2_truck.jpg"), "-vf",
               "scale=2880:-2,zoompan=z='min(zoom+0.002,1.3)':d=150:s=1920x1080:fps=30", "-frames:v", "150",
               "-c:v", "libx264", "-preset", "veryfast", str(tmp_path / "zoompan.mp4")]
        t, _ = timed(subprocess.run, cmd, check=True)
        rows.append(("ffmpeg zoompan (2D only), same size", f"{t:.2f}"))
    table("Camera move speed", rows)


def _long_gop_1080p(tmp_path) -> Path:
    out = tmp_path / "longgop.mp4"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(MEDIA / "video/01_dog.mp4"), "-vf", "scale=1920:1080",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-an", str(out)], check=True)
    return out


@pytest.mark.skipif(not FFMPEG, reason="needs ffmpeg")
def test_random_access_and_compositor(tmp_path):
    from editor.actions.media import project_for_files
    from editor.media.reader import VideoReader
    from editor.render.compositor import Compositor
    from editor.timeline import edits

    src = _long_gop_1080p(tmp_path)
    r = VideoReader(src, cache_bytes=1)
    rng = np.random.default_rng(0)
    lat = []
    for n in rng.integers(0, r.frames, 60):
        t, _ = timed(r.frame, int(n))
        lat.append(t * 1000)
    # baseline: PyAV seek to the keyframe and decode forward to the frame, without our cache/reader logic
    import av

    base = []
    with av.open(str(src)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for n in rng.integers(0, r.frames, 30):
            t0 = time.perf_counter()
            target = int(n / s.average_rate / s.time_base)
            c.seek(target, stream=s)
            for f in c.decode(s):
                if f.pts >= target:
                    f.to_ndarray(format="rgb24")
                    break
            base.append((time.perf_counter() - t0) * 1000)
    # edit proxy (what the preview reads at 1/2 scale once the background job has made it)
    from editor.media.proxy import ProxiedReader, build_proxy

    build_s, proxy = timed(build_proxy, src)
    pr = ProxiedReader(VideoReader(src, cache_bytes=1), proxy)
    plat = []
    for n in rng.integers(0, r.frames, 60):
        t, _ = timed(pr.frame, int(n), (960, 540))
        plat.append(t * 1000)
    assert pr.proxy_hits == 60
    pr.close()
    ff_s, _ = timed(subprocess.run, [FFMPEG, "-v", "error", "-y", "-i", str(src), "-vf", "scale=-2:540", "-c:v",
                                     "mjpeg", "-q:v", "4", "-an", str(tmp_path / "ffproxy.mkv")], check=True)
    table("Random-access frame fetch, 1080p H.264, GOP 250", [
        ("reader", "p50 ms", "p95 ms"),
        ("Seamline VideoReader (cache off)", f"{np.percentile(lat, 50):.0f}", f"{np.percentile(lat, 95):.0f}"),
        ("PyAV seek + decode (baseline)", f"{np.percentile(base, 50):.0f}", f"{np.percentile(base, 95):.0f}"),
        ("Seamline edit proxy, 960x540 (preview at 1/2)", f"{np.percentile(plat, 50):.1f}",
         f"{np.percentile(plat, 95):.1f}")])
    table(f"Making the edit proxy of that file ({r.frames} frames)", [
        ("tool", "seconds", "frames/s"),
        ("Seamline build_proxy (540p JPEG, all intra)", f"{build_s:.2f}", f"{r.frames / build_s:.0f}"),
        ("ffmpeg -vf scale=-2:540 -c:v mjpeg (baseline)", f"{ff_s:.2f}", f"{r.frames / ff_s:.0f}")])
    from editor.timeline.model import Clip

    p = project_for_files([src, src], size=(1920, 1080), rate=Fraction(30000, 1001))
    v = p.video_tracks()[0]
    p = edits.split(p, v.clips[0].id, 100)
    p = edits.add_track(p, "video", track_id="v2")
    a2 = next(iter(p.assets))
    p = edits.overwrite(p, "v2", Clip(id="t1", asset_id=a2, start=0, duration=150, source_in=0))
    p = edits.overwrite(p, "v2", Clip(id="t2", asset_id=a2, start=150, duration=150, source_in=40))
    p = edits.add_transition(p, "v2", "t1", "t2", "dissolve", 30)
    comp = Compositor(p)
    t, _ = timed(lambda: [comp.frame(n) for n in range(0, 300)])
    # the same with V2 at 50 % opacity: both tracks decoded and blended on every frame
    for cid in ("t1", "t2"):
        p = edits.set_clip_property(p, cid, "opacity", 0.5)
    comp2 = Compositor(p)
    t2, _ = timed(lambda: [comp2.frame(n) for n in range(0, 300)])
    # and a full-frame PNG with transparency on V3 (a lower third): premultiplied "over" on every frame
    from PIL import Image

    from editor.actions.media import asset_from_info
    from editor.media.probe import probe

    third = np.zeros((1080, 1920, 4), np.uint8)
    third[800:980, 100:1400] = (20, 40, 160, 200)
    third[830:950, 140:1300] = (255, 255, 255, 255)
    Image.fromarray(third).save(tmp_path / "lower_third.png")
    logo = asset_from_info(probe(tmp_path / "lower_third.png"), p.settings.rate)
    p = edits.add_asset(p, logo)
    p = edits.add_track(p, "video", track_id="v3")
    p = edits.overwrite(p, "v3", Clip(id="lt", asset_id=logo.id, start=0, duration=300))
    for cid in ("t1", "t2"):
        p = edits.set_clip_property(p, cid, "opacity", 1.0)
    comp3 = Compositor(p)
    t3, _ = timed(lambda: [comp3.frame(n) for n in range(0, 300)])
    table("Compositor at 1920x1080 (cuts on V1, a dissolve on V2)", [
        ("case", "frames/s"),
        ("V2 opaque (V1 underneath is not decoded)", f"{300 / t:.1f}"),
        ("V2 at 50 % opacity (both tracks decoded + blended)", f"{300 / t2:.1f}"),
        ("V2 opaque + a full-frame PNG with alpha on V3", f"{300 / t3:.1f}")])


@pytest.mark.skipif(not FFMPEG, reason="needs ffmpeg")
def test_export_60s_vs_ffmpeg(tmp_path):
    import soundfile as sf

    from editor.actions.media import asset_from_info
    from editor.media.probe import probe
    from editor.render.exporter import export
    from editor.timeline import edits
    from editor.timeline.model import Clip, Project, ProjectSettings

    clips = [MEDIA / "video/01_dog.mp4", MEDIA / "video/02_cups.mp4", MEDIA / "video/chaplin.mp4"]
    t = np.arange(60 * 48000) / 48000
    music = 0.1 * (np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 330 * t)) * (0.6 + 0.4 * np.sin(t))
    sf.write(str(tmp_path / "music.wav"), np.stack([music, music], 1), 48000)
    p = Project(settings=ProjectSettings(1920, 1080, Fraction(30)))
    ids = []
    for c in clips + [tmp_path / "music.wav"]:
        a = asset_from_info(probe(c), p.settings.rate)
        p = edits.add_asset(p, a)
        ids.append(a.id)
    p = edits.add_track(p, "video", track_id="v")
    p = edits.add_track(p, "audio", track_id="a")
    p = edits.add_track(p, "audio", track_id="m")
    pos = 0
    for rep in range(2):  # six 10 s pieces: the three clips twice
        for i in range(3):
            cid = f"c{rep}{i}"
            p = edits.overwrite(p, "v", Clip(id=cid, asset_id=ids[i], start=pos, duration=270, source_in=10))
            p = edits.overwrite(p, "a", Clip(id=cid + "a", asset_id=ids[i], start=pos, duration=270, source_in=10))
            pos += 270
    p = edits.overwrite(p, "m", Clip(id="music", asset_id=ids[3], start=0, duration=pos))
    p = edits.add_transition(p, "v", "c00", "c01", "dissolve", 30)
    p = edits.add_transition(p, "v", "c10", "c11", "dissolve", 30)
    import resource

    def cpu(who):
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime

    c0 = cpu(resource.RUSAGE_SELF)
    t_ours, _ = timed(export, p, tmp_path / "seamline.mp4", preset="1080p")
    c_ours = cpu(resource.RUSAGE_SELF) - c0
    # ffmpeg CLI doing the same edit: scale/pad each piece, xfade at the two dissolves, concat, mix the music
    inputs, fc = [], []
    for k in range(6):
        inputs += ["-ss", f"{10 / 30:.4f}", "-t", "9", "-i", str(clips[k % 3])]
        fc.append(f"[{k}:v]scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2,"
                  f"fps=30,format=yuv420p,setsar=1[v{k}]")
        fc.append(f"[{k}:a]aresample=48000,aformat=channel_layouts=stereo,apad=whole_dur=9[a{k}]")
    inputs += ["-i", str(tmp_path / "music.wav")]
    fc.append("[v0][v1]xfade=transition=fade:duration=1:offset=8[x0]")
    fc.append("[v3][v4]xfade=transition=fade:duration=1:offset=8[x1]")
    fc.append("[x0][v2][x1][v5]concat=n=4:v=1:a=0[vout]")
    fc.append("[a0][a1]acrossfade=d=1[y0]")
    fc.append("[a3][a4]acrossfade=d=1[y1]")
    fc.append("[y0][a2][y1][a5]concat=n=4:v=0:a=1[ac]")
    fc.append("[ac][6:a]amix=inputs=2:duration=first[aout]")
    cmd = [FFMPEG, "-v", "error", "-y", *inputs, "-filter_complex", ";".join(fc), "-map", "[vout]", "-map",
           "[aout]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac",
           str(tmp_path / "ffmpeg.mp4")]
    c0 = cpu(resource.RUSAGE_CHILDREN)
    t_ff, _ = timed(subprocess.run, cmd, check=True)
    c_ff = cpu(resource.RUSAGE_CHILDREN) - c0
    table("Export of a 54 s 1080p30 timeline (6 real pieces, 2 dissolves, music bed), libx264 veryfast", [
        ("pipeline", "seconds", "x realtime", "CPU s"),
        ("Seamline export", f"{t_ours:.1f}", f"{54 / t_ours:.2f}", f"{c_ours:.1f}"),
        ("ffmpeg CLI, same edit", f"{t_ff:.1f}", f"{54 / t_ff:.2f}", f"{c_ff:.1f}"),
        ("ratio Seamline / ffmpeg", f"{t_ours / t_ff:.2f}", "", f"{c_ours / c_ff:.2f}")])


def test_ui_paint_playback_startup(tmp_path):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    code = f"""
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {str(ROOT)!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.ui.main_window import MainWindow
w = MainWindow(); w.show(); app.processEvents()
print('startup', time.perf_counter() - t0)
from editor.timeline.model import Clip, MediaAsset
from editor.timeline import edits
p = w.doc.project
p.assets['m'] = MediaAsset('m', '/nonexistent.mp4', 'video', frames=100000, offline=True)
edits.add_track(p, 'video', track_id='v1'); edits.add_track(p, 'video', track_id='v2')
edits.add_track(p, 'audio', track_id='a1')
for i in range(500):
    p.track(['v1', 'v2', 'a1'][i % 3]).clips.append(Clip(f'c{{i}}', 'm', (i // 3) * 40, 30, name=f'clip {{i}}'))
for t in p.tracks: t.sort()
tl = w.timeline; tl.resize(1600, 400)
from PySide6.QtGui import QPixmap
for ppf in (0.05, 0.5, 3.0, 20.0):
    tl.px_per_frame = ppf
    pix = QPixmap(tl.size())
    t = time.perf_counter()
    for _ in range(20): tl.render(pix)
    print('paint', ppf, (time.perf_counter() - t) / 20 * 1000)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    if r.returncode:
        print("\n".join(l for l in r.stderr.splitlines() if not l.startswith(("qt.", "Extension")))[-2500:])
    lines = [line.split() for line in r.stdout.splitlines() if line.split()]
    rows = [("measure", "value")]
    for ln in lines:
        if ln[0] == "startup":
            rows.append(("start-up to a shown window", f"{float(ln[1]):.2f} s"))
        elif ln[0] == "paint":
            rows.append((f"timeline paint, 500 clips, {ln[1]} px/frame", f"{float(ln[2]):.1f} ms"))
    table("Editor responsiveness", rows)


@pytest.mark.skipif(not FFMPEG, reason="needs ffmpeg")
def test_playback_1080p_dropped_frames(tmp_path):
    """10 s of a 1080p30 H.264 clip played in the editor at preview scale 1/2 and full: shown vs dropped."""
    clip = tmp_path / "hd.mp4"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(MEDIA / "video/01_dog.mp4"), "-vf", "scale=1920:1080",
                    "-r", "30", "-c:v", "libx264", "-preset", "veryfast", "-an", str(clip)], check=True)
    code = f"""
import os, sys, time
os.environ['QT_QPA_PLATFORM'] = 'offscreen'
sys.path.insert(0, {str(ROOT)!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.ui.main_window import MainWindow
from editor.ui.document import Document
from editor.actions.media import project_for_files
w = MainWindow(Document(project_for_files([{str(clip)!r}]))); w.show()
for scale in (0.5, 1.0):
    w.preview.stop(); w.doc.set_playhead(0); w.preview.set_scale(scale)
    t = time.time()
    while time.time() - t < 1: app.processEvents(); time.sleep(0.002)
    w.preview.play()
    t = time.time()
    while time.time() - t < 9.5 and w.preview.playing: app.processEvents(); time.sleep(0.001)
    w.preview.stop()
    print('play', scale, w.preview.shown_count, w.preview.dropped, flush=True)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    rows = [("preview scale", "frames shown", "dropped")]
    for ln in r.stdout.splitlines():
        parts = ln.split()
        if parts and parts[0] == "play":
            rows.append((parts[1], parts[2], parts[3]))
    table("Playback of 1080p30 H.264 for ~9.5 s (no audio device)", rows)
