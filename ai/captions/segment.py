"""Words with times -> caption cues: a new cue at every pause, and whenever the words would no longer fit two lines
of 42 columns (or run past 7 s); each cue shows from its first word to its last (a little longer when it would flash
by), never overlapping the next, never before the speech."""
from __future__ import annotations

from editor.timeline.cues import Cue, fits, joiner

PAUSE = 0.5  # seconds of silence between words that start a new cue
MAX_SECONDS = 7.0
MIN_SECONDS = 0.8


def cues_from_words(words, max_chars: int = 42, max_lines: int = 2, pause: float = PAUSE,
                    region_ends: list[float] | None = None, duration: float | None = None) -> list[Cue]:
    """`region_ends`: ends of voice-activity regions (a cue never runs across one)."""
    groups: list[list] = []
    ends = sorted(region_ends or [])
    for w in words:
        if groups:
            cur = groups[-1]
            text = _text(cur + [w])
            crosses = any(cur[-1].end <= e < w.start + 1e-6 for e in ends)
            if (w.start - cur[-1].end >= pause or crosses or not fits(text, max_chars, max_lines)
                    or w.end - cur[0].start > MAX_SECONDS):
                groups.append([w])
                continue
            cur.append(w)
        else:
            groups.append([w])
    cues = []
    for i, g in enumerate(groups):
        start, end = g[0].start, g[-1].end
        nxt = groups[i + 1][0].start if i + 1 < len(groups) else (duration if duration is not None else end + 2)
        end = min(max(end, start + MIN_SECONDS), nxt)
        if duration is not None:
            end = min(end, duration)
        if end > start:
            cues.append(Cue(round(start, 3), round(end, 3), _text(g)))
    return cues


def _text(words) -> str:
    out = ""
    for w in words:
        t = w.text.strip()
        out = out + joiner(out, t) + t if out else t
    return out
