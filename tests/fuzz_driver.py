"""Runs fuzz jobs through the CLI entry point (`main.py render` / `main.py convert`), many files per process.

    python tests/fuzz_driver.py JOBS.jsonl WORKDIR

Prints `BEGIN id` before each file and `RESULT {json}` after it, so the parent (tests/fuzzing.py) can tell which file
a crash or hang belongs to. A render is capped at its first frames plus a few frames spread over the timeline
(compositor and mixer at each), so a valid but hour-long project does not read as a hang.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback

CAP_FRAMES = 4


def _capped_export(real):
    def export(project, out_path, *args, **kwargs):
        from editor.render.compositor import Compositor
        from editor.render.mixer import AudioMixer
        from editor.render.sources import MediaPool

        end = project.duration
        pool = MediaPool(project.settings.sample_rate, project.settings.channels)
        try:
            comp, mixer = Compositor(project, (64, 36), pool), AudioMixer(project, pool)
            for n in sorted({end // 3, end // 2, max(0, end - 1)}):
                comp.frame(n)
                mixer.mix(n, n + 2)
        finally:
            pool.close()
        kwargs["frame_range"] = (0, min(end, CAP_FRAMES)) if end else None
        return real(project, out_path, *args, **kwargs)
    return export


def main() -> int:
    jobs_file, workdir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from editor import cli
    from editor.render import exporter

    exporter.export = _capped_export(exporter.export)
    out = sys.stdout
    with open(jobs_file) as fh:
        jobs = [json.loads(line) for line in fh if line.strip()]
    for job in jobs:
        out.write(f"BEGIN {job['id']}\n")
        out.flush()
        if job["cmd"].startswith("selftest-"):  # the harness's own test: a crash, a hang, an escaped exception
            import signal
            import time

            if job["cmd"] == "selftest-crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            if job["cmd"] == "selftest-hang":
                time.sleep(3600)
            argv = None
        elif job["cmd"] == "render":
            argv = ["render", job["path"], "-o", os.path.join(workdir, "out.mp4")]
        else:
            target = ".otio" if job["path"].endswith(".seam") else ".seam"
            argv = ["convert", job["path"], os.path.join(workdir, "out" + target)]
        err = io.StringIO()
        tb = None
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                if argv is None:
                    raise RuntimeError("selftest: an exception that escapes the CLI")
                rc = cli.main(argv)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # noqa: BLE001 - an escaped exception is what the fuzzer looks for
            rc, tb = 1, traceback.format_exc()[-3000:]
        for name in ("out.mp4", "out.otio", "out.seam"):
            try:
                os.remove(os.path.join(workdir, name))
            except OSError:
                pass
        out.write("RESULT " + json.dumps({"id": job["id"], "rc": rc, "stderr": err.getvalue()[-3000:],
                                          "traceback": tb}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
