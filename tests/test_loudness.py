"""Loudness on export: the streaming meter agrees with pyloudnorm, the true-peak limiter keeps its ceiling without
moving the sound in time, and an exported file measures the target (pink noise, a song) with true peaks <= -1 dBTP."""
from fractions import Fraction

import numpy as np
import pyloudnorm
import pytest

from editor.actions.media import clips_for_asset, ensure_track, import_asset
from editor.media.reader import read_audio
from editor.render.exporter import export
from editor.render.loudness import LoudnessMeter, TruePeakLimiter, true_peak_db
from editor.timeline import edits
from editor.timeline.model import Project, ProjectSettings
from songgen import pink_noise, song, write_wav


def test_streaming_meter_matches_pyloudnorm_on_any_block_size():
    x = pink_noise(6.37, 48000, 2, peak=0.3)
    ref = pyloudnorm.Meter(48000).integrated_loudness(x.astype(np.float64))
    for step in (4567, 48000, len(x)):
        m = LoudnessMeter(48000, 2)
        for i in range(0, len(x), step):
            m.add(x[i:i + step])
        assert m.integrated() == pytest.approx(ref, abs=0.01)
    mono = x[:, 0]
    m = LoudnessMeter(44100, 1)
    m.add(mono[:, None])
    assert m.integrated() == pytest.approx(pyloudnorm.Meter(44100).integrated_loudness(mono.astype(np.float64)),
                                           abs=0.01)


def test_true_peak_limiter_holds_the_ceiling_keeps_length_and_timing():
    x = pink_noise(5.0, 48000, 2, peak=1.0) * 2.5  # about +8 dBTP
    lim = TruePeakLimiter(48000, 2, gain=1.0, ceiling_db=-1.0)
    y = np.concatenate([lim.process(x[i:i + 48000]) for i in range(0, len(x), 48000)] + [lim.flush()])
    assert len(y) == len(x)
    assert true_peak_db(y) <= -1.0
    assert lim.reduction_db < -6
    # only gain, no delay: every sample keeps its sign and its place
    loud = np.abs(x[:, 0]) > 0.05
    ratio = y[loud, 0] / x[loud, 0]
    assert ratio.min() > 0 and ratio.max() <= 1.0 + 1e-6
    quiet = pink_noise(3.0, 48000, 2, peak=0.2)
    lim = TruePeakLimiter(48000, 2, gain=1.0)
    z = np.concatenate([lim.process(quiet[:70000]), lim.process(quiet[70000:]), lim.flush()])
    assert np.allclose(z, quiet, atol=1e-6)  # under the ceiling: untouched


def _audio_project(tmp_path, wav):
    p = Project(settings=ProjectSettings(160, 90, Fraction(30)))
    asset = import_asset(p, wav)
    p = edits.add_asset(p, asset)
    p, tid = ensure_track(p, "audio")
    for kind, clip in clips_for_asset(p, asset, 0):
        p = edits.overwrite(p, tid, clip)
    return p


def _measure(path):
    a = read_audio(path, 48000, 2).astype(np.float64)
    return pyloudnorm.Meter(48000).integrated_loudness(a), true_peak_db(a)


@pytest.mark.parametrize("target, peak", [(-14.0, 0.25), (-23.0, 0.9)])
def test_export_of_pink_noise_meets_the_target(tmp_path, target, peak):
    wav = write_wav(tmp_path / "pink.wav", pink_noise(8.0, 48000, 2, peak=peak), 48000)
    p = _audio_project(tmp_path, wav)
    before, _ = _measure(wav)
    out = export(p, tmp_path / "out.mp4", preset=None, loudness=target)
    lufs, tp = _measure(out)
    assert abs(before - target) > 3  # it had to move
    assert lufs == pytest.approx(target, abs=0.5)
    assert tp <= -1.0


def test_export_of_a_song_meets_minus_14_with_its_peaks_limited(tmp_path):
    audio, _, _ = song(bpm=124, bars=8, sr=44100)
    wav = write_wav(tmp_path / "song.wav", audio * 0.5, 44100)
    p = _audio_project(tmp_path, wav)
    p = p.model_copy(update={"settings": p.settings.model_copy(update={"loudness": -14.0})})
    out = export(p, tmp_path / "song.mp4", preset=None)  # the project's setting
    lufs, tp = _measure(out)
    assert lufs == pytest.approx(-14.0, abs=1.0)
    assert tp <= -1.0
    plain = export(p.model_copy(update={"settings": p.settings.model_copy(update={"loudness": None})}),
                   tmp_path / "plain.mp4", preset=None)
    assert _measure(plain)[0] < -17  # without a target the mix goes out as it is
