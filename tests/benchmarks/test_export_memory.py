"""Export peak memory against the number of source files, next to ffmpeg and to main's exporter, same run:

    PYTHONPATH=$PWD .venv/bin/python -m pytest tests/benchmarks/test_export_memory.py -s

Each render runs in its own process under /usr/bin/time -v; the table shows its RSS high-water mark, wall time and
CPU seconds. The cut list: N 1080p30 H.264+AAC source files (real footage scaled up), two passes over them, a
1.5 s piece of each file per pass (2N clips, with their sound on an audio track), rendered through `main.py render` of a
plain OTIO file (no Seamline metadata: every checkout reads the same timeline).
ffmpeg renders the same cut list: one input per piece (-ss/-t), a concat filter graph, libx264 veryfast crf 20,
AAC. "before" is the previous design: the tree of git ref SEAMLINE_BASELINE_REF (default `main`; after this work is
merged, give the commit before it) exported with `git archive` into a temp folder and run on the same OTIO file;
its commit is printed.

SEAMLINE_BENCH_SOURCES=2,4 limits the sweep. Asserts nothing about memory or time (noisy machine); the goals of
issue 19 (<= 1.5x ffmpeg, <= 25 MiB per added source) are printed next to the numbers.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT.parent / "shared" / "media"
FFMPEG = shutil.which("ffmpeg")
TIME = "/usr/bin/time"
BASELINE_REF = os.environ.get("SEAMLINE_BASELINE_REF", "main")
RATE = 30
PIECE = 45  # frames per piece (1.5 s)
SWEEP = [int(x) for x in os.environ.get("SEAMLINE_BENCH_SOURCES", "2,4,8,16").split(",")]

pytestmark = pytest.mark.skipif(not (FFMPEG and os.path.exists(TIME)), reason="needs ffmpeg and /usr/bin/time")


def make_sources(n: int) -> list[Path]:
    """n distinct 1080p30 H.264 + AAC files of 4 s (cached in the temp folder between runs)."""
    folder = Path(tempfile.gettempdir()) / "seamline-bench-sources"
    folder.mkdir(exist_ok=True)
    out = []
    for k in range(n):
        p = folder / f"src{k:02d}_1080p.mp4"
        if not p.exists():
            real = MEDIA / "video" / ("01_dog.mp4" if k % 2 == 0 else "02_cups.mp4")
            tmp = p.with_suffix(".part.mp4")
            # a different stretch of the footage (and a hue turn) per file, so no two files are alike
            subprocess.run([FFMPEG, "-v", "error", "-y", "-ss", f"{(k // 2) * 0.35:.2f}", "-i", str(real), "-t", "4",
                            "-vf", f"scale=1920:1080,fps={RATE},hue=h={k * 20}", "-c:v", "libx264", "-preset",
                            "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-ac",
                            "2", str(tmp)], check=True)
            tmp.rename(p)
        out.append(p)
    return out


def cut_list(n: int) -> list[tuple[int, int]]:
    """(source index, source in frame) of each piece, in timeline order."""
    return [(k, 10 + 50 * rep) for rep in range(2) for k in range(n)]


def make_song(minutes: int = 10) -> Path:
    """A long AAC song (two tones and a little noise), like a music bed taken from a full track."""
    p = Path(tempfile.gettempdir()) / "seamline-bench-sources" / f"song{minutes}min.m4a"
    if not p.exists():
        tmp = p.with_suffix(".part.m4a")
        d = minutes * 60
        subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=220:duration={d}", "-f",
                        "lavfi", "-i", f"sine=frequency=331:duration={d}", "-filter_complex",
                        "[0:a][1:a]amerge=inputs=2,volume=0.3", "-ar", "48000", "-c:a", "aac", "-b:a", "128k",
                        str(tmp)], check=True)
        tmp.rename(p)
    return p


def write_project(sources, cuts, path: Path, song: Path | None = None, song_in: int = 0) -> None:
    """The cut list as a plain OpenTimelineIO file (no Seamline metadata), so every checkout reads the same thing:
    a video track and an audio track with the same pieces, and optionally a music bed from song_in (frames)."""
    import opentimelineio as otio

    def rt(frames):
        return otio.opentime.RationalTime(frames, RATE)

    def clip(file: Path, src_in: int, duration: int, length: int):
        ref = otio.schema.ExternalReference(target_url=file.resolve().as_uri(),
                                            available_range=otio.opentime.TimeRange(rt(0), rt(length)))
        return otio.schema.Clip(name=file.stem, media_reference=ref,
                                source_range=otio.opentime.TimeRange(rt(src_in), rt(duration)))

    tl = otio.schema.Timeline(name=path.stem)
    for kind in (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio):
        track = otio.schema.Track(kind=kind)
        for k, src_in in cuts:
            track.append(clip(sources[k], src_in, PIECE, 4 * RATE))
        tl.tracks.append(track)
    if song is not None:
        bed = otio.schema.Track(kind=otio.schema.TrackKind.Audio)
        bed.append(clip(song, song_in, len(cuts) * PIECE, 600 * RATE))
        tl.tracks.append(bed)
    otio.adapters.write_to_file(tl, str(path))


def ffmpeg_cmd(sources, cuts, out: Path, song: Path | None = None, song_in: int = 0) -> list[str]:
    inputs, links = [], []
    for i, (k, src_in) in enumerate(cuts):
        inputs += ["-ss", f"{src_in / RATE:.4f}", "-t", f"{PIECE / RATE:.4f}", "-i", str(sources[k])]
        links.append(f"[{i}:v][{i}:a]")
    graph = "".join(links) + f"concat=n={len(cuts)}:v=1:a=1[v][a]"
    if song is not None:
        inputs += ["-ss", f"{song_in / RATE:.4f}", "-t", f"{len(cuts) * PIECE / RATE:.4f}", "-i", str(song)]
        graph = graph.replace("[v][a]", "[v][cut]") + f";[{len(cuts)}:a]anull[bed];" \
                                                      "[cut][bed]amix=inputs=2:normalize=0[a]"
    return [FFMPEG, "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v",
            "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)]


def measured(cmd, cwd=None, env=None) -> tuple[float, float, float]:
    """(peak RSS MiB, wall s, CPU s) of a command run under /usr/bin/time -v."""
    r = subprocess.run(["nice", "-n", "5", TIME, "-v", *cmd], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=1800)
    if r.returncode:
        raise RuntimeError(f"{cmd[0]} failed:\n{r.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", r.stderr).group(1))
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", r.stderr).group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return peak, wall, user + sys_


def render_cmd(checkout: Path, project: Path, out: Path):
    env = dict(os.environ, PYTHONPATH=str(checkout), QT_QPA_PLATFORM="offscreen")
    python = checkout / ".venv" / "bin" / "python"
    python = python if python.exists() else Path(sys.executable)
    return [str(python), str(checkout / "main.py"), "render", str(project), "-o", str(out)], env


def table(title, rows):
    print(f"\n## {title}")
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(f"{x:<{w}}" for x, w in zip(r, widths)))


def baseline_checkout(folder: Path) -> Path | None:
    """The previous design's tree (git archive of BASELINE_REF), or None when git cannot give it."""
    log = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s", BASELINE_REF], capture_output=True,
                         text=True)
    if log.returncode:
        return None
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE_REF], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    print(f"\nbefore = {BASELINE_REF} at {log.stdout.strip()[:80]}")
    return folder


