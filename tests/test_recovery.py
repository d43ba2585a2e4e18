"""Autosave recovery: offered after a crash, never a reason not to start, never another running copy's file."""
import json
import os
import subprocess
import sys

import pytest

from editor.errors import ProjectError
from editor.project import recovery
from editor.project.schema import to_document
from test_timeline import make_project


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "data"))


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)


def _write(name, pid, project=None, raw=None):
    path = recovery.recovery_dir() / name
    if raw is not None:
        path.write_bytes(raw)
        return path
    doc = to_document(project or make_project())
    doc["recovery"] = {"path": None, "time": 0, "pid": pid}
    path.write_text(json.dumps(doc))
    return path


def test_a_running_copys_autosave_is_not_offered_or_deleted():
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        mine = _write("a" + recovery.SUFFIX, other.pid)  # another Seamline, still running
        gone = _write("b" + recovery.SUFFIX, _dead_pid())  # a Seamline that crashed
        assert recovery.pending() == [gone]
        recovery.discard(recovery.pending())  # the user answers No
        assert mine.exists() and not gone.exists()
    finally:
        other.kill()
        other.wait()


def test_a_truncated_autosave_is_moved_aside_with_a_message():
    path = _write("t" + recovery.SUFFIX, _dead_pid(), raw=b'{"kind": "seamline-project", "version": 2, "sett')
    with pytest.raises(ProjectError, match="kept as"):
        recovery.load(path)
    assert not path.exists() and list(recovery.recovery_dir().glob("t.seam-recovery.*.damaged"))
    assert recovery.pending() == []  # it does not come back at every start


def test_a_damaged_autosave_gives_back_what_can_be_read():
    doc = to_document(make_project())
    doc["recovery"] = {"path": None, "time": 0, "pid": _dead_pid()}
    doc["tracks"][0]["clips"][1]["duration"] = "garbage"  # one clip broken
    doc["tracks"][0]["transitions"] = [{"id": "x", "a": "c1", "b": "nope"}]
    path = recovery.recovery_dir() / ("d" + recovery.SUFFIX)
    path.write_text(json.dumps(doc))
    project, orig, message = recovery.load(path)
    assert [c.id for c in project.track("v1").clips] == ["c1", "c3"]  # c2 lost, the rest restored
    assert project.track("a1").clips[0].id == "c1a"
    assert "2 part(s) were lost" in message and "damaged" in message


def test_the_editor_starts_with_a_damaged_autosave(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SEAMLINE_DATA": str(tmp_path / "data"),
           "SEAMLINE_RESTORE": "yes", "SEAMLINE_QUIT_AFTER": "0.5"}
    rec = tmp_path / "data" / "recovery"
    rec.mkdir(parents=True)
    (rec / ("x" + recovery.SUFFIX)).write_bytes(b"\x00\x01 not json")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, os.path.join(root, "main.py")], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert list(rec.glob("*.damaged"))


def test_saving_an_untitled_project_leaves_no_autosave_behind(qtbot, tmp_path):
    """Bug: Document.save() changed the path before clearing the untitled autosave, so the next start said
    'Seamline was closed unexpectedly' after a clean save and quit."""
    from editor.timeline import edits
    from editor.ui.document import Document

    doc = Document()
    doc.apply("Add track", edits.add_track, "video")
    doc.write_recovery()
    assert list(recovery.recovery_dir().glob("*" + recovery.SUFFIX))
    doc.save(tmp_path / "family.seam")
    doc.close()
    assert not list(recovery.recovery_dir().glob("*" + recovery.SUFFIX))


def test_the_editor_starts_with_damaged_settings_files(tmp_path):
    """Window settings (Qt's ini) and the AI settings file full of junk: the editor still opens and quits cleanly."""
    conf = tmp_path / "xdg" / "Seamline" / "Seamline.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes(b"[General]\nwindow\\geometry=@ByteArray(\\0\\x1garbage)\nwindow\\state=12\n"
                     b"preview\\proxies=banana\n\x00\x01\xff junk = = =\n")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "models.json").write_text('{"rife": [1, 2')
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
           "SEAMLINE_CONFIG": str(tmp_path / "cfg"), "SEAMLINE_DATA": str(tmp_path / "data"),
           "SEAMLINE_AUDIO": "off", "SEAMLINE_QUIT_AFTER": "0.5"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, os.path.join(root, "main.py")], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
