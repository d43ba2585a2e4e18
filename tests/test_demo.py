"""First run: the demo project shows every tool; a real window under Xvfb renders it."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_demo_project_has_every_tool(tmp_path):
    from editor.actions.demo import build_demo
    from editor.project import load

    t = time.monotonic()
    seen = []
    path = build_demo(tmp_path / "demo", lambda f, s="": seen.append(f))
    print(f"demo built in {time.monotonic() - t:.1f} s")
    p = load(path)
    tools = {a.provenance.get("tool") for a in p.assets.values() if a.provenance}
    assert tools == {"fill-transition", "camera-move", "sfx"}
    v = p.video_tracks()[0]
    kinds = [p.assets[c.asset_id].provenance.get("tool") if p.assets[c.asset_id].provenance else "clip"
             for c in sorted(v.clips, key=lambda c: c.start)]
    assert kinds == ["clip", "fill-transition", "clip", "camera-move"]
    assert [t.name for t in p.audio_tracks()][-3:] == ["Ambience", "Foley", "Whoosh"]
    assert seen == sorted(seen) and seen[-1] == 1.0
    # everything it made lives beside the project, nothing elsewhere
    assert all(Path(a.path).resolve().is_relative_to((tmp_path / "demo").resolve()) for a in p.assets.values())
    # the two shots' sound crossfades under the fill instead of dropping out (the shots keep spare media)
    from editor.render.mixer import AudioMixer

    fill = sorted(v.clips, key=lambda c: c.start)[1]
    mix = AudioMixer(p).mix(fill.start, fill.end)
    assert np.sqrt(np.mean(mix ** 2)) > 0.02


def test_screenshot_of_a_real_window_under_xvfb(tmp_path):
    if not shutil.which("Xvfb"):
        if os.environ.get("CI"):
            pytest.fail("Xvfb must be installed in CI")
        pytest.skip("Xvfb is not installed")
    display = ":%d" % (90 + os.getpid() % 9)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        shot = tmp_path / "editor.png"
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "SEAMLINE_DATA": str(tmp_path / "data"),
               "SEAMLINE_QUIT_AFTER": "25", "SEAMLINE_SCREENSHOT": str(shot)}
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--demo", str(tmp_path / "demo")], env=env,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr[-2000:]
        import cv2

        img = cv2.imread(str(shot))
        assert img is not None and img.shape[0] > 400 and img.shape[1] > 800
        assert img.std() > 20  # not blank
        colours = np.unique((img[::4, ::4] // 32).reshape(-1, 3), axis=0)
        assert len(colours) > 40  # thumbnails, clips, panels: a real picture
    finally:
        xvfb.terminate()
        xvfb.wait()
