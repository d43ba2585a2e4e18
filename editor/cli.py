"""Command line: the editor by default; headless sub-commands for the core jobs and the AI tools."""
from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction

from editor import __version__

COMMANDS = ("probe", "render", "convert", "reframe", "fill-transition", "camera-move", "sfx", "captions", "story")


class ProgressBar:
    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.last = -1.0

    def __call__(self, fraction: float, stage: str = "") -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        done = int(width * max(0.0, min(1.0, fraction)))
        el = now - self.start
        eta = f" {el / fraction - el:5.1f}s left" if 0 < fraction < 1 else f" {el:5.1f}s"
        text = f"\r{self.label} [{'#' * done}{'.' * (width - done)}] {fraction * 100:5.1f}%{eta} {stage[:30]:30}"
        if self.stream.isatty() or fraction >= 1.0:
            self.stream.write(text)
            if fraction >= 1.0:
                self.stream.write("\n")
            self.stream.flush()


def _size(text: str | None):
    if not text:
        return None
    try:
        w, h = text.lower().split("x")
        w, h = int(w), int(h)
        if w <= 0 or h <= 0:
            raise ValueError
        return w, h
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x720, not {text!r}") from None


def _fps(text: str | None):
    if text is None:
        return None
    try:
        f = Fraction(text).limit_denominator(1001) if "/" in text else Fraction(str(float(text))).limit_denominator(
            1001)
        if f <= 0:
            raise ValueError
        return f
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError("frame rate must be a positive number like 30 or 30000/1001") from None


CLUSTER_HELP = ("run it on a Ray cluster (a machine with a bigger GPU): ADDRESS of its head, like gpu-box:6379; "
                "needs `pip install 'seamline[cluster]'`")


