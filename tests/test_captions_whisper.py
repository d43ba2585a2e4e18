"""The whisper captions backend on a tiny random-weight Whisper built offline (tests/tiny_whisper.py), through the
real loading (local files, safetensors) and decoding code (word timestamps from cross-attention), as a cached job
and from the command line with a language choice."""
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pysubs2
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from ai.captions.job import CaptionsRequest, read_cues, run_captions_job  # noqa: E402
from ai.captions.whisper import windows  # noqa: E402
from ai.errors import JobCancelled, ModelNotAvailable  # noqa: E402
from tiny_whisper import build_tiny_whisper  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_whisper(tmp_path_factory.mktemp("whisper") / "tiny-whisper")


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is needed (packaging/setup.sh installs it)")
    import soundfile as sf
    from scipy.signal import resample_poly

    d = tmp_path_factory.mktemp("sp")
    subprocess.run(["espeak-ng", "-w", str(d / "a.wav"), "we went to the beach with grandma"], check=True)
    x, sr = sf.read(str(d / "a.wav"), dtype="float32")
    x = resample_poly(x, 16000, sr).astype(np.float32)
    audio = np.concatenate([np.zeros(16000, np.float32), x, np.zeros(8000, np.float32)])
    sf.write(str(d / "speech.wav"), audio, 16000)
    return audio, d / "speech.wav"


def test_whisper_job_on_a_tiny_model(tiny, speech, tmp_path):
    audio, _ = speech
    req = CaptionsRequest(audio=audio, backend="whisper", language="zh", model=str(tiny))
    seen = []
    result = run_captions_job(req, tmp_path / "gen", progress=lambda f, s="": seen.append(f))
    prov = result.provenance
    assert prov["backend"] == "whisper" and prov["model"] == str(tiny) and prov["language"] == "zh"
    assert prov["vad"] in ("silero", "energy") and prov["speech"][0][0] >= 0.9  # speech starts after 1 s
    assert {p.name for p in result.files} >= {"captions.srt", "captions.vtt", "cues.json"}
    cues = read_cues(result)
    end = len(audio) / 16000
    for i, c in enumerate(cues):  # random weights say nothing sensible, but the cues are well formed
        assert 0.9 <= c.start < c.end <= end + 1e-6
        assert i == 0 or c.start >= cues[i - 1].end
    assert seen[-1] == 1.0
    again = run_captions_job(req, tmp_path / "gen")
    assert again.cached and read_cues(again) == cues
    with pytest.raises(JobCancelled):
        run_captions_job(CaptionsRequest(audio=audio[:-1], backend="whisper", model=str(tiny)), tmp_path / "gen",
                         cancelled=lambda: True)
    assert not list((tmp_path / "gen").glob(".*partial"))


def test_missing_whisper_weights_say_where_to_get_them(speech, tmp_path):
    audio, _ = speech
    with pytest.raises(ModelNotAvailable, match="AI > Models"):
        run_captions_job(CaptionsRequest(audio=audio, backend="whisper", model=str(tmp_path / "none")),
                         tmp_path / "gen")


def test_windows_pack_speech_into_30_second_calls():
    assert windows([(0, 5), (6, 20), (21, 40), (41, 100)]) == [(0, 20), (21, 40), (41, 69), (69, 97), (97, 100)]


def test_captions_cli_with_the_whisper_backend(tiny, speech, tmp_path):
    _, wav = speech
    out = tmp_path / "out.vtt"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "captions", str(wav), "-o", str(out), "--backend",
                        "whisper", "--model", str(tiny), "--language", "zh"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("WEBVTT")
    pysubs2.load(str(out))
    bad = subprocess.run([sys.executable, str(ROOT / "main.py"), "captions", str(wav), "-o", str(tmp_path / "o.srt"),
                          "--backend", "whisper", "--model", str(tmp_path / "missing")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "AI > Models" in bad.stderr
