"""A fill placed on a cut: one undoable edit, later clips ripple, audio crossfades across it."""
from fractions import Fraction

import numpy as np

from editor.actions.ai_results import insert_fill, make_fill
from editor.actions.media import project_for_files
from editor.render.mixer import AudioMixer
from editor.session import Session
from editor.timeline import edits
from mediagen import indexed_video


def test_fill_between_two_clips_ripples_and_crossfades_audio(tmp_path):
    src = indexed_video(tmp_path / "a.mp4", 150, Fraction(30), size=(96, 64), with_audio=True)
    p = project_for_files([src, src, src])
    v, a = p.video_tracks()[0], p.audio_tracks()[0]
    # use the middle of the file so there is media on both sides of each cut
    for c in list(v.clips):
        p = edits.trim(p, c.id, "in", 30)
        p = edits.trim(p, c.id, "out", -30)
    for gap in (10, 95, 185):
        p = edits.close_gap(p, v.id, gap)
    A, B, C = p.track(v.id).clips
    s = Session(p)
    before = p.state()
    asset, n = make_fill(p, v.id, A.id, B.id, tmp_path / "generated", seconds=0.5)
    assert n == 14 and p.state() == before  # running the job does not touch the timeline
    p = s.apply("Fill transition", insert_fill, v.id, A.id, B.id, asset, n)
    v, a = p.track(v.id), p.track(a.id)
    clips = v.clips
    assert [c.start for c in clips] == [0, 90, 90 + n, 180 + n]
    assert clips[1].asset_id == asset.id and clips[1].duration == n
    assert p.track(v.id).clip(C.id).start == 180 + n
    audio = a.clips
    assert audio[-1].start == 180 + n  # C's sound kept its sync
    xf = a.transitions[0]
    assert xf.kind == "crossfade" and {xf.a, xf.b} == {audio[0].id, audio[1].id}
    # the steady tone does not drop out across the fill
    seg = AudioMixer(p).mix(88, 90 + n + 2)[:, 0]
    env = np.sqrt(np.convolve(seg ** 2, np.ones(480) / 480, mode="valid"))
    assert env.min() > 0.08
    s.undo()  # one undo step takes all of it away
    assert s.project.state() == before
