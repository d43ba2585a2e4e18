"""Caption cues as plain data: line breaking by display width, and how a captions track follows a ripple.

A cue is a clip on a captions track (no media, `text` set). Pure Python: the renderer, the subtitle files, the
captions tool and the edits all use these.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from editor.timeline.model import Track, evolve

MAX_CHARS = 42
MAX_LINES = 2


def width(text: str) -> int:
    """Display columns of a text: East Asian wide and full-width characters count two (a 42-column line holds 21
    Chinese characters), combining marks none."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def tokens(text: str) -> list[str]:
    """Pieces a line may break between: words (with their trailing space) and single CJK characters."""
    out: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        if _WIDE.search(word):
            buf = ""
            for ch in word:
                if _WIDE.match(ch):
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(ch)
                elif ch in "，。、！？；：」』）,.!?;:)" and out and not buf:
                    out[-1] += ch  # punctuation stays with the character before it
                else:
                    buf += ch
            if buf:
                out.append(buf)
        else:
            out.append(word)
    return out


def _greedy(toks: list[str], max_chars: int) -> list[str]:
    lines, cur = [], ""
    for t in toks:
        if cur and width((cur + t).rstrip()) > max_chars:
            lines.append(cur.rstrip())
            cur = ""
        cur += t
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def wrap(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Break text into lines of at most max_chars columns (a longer single word stands alone); explicit line
    breaks are kept. Two-line results are balanced (the break nearest the middle that fits), as subtitles are."""
    out: list[str] = []
    for para in text.replace("\r\n", "\n").split("\n"):
        toks = tokens(para.strip())
        if not toks:
            continue
        lines = _greedy(toks, max_chars)
        if len(lines) == 2:
            best = None
            for i in range(1, len(toks)):
                a, b = "".join(toks[:i]).rstrip(), "".join(toks[i:]).rstrip()
                if width(a) <= max_chars and width(b) <= max_chars:
                    score = abs(width(a) - width(b)) - (3 if a.endswith((",", ".", "，", "。")) else 0)
                    if best is None or score < best[0]:
                        best = (score, [a, b])
            if best is not None:
                lines = best[1]
        out += lines
    return out


def fits(text: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> bool:
    return len(wrap(text, max_chars)) <= max_lines


def joiner(a: str, b: str) -> str:
    """How two pieces of text join: a space between words, nothing between CJK characters."""
    if not a or not b:
        return ""
    if _WIDE.match(a[-1]) or _WIDE.match(b[0]):
        return ""
    return " "


def follow_ripple(track: Track, frame: int, delta: int) -> Track:
    """A captions track when time opens (delta > 0) or closes (delta < 0) at `frame` on the picture: cues after the
    point move with what they caption; closing, cues said inside the removed time go with it (a cue only partly
    inside keeps the part that stays)."""
    if not delta or not track.clips:
        return track
    out = []
    if delta > 0:
        out = [evolve(c, start=c.start + delta) if c.start >= frame else c for c in track.clips]
    else:
        lo, hi = frame + delta, frame
        for c in track.clips:
            if c.end <= lo:
                out.append(c)
            elif c.start >= hi:
                out.append(evolve(c, start=c.start + delta))
            else:
                kept = max(0, lo - c.start) + max(0, c.end - hi)
                gone = min(c.end, hi) - max(c.start, lo)
                if kept >= max(1, gone):
                    out.append(evolve(c, start=min(c.start, lo), duration=kept))
    return evolve(track, clips=tuple(sorted(out, key=lambda c: c.start)))


class Cue(NamedTuple):
    """A caption at the edges (files, speech recognition): seconds from the start, and its words."""
    start: float
    end: float
    text: str


def cues_to_frames(cues, rate, offset: int = 0) -> list[tuple[int, int, str]]:
    """(start frame, end frame, text) at a frame rate; every cue at least one frame long."""
    out = []
    for c in cues:
        a = offset + int(round(c.start * rate))
        b = max(a + 1, offset + int(round(c.end * rate)))
        out.append((a, b, c.text))
    return out


def track_cues(track: Track, rate, start: int = 0, end: int | None = None) -> list[Cue]:
    """The cues of a captions track in seconds, from `start` (a frame: time 0 of an export) up to `end`."""
    out = []
    for c in track.clips:
        if c.text is None or c.end <= start or (end is not None and c.start >= end):
            continue
        a = max(c.start, start) - start
        b = (c.end if end is None else min(c.end, end)) - start
        out.append(Cue(float(a / rate), float(b / rate), c.text))
    return out
