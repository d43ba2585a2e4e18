"""Captions: subtitle files in and out, cues from speech (built-in recogniser), and captions in an export (burnt in,
soft mov_text stream, side-car file). The held-out check runs the command line on real footage with spoken words
muxed under it (espeak-ng speech: packaging/setup.sh installs espeak-ng)."""
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pysubs2
import pytest

from editor.actions import words
from editor.actions.media import project_for_files
from editor.errors import ProjectError
from editor.project.fileio import save
from editor.project.subtitles import read_subtitles, write_subtitles
from editor.render.exporter import export
from editor.timeline.cues import Cue, width
from mediagen import decode_all

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = ["hello everyone welcome to our family holiday video",
             "today we went to the beach with grandma and grandpa"]
SILENCE = (1.5, 1.2, 1.0)  # before, between, after


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


# -- files ----------------------------------------------------------------------------------------------------------
CUES = [Cue(0.5, 2.25, "Hello there"), Cue(3.0, 5.5, "你好，世界\nsecond line"), Cue(6.0, 7.0, "مرحبا 🎂")]


@pytest.mark.parametrize("ext", [".srt", ".vtt"])
def test_srt_and_vtt_round_trip(tmp_path, ext):
    path = write_subtitles(CUES, tmp_path / f"out{ext}")
    back = read_subtitles(path)
    assert [(c.start, c.end, c.text) for c in back] == [(c.start, c.end, c.text) for c in CUES]
    assert path.read_text(encoding="utf-8").startswith("WEBVTT" if ext == ".vtt" else "1\n")


def test_ass_import_drops_styling_keeps_words_and_times(tmp_path):
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=1200, end=2500, text=r"{\b1}Bold{\b0} words\Nnext line"))
    subs.append(pysubs2.SSAEvent(start=3000, end=4000, text="comment", type="Comment"))
    subs.append(pysubs2.SSAEvent(start=4000, end=5000, text=r"{\pos(10,10)}中文字幕"))
    subs.save(str(tmp_path / "in.ass"))
    back = read_subtitles(tmp_path / "in.ass")
    assert back == [Cue(1.2, 2.5, "Bold words\nnext line"), Cue(4.0, 5.0, "中文字幕")]
    # and ASS -> project -> SRT keeps them
    write_subtitles(back, tmp_path / "out.srt")
    assert read_subtitles(tmp_path / "out.srt") == back


def test_long_cues_are_written_in_lines_of_at_most_42_columns(tmp_path):
    long = Cue(0, 4, "We walked all the way along the river to the old bridge where grandpa used to fish")
    text = (write_subtitles([long], tmp_path / "a.srt")).read_text(encoding="utf-8")
    lines = [x for x in text.splitlines() if x and not x[0].isdigit()]
    assert len(lines) == 2 and all(width(x) <= 42 for x in lines)


def test_bad_subtitle_files_give_one_clear_line(tmp_path):
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(ProjectError, match="subtitles are read from"):
        read_subtitles(tmp_path / "x.txt")
    (tmp_path / "empty.srt").write_text("\n\n")
    with pytest.raises(ProjectError, match="no cues"):
        read_subtitles(tmp_path / "empty.srt")
    with pytest.raises(ProjectError, match="cannot read"):
        read_subtitles(tmp_path / "missing.srt")
    with pytest.raises(ProjectError, match="written as"):
        write_subtitles(CUES, tmp_path / "x.ass")


def test_import_onto_a_captions_track_and_export_soft_and_sidecar(tmp_path):
    from mediagen import indexed_video

    clip = indexed_video(tmp_path / "v.mp4", 200, Fraction(25), size=(160, 96))
    p = project_for_files([clip])
    write_subtitles(CUES, tmp_path / "in.srt")
    p = words.import_subtitles(p, tmp_path / "in.srt")
    cc = p.captions_tracks()[0]
    assert [(c.start, c.end) for c in cc.clips] == [(12, 56), (75, 138), (150, 175)]  # frames at 25 fps
    out = export(p, tmp_path / "soft.mp4", preset=None, subtitles="soft")
    with av.open(str(out)) as c:
        assert [s.codec_context.name for s in c.streams.subtitles] == ["mov_text"]
        got = []
        for pkt in c.demux(c.streams.subtitles[0]):
            for sub in pkt.decode():
                got.append((float(pkt.pts * pkt.time_base), float((pkt.pts + pkt.duration) * pkt.time_base),
                            sub.dialogue.decode() if hasattr(sub, "dialogue") else ""))
    assert [(round(a, 3), round(b, 3)) for a, b, _ in got] == [(0.48, 2.24), (3.0, 5.52), (6.0, 7.0)]
    assert "Hello there" in got[0][2] and "你好" in got[1][2]
    export(p, tmp_path / "side.mp4", preset=None, subtitles="sidecar")
    assert [c.text for c in read_subtitles(tmp_path / "side.srt")] == [c.text for c in CUES]


