"""The AI tools as UI actions: gather inputs from the model, run the job on a worker, apply one undoable edit."""
from __future__ import annotations

from fractions import Fraction

from editor.actions.ai_results import (add_sound_layers, clip_pictures, insert_fill, insert_generated_clip, make_fill,
                                      placeable_layers)
from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.ui.labels import timecode


def _error(window, msg):
    if msg:
        window.show_error(msg)


def run_fill(window) -> bool:
    doc = window.doc
    tab = window.ai.fill
    cut = doc.selected_cut
    if cut is None:
        window.show_error("Select a cut first: click the + handle between two clips")
        return False
    if tab.row.busy:
        return False
    track_id, a, b = cut
    seconds, backend, prompt = tab.duration.value(), tab.backend.currentText(), tab.prompt.text()
    generated = doc.generated_dir()
    key = cut
    project = doc.project  # a snapshot: the worker never sees later edits

    def work(progress, cancelled):
        return make_fill(project, track_id, a, b, generated, seconds=seconds, backend=backend, prompt=prompt,
                         progress=progress, cancelled=cancelled)

    def done(result):
        window.timeline.progress.pop(key, None)
        asset, n = result
        if doc.apply("Fill transition", insert_fill, track_id, a, b, asset, n):
            window.statusBar().showMessage(f"The cut is filled with {n / float(doc.project.settings.rate):.1f} s of new frames "
                                           f"({asset.provenance.get('backend_used')})",
                                           6000)
        window.timeline.update()

    def failed(msg):
        window.timeline.progress.pop(key, None)
        window.timeline.update()
        _error(window, msg)

    def progress(f):
        window.timeline.progress[key] = f
        window.timeline.update()

    tab.row.run(work, done, failed, progress)
    return True


def _still_from(window):
    """The camera source: an image or clip from the bin, or the frame at the playhead."""
    doc = window.doc
    choice = window.ai.camera.source.currentData() or "playhead"
    if choice == "playhead":
        from editor.render.compositor import Compositor

        img = Compositor(doc.project, pool=doc.pool).frame(doc.playhead)
        return img.copy(), None, f"frame {doc.playhead}"
    asset = doc.project.assets[choice]
    from editor.media.reader import open_visual

    reader = open_visual(asset.path)
    img = reader.frame(0)
    clip_frames = None
    if asset.kind == "video":
        ratio = asset.rate / doc.project.settings.rate

        def clip_frames(k, _r=reader, _q=ratio):
            return _r.frame(int(k * _q))

    return img, clip_frames, asset.name


def run_camera(window) -> bool:
    from ai.camera.move import MoveRequest, run_move_job

    doc = window.doc
    tab = window.ai.camera
    if tab.row.busy:
        return False
    moves = tab.chosen_moves()
    if not moves and not tab.handheld.isChecked():
        window.show_error("Choose a camera move")
        return False
    try:
        img, clip_frames, label = _still_from(window)
        fx, fy = tab.focus.currentData() or (0.5, 0.5)
        s = doc.project.settings
        req = MoveRequest(source=img, moves=moves or ["handheld"], size=(s.width - s.width % 2,
                                                                         s.height - s.height % 2),
                          fps=Fraction(s.rate), duration=tab.duration.value(), intensity=tab.intensity.value(),
                          easing=tab.easing.currentText(), focus=(fx, fy),
                          handheld=0.5 if tab.handheld.isChecked() else 0.0, backend=tab.backend.currentText(),
                          clip_frames=clip_frames, clip_key=label if clip_frames else "")
    except Exception as exc:
        window.show_error(str(exc))
        return False
    generated = doc.generated_dir()
    start = doc.playhead
    track = doc.selected_track if doc.selected_track and doc.project.track(doc.selected_track).kind == "video" \
        else None

    def work(progress, cancelled):
        result = run_move_job(req, generated, progress, cancelled, sources=[{"source": label}])
        info = probe(result.folder / "move.mp4")
        return result, info

    def done(res):
        result, info = res
        asset = asset_from_info(info, doc.project.settings.rate, provenance=result.provenance,
                                name=f"{' + '.join(req.moves)} ({label})")
        with doc.group("Camera move"):
            tid = track
            if tid is None:
                if not doc.project.video_tracks():
                    from editor.timeline import edits

                    doc.apply("Add track", edits.add_track, "video", index=0)
                tid = doc.project.video_tracks()[0].id
            # put in at the playhead: the footage there moves along, nothing is covered
            doc.apply("Camera move", insert_generated_clip, asset, tid, start)
        window.statusBar().showMessage(f"The camera move went in at {timecode(start, doc.project.settings.rate)}; "
                                       "the clips after it moved along", 8000)

    tab.row.run(work, done, lambda msg: _error(window, msg))
    return True


def run_sound(window) -> bool:
    from ai.sound.analysis import analyse_frames
    from ai.sound.layers import SoundRequest, run_sound_job

    doc = window.doc
    tab = window.ai.sound
    if tab.row.busy:
        return False
    clips = []
    for cid in doc.selection:
        t, c = doc.project.find_clip(cid)
        if t.kind == "video":
            clips.append(c)
    if not clips:
        window.show_error("Select a video clip to make sound for")
        return False
    clip = min(clips, key=lambda c: c.start)
    layers = tab.chosen_layers()
    if not layers:
        window.show_error("Tick at least one layer")
        return False
    preset = None if tab.preset.currentText() == "auto" else tab.preset.currentText()
    words, backend = tab.words.text(), tab.backend.currentText()
    project = doc.project
    generated = doc.generated_dir()
    rate = project.settings.rate

    def work(progress, cancelled):
        frames = clip_pictures(project, clip, progress=lambda f: progress(0.2 * f, "analysing"), cancelled=cancelled)
        analysis = analyse_frames(frames, rate, words)
        req = SoundRequest(analysis=analysis, layers=layers, preset=preset, words=words, backend=backend)
        result = run_sound_job(req, generated, lambda f, s="": progress(0.2 + 0.8 * f, s), cancelled,
                               sources=[{"clip": clip.id}], key_extra=f"{clip.asset_id}|{clip.source_in}")
        placed, skipped = placeable_layers(result.provenance, layers)
        return result, [(name, probe(result.folder / f"{name}.wav")) for name in placed], skipped

    def done(res):
        result, infos, skipped = res
        assets = []
        for name, info in infos:
            a = asset_from_info(info, rate, provenance=result.provenance,
                                name=f"{name.capitalize()} \u2014 {clip.name}")
            assets.append((name.capitalize(), a))
        if assets:
            doc.apply("Sound layers", add_sound_layers, assets, clip.start, clip.duration)
        if skipped:  # e.g. "Whoosh: no cuts in this clip, so no whooshes"
            window.show_error(f"not added: {skipped}")

    tab.row.run(work, done, lambda msg: _error(window, msg))
    return True

