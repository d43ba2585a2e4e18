"""Subtitle files: read SRT, WebVTT and ASS/SSA (pysubs2), write SRT and WebVTT (atomically).

Cues are `editor.timeline.cues.Cue` (seconds, text). ASS styling and override tags are dropped on import (the
captions track has one style for every cue); line breaks are kept.
"""
from __future__ import annotations

from pathlib import Path

from editor.errors import ProjectError
from editor.timeline.cues import MAX_CHARS, Cue, wrap

READ = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}
WRITE = {".srt": "srt", ".vtt": "vtt"}
MAX_BYTES = 20 << 20


def read_subtitles(path) -> list[Cue]:
    """Cues of a subtitle file, in time order; ProjectError with a line a person can act on."""
    import pysubs2

    path = Path(path)
    fmt = READ.get(path.suffix.lower())
    if fmt is None:
        raise ProjectError(f"{path.name}: subtitles are read from {', '.join(READ)} files")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ProjectError(f"{path.name}: too big for a subtitle file (over {MAX_BYTES >> 20} MB)")
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    text = None
    for enc in ("utf-8-sig", "utf-16", "gb18030", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ProjectError(f"{path.name}: the text encoding is not one Seamline reads; save it as UTF-8")
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several kinds for a broken file
        raise ProjectError(f"{path.name}: not a valid {fmt.upper()} file ({exc})") from None
    out = []
    for e in subs:
        if e.is_comment or e.end <= e.start:
            continue
        words = "\n".join(x.strip() for x in e.plaintext.splitlines() if x.strip())
        if words:
            out.append(Cue(max(0, e.start) / 1000.0, e.end / 1000.0, words))
    if not out:
        raise ProjectError(f"{path.name}: no cues in it")
    return sorted(out, key=lambda c: (c.start, c.end))


def subtitles_text(cues, fmt: str, max_chars: int = MAX_CHARS) -> str:
    """SRT/WebVTT text; each cue's words broken into lines of at most max_chars columns."""
    import pysubs2

    subs = pysubs2.SSAFile()
    for c in cues:
        lines = wrap(c.text, max_chars) or [c.text]
        subs.append(pysubs2.SSAEvent(start=int(round(c.start * 1000)), end=int(round(c.end * 1000)),
                                     text="\\N".join(lines)))
    return subs.to_string(fmt)


def write_subtitles(cues, path, max_chars: int = MAX_CHARS) -> Path:
    """Write cues as SRT or WebVTT (by the extension), atomically."""
    from editor.project.fileio import atomic_write

    path = Path(path)
    fmt = WRITE.get(path.suffix.lower())
    if fmt is None:
        raise ProjectError(f"{path.name}: subtitles are written as {' or '.join(WRITE)}")
    if not path.parent.is_dir():
        raise ProjectError(f"{path.parent}: the folder does not exist")
    try:
        atomic_write(path, subtitles_text(cues, fmt, max_chars).encode("utf-8"))
    except OSError as exc:
        raise ProjectError(f"{path}: cannot write it ({exc.strerror or exc})") from None
    return path
