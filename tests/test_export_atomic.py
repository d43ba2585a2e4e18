"""Exports and written outputs are atomic: a signal, a kill or a full disk never leaves a partial or empty file,
and finished files get the user's umask."""
import errno
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from ai.media_io import write_output, write_video
from conftest import ROOT
from editor.actions.media import asset_from_info
from editor.media.atomic import DiskFullError, clean_stale_partials, copy_atomic, is_partial, partial_path
from editor.media.probe import probe
from editor.project import save
from editor.render.exporter import export
from editor.timeline import edits
from editor.timeline.model import Clip, Project, ProjectSettings
from mediagen import write_video as make_video

RNG = np.random.default_rng(7)


def noise(w=160, h=96):
    return RNG.integers(0, 255, (h, w, 3), dtype=np.uint8)


def still_project(folder: Path, frames: int, size=(160, 96)) -> Project:
    """A project showing a noise still (made quickly, encodes slowly enough to be caught mid-export)."""
    still = folder / "still.png"
    cv2.imwrite(str(still), noise(*size))
    p = Project(settings=ProjectSettings(size[0], size[1], Fraction(30)))
    a = asset_from_info(probe(still), p.settings.rate)
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.overwrite(p, "v1", Clip(id="c", asset_id=a.id, start=0, duration=frames))
    return p


def video_project(folder: Path, frames: int = 40) -> Project:
    src = folder / "noise.mp4"
    make_video(src, [noise() for _ in range(frames)])
    p = Project(settings=ProjectSettings(160, 96, Fraction(30)))
    a = asset_from_info(probe(src), p.settings.rate)
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v1")
    p = edits.overwrite(p, "v1", Clip(id="c", asset_id=a.id, start=0, duration=frames))
    return p


def render(project_file: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "render", str(project_file), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def wait_for_partial(folder: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        found = [p for p in folder.iterdir() if is_partial(p)]
        if found and found[0].stat().st_size > 0:
            return found[0]
        assert proc.poll() is None, f"render ended before it could be interrupted: {proc.communicate()}"
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("no partial file appeared")


@pytest.fixture
def long_render(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    project = tmp_path / "long.seam"
    save(still_project(tmp_path, 30 * 600, size=(640, 360)), project)  # 10 minutes: never finishes in the test
    return project, out_dir


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_during_render_removes_the_partial_output(long_render, sig):
    project, out_dir = long_render
    proc = render(project, out_dir / "film.mp4")
    partial = wait_for_partial(out_dir, proc)
    assert partial.name.startswith(".film.mp4.seamline-")  # clearly named for what it is
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert f"render stopped by {signal.Signals(sig).name}" in err and "Traceback" not in err
    assert os.listdir(out_dir) == []


def test_a_signal_whose_raise_is_lost_still_stops_the_export(tmp_path):
    """Python drops exceptions raised inside finalisers: if the signal's raise lands there, the export still stops at
    its next frame (it polls the recorded signal as its cancel check) and leaves nothing."""
    from editor.errors import ExportCancelled
    from editor.interrupt import received, stop_on_signals, stop_requested

    p = video_project(tmp_path, 40)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def progress(f):
        if f > 0.2 and not stop_requested():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.01)  # the handler runs here, and its raise is swallowed
            except BaseException:
                pass

    with stop_on_signals(), pytest.raises(ExportCancelled):
        export(p, out_dir / "film.mp4", preset=None, progress=progress, cancelled=stop_requested)
    assert received().exit_status == 128 + signal.SIGTERM
    assert os.listdir(out_dir) == []


def test_a_killed_render_leaves_a_named_partial_that_the_next_render_cleans(long_render, tmp_path):
    project, out_dir = long_render
    proc = render(project, out_dir / "film.mp4")
    partial = wait_for_partial(out_dir, proc)
    proc.kill()  # SIGKILL: nothing can clean up
    proc.communicate(timeout=60)
    assert partial.exists() and str(proc.pid) in partial.name
    short = tmp_path / "short.seam"
    save(still_project(tmp_path, 5), short)
    again = render(short, out_dir / "other.mp4")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert os.listdir(out_dir) == ["other.mp4"]


def test_stale_partials_of_live_processes_are_kept(tmp_path):
    mine = partial_path(tmp_path / "a.mp4")
    mine.write_bytes(b"x")  # this process is alive: maybe an export running right now
    dead = tmp_path / ".b.mp4.seamline-999999999-abcdef.partial.mp4"
    dead.write_bytes(b"x")
    folder = tmp_path / ".c.seamline-999999999-012345.partial"
    folder.mkdir()
    (folder / "frame_0001.png").write_bytes(b"x")
    user_file = tmp_path / "holiday.partial.mp4"  # not ours: never touched
    user_file.write_bytes(b"x")
    assert sorted(p.name for p in clean_stale_partials(tmp_path)) == sorted([dead.name, folder.name])
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, user_file.name])


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_get_the_users_umask(tmp_path, umask):
    p = video_project(tmp_path, 5)
    old = os.umask(umask)
    try:
        outputs = [export(p, tmp_path / "export.mp4", preset=None),
                   write_video([noise() for _ in range(3)], tmp_path / "ai.mp4", Fraction(30)),
                   write_output([noise() for _ in range(2)], tmp_path / "pngs", Fraction(30)) / "frame_0001.png",
                   copy_atomic(tmp_path / "ai.mp4", tmp_path / "copy.mp4")]
    finally:
        os.umask(old)
    for f in outputs:
        assert f.stat().st_mode & 0o777 == 0o666 & ~umask, f


