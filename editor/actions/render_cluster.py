"""Long exports on a Ray cluster: the timeline split at GOP boundaries, each segment rendered by a worker with the
exporter's own `export(..., frame_range=(a, b))` (every segment starts a new closed GOP), the segments joined here
by remuxing (no re-encoding), and the sound mixed once, here, for the whole range.

The project travels as its .seam document and the media it uses as bytes (object refs): the workers need no shared
filesystem. Each segment's frames are the compositor's frames for that range, so the joined file holds exactly the
frames a local render holds, at the same timestamps (pixel for pixel when encoded losslessly, crf=0; with a lossy
crf the encoder quantises each segment on its own).
"""
from __future__ import annotations

import heapq
import math
import os
import shutil
import tempfile
import time
import uuid
from fractions import Fraction
from pathlib import Path

import numpy as np

GOP = 250  # frames per GOP (x264's default keyint): segments start on multiples of it
MIN_SEGMENTS_PER_WORKER = 1


def plan(total: int, workers: int, gop: int = GOP) -> list[tuple[int, int]]:
    """Frame ranges [a, b) covering 0..total, whole GOPs each, about one per worker."""
    if total <= 0:
        return []
    gops = math.ceil(total / gop)
    n = max(1, min(gops, workers * MIN_SEGMENTS_PER_WORKER))
    per = math.ceil(gops / n)
    return [(a, min(total, a + per * gop)) for a in range(0, total, per * gop)]


def _ship(project, ray) -> tuple[dict, dict]:
    """The project's .seam document and {asset id: (file suffix, object ref of its bytes)} for the media it uses."""
    from editor.project.schema import to_document

    doc = to_document(project, None)
    used = {c.asset_id for t in project.tracks for c in t.clips}
    media = {}
    for aid in used:
        asset = project.assets.get(aid)
        if asset is not None and not asset.offline and os.path.isfile(asset.path):
            media[aid] = (Path(asset.path).suffix, ray.put(Path(asset.path).read_bytes()))
    return doc, media


