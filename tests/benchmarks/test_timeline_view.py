"""Timeline view cost at 1,000 clips: a full paint and a playback tick (the playhead moves one frame), the view
before this work (SEAMLINE_BEFORE_REF, default the commit before the UI split) and now, measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/benchmarks/test_timeline_view.py -s

CPU time (time.process_time) per operation, median of many; prints a table and asserts nothing about time.
"""
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
BEFORE_REF = os.environ.get("SEAMLINE_BEFORE_REF", "dd66b25")
CLIPS = 1000


def old_view_module(tmp_path):
    try:
        src = subprocess.run(["git", "show", f"{BEFORE_REF}:editor/ui/timeline_view.py"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = tmp_path / "timeline_view_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("timeline_view_before", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def project(tmp_path):
    from editor.timeline.validate import problems
    from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track, Transition
    from mediagen import indexed_video

    src = indexed_video(tmp_path / "a.mp4", 30, Fraction(30), size=(128, 72))
    asset = MediaAsset(id="m", path=str(src), kind="video", rate=Fraction(30), frames=10 ** 6, width=128,
                       height=72)
    clips = tuple(Clip(id=f"c{i}", asset_id="m", start=60 * i, duration=60, source_in=60 * i,
                       name=f"Holiday shot {i}") for i in range(CLIPS))
    xs = tuple(Transition(id=f"x{i}", a=f"c{i}", b=f"c{i + 1}", duration=10) for i in range(0, CLIPS - 1, 4))
    v = Track(id="v1", kind="video", name="V1", clips=clips, transitions=xs)
    a = Track(id="a1", kind="audio", name="A1")
    p = Project(settings=ProjectSettings(1280, 720, Fraction(30)), assets={"m": asset}, tracks=(v, a))
    assert not problems(p)
    return p


def cpu_ms(fn, n):
    out = []
    for _ in range(n):
        t = time.process_time()
        fn()
        out.append((time.process_time() - t) * 1000)
    return statistics.median(out)


def test_timeline_paint_and_playhead_tick_at_1000_clips(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from editor.ui.document import Document
    from editor.ui.pictures import FilmStrip, pixmap_from_rgb
    from editor.ui.timeline_view import TimelineView
    from editor.media.thumbs import thumbnail

    app = QApplication.instance()
    p = project(tmp_path)
    pix = pixmap_from_rgb(thumbnail(p.assets["m"].path, 0, 48))
    views = {}
    old = old_view_module(tmp_path)
    if old is not None:
        d0 = Document(p)
        v0 = old.TimelineView(d0)
        v0.thumbs["m"] = pix
        v0._asked.add("m")
        views["before"] = (d0, v0)
    d1 = Document(p)
    v1 = TimelineView(d1)
    v1.pictures.strips["m"] = FilmStrip([0.0], [pix])
    v1.pictures._asked.add("m")
    views["after"] = (d1, v1)
    rows = []
    results = {}
    for name, (doc, view) in views.items():
        for other in views.values():
            other[1].hide()
        view.resize(1400, 300)
        view.show()
        qtbot.waitExposed(view)
        for zoom, label in (("fit", f"zoomed to fit ({CLIPS} clips on screen)"),
                            ("near", "zoomed in (~20 clips on screen)")):
            if zoom == "fit":
                view.zoom_to_fit()
            else:
                view.px_per_frame = 1.0
                view.set_scroll(30000)
            app.processEvents()
            paint = cpu_ms(view.repaint, 15)
            frame = [doc.playhead]

            def tick():
                frame[0] += 1
                doc.set_playhead(frame[0])
                app.processEvents()

            doc.set_playhead(30000 if zoom == "near" else 100)
            app.processEvents()
            frame[0] = doc.playhead
            t = cpu_ms(tick, 120)
            results[(name, zoom)] = (paint, t, label)
        view.hide()
    rows.append(("", "before: paint", "before: tick", "after: paint", "after: tick", "tick before/after"))
    for zoom in ("fit", "near"):
        b = results.get(("before", zoom))
        a = results[("after", zoom)]
        rows.append((a[2], f"{b[0]:.2f} ms" if b else "-", f"{b[1]:.2f} ms" if b else "-", f"{a[0]:.2f} ms",
                     f"{a[1]:.2f} ms", f"{b[1] / max(a[1], 1e-3):.0f}x" if b else "-"))
    w = max(len(r[0]) for r in rows)
    print(f"\n## Timeline view at {CLIPS} clips (CPU ms per operation, median; before = {BEFORE_REF})")
    for r in rows:
        print(f"{r[0]:<{w}}  " + "  ".join(f"{x:>14}" for x in r[1:]))
    for doc, view in views.values():
        doc.session.mark_saved()
        doc.close()