# -- speech ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spoken_video(tmp_path_factory, shared_media):
    """Real footage (shared/media) with spoken sentences under it, silence before, between and after."""
    if not shutil.which("espeak-ng") or not shutil.which("ffmpeg"):
        pytest.skip("espeak-ng and ffmpeg are needed (packaging/setup.sh installs them)")
    d = tmp_path_factory.mktemp("speech")
    parts = []
    for i, sentence in enumerate(SENTENCES):
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(d / f"s{i}.wav"), sentence], check=True)
    import soundfile as sf
    from scipy.signal import resample_poly

    rate = 16000
    for i, sentence in enumerate(SENTENCES):
        x, sr = sf.read(str(d / f"s{i}.wav"), dtype="float32")
        parts += [np.zeros(int(SILENCE[i] * rate), np.float32), resample_poly(x, rate, sr).astype(np.float32)]
    parts.append(np.zeros(int(SILENCE[2] * rate), np.float32))
    speech = np.concatenate(parts)
    sf.write(str(d / "speech.wav"), speech, rate)
    seconds = len(speech) / rate
    out = d / "family.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "1", "-i", str(shared_media / "video" / "01_dog.mp4"),
                    "-i", str(d / "speech.wav"), "-map", "0:v", "-map", "1:a", "-t", f"{seconds:.3f}",
                    "-vf", "scale=640:360", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(out)],
                   check=True)
    return out, speech, seconds


def wer(ref: str, hyp: str) -> float:
    r, h = ref.lower().split(), re.sub(r"[^\w\s']", " ", hyp.lower()).split()
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
    return d[len(h)] / len(r)


def whole_file_wer(speech: np.ndarray) -> float:
    """The built-in recogniser's own result: the whole file decoded as one utterance."""
    from pocketsphinx import Decoder

    dec = Decoder(samprate=16000, loglevel="FATAL")
    dec.start_utt()
    dec.process_raw((np.clip(speech, -1, 1) * 32767).astype(np.int16).tobytes(), full_utt=True)
    dec.end_utt()
    hyp = " ".join(re.sub(r"\(\d+\)$", "", s.word) for s in dec.seg() if not s.word.startswith(("<", "[")))
    return wer(" ".join(SENTENCES), hyp)


def test_held_out_captions_cli_on_real_footage_with_speech(spoken_video, tmp_path):
    media, speech, seconds = spoken_video
    results = {}
    for ext in (".srt", ".vtt"):
        out = tmp_path / f"captions{ext}"
        r = run_cli("captions", media, "-o", out, "--backend", "builtin")
        assert r.returncode == 0, r.stderr
        assert "draft" in r.stderr  # honest about what the built-in recogniser is
        subs = pysubs2.load(str(out))
        results[ext] = [(e.start / 1000, e.end / 1000, e.plaintext) for e in subs]
    assert results[".srt"] == results[".vtt"]
    cues = results[".srt"]
    assert cues, "no captions"
    for i, (a, b, text) in enumerate(cues):
        assert 0 <= a < b <= seconds + 0.01
        assert a >= SILENCE[0] - 0.15  # no cue before the speech starts
        if i:
            assert a >= cues[i - 1][1]  # ordered, no overlap
        lines = text.splitlines()
        assert 1 <= len(lines) <= 2 and all(len(x) <= 42 for x in lines)
    ours = wer(" ".join(SENTENCES), " ".join(t for _, _, t in cues))
    baseline = whole_file_wer(speech)
    print(f"WER captions {ours:.2f} vs recogniser on the whole file {baseline:.2f}")
    assert ours <= baseline + 1e-9


def test_render_with_subtitles_changes_only_the_lower_picture_while_a_cue_shows(spoken_video, tmp_path):
    media, _, seconds = spoken_video
    project = tmp_path / "p.seam"
    save(project_for_files([media]), project)
    subs = tmp_path / "s.srt"
    write_subtitles([Cue(1.0, 2.5, "Grandma waves from the beach"), Cue(3.5, 4.5, "你好")], subs)
    plain, burnt, soft = tmp_path / "plain.mp4", tmp_path / "burnt.mp4", tmp_path / "soft.mp4"
    assert run_cli("render", project, "-o", plain).returncode == 0
    r = run_cli("render", project, "-o", burnt, "--subtitles", subs)
    assert r.returncode == 0, r.stderr
    a, b = decode_all(plain), decode_all(burnt)
    assert len(a) == len(b)
    rate = 30000 / 1001
    for n, (x, y) in enumerate(zip(a, b)):
        diff = np.abs(x.astype(int) - y).max(axis=2)
        t = n / rate
        shown = 1.0 + 0.05 < t < 2.5 - 0.05 or 3.5 + 0.05 < t < 4.5 - 0.05
        off = not (1.0 - 0.05 < t < 2.5 + 0.05 or 3.5 - 0.05 < t < 4.5 + 0.05)
        h = diff.shape[0]
        if shown:
            assert (diff[int(0.7 * h):] > 60).sum() > 200, n  # the words are there, low in the frame
        # nothing above the lower part, nothing while no cue shows: the two encodes differ by coding noise only
        assert (diff[: int(0.6 * h)] > 40).sum() < 20, n
        if off:
            assert (diff > 40).sum() < 20, n
    r = run_cli("render", project, "-o", soft, "--subtitles", subs, "--subtitle-mode", "soft")
    assert r.returncode == 0, r.stderr
    with av.open(str(soft)) as c:
        s = c.streams.subtitles[0]
        assert s.codec_context.name == "mov_text"
        times = [(round(float(p.pts * p.time_base), 3), round(float((p.pts + p.duration) * p.time_base), 3))
                 for p in c.demux(s) if p.size > 2]  # the muxer fills gaps with empty (2-byte) samples
    assert np.allclose(times, [(1.0, 2.5), (3.5, 4.5)], atol=1 / rate)  # on the frames the cues landed on
    bad = run_cli("render", project, "-o", tmp_path / "x.mp4", "--subtitles", tmp_path / "nope.srt")
    assert bad.returncode == 2 and "nope.srt" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
