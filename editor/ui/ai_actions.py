"""The AI tools as UI actions. Each tool gives three steps and `run_tool` does the rest, once for every tool:

    prepare(progress, cancelled) -> JobSpec       on a worker: the tool's analysis (reads a snapshot of the model)
    finish(result) -> payload                     on a worker: place the files beside the project, probe them
    apply(payload)                                on the UI thread: one undoable edit

The job itself runs through ai.jobs.run_job, here or on the Ray cluster chosen in AI > Settings > Compute, with the
tab's progress bar and Cancel button (JobRow).
"""
from __future__ import annotations

from fractions import Fraction

from editor.actions.ai_results import (add_sound_layers, clip_pictures, fill_spec_for_cut, insert_fill,
                                       insert_generated_clip, placeable_layers, placed_fill)
from editor.actions.media import asset_from_info
from editor.media.probe import probe
from editor.ui.labels import timecode


def cluster_address() -> str | None:
    """The Ray address when AI > Settings > Compute says "Ray cluster", else None (run here)."""
    from ai.settings import compute

    c = compute()
    return (c["address"] or "auto") if c["mode"] == "ray" else None


def run_tool(window, row, prepare, finish, apply, on_progress=None, on_end=None) -> bool:
    """Run prepare -> job -> finish on a worker with the row's progress and cancel, then apply on the UI thread."""
    from ai.errors import AIError
    from ai.jobs import run_job

    if row.busy:
        return False
    try:
        cluster = cluster_address()
    except AIError as exc:
        window.show_error(str(exc))
        return False

    def work(progress, cancelled):
        spec = prepare(lambda f, s="": progress(0.1 * f, s), cancelled)
        result = run_job(spec, None, lambda f, s="": progress(0.1 + 0.9 * f, s), cancelled, cluster=cluster)
        return finish(result)

    def done(payload):
        if on_end:
            on_end()
        apply(payload)

    def failed(msg):
        if on_end:
            on_end()
        if msg and row.last_model and not cluster:  # (a model missing on the cluster is downloaded there)
            from editor.ui.models_dialog import offer_download

            offer_download(window, msg, row.last_model)
        elif msg:
            window.show_error(msg)

    row.run(work, done, failed, on_progress)
    return True


def run_fill(window) -> bool:
    doc = window.doc
    tab = window.ai.fill
    cut = doc.selected_cut
    if cut is None:
        window.show_error("Select a cut first: click the + handle between two clips")
        return False
    track_id, a, b = cut
    seconds, backend, prompt = tab.duration.value(), tab.backend.currentData(), tab.prompt.text()
    generated = doc.generated_dir()
    project = doc.project  # a snapshot: the worker never sees later edits

    def prepare(progress, cancelled):
        return fill_spec_for_cut(project, track_id, a, b, seconds, backend, prompt)

    def finish(result):
        return placed_fill(project, track_id, a, b, result, generated)

    def apply(res):
        asset, n = res
        if doc.apply("Fill transition", insert_fill, track_id, a, b, asset, n):
            window.statusBar().showMessage(f"The cut is filled with {n / float(doc.project.settings.rate):.1f} s of "
                                           f"new frames ({asset.provenance.get('backend_used')})", 6000)
        window.timeline.update()

    def progress(f):
        window.timeline.progress[cut] = f
        window.timeline.update()

    def end():
        window.timeline.progress.pop(cut, None)
        window.timeline.update()

    return run_tool(window, tab.row, prepare, finish, apply, progress, end)


def _camera_source(doc, choice):
    """The camera source: an image or clip from the bin (a clip moves under the camera), or the playhead's frame."""
    if choice == "playhead":
        from editor.render.compositor import Compositor

        return Compositor(doc.project, pool=doc.pool).frame(doc.playhead).copy(), None, Fraction(1), \
            f"frame {doc.playhead}"
    asset = doc.project.assets[choice]
    from editor.media.reader import open_visual

    reader = open_visual(asset.path)
    try:
        img = reader.frame(0)
    finally:
        if hasattr(reader, "close"):
            reader.close()
    if asset.kind == "video":
        return img, asset.path, Fraction(asset.rate) / Fraction(doc.project.settings.rate), asset.name
    return img, None, Fraction(1), asset.name


def run_camera(window) -> bool:
    from ai.camera.move import MoveRequest, move_spec

    doc = window.doc
    tab = window.ai.camera
    if tab.row.busy:
        return False
    moves = tab.chosen_moves()
    if not moves and not tab.handheld.isChecked():
        window.show_error("Choose a camera move")
        return False
    try:
        img, clip, ratio, label = _camera_source(doc, tab.source.currentData() or "playhead")
        fx, fy = tab.focus.currentData() or (0.5, 0.5)
        s = doc.project.settings
        req = MoveRequest(source=img, moves=moves or ["handheld"], size=(s.width - s.width % 2,
                                                                         s.height - s.height % 2),
                          fps=Fraction(s.rate), duration=tab.duration.value(), intensity=tab.intensity.value(),
                          easing=tab.easing.currentText(), focus=(fx, fy),
                          handheld=0.5 if tab.handheld.isChecked() else 0.0, backend=tab.backend.currentData(),
                          clip=clip, clip_ratio=ratio)
    except Exception as exc:
        window.show_error(str(exc))
        return False
    generated = doc.generated_dir()
    rate = doc.project.settings.rate
    start = doc.playhead
    track = doc.selected_track if doc.selected_track and doc.project.track(doc.selected_track).kind == "video" \
        else None

    def finish(result):
        from ai.cache import place

        return asset_from_info(probe(place(result, generated, ["move.mp4"])["move.mp4"]), rate,
                               provenance=result.provenance, name=f"{' + '.join(req.moves)} ({label})")

    def apply(asset):
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

    return run_tool(window, tab.row, lambda progress, cancelled: move_spec(req, [{"source": label}]), finish,
                    apply)


def run_sound(window) -> bool:
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
    words, backend = tab.words.text(), tab.backend.currentData()
    project = doc.project  # a snapshot: the worker never sees later edits
    generated = doc.generated_dir()
    rate = project.settings.rate

    def prepare(progress, cancelled):
        from ai.sound.analysis import analyse_frames
        from ai.sound.layers import SoundRequest, sound_spec

        frames = clip_pictures(project, clip, progress=lambda f: progress(f, "analysing"), cancelled=cancelled)
        req = SoundRequest(analysis=analyse_frames(frames, rate, words), layers=layers, preset=preset, words=words,
                           backend=backend)
        return sound_spec(req, [{"clip": clip.id, "asset": clip.asset_id}])

    def finish(result):
        from ai.cache import place

        placed, skipped = placeable_layers(result.provenance, layers)
        wavs = place(result, generated, [f"{name}.wav" for name in placed])
        assets = []
        for name in placed:
            a = asset_from_info(probe(wavs[f"{name}.wav"]), rate, provenance=result.provenance,
                                name=f"{name.capitalize()} \u2014 {clip.name}")
            assets.append((name.capitalize(), a))
        return assets, skipped

    def apply(res):
        assets, skipped = res
        if assets:
            doc.apply("Sound layers", add_sound_layers, assets, clip.start, clip.duration)
        if skipped:  # e.g. "Whoosh: no cuts in this clip, so no whooshes"
            window.show_error(f"not added: {skipped}")

    return run_tool(window, tab.row, prepare, finish, apply)
