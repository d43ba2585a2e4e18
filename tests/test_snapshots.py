"""Readers on other threads work on a snapshot: an export runs while the user keeps editing, and writes exactly the
project as it was when the export started."""
import threading

from editor.render.exporter import export
from editor.session import Session
from editor.timeline import edits
from editor.timeline.model import Clip
from mediagen import decode_all, indexed_video, read_index
from test_render import project_with


def test_an_export_writes_the_snapshot_it_was_given_while_edits_go_on(tmp_path):
    src = indexed_video(tmp_path / "idx.mp4", 240)
    p, (m,) = project_with([src])
    for k in range(8):  # eight 30-frame clips, each showing a different part of the source
        p = edits.overwrite(p, "v1", Clip(id=f"c{k}", asset_id=m, start=30 * k, duration=30,
                                          source_in=(k * 97) % 200))
    s = Session(p)
    snapshot = s.snapshot()
    expected = []
    for n in range(snapshot.duration):
        c = snapshot.track("v1").clip_at(n)
        expected.append(snapshot.source_frame(c, n))
    done, failure = threading.Event(), []

    def run():
        try:
            export(snapshot, tmp_path / "out.mp4", preset=None)
        except Exception as exc:  # pragma: no cover - reported below
            failure.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=run)
    worker.start()
    edits_made = 0
    while not done.is_set() or edits_made < 200:  # the user keeps cutting, moving and undoing meanwhile
        k = edits_made % 4
        clips = s.project.track("v1").clips
        if not clips:
            s.undo()
            edits_made += 1
            continue
        first = clips[0]
        try:
            if k == 0:
                s.apply("Split", edits.split, first.id, first.start + 1)
            elif k == 1:
                s.apply("Ripple delete", edits.ripple_delete, [s.project.track("v1").clips[-1].id])
            elif k == 2:
                s.apply("Move", edits.move, first.id, 500 + edits_made)
            else:
                s.undo()
        except Exception:
            pass
        edits_made += 1
    worker.join()
    assert not failure and edits_made >= 200
    assert s.project.state() != snapshot.state()  # the project did change under the export
    frames = decode_all(tmp_path / "out.mp4")
    assert [read_index(f) for f in frames] == expected