# -- full disk: a small tmpfs when this process may mount one (root, and not refused by a container), else the
#    writers are made to fail with ENOSPC as a full disk makes them ---------------------------------------------

class FullDisk:
    def __init__(self, path: Path, real: bool):
        self.path, self.real = path, real

    def fill(self, leave: int) -> None:
        if not self.real:
            return
        st = os.statvfs(self.path)
        free = st.f_bavail * st.f_frsize
        with open(self.path / "filler", "wb") as f:
            try:
                f.write(b"\0" * max(0, free - leave))
                f.flush()
            except OSError:
                pass

    def leftovers(self) -> list[str]:
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.name != "filler")


class _NoSpaceContainer:
    """A real output container whose writes fail with ENOSPC after a few packets."""

    def __init__(self, real):
        self._real, self._muxed = real, 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._real.__exit__(*exc)

    def mux(self, packets):
        self._muxed += 1
        if self._muxed > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._real.mux(packets)


def _simulate_full_disk(folder: Path, monkeypatch) -> None:
    import ai.media_io

    real_open = av.open

    def open_(file, mode="r", *a, **k):
        c = real_open(file, mode, *a, **k)
        return _NoSpaceContainer(c) if mode == "w" and str(file).startswith(str(folder)) else c

    def write_bytes(path, data):
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])  # what fitted
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(av, "open", open_)
    monkeypatch.setattr(ai.media_io, "write_bytes", write_bytes)


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    path = tmp_path / "disk"
    path.mkdir()
    mounted = False
    if not os.environ.get("SEAMLINE_TEST_SIMULATE_FULL_DISK"):  # set it to check the fallback where mounting works
        try:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)],
                                     capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            pass
    if mounted:
        yield FullDisk(path, True)
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
    else:
        _simulate_full_disk(path, monkeypatch)
        yield FullDisk(path, False)


def test_export_to_a_full_disk_says_so_and_leaves_nothing(tmp_path, full_disk):
    p = video_project(tmp_path)
    full_disk.fill(leave=48 << 10)
    with pytest.raises(DiskFullError, match=f"disk full while writing {full_disk.path / 'film.mp4'}"):
        export(p, full_disk.path / "film.mp4", preset=None)
    assert full_disk.leftovers() == []


@pytest.mark.parametrize("leave", [0, 40 << 10])
def test_pngs_to_a_full_disk_are_an_error_not_empty_files(full_disk, leave):
    full_disk.fill(leave)
    frames = [noise(200, 120) for _ in range(6)]
    with pytest.raises(DiskFullError, match="disk full while writing"):
        write_output(frames, full_disk.path / "fill", Fraction(30))
    assert full_disk.leftovers() == []


def test_ai_video_to_a_full_disk_says_so_and_leaves_nothing(full_disk):
    full_disk.fill(leave=24 << 10)
    with pytest.raises(DiskFullError, match="disk full while writing"):
        write_video([noise(320, 240) for _ in range(30)], full_disk.path / "move.mp4", Fraction(30))
    assert full_disk.leftovers() == []


def test_camera_move_to_a_png_folder_on_a_full_disk_fails_cleanly(tmp_path, full_disk):
    """The case users met: `camera-move ... -o folder` on a full disk exited 0 and left 0-byte PNGs."""
    if not full_disk.real:
        pytest.skip("needs a real small file system (mount refused here); the writers are covered above")
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), noise(320, 240))
    full_disk.fill(leave=0)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "camera-move", str(photo), "-o",
                        str(full_disk.path / "move"), "--move", "push-in", "--duration", "0.5", "--size", "160x120"],
                       capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                       timeout=300)
    assert r.returncode != 0
    assert "disk full while writing" in r.stderr and "Traceback" not in r.stderr
    assert full_disk.leftovers() == []