def render_segment(doc: dict, media: dict, a: int, b: int, preset, crf: int, speed: str, board, job: str,
                   subtitles: str = "burn") -> dict:
    """On a worker: the media written to a scratch folder, the project read back from its document, frames a..b
    exported there. Returns the segment's bytes and where it ran."""
    import socket

    import ray

    from editor.actions.slow_motion import install_fill_flow
    from editor.media.stabilise import ensure_analysed
    from editor.project.schema import from_document
    from editor.render.exporter import export

    node = {"host": socket.gethostname(), "ip": ray.util.get_node_ip_address(),
            "node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid()}
    board.post.remote(job, 0.0, "started", node)
    scratch = Path(tempfile.mkdtemp(prefix="seamline-render-"))
    try:
        doc = dict(doc)
        assets = []
        for asset in doc.get("assets", []):
            asset = dict(asset)
            if asset.get("id") in media:
                suffix, ref = media[asset["id"]]
                path = scratch / f"{asset['id']}{suffix}"
                path.write_bytes(ray.get(ref))
                asset["path"] = str(path)
            assets.append(asset)
        doc["assets"] = assets
        project = from_document(doc, scratch)
        install_fill_flow()  # slow motion's in-betweens, as a local render has them
        ensure_analysed(project)  # stabilised clips: their analysis, for this worker's copy of the media
        last = [0.0]

        def progress(f: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2:
                last[0] = now
                board.post.remote(job, float(f), "rendering")

        out = export(project, scratch / "segment.mp4", preset=preset, frame_range=(a, b), crf=crf, speed=speed,
                     progress=progress, subtitles="burn" if subtitles == "burn" else "none")
        return {"data": out.read_bytes(), "node": node}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def mix_audio(project, out: Path, start: int, end: int, loudness: float | None = None, cancelled=None) -> Path:
    """The timeline's sound for start..end, mixed once, as AAC in an .m4a: the exporter's chain (mixer, then the
    peak limiter or the loudness stage when a target is set, in the same one-second blocks and 1024-sample frames),
    so the sound equals a local render's."""
    import av

    from editor.render.mixer import AudioMixer, PeakLimiter
    from editor.render.sources import MediaPool

    s = project.settings
    layout = "stereo" if s.channels == 2 else "mono"
    pool = MediaPool(s.sample_rate, s.channels)
    chunk = max(1, int(s.rate))
    try:
        mixer = AudioMixer(project, pool)
        limiter = PeakLimiter(s.sample_rate)
        target = loudness if loudness is not None else s.loudness
        if target is not None:
            from editor.render.loudness import normaliser

            limiter = normaliser(mixer.mix, start, end, chunk, s.sample_rate, s.channels, target,
                                 cancelled=cancelled)
        with av.open(str(out), "w", format="mp4") as c:
            a = c.add_stream("aac", rate=s.sample_rate, layout=layout)
            fifo, pts = av.AudioFifo(), 0

            def put(block: np.ndarray) -> None:
                nonlocal pts
                af = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout=layout)
                af.sample_rate, af.pts = s.sample_rate, None
                fifo.write(af)
                for f in fifo.read_many(1024):
                    f.pts = pts
                    pts += f.samples
                    c.mux(a.encode(f))

            for n in range(start, end, chunk):
                if cancelled is not None and cancelled():
                    from editor.errors import ExportCancelled

                    raise ExportCancelled("export cancelled")
                put(limiter.process(mixer.mix(n, min(end, n + chunk))))
            held = limiter.flush() if hasattr(limiter, "flush") else []  # the loudness stage's look-ahead
            if len(held):
                put(held)  # (the encoder cuts its own 1024-sample frames: the packets are the exporter's)
            rest = fifo.read()
            if rest is not None:
                rest.pts = pts
                c.mux(a.encode(rest))
            c.mux(a.encode(None))
    finally:
        pool.close()
    return out


def join(segments: list[tuple[Path, int]], audio: Path | None, out: Path, rate: Fraction,
         soft_subtitles=None) -> Path:
    """Segments (file, first frame) and an audio file remuxed into one MP4, timestamps shifted, nothing
    re-encoded. Packets are interleaved by time."""
    import av

    inputs = [av.open(str(p)) for p, _ in segments]
    a_in = av.open(str(audio)) if audio is not None else None
    try:
        with av.open(str(out), "w", format="mp4") as o:
            v_out = o.add_stream_from_template(inputs[0].streams.video[0])
            a_out = o.add_stream_from_template(a_in.streams.audio[0]) if a_in is not None else None
            if soft_subtitles is not None:  # (project, start, end): a subtitle stream, as the exporter adds it
                from editor.render.subtitle_stream import add_soft_subtitles

                add_soft_subtitles(o, *soft_subtitles)

            def video():
                for c, (_, first) in zip(inputs, segments):
                    s = c.streams.video[0]
                    shift = int(Fraction(first) / Fraction(rate) / s.time_base)
                    for pkt in c.demux(s):
                        if pkt.dts is None:
                            continue
                        pkt.pts += shift
                        pkt.dts += shift
                        yield float(pkt.dts * s.time_base), 0, pkt

            def sound():
                if a_in is None:
                    return
                s = a_in.streams.audio[0]
                for pkt in a_in.demux(s):
                    if pkt.dts is not None:
                        yield float(pkt.dts * s.time_base), 1, pkt

            for _, kind, pkt in heapq.merge(video(), sound(), key=lambda x: (x[0], x[1])):
                pkt.stream = v_out if kind == 0 else a_out
                o.mux(pkt)
    finally:
        for c in inputs:
            c.close()
        if a_in is not None:
            a_in.close()
    return out


def render_on_cluster(project, out_path, address: str, preset: str | None = None, crf: int = 20,
                      speed: str = "veryfast", progress=None, cancelled=None, subtitles: str = "burn",
                      loudness: float | None = None) -> Path:
    """Export `project` to `out_path` with the cluster's workers rendering the segments. Like `export`, the file
    appears only when complete; a cancel or failure leaves nothing."""
    from ai.cluster import connect, from_remote
    from editor.errors import ExportCancelled, MediaError
    from editor.project.fileio import user_mode
    from editor.render import subtitle_stream

    if subtitles not in subtitle_stream.MODES:
        raise ValueError(f"subtitles are one of {', '.join(subtitle_stream.MODES)}")
    out_path = Path(out_path).resolve()
    if not out_path.parent.is_dir():
        raise MediaError(out_path, "the folder to export into does not exist")
    total = project.duration
    if total <= 0:
        raise MediaError(out_path, "the timeline is empty: nothing to export")
    cluster = connect(address)
    import ray

    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    ranges = plan(total, workers)
    doc, media = _ship(project, ray)
    task = ray.remote(render_segment)
    jobs = [uuid.uuid4().hex for _ in ranges]
    refs = [task.options(num_cpus=1, max_retries=0, name=f"seamline: render frames {a}-{b}").remote(
        doc, media, a, b, preset, crf, speed, cluster.board, job, subtitles) for (a, b), job in zip(ranges, jobs)]
    report = progress or (lambda f: None)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.stem}.", suffix=".segments", dir=out_path.parent))
    done = {job: 0.0 for job in jobs}
    nodes: dict[str, dict] = {}
    try:
        audio = mix_audio(project, tmp / "audio.m4a", 0, total, loudness, cancelled)  # like export: always sound
        pending = list(refs)
        while pending:
            finished, pending = ray.wait(pending, timeout=0.2)
            for job in jobs:
                for f, _, node in ray.get(cluster.board.take.remote(job)):
                    done[job] = max(done[job], f)
                    if node is not None:
                        nodes[job] = node
            report(0.95 * sum(done[j] * (b - a) for j, (a, b) in zip(jobs, ranges)) / total)
            if cancelled is not None and cancelled():
                for r in refs:
                    ray.cancel(r, force=True)
                raise ExportCancelled("export cancelled")
        segments = []
        for i, (ref, (a, b)) in enumerate(zip(refs, ranges)):
            try:
                result = ray.get(ref)
            except Exception as exc:
                raise from_remote(exc, f"render of frames {a}-{b}", address, "rendering", nodes.get(jobs[i])) \
                    from None
            path = tmp / f"segment-{i:04d}.mp4"
            path.write_bytes(result["data"])
            segments.append((path, a))
        report(0.97)
        joined = join(segments, audio, tmp / "joined.mp4", project.settings.rate,
                      (project, 0, total) if subtitles == "soft" else None)
        os.chmod(joined, user_mode())
        os.replace(joined, out_path)
        if subtitles == "sidecar":
            subtitle_stream.write_sidecar(project, out_path, 0, total)
    except BaseException:
        for r in refs:
            ray.cancel(r, force=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(1.0)
    return out_path

