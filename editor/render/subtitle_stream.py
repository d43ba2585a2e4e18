"""Captions in an export, other than burnt into the picture: a soft subtitle stream (mov_text, the timed text MP4
players read and can switch off) or a side-car subtitle file beside the video.

The exporter calls `add_soft_subtitles(container, project, start, end)` once, after its other streams and before the
first frame is muxed, and `write_sidecar(project, out_path, start, end)` after the video is in place.
"""
from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

from editor.timeline.cues import Cue, track_cues
from editor.timeline.model import Project

MODES = ("burn", "soft", "sidecar", "none")
TIME_BASE = Fraction(1, 1000)

# The mov_text encoder needs an ASS header to open; the muxer then writes its sample description (font, colours).
_ASS_HEADER = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
    "MarginV, Encoding\nStyle: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")


def project_cues(project: Project, start: int = 0, end: int | None = None) -> list[Cue]:
    """Every cue of the unmuted captions tracks inside [start, end), in seconds from `start`; where two overlap
    (two tracks) the earlier one ends when the later one starts (a subtitle stream shows one at a time)."""
    rate = project.settings.rate
    cues = sorted((c for t in project.captions_tracks() if not t.mute for c in track_cues(t, rate, start, end)),
                  key=lambda c: (c.start, c.end))
    out = []
    for i, c in enumerate(cues):
        e = min(c.end, cues[i + 1].start) if i + 1 < len(cues) and cues[i + 1].start > c.start else c.end
        if e > c.start:
            out.append(Cue(c.start, e, c.text))
    return out


def sample(text: str) -> bytes:
    """A 3GPP timed-text sample: the UTF-8 text after its 16-bit big-endian length."""
    data = text.encode("utf-8")[:65535]
    return struct.pack(">H", len(data)) + data


def add_soft_subtitles(container, project: Project, start: int = 0, end: int | None = None,
                       language: str = "und"):
    """A mov_text stream with the project's cues (nothing when there are none). Returns the stream or None."""
    import av

    cues = project_cues(project, start, end)
    if not cues:
        return None
    stream = container.add_stream("mov_text")
    stream.codec_context.subtitle_header = _ASS_HEADER.encode()
    stream.time_base = TIME_BASE
    if language:
        stream.metadata["language"] = language
    for c in cues:
        a, b = int(round(c.start * 1000)), int(round(c.end * 1000))
        if b <= a:
            continue
        pkt = av.Packet(sample(c.text))
        pkt.pts = pkt.dts = a
        pkt.duration = b - a
        pkt.time_base = TIME_BASE
        pkt.stream = stream
        container.mux(pkt)
    return stream


def write_sidecar(project: Project, out_path, start: int = 0, end: int | None = None) -> Path | None:
    """OUT.srt beside OUT.mp4 with the project's cues (None when there are none)."""
    from editor.project.subtitles import write_subtitles

    cues = project_cues(project, start, end)
    if not cues:
        return None
    return write_subtitles(cues, Path(out_path).with_suffix(".srt"))
