"""A fill placed on a cut: one undoable edit, later clips ripple, audio crossfades across it."""
from fractions import Fraction

import numpy as np

from editor.actions.ai_results import insert_fill, make_fill
from editor.actions.media import project_for_files
from editor.render.mixer import AudioMixer
from editor.timeline import edits
from mediagen import indexed_video


def test_fill_between_two_clips_ripples_and_crossfades_audio(tmp_path):
    src = indexed_video(tmp_path / "a.mp4", 150, Fraction(30), size=(96, 64), with_audio=True)
    p = project_for_files([src, src, src])
    v, a = p.video_tracks()[0], p.audio_tracks()[0]
    # use the middle of the file so there is media on both sides of each cut
    for c in list(v.clips):
        edits.trim(p, c.id, "in", 30)
        edits.trim(p, c.id, "out", -30)
    for gap in (10, 95, 185):
        edits.close_gap(p, v.id, gap)
    A, B, C = sorted(v.clips, key=lambda c: c.start)
    before = p.state()
    asset, n = make_fill(p, v.id, A.id, B.id, tmp_path / "generated", seconds=0.5)
    assert n == 14 and p.state() == before  # running the job does not touch the timeline
    undo = insert_fill(p, v.id, A.id, B.id, asset, n)
    clips = sorted(v.clips, key=lambda c: c.start)
    assert [c.start for c in clips] == [0, 90, 90 + n, 180 + n]
    assert clips[1].asset_id == asset.id and clips[1].duration == n
    assert p.track(v.id).clip(C.id).start == 180 + n
    audio = sorted(a.clips, key=lambda c: c.start)
    assert audio[-1].start == 180 + n  # C's sound kept its sync
    xf = a.transitions[0]
    assert xf.kind == "crossfade" and {xf.a, xf.b} == {audio[0].id, audio[1].id}
    # the steady tone does not drop out across the fill
    seg = AudioMixer(p).mix(88, 90 + n + 2)[:, 0]
    env = np.sqrt(np.convolve(seg ** 2, np.ones(480) / 480, mode="valid"))
    assert env.min() > 0.08
    undo()
    assert p.state() == before
