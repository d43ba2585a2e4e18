"""Sound layers: timing of whooshes and hits, panning, loudness, clicks, file format; on a built clip and real ones."""
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile as sf

from ai.sound.analysis import analyse_file
from ai.sound.layers import TARGETS, SoundRequest, make_layers, run_sound_job
from ai.sound.loudness import integrated_loudness, peak_db
from mediagen import write_video

ROOT = Path(__file__).resolve().parent.parent
FPS = 30
CUT, HIT1, HIT2 = 45, 20, 72


def ball_clip(path):
    """Shot 1: a ball drifting right on the left half, with a sudden jump at HIT1. A cut at CUT. Shot 2: another
    scene, the ball drifting on the right half with a jump at HIT2."""
    rng = np.random.default_rng(0)
    bg1 = cv2.GaussianBlur(rng.integers(60, 120, (180, 320, 3), dtype=np.uint8), (0, 0), 3)
    bg2 = cv2.GaussianBlur(rng.integers(120, 200, (180, 320, 3), dtype=np.uint8), (0, 0), 3)
    bg2[..., 2] = 230
    frames = []
    for k in range(90):
        img = (bg1 if k < CUT else bg2).copy()
        if k < CUT:
            x = 40 + k * 0.5 + (30 if k >= HIT1 else 0)
        else:
            x = 200 + (k - CUT) * 0.5 + (40 if k >= HIT2 else 0)
        cv2.circle(img, (int(x), 90), 16, (250, 240, 30), -1)
        frames.append(img)
    write_video(path, frames, rate=Fraction(FPS))
    return path


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    clip = ball_clip(tmp_path_factory.mktemp("sfx") / "ball.mp4")
    a = analyse_file(clip)
    out, info = make_layers(SoundRequest(analysis=a, preset="park"))
    return a, out


def onsets(x, rate=48000, hop=0.004):
    """Times where a layer's short-time energy jumps up (sound starts)."""
    m = np.abs(x).max(axis=1) if x.ndim == 2 else np.abs(x)
    h = int(hop * rate)
    env = np.array([m[i:i + h].max() for i in range(0, len(m) - h, h)])
    env_db = 20 * np.log10(env + 1e-9)
    rise = env_db[1:] - np.maximum.accumulate(np.concatenate([[-200], env_db[:-1]]))[1:] * 0 - env_db[:-1]
    hits = [i + 1 for i in range(len(rise)) if rise[i] > 9 and env[i + 1] > 0.05 * env.max()]
    return [i * hop for i in hits]


