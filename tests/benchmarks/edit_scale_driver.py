"""Driver for test_edit_scale.py: runs one scenario in THIS process against whichever Seamline tree is first on
sys.path (the current one, or the previous design extracted from git), and prints one JSON line.

    python edit_scale_driver.py edits N      open/save/split/ripple/undo cost and history memory at N clips
    python edit_scale_driver.py frame N      per-frame timeline overhead (compositor + mixer, no decoding)
"""
import json
import sys
import tempfile
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.project import fileio
from editor.timeline import edits
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track, Transition

NEW = hasattr(edits, "put_tracks")  # the Session design; otherwise in-place edits that return inverses
try:  # the editor's own collector settings, as it runs them (editor.ui.app calls this at start)
    from editor.session import tune_gc

    tune_gc()
except ImportError:  # the previous design leaves Python's defaults
    pass
CLIP = 30  # frames per clip
DISSOLVE = 10


def build(total: int):
    """A project of `total` clips: total/2 video clips with their sound linked on A1, a dissolve on every cut."""
    n = total // 2
    a = dict(id="m1", path="/nonexistent/a.mp4", kind="video", rate=Fraction(30), frames=10 ** 6, width=1920,
             height=1080, has_audio=True, audio_rate=48000, audio_channels=2)
    v = [dict(id=f"v{i}", asset_id="m1", start=i * CLIP, duration=CLIP, source_in=(i * 37) % 5000, link=f"L{i}")
         for i in range(n)]
    x = [dict(id=f"x{i}", a=f"v{i}", b=f"v{i + 1}", kind="dissolve", duration=DISSOLVE) for i in range(n - 1)]
    if NEW:
        asset = MediaAsset(**a)
        vt = Track(id="V1", kind="video", name="V1", clips=[Clip(**c) for c in v],
                   transitions=[Transition(**t) for t in x])
        at = Track(id="A1", kind="audio", name="A1", clips=[Clip(**{**c, "id": "a" + c["id"]}) for c in v])
        return Project(settings=ProjectSettings(1920, 1080, Fraction(30)), assets={"m1": asset}, tracks=(vt, at))
    asset = MediaAsset(a.pop("id"), a.pop("path"), a.pop("kind"), **a)
    vt = Track("V1", "video", "V1", clips=[Clip(**c) for c in v], transitions=[Transition(**t) for t in x])
    at = Track("A1", "audio", "A1", clips=[Clip(**{**c, "id": "a" + c["id"]}) for c in v])
    return Project(settings=ProjectSettings(1920, 1080, Fraction(30)), assets={"m1": asset}, tracks=[vt, at])


class Editor:
    """The same user operations on either design."""

    def __init__(self, project, history=None):
        if NEW:
            from editor.session import Session

            self.s = Session(project, history_limit=history or 500)
        else:
            self.p, self.undos = project, []

    @property
    def project(self):
        return self.s.project if NEW else self.p

    def do(self, fn, *args):
        if NEW:
            self.s.apply(fn.__name__, fn, *args)
        else:
            self.undos.append(fn(self.p, *args))

    def undo(self):
        if NEW:
            self.s.undo()
        else:
            self.undos.pop()()


def cpu_ms(fn):
    t = time.process_time()
    fn()
    return (time.process_time() - t) * 1000


def scenario_edits(n: int) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.seam"
        fileio.save(build(n), path)
        project = fileio.load(path)
        out["open_ms"] = cpu_ms(lambda: fileio.load(path))
        out["save_ms"] = cpu_ms(lambda: fileio.save(project, path))
    ed = Editor(project)
    # medians of 9 (a single operation on a shared machine is noisy: a collection or another process lands in it);
    # the first ripple of a session also builds lookups the later ones reuse: reported on its own
    splits, ripples, undos = [], [], []
    for k in range(9):
        mid = ed.project.tracks[0].clips[len(ed.project.tracks[0].clips) // 2 + 3 * k]
        splits.append(cpu_ms(lambda: ed.do(edits.split, mid.id, mid.start + CLIP // 2)))
    for k in range(9):
        first = ed.project.tracks[0].clips[1 + k]  # near the start: everything after it moves
        ripples.append(cpu_ms(lambda: ed.do(edits.ripple_delete, [first.id])))
    for k in range(9):
        undos.append(cpu_ms(ed.undo))  # undo of a ripple delete
    out["split_ms"], out["ripple_ms"], out["undo_ms"] = (float(np.median(x)) for x in (splits, ripples, undos))
    out["first_ripple_ms"] = ripples[0]
    # memory held by history: 100 and 1,000 edits (split / move / volume, like a user's session)
    for steps in (100, 1000):
        ed = Editor(build(n), history=steps)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for k in range(steps):
            clips = ed.project.tracks[0].clips
            if not clips:
                break
            c = clips[(k * 7919) % len(clips)]
            op = k % 3
            try:
                if op == 0 and c.duration > 2:
                    ed.do(edits.split, c.id, c.start + c.duration // 2)
                elif op == 1:
                    ed.do(edits.set_clip_property, c.id, "volume", 0.5 + (k % 10) / 20)
                else:
                    ed.do(edits.ripple_delete, [c.id])
            except Exception:
                pass
        out[f"history_{steps}_mib"] = (tracemalloc.get_traced_memory()[0] - base) / 2 ** 20
        tracemalloc.stop()
    return out


class FakeReader:
    width, height = 160, 90

    def __init__(self):
        self.img = np.full((90, 160, 3), 128, np.uint8)

    def frame(self, n, size=None):
        return self.img if size in (None, (160, 90)) else np.full((size[1], size[0], 3), 128, np.uint8)

    def close(self):
        pass


class FakePool:
    """Decoding costs nothing here: what is left is the timeline's own overhead per frame."""

    def __init__(self):
        self.r = FakeReader()
        self.sound = np.zeros((48000 * 30, 2), np.float32)

    def visual(self, asset, lane=""):
        return self.r

    def audio(self, asset):
        return self.sound

    def audio_range(self, asset, start, count, key=None):  # the streaming pools' call (current design)
        out = np.zeros((count, 2), np.float32)
        lo, hi = max(0, start), min(len(self.sound), start + count)
        if hi > lo:
            out[lo - start:hi - start] = self.sound[lo:hi]
        return out

    def close(self):
        pass


def scenario_frame(n: int) -> dict:
    from editor.render.compositor import Compositor
    from editor.render.mixer import AudioMixer

    p = build(n)
    comp = Compositor(p, (160, 90), FakePool())
    mix = AudioMixer(p, FakePool())
    frames = np.linspace(0, p.duration - 1, 200).astype(int)
    t = time.process_time()
    for f in frames:
        comp.frame(int(f))
    video = (time.process_time() - t) * 1000 / len(frames)
    t = time.process_time()
    for f in frames:
        mix.mix(int(f), int(f) + 1)
    audio = (time.process_time() - t) * 1000 / len(frames)
    return {"video_ms": video, "audio_ms": audio}


if __name__ == "__main__":
    kind, n = sys.argv[1], int(sys.argv[2])
    res = scenario_edits(n) if kind == "edits" else scenario_frame(n)
    print(json.dumps({"design": "session" if NEW else "previous", **res}))
