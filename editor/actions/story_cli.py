"""`main.py story MEDIA... -o OUT.mp4 [--music SONG] [--title TEXT] [--aspect 16:9|9:16|1:1]
[--seconds-per-photo S] [--look gentle|lively] [--save PROJECT.seam]`: the photo story, built and rendered headless."""
from __future__ import annotations

import sys
from pathlib import Path


def add_story_parser(sub) -> None:
    sp = sub.add_parser("story", help="a photo story: photos and clips cut to a song, with camera moves and a title")
    sp.add_argument("media", nargs="+", help="photos and clips (capture-time order where the photos are dated)")
    sp.add_argument("-o", "--output", required=True, help="the video to write (.mp4)")
    sp.add_argument("--music", default=None, help="a song: cuts land on its beats, it ducks under speech")
    sp.add_argument("--title", default="", help="a title over the first seconds")
    sp.add_argument("--aspect", choices=["16:9", "9:16", "1:1"], default="16:9")
    sp.add_argument("--seconds-per-photo", type=float, default=3.5, help="the pace (1-20 s; default 3.5)")
    sp.add_argument("--look", choices=["gentle", "lively"], default="gentle",
                    help="gentle: dissolves on the bar; lively: quicker moves and fills on the beat")
    sp.add_argument("--save", default=None, metavar="PROJECT.seam", help="also save the editable project")


def run_story_cli(args, bar, render_bar) -> int:
    from ai.jobs import CancelToken, default_generated_dir
    from editor.actions.story import StoryOptions, build_story
    from editor.errors import MediaError
    from editor.render.exporter import export

    out = Path(args.output)
    if not out.resolve().parent.is_dir():
        raise MediaError(out, "the folder to write into does not exist")
    if args.save and not Path(args.save).resolve().parent.is_dir():
        raise MediaError(Path(args.save), "the folder to save the project into does not exist")
    opts = StoryOptions(title=args.title, aspect=args.aspect, seconds_per_photo=args.seconds_per_photo,
                        look=args.look, music=args.music)
    token = CancelToken()
    try:
        project = build_story(args.media, opts, default_generated_dir(), bar, token)
        if args.save:
            from editor.project import save

            save(project, args.save)
        export(project, out, preset=None, progress=render_bar)
    except KeyboardInterrupt:
        token.cancel()
        raise
    for note in opts.notes:
        sys.stderr.write(f"seamline: note: {note}\n")
    if args.save:
        print(args.save)
    print(out)
    return 0