def clicks(x, rate=48000):
    """Positions (s) of discontinuities: a 2 ms window whose curvature is far above both its 100 ms surroundings
    and the 20 ms that follow it (a click is an isolated spike; a hit's attack is followed by its sound)."""
    from scipy.ndimage import median_filter

    d2 = np.abs(np.diff(x.sum(axis=1), 2))
    w = 96
    m = d2[: len(d2) // w * w].reshape(-1, w).max(axis=1)
    ref = median_filter(m, size=51, mode="nearest")
    after = np.array([np.median(m[i + 1:i + 11]) if i + 1 < len(m) else 0.0 for i in range(len(m))])
    return [i * w / rate for i in np.nonzero((m > 6 * ref + 2e-3) & (m > 6 * after + 2e-3))[0]]


def test_analysis_finds_the_cut_and_the_jumps(layers):
    a, _ = layers
    assert a.cuts == [CUT]
    assert any(abs(p - HIT1) <= 1 for p in a.peaks) and any(abs(p - HIT2) <= 1 for p in a.peaks)
    assert a.position[HIT1] < -0.2 and a.position[HIT2] > 0.2


def test_whoosh_starts_on_the_cut(layers):
    _, out = layers
    ons = onsets(out["whoosh"])
    assert ons and abs(ons[0] - CUT / FPS) <= 1 / FPS, ons


def test_hits_land_on_motion_peaks_on_the_side_of_the_motion(layers):
    _, out = layers
    ons = onsets(out["foley"])
    for frame, side in ((HIT1, "left"), (HIT2, "right")):
        t = frame / FPS
        assert any(abs(o - t) <= 1 / FPS for o in ons), (frame, ons)
        seg = out["foley"][int(t * 48000):int((t + 0.15) * 48000)]
        left, right = np.sqrt((seg ** 2).mean(axis=0))
        ild = 20 * np.log10(left / right)
        assert (ild > 3) if side == "left" else (ild < -3), (frame, ild)


def test_loudness_peaks_clicks_and_length(layers):
    a, out = layers
    n = int(Fraction(90) * 48000 / FPS)
    for name, x in out.items():
        assert x.shape == (n, 2)
        assert abs(integrated_loudness(x) - TARGETS[name]) <= 1.0, name
        assert peak_db(x) <= -1.0
        assert np.abs(x[0]).max() < 1e-3 and np.abs(x[-1]).max() < 1e-3  # starts and ends at silence
        edge = int(0.005 * 48000)
        assert np.abs(np.diff(x[:edge], axis=0)).max() < 0.02 and np.abs(np.diff(x[-edge:], axis=0)).max() < 0.02
        assert clicks(x) == [], name
    # the detector does find a click: one sample-step dropped into the bed
    broken = out["ambience"].copy()
    broken[30000:] += 0.2
    assert clicks(broken)


def test_ambience_is_wide_and_continuous(layers):
    _, out = layers
    amb = out["ambience"]
    corr = np.corrcoef(amb[:, 0], amb[:, 1])[0, 1]
    assert corr < 0.5  # decorrelated: wide
    blocks = np.sqrt((amb[4800:-4800].reshape(-1, 4800, 2) ** 2).mean(axis=(1, 2)))
    assert blocks.min() > 0.1 * blocks.max()  # never drops out


def test_cli_writes_one_wav_per_layer_and_a_mixdown(shared_media, tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "sfx", str(shared_media / "video/chaplin.mp4"), "-o",
                        str(tmp_path / "out"), "--layers", "ambience,whoosh", "--preset", "city"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    # the film has no cut: no silent whoosh.wav, and the tool says why
    assert files == ["ambience.wav", "mixdown.wav"]
    assert "whoosh: empty, not written: no cuts in this clip, so no whooshes" in r.stderr
    for f in files:
        info = sf.info(str(tmp_path / "out" / f))
        assert info.samplerate == 48000 and info.channels == 2 and info.frames == int(Fraction(241) * 48000 / 25)
    mix, _ = sf.read(str(tmp_path / "out" / "mixdown.wav"))
    assert peak_db(mix) <= -1.0
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "sfx", str(shared_media / "video/chaplin.mp4"), "-o",
                        str(tmp_path / "x"), "--preset", "moon"], capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "unknown preset" in r.stderr


def test_job_regenerates_one_layer_with_a_new_seed(layers, tmp_path):
    a, _ = layers
    first = run_sound_job(SoundRequest(analysis=a, layers=["ambience"], seed=1), tmp_path / "g")
    again = run_sound_job(SoundRequest(analysis=a, layers=["ambience"], seed=1), tmp_path / "g")
    other = run_sound_job(SoundRequest(analysis=a, layers=["ambience"], seed=2), tmp_path / "g")
    assert again.cached and not other.cached
    x1, _ = sf.read(str(first.folder / "ambience.wav"))
    x2, _ = sf.read(str(other.folder / "ambience.wav"))
    assert not np.allclose(x1, x2)


def test_loudness_meter_reads_the_bs1770_reference():
    """pyloudnorm replaced the hand-written meter: a 997 Hz sine at -20 dBFS on both channels reads -20 LUFS (the
    old meter read -20.00, pyloudnorm -20.04), one channel 3 dB less, silence -inf."""
    t = np.arange(10 * 48000) / 48000
    sine = 0.1 * np.sin(2 * np.pi * 997 * t)
    assert integrated_loudness(np.stack([sine, sine], 1)) == pytest.approx(-20.0, abs=0.1)
    assert integrated_loudness(sine[:, None]) == pytest.approx(-23.0, abs=0.1)
    assert integrated_loudness(np.zeros((48000, 2))) == float("-inf")


def test_loudness_of_a_mostly_silent_layer_is_pyloudnorms():
    """The meter K-weights in one pass with a -240 dBFS guard against subnormal filter tails (a whoosh layer is
    silence between its events): it reads what pyloudnorm reads, to 1e-6 LU, on sparse, mono, short and dense audio."""
    import pyloudnorm

    rng = np.random.default_rng(3)
    sparse = np.zeros((10 * 48000, 2), np.float32)
    for at in (30000, 200000, 410000):
        sparse[at:at + 24000] = rng.standard_normal((24000, 2)) * 0.3
    cases = [sparse, (rng.standard_normal((100000, 1)) * 0.1).astype(np.float32),
             rng.standard_normal((48000, 2)) * 0.05]
    for x in cases:
        x64 = x.astype(np.float64)
        ref = pyloudnorm.Meter(48000).integrated_loudness(x64 if x64.shape[1] > 1 else x64[:, 0])
        assert integrated_loudness(x) == pytest.approx(ref, abs=1e-6)