def _backends(sp, tool: str, default: str) -> None:
    """--backend choices (and what each is) from the one backend table (ai/catalog.py)."""
    from ai.catalog import tool as get_tool

    t = get_tool(tool)
    sp.add_argument("--backend", choices=t.choices(), default=default, help="; ".join(
        f"{b.name}: {b.title}" for b in t.backends if b.kind != "helper"))
    sp.add_argument("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seamline", description="Seamline video editor")
    sub = p.add_subparsers(dest="command", required=True)

    sp = sub.add_parser("probe", help="print what a media file holds, as JSON")
    sp.add_argument("file")

    formats = ".seam, .otio, .otioz, .edl (CMX 3600), .xml (FCP 7) or .kdenlive"
    sp = sub.add_parser("render", help=f"render a project or timeline ({formats}) to MP4")
    sp.add_argument("project")
    sp.add_argument("-o", "--output", required=True)
    sp.add_argument("--preset", choices=["1080p", "720p", "vertical", "square"], default=None,
                    help="output size (default: the project's own size)")
    sp.add_argument("--rate", type=_fps, default=None, help="frame rate of an EDL (EDLs hold none; default 24)")
    sp.add_argument("--subtitles", default=None, metavar="FILE", help="a subtitle file (.srt, .vtt, .ass) to show "
                    "with the video, as one more captions track")
    sp.add_argument("--subtitle-mode", choices=["burn", "soft"], default="burn",
                    help="burn the captions into the picture (default) or carry them as a subtitle stream")
    sp.add_argument("--fit", choices=["reframe", "crop", "letterbox", "blur"], default=None,
                    help="how pictures of another shape fill the preset's frame (default: as the project says)")
    sp.add_argument("--cluster", metavar="ADDRESS", default=None,
                    help="render segments on a Ray cluster's workers and join them (needs `pip install "
                         "'seamline[cluster]'`)")

    sp = sub.add_parser("convert", help=f"convert between {formats}")
    sp.add_argument("input")
    sp.add_argument("output")
    sp.add_argument("--rate", type=_fps, default=None, help="frame rate to read the input at (EDL: default 24)")

    sp = sub.add_parser("reframe", help="crop a video to another aspect ratio, following what matters")
    sp.add_argument("video")
    sp.add_argument("-o", "--output", required=True)
    sp.add_argument("--aspect", required=True, help="9:16, 1:1, 4:5 or 16:9")
    sp.add_argument("--mode", choices=["smart", "center"], default="smart")

    sp = sub.add_parser("fill-transition", help="generate the frames that carry A into B")
    sp.add_argument("a")
    sp.add_argument("b")
    sp.add_argument("-o", "--output", required=True, help="a video file, or a folder for numbered PNGs")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--frames", type=int, help="exactly N in-between frames, the i-th at t = i/(N+1)")
    g.add_argument("--duration", type=float, help="length in seconds (0.25-5, default 1)")
    _backends(sp, "fill-transition", "builtin")
    sp.add_argument("--fps", type=_fps, default=None, help="frame rate (default: A's, or 30)")
    sp.add_argument("--size", type=_size, default=None, help="WxH (default: A's size)")
    sp.add_argument("--prompt", default="", help="text for generative backends")
    sp.add_argument("--seed", type=int, default=0)

    sp = sub.add_parser("camera-move", help="make a clip with a camera move from a still or a video")
    sp.add_argument("source")
    sp.add_argument("-o", "--output", required=True, help="a video file, or a folder for numbered PNGs")
    sp.add_argument("--move", action="append", required=True, help="push-in, pull-out, pan-left, ... (twice to "
                                                                    "combine)")
    sp.add_argument("--duration", type=float, default=5.0)
    sp.add_argument("--intensity", type=float, default=0.5)
    sp.add_argument("--easing", default="ease-in-out", choices=["linear", "ease-in", "ease-out", "ease-in-out"])
    sp.add_argument("--size", type=_size, default=None)
    sp.add_argument("--fps", type=_fps, default=None)
    sp.add_argument("--focus", default=None, help="focus point as x,y in 0..1 of the picture (default 0.5,0.5)")
    sp.add_argument("--handheld", type=float, default=0.0, help="add a subtle handheld drift (0..1)")
    sp.add_argument("--fov", type=float, default=60.0, help="horizontal field of view in degrees")
    _backends(sp, "camera-move", "builtin")
    sp.add_argument("--prompt", default="")
    sp.add_argument("--seed", type=int, default=0)

    sp = sub.add_parser("sfx", help="layered stereo sound effects for a clip")
    sp.add_argument("clip")
    sp.add_argument("-o", "--output", required=True, help="folder for one WAV per layer plus a mixdown")
    sp.add_argument("--layers", default="ambience,foley,whoosh")
    sp.add_argument("--describe", default="")
    sp.add_argument("--preset", default=None)
    _backends(sp, "sfx", "builtin")
    sp.add_argument("--seed", type=int, default=0)

    sp = sub.add_parser("captions", help="captions from the speech in a video or sound file, as SRT or WebVTT")
    sp.add_argument("media")
    sp.add_argument("-o", "--output", required=True, help="OUT.srt or OUT.vtt")
    _backends(sp, "captions", "builtin")
    sp.add_argument("--language", default="en", help="language of the speech (en, zh, ja, ...; whisper: auto)")
    sp.add_argument("--model", default=None, help="whisper: model id (openai/whisper-small) or a local folder")

    from editor.actions.story_cli import add_story_parser

    add_story_parser(sub)
    return p


def gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seamline", description="Seamline video editor. With no arguments it opens "
                                "the editor. Sub-commands: " + ", ".join(COMMANDS) + " (seamline CMD --help).")
    p.add_argument("files", nargs="*", help="media to import and lay on the timeline, or a project to open")
    p.add_argument("--demo", nargs="?", const="", default=None, metavar="FOLDER",
                   help="build a demo project (in FOLDER, default a user data folder) and open it")
    p.add_argument("--version", action="version", version=f"Seamline {__version__}")
    return p


def _warn(msg: str) -> None:
    sys.stderr.write(f"seamline: warning: {msg}\n")


