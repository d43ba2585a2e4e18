"""Music in the window: a song dropped on an empty timeline, its beat ticks, dragging the volume line and a fade
handle, cut to the beat from the menu, and File > New Photo Story building one undoable step."""
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from songgen import song, write_wav  # noqa: E402
from test_ui import window  # noqa: E402,F401  (the main window fixture)


def test_song_on_empty_timeline_beats_volume_line_and_fades(qtbot, window, tmp_path):
    from editor.actions.media import import_asset
    from editor.timeline import edits
    from editor.timeline.music_edits import music_tracks

    audio, beats, _ = song(bpm=120, bars=6, sr=44100)
    wav = write_wav(tmp_path / "song.wav", audio, 44100)
    doc = window.doc
    asset = import_asset(doc.project, wav)
    doc.apply("Import", edits.add_asset, asset)
    doc.apply("Add track", edits.add_track, "audio")
    tl = window.timeline
    tl.resize(1400, 400)
    assert tl.drop_asset(asset.id, doc.project.audio_tracks()[0].id, 40)  # dropped anywhere: music, at 0
    (mt,) = music_tracks(doc.project)
    assert mt.clips[0].start == 0
    w = window.music.find_beats()
    with qtbot.waitSignal(w.signals.finished, timeout=60000):
        pass
    qtbot.wait(50)
    assert len(doc.project.assets[asset.id].rhythm.beats) >= 20
    assert window.doc.session.undo_label == "Find the beat"
    tl.px_per_frame = 4.0
    tl.set_scroll(0)
    tl.grab()  # paints ticks, fades and the line without error
    from editor.ui import music_marks

    from PySide6.QtCore import QRectF

    row = next(row for row in tl.rows() if row.track.id == mt.id)
    clip = music_tracks(doc.project)[0].clips[0]
    g = tl.geo.clip_rect(clip, row)
    r = QRectF(g.x, g.y, g.w, g.h)
    x = int(tl.x_of(60))
    y = int(music_marks.gain_to_y(1.0, r))
    qtbot.mousePress(tl, Qt.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(tl, QPoint(x, int(r.bottom()) - 6))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=QPoint(x, int(r.bottom()) - 6))
    keys = music_tracks(doc.project)[0].clips[0].keyframes["volume"]
    assert keys[0].frame == 60 and keys[0].value < 0.1  # pulled down towards -40 dB
    assert music_tracks(doc.project)[0].clips[0].start == 0  # the clip did not move
    # the fade-out handle: dragged 50 frames in from the clip's end
    clip = music_tracks(doc.project)[0].clips[0]
    tl.px_per_frame = (tl.width() - tl.x_of(0) - 30) / clip.duration
    assert tl.x_of(clip.end) < tl.width()
    hx, hy = int(tl.x_of(clip.end)) - 1, int(r.top() + 14)
    qtbot.mousePress(tl, Qt.LeftButton, pos=QPoint(hx, hy))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=QPoint(int(tl.x_of(clip.end - 50)), hy))
    assert abs(music_tracks(doc.project)[0].clips[0].fade_out - 50) <= 1
    window.music.set_loudness(-16.0)
    assert doc.project.settings.loudness == -16.0


def test_new_photo_story_is_one_undo_step(qtbot, window, tmp_path, shared_media):
    from editor.actions.story import StoryOptions
    from editor.ui.story_dialog import StoryDialog

    dlg = StoryDialog(window)
    photos = [str(shared_media / "photos" / n) for n in ("skimage_coffee.png", "skimage_rocket.jpg")]
    dlg.add_files(photos)
    dlg.title.setText("Trip")
    dlg.aspect.setCurrentText("9:16")
    assert dlg.media() == photos
    opts = dlg.options()
    assert opts.aspect == "9:16" and opts.title == "Trip"
    opts = StoryOptions(title="Trip", aspect="9:16", seconds_per_photo=1.5, size=(54, 96))
    w = window.music.build_story(photos, opts)
    with qtbot.waitSignal(w.signals.finished, timeout=120000):
        pass
    qtbot.wait(100)
    p = window.doc.project
    assert (p.settings.width, p.settings.height) == (54, 96)
    assert len(p.track("story-v1").clips) == 2 and window.doc.session.undo_label == "New photo story"
    window.doc.undo()
    assert window.doc.project.duration == 0