@pytest.fixture
def work_dir():
    # not pytest's tmp_path: other pytest runs on the machine prune old basetemp folders while this one runs
    with tempfile.TemporaryDirectory(prefix="seamline-bench-") as d:
        yield Path(d)


def test_export_peak_memory_by_source_count(work_dir):
    tmp_path = work_dir
    main = baseline_checkout(tmp_path / "baseline")
    main_ok = main is not None
    sources = make_sources(max(SWEEP))
    rows = [("sources", "clips", "s of video", "Seamline MiB", "ffmpeg MiB", "ratio", "before MiB",
             "Seamline wall/CPU s", "ffmpeg wall/CPU s", "before wall/CPU s")]
    ours = {}
    for n in SWEEP:
        cuts = cut_list(n)
        project = tmp_path / f"cut{n}.otio"
        write_project(sources[:n], cuts, project)
        cmd, env = render_cmd(ROOT, project, tmp_path / f"seamline{n}.mp4")
        s_peak, s_wall, s_cpu = measured(cmd, env=env)
        f_peak, f_wall, f_cpu = measured(ffmpeg_cmd(sources, cuts, tmp_path / f"ffmpeg{n}.mp4"))
        m = "-"
        m_t = "-"
        if main_ok:
            cmd, env = render_cmd(main, project, tmp_path / f"main{n}.mp4")
            m_peak, m_wall, m_cpu = measured(cmd, env=env)
            m, m_t = f"{m_peak:.0f}", f"{m_wall:.1f} / {m_cpu:.1f}"
        ours[n] = s_peak
        rows.append((str(n), str(len(cuts)), f"{len(cuts) * PIECE / RATE:.0f}", f"{s_peak:.0f}", f"{f_peak:.0f}",
                     f"{s_peak / f_peak:.2f}x", m, f"{s_wall:.1f} / {s_cpu:.1f}", f"{f_wall:.1f} / {f_cpu:.1f}", m_t))
    table("Export peak memory (RSS high-water) by number of 1080p source files; goal <= 1.5x ffmpeg", rows)
    ns = sorted(ours)
    if len(ns) > 1:
        slope = (ours[ns[-1]] - ours[ns[0]]) / (ns[-1] - ns[0])
        print(f"Seamline growth: {slope:.1f} MiB per added source file ({ns[0]} -> {ns[-1]}); goal <= 25")


def test_export_peak_memory_with_a_long_song(work_dir):
    """The sound of a file is read in ranges: a 12 s cut over the middle of a 10-minute song costs what a 12 s
    cut costs (the previous design decoded the whole song into memory)."""
    main = baseline_checkout(work_dir / "baseline")
    sources = make_sources(4)
    song = make_song(10)
    cuts = cut_list(4)
    song_in = 5 * 60 * RATE  # from 5:00
    rows = [("timeline", "Seamline MiB", "ffmpeg MiB", "ratio", "before MiB")]
    for name, with_song in (("4 sources, 12 s", False), ("the same + 12 s from the middle of a 10-min song", True)):
        project = work_dir / f"song{with_song}.otio"
        write_project(sources, cuts, project, song if with_song else None, song_in)
        cmd, env = render_cmd(ROOT, project, work_dir / "seamline.mp4")
        s_peak = measured(cmd, env=env)[0]
        f_peak = measured(ffmpeg_cmd(sources, cuts, work_dir / "ffmpeg.mp4", song if with_song else None,
                                     song_in))[0]
        m = "-"
        if main is not None:
            cmd, env = render_cmd(main, project, work_dir / "main.mp4")
            m = f"{measured(cmd, env=env)[0]:.0f}"
        rows.append((name, f"{s_peak:.0f}", f"{f_peak:.0f}", f"{s_peak / f_peak:.2f}x", m))
    table("Export peak memory with a music bed from a long song (1080p)", rows)
