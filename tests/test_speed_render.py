"""Speed in the rendered file: OTIO LinearTimeWarp 2.0 / 0.5 / -1 and FreezeFrame show the expected source frames
with the right lengths through `main.py render`; slow motion has in-between frames; sped-up speech keeps its pitch;
extreme speeds are muted unless the sound is turned on; volume keyframes shape the sound."""
from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf

from editor.actions.media import asset_from_info
from editor.cli import main as cli_main
from editor.media.probe import probe
from editor.project import load
from editor.project.interchange.to_otio import to_otio
from editor.render.mixer import AudioMixer
from editor.timeline import edits, motion_edits as me
from editor.timeline.model import Clip, Project, ProjectSettings
from mediagen import decode_all, indexed_video, read_index


def _otio_clip(url, start, dur, effect=None, rate=30):
    ref = otio.schema.ExternalReference(target_url=url, available_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(200, rate)))
    c = otio.schema.Clip(name=f"s{start}", media_reference=ref, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(dur, rate)))
    if effect is not None:
        c.effects.append(effect)
    return c


def test_otio_time_warps_and_freeze_frame_render_the_expected_source_frames(tmp_path):
    src = indexed_video(tmp_path / "idx.mp4", 200, size=(128, 96))
    url = src.resolve().as_uri()
    tl = otio.schema.Timeline(name="speeds")
    tl.metadata["seamline"] = {"settings": {"width": 128, "height": 96, "rate": "30", "sample_rate": 48000,
                                            "channels": 2}}
    tr = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    tr.append(_otio_clip(url, 20, 30, otio.schema.LinearTimeWarp(time_scalar=2.0)))
    tr.append(_otio_clip(url, 100, 20, otio.schema.LinearTimeWarp(time_scalar=0.5)))
    tr.append(_otio_clip(url, 150, 20, otio.schema.LinearTimeWarp(time_scalar=-1.0)))
    tr.append(_otio_clip(url, 60, 15, otio.schema.FreezeFrame()))
    tl.tracks.append(tr)
    otio.adapters.write_to_file(tl, str(tmp_path / "speeds.otio"))
    assert cli_main(["render", str(tmp_path / "speeds.otio"), "-o", str(tmp_path / "out.mp4")]) == 0
    frames = decode_all(tmp_path / "out.mp4")
    assert len(frames) == 30 + 20 + 20 + 15
    got = [read_index(f) for f in frames]
    assert got[:30] == [20 + 2 * k for k in range(30)]  # 2x: in + 2k
    assert got[50:70] == [150 - k for k in range(20)]  # reversed: starts on the in point, plays back from it
    assert got[70:] == [60] * 15  # freeze frame holds the in point
    slow = frames[30:50]  # 0.5x: in + k/2; whole frames on even k, in-betweens on odd k (flow, by default)
    assert [got[30 + k] for k in range(0, 20, 2)] == [100 + k // 2 for k in range(0, 20, 2)]
    for k in range(1, 19, 2):
        mid, a, b = (x.astype(int) for x in (slow[k], slow[k - 1], slow[k + 1]))
        assert not np.array_equal(mid, a) and not np.array_equal(mid, b)
        lo, hi = np.minimum(a, b) - 12, np.maximum(a, b) + 12
        assert ((mid >= lo) & (mid <= hi)).mean() > 0.99  # between its neighbours, not some other frame


def test_otio_effects_round_trip_and_a_reversed_clip_reads_back(tmp_path):
    src = indexed_video(tmp_path / "idx.mp4", 60, size=(64, 48))
    p = Project(settings=ProjectSettings(64, 48, Fraction(30)))
    a = asset_from_info(probe(src), Fraction(30))
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=a.id, start=0, duration=20, source_in=5))
    p = me.set_speed(p, "c", 1.5, reverse=True)
    otio.adapters.write_to_file(to_otio(p), str(tmp_path / "r.otio"))
    q = load(tmp_path / "r.otio")
    c0, c1 = p.track("v").clips[0], q.tracks[0].clips[0]
    assert [(e.kind, e.time_scalar) for e in c1.effects] == [("LinearTimeWarp", -1.5)]
    assert [p.source_frame(c0, n) for n in range(c0.duration)] == [q.source_frame(c1, n) for n in range(c1.duration)]


def voice(seconds=3.0, f0=150.0, sr=48000):
    """A voiced, speech-like sound: a glottal-pulse harmonic series at f0 through two formants, spoken in syllables."""
    t = np.arange(int(seconds * sr)) / sr
    x = sum((1.0 / h) * np.sin(2 * np.pi * f0 * h * t) * (1.6 if 3 <= h <= 5 else 1.0) *
            (1.3 if 14 <= h <= 16 else 1.0) for h in range(1, 25))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t) ** 2
    x = 0.25 * x * syllables / np.abs(x).max()
    return np.stack([x, x], axis=1).astype(np.float32)


