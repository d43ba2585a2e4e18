"""Title templates and caption style presets: data files in resources/ (resources/titles/*.json,
resources/caption_styles.json), read into model objects. No Qt."""
from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from editor.errors import ProjectError
from editor.resources import resource
from editor.timeline.model import CaptionStyle, Title

DEFAULT_SECONDS = 4.0


@dataclass(frozen=True)
class Template:
    key: str  # file name without .json
    name: str
    description: str
    seconds: float
    anim_in_s: float
    anim_out_s: float
    fields: dict  # Title fields

    def title(self, rate: Fraction, **changes) -> Title:
        """The template's Title at a frame rate (animation lengths in frames), with changes (text ...)."""
        fields = {**self.fields, "template": self.key, "anim_in_frames": round(self.anim_in_s * float(rate)),
                  "anim_out_frames": round(self.anim_out_s * float(rate)), **changes}
        return Title.model_validate(fields)

    def frames(self, rate: Fraction) -> int:
        return max(1, round(self.seconds * float(rate)))


def _folder() -> Path:
    p = resource("caption_styles.json")
    if p is None:
        raise ProjectError("Seamline's resources folder is missing (title templates); reinstall Seamline")
    return p.parent


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    out = []
    for path in sorted((_folder() / "titles").glob("*.json")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            t = Template(key=path.stem, name=d["name"], description=d.get("description", ""),
                         seconds=float(d.get("seconds", DEFAULT_SECONDS)), anim_in_s=float(d.get("anim_in_s", 0.5)),
                         anim_out_s=float(d.get("anim_out_s", 0.5)), fields=dict(d["title"]))
            t.title(Fraction(30))  # checked now: a broken template names itself
        except (OSError, ValueError, KeyError) as exc:
            raise ProjectError(f"title template {path.name} is broken: {exc}") from None
        out.append((d.get("order", 99), t))
    return tuple(t for _, t in sorted(out, key=lambda x: (x[0], x[1].key)))


def template(key: str) -> Template:
    for t in templates():
        if t.key == key:
            return t
    raise ProjectError(f"no title template {key!r}; there are {', '.join(t.key for t in templates())}")


@lru_cache(maxsize=1)
def caption_presets() -> dict[str, tuple[str, CaptionStyle]]:
    """preset key -> (name shown to people, style)."""
    d = json.loads((_folder() / "caption_styles.json").read_text(encoding="utf-8"))
    return {k: (v["name"], CaptionStyle.model_validate(v["style"])) for k, v in d.items()}


def caption_preset(key: str) -> CaptionStyle:
    presets = caption_presets()
    if key not in presets:
        raise ProjectError(f"no caption style {key!r}; there are {', '.join(presets)}")
    return presets[key][1]