def _fail(msg: str) -> int:
    sys.stderr.write(f"seamline: error: {' '.join(str(msg).split())}\n")
    return 2


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        args = gui_parser().parse_args(argv)
        from editor.app import run_gui

        return run_gui(args.files, args.demo, usage=gui_parser().print_help)
    args = build_parser().parse_args(argv)
    from editor.errors import AnalysisCancelled, EditError, ExportCancelled, MediaError, ProjectError

    errors = (MediaError, ProjectError, EditError, ValueError, OSError)
    try:
        from ai.errors import AIError

        errors = errors + (AIError,)
    except ImportError:  # pragma: no cover
        pass
    if args.command in ("render", "reframe"):
        from editor.actions.slow_motion import install_fill_flow

        install_fill_flow()
    try:
        return _run_until_stopped(args)
    except KeyboardInterrupt:
        return _fail("cancelled")
    except (ExportCancelled, AnalysisCancelled):
        return _fail("cancelled")
    except errors as exc:
        return _fail(str(exc))


def _run_until_stopped(args) -> int:
    """_run, with SIGTERM/SIGINT/SIGHUP unwinding it like a cancel (editor/interrupt.py)."""
    from editor.interrupt import Stopped, received, stop_on_signals

    try:
        with stop_on_signals():
            return _run(args)
    except BaseException as exc:  # Stopped, or the cancel a signal caused where its own raise was lost
        stop = exc if isinstance(exc, Stopped) else received()
        if stop is None:
            raise
    sys.stderr.write(f"\nseamline: {args.command} {stop}; no partial output was left\n")
    return stop.exit_status


def _run(args) -> int:
    if args.command == "probe":
        from editor.media.probe import probe

        print(json.dumps(probe(args.file).to_json(), indent=2))
        return 0
    if args.command == "convert":
        from editor.project.interchange import convert

        for line in convert(args.input, args.output, args.rate):
            _warn(line)
        print(args.output)
        return 0
    if args.command == "render":
        from editor.project import load
        from editor.project.interchange import is_timeline
        from editor.render.exporter import export

        project = load(args.project, args.rate, on_warning=_warn)
        if args.subtitles:
            from editor.actions.words import import_subtitles
            from editor.project.subtitles import read_subtitles
            from editor.timeline.text_edits import add_captions_track

            cues = read_subtitles(args.subtitles)  # a bad file is a clear error before anything is rendered
            project = add_captions_track(project, track_id="cli-subtitles")
            project = import_subtitles(project, args.subtitles, track_id="cli-subtitles") if cues else project
        from editor.project.fileio import missing_media

        missing = missing_media(project)
        if missing and not is_timeline(args.project):  # an imported timeline has named them already
            sys.stderr.write("seamline: warning: offline media (shown as red frames): " +
                             ", ".join(a.path for a in missing) + "\n")
        from editor.media.stabilise import ensure_analysed

        ensure_analysed(project, ProgressBar("stabilise"))
        if args.fit is not None:
            from editor.actions.reframe import fit_project
            from editor.render.exporter import preset_size

            project = fit_project(project, preset_size(project, args.preset), args.fit, ProgressBar("analyse"))
        if args.cluster:  # segments on the cluster's workers, joined here
            from editor.actions.render_cluster import render_on_cluster

            out = render_on_cluster(project, args.output, args.cluster, preset=args.preset,
                                    progress=ProgressBar("render"), subtitles=args.subtitle_mode)
        else:
            from editor.interrupt import stop_requested

            out = export(project, args.output, preset=args.preset, progress=ProgressBar("render"),
                         subtitles=args.subtitle_mode, cancelled=stop_requested)
        print(out)
        return 0
    if args.command == "reframe":
        from editor.actions.reframe import reframe_video

        print(reframe_video(args.video, args.output, args.aspect, args.mode, ProgressBar("analyse"),
                            ProgressBar("render")))
        return 0
    if args.command == "fill-transition":
        from ai.transition.cli import run_fill_cli

        return run_fill_cli(args, ProgressBar("fill"))
    if args.command == "camera-move":
        from ai.camera.cli import run_camera_cli

        return run_camera_cli(args, ProgressBar("camera"))
    if args.command == "sfx":
        from ai.sound.cli import run_sfx_cli

        return run_sfx_cli(args, ProgressBar("sfx"))
    if args.command == "story":
        from editor.actions.story_cli import run_story_cli

        return run_story_cli(args, ProgressBar("story"), ProgressBar("render"))
    if args.command == "captions":
        from ai.captions.cli import run_captions_cli

        return run_captions_cli(args, ProgressBar("captions"))
    return 2