def pitch(x, sr=48000):
    """Fundamental frequency by autocorrelation (parabolic peak) of the middle of a mono signal."""
    m = x.mean(axis=1) if x.ndim == 2 else x
    m = m[len(m) // 4: len(m) * 3 // 4]
    m = m - m.mean()
    ac = np.fft.irfft(np.abs(np.fft.rfft(m, 2 * len(m))) ** 2)[:len(m)]
    lo, hi = int(sr / 400), int(sr / 60)
    i = lo + int(np.argmax(ac[lo:hi]))
    a, b, c = ac[i - 1], ac[i], ac[i + 1]
    return sr / (i + 0.5 * (a - c) / (a - 2 * b + c))


def speech_project(tmp_path, speed=None, reverse=False, sound=None, seconds=3.0):
    sf.write(tmp_path / "voice.wav", voice(seconds), 48000)
    p = Project(settings=ProjectSettings(64, 48, Fraction(30)))
    a = asset_from_info(probe(tmp_path / "voice.wav"), Fraction(30))
    p = edits.add_asset(p, a)
    p = edits.add_track(p, "audio", track_id="a")
    p = edits.overwrite(p, "a", Clip(id="c", asset_id=a.id, start=0, duration=int(seconds * 30)))
    if speed is not None:
        p = me.set_speed(p, "c", speed, reverse=reverse)
    if sound is not None:
        p = me.set_retime(p, "c", sound=sound)
    return p


@pytest.mark.parametrize("speed", [2.0, 1.5, 0.5])
def test_sped_up_and_slowed_speech_keeps_its_pitch(tmp_path, speed):
    p = speech_project(tmp_path, speed)
    c = p.tracks[0].clips[0]
    assert c.duration == round(90 / speed)
    out = AudioMixer(p).mix(0, c.duration)
    assert len(out) == c.duration * 1600
    assert pitch(out) == pytest.approx(150.0, rel=0.02)  # a resampled copy would be at 150 x speed
    rms = np.sqrt(np.convolve(out[:, 0] ** 2, np.ones(480) / 480, "same"))  # 10 ms windows
    assert (rms[:-2400] > 0.02).all()  # sound all the way through, no gaps at block edges
    # no clicks at block edges: sample-to-sample steps stay in the range of the voice itself
    steps = np.abs(np.diff(out[:, 0]))
    assert steps.max() < 3 * np.abs(np.diff(voice()[:, 0])).max()


def test_syllables_land_at_the_sped_up_times(tmp_path):
    p = speech_project(tmp_path, 2.0)
    out = AudioMixer(p).mix(0, 45)
    env = np.convolve(np.abs(out[:, 0]), np.ones(480) / 480, "same")
    # source syllables peak every 0.125 s (|sin 4 Hz|^2); at 2x every 0.0625 s: envelope period 3000 samples
    spec = np.abs(np.fft.rfft(env - env.mean()))
    freq = np.fft.rfftfreq(len(env), 1 / 48000)
    assert freq[freq > 2][np.argmax(spec[freq > 2])] == pytest.approx(16.0, abs=0.7)


def test_extreme_speeds_are_muted_unless_turned_on_and_reverse_plays_backwards(tmp_path):
    assert np.abs(AudioMixer(speech_project(tmp_path, 0.2)).mix(0, 60)).max() == 0
    assert np.abs(AudioMixer(speech_project(tmp_path, 6.0)).mix(0, 15)).max() == 0
    on = AudioMixer(speech_project(tmp_path, 6.0, sound="on")).mix(0, 15)
    assert np.abs(on).max() > 0.05
    sf.write(tmp_path / "ramp.wav", np.stack([np.linspace(0, 0.5, 144000)] * 2, axis=1).astype(np.float32), 48000)
    p = Project(settings=ProjectSettings(64, 48, Fraction(30)))
    a = asset_from_info(probe(tmp_path / "ramp.wav"), Fraction(30))
    p = edits.add_track(edits.add_asset(p, a), "audio", track_id="a")
    p = edits.overwrite(p, "a", Clip(id="c", asset_id=a.id, start=0, duration=90))
    r = me.reverse(p, "c")
    out = AudioMixer(r).mix(0, 90)[:, 0]
    assert out[2000] > 0.45 and out[-2000] < 0.05  # a rising line played backwards falls


def test_volume_keyframes_shape_the_sound(tmp_path):
    p = speech_project(tmp_path)
    p = me.set_keys(p, "c", "volume", [(0, 1.0), (45, 0.0, "hold"), (60, 1.0)])
    out = np.abs(AudioMixer(p).mix(0, 90)[:, 0])
    sec = 1600
    assert out[10 * sec:12 * sec].max() > 0.1 and out[44 * sec:45 * sec].max() < 0.008
    assert out[50 * sec:58 * sec].max() == 0 and out[70 * sec:80 * sec].max() > 0.1


def test_a_speed_ramp_renders_the_integrated_source_frames(tmp_path):
    from editor.render.compositor import Compositor
    from editor.timeline import timing

    src = indexed_video(tmp_path / "idx.mp4", 300, size=(64, 48))
    p = Project(settings=ProjectSettings(64, 48, Fraction(30)))
    a = asset_from_info(probe(src), Fraction(30))
    p = edits.add_track(edits.add_asset(p, a), "video", track_id="v")
    p = edits.overwrite(p, "v", Clip(id="c", asset_id=a.id, start=0, duration=60, source_in=10))
    p = me.set_speed_ramp(p, "c", [(0, 1.0, "ease-in-out"), (30, 3.0, "ease-out"), (59, 0.5)])
    p = me.set_retime(p, "c", frames="nearest")
    c = p.track("v").clip("c")
    comp = Compositor(p)
    got = [read_index(comp.frame(n)) for n in range(60)]
    want = [timing.whole_frame(10 + timing.integral(c.keyframes["speed"], k), 10) for k in range(60)]
    assert got == want and got[-1] > 10 + 59  # faster than 1x overall
