"""The AI settings file (`~/.config/seamline/models.json`): per-backend model settings, compute, cache size.

    {"ltx": {"model": "/path/or/hub-id", "device": "cuda", "offload": "model", "steps": 8, "size": [768, 512]},
     "compute": {"mode": "ray", "address": "gpu-box:6379"},
     "cache": {"limit_gb": 20}}

Every value is checked when the file is read: anything wrong becomes one line naming the file and the problem
(SettingsError), never a traceback, and nothing is loaded half-way.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ai.errors import AIError

DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "float32", "float16", "bfloat16")
OFFLOADS = ("none", "model", "group")
COMPUTE_MODES = ("local", "ray")
DEFAULT_CACHE_GB = 20.0
EXTRA = {"rife": ("scale",)}  # settings a backend reads beyond ModelSettings (RIFE's working scale)


LISTENERS: list = []  # called with the names of the sections a save changed


class SettingsError(AIError):
    """The settings file holds something Seamline cannot use; the message names the file and the value."""


@dataclass
class ModelSettings:
    model: str  # model id (in the local Hugging Face cache) or a local folder
    device: str = "auto"  # auto | cuda | mps | cpu
    dtype: str = "auto"  # auto | float32 | float16 | bfloat16
    offload: str = "none"  # none | model | group
    vae_tiling: bool = True
    steps: int | None = None  # inference steps (None: the backend's default)
    size: tuple[int, int] | None = None  # generation size (None: the backend's default)
    adapter: str | None = None  # AnimateDiff: the motion adapter (model id or folder) added to a base model

    def as_dict(self) -> dict:
        d = asdict(self)
        d["size"] = list(self.size) if self.size else None
        return d


def settings_path() -> Path:
    base = os.environ.get("SEAMLINE_CONFIG") or os.path.join(
        os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "seamline")
    return Path(base) / "models.json"


def _check_backend(name: str, value, bad) -> dict:
    if not isinstance(value, dict):
        bad(f'"{name}" must be an object like {{"model": "...", "device": "cuda"}}, not {type(value).__name__}')
    known = {f.name for f in fields(ModelSettings)} | set(EXTRA.get(name, ()))
    out = {}
    for k, v in value.items():
        where = f'"{name}.{k}"'
        if k not in known:
            bad(f"{where} is not a setting (use {', '.join(sorted(known))})")
        if k == "scale" and not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0.1 <= v <= 4):
            bad(f"{where} must be a number from 0.1 to 4")
        if k in ("model", "adapter"):
            if not (isinstance(v, str) and v.strip()) and not (k == "adapter" and v is None):
                bad(f"{where} must be a model id or a folder path")
        elif k == "device" and v not in DEVICES:
            bad(f"{where} must be one of {', '.join(DEVICES)}, not {v!r}")
        elif k == "dtype" and v not in DTYPES:
            bad(f"{where} must be one of {', '.join(DTYPES)}, not {v!r}")
        elif k == "offload" and v not in OFFLOADS:
            bad(f"{where} must be one of {', '.join(OFFLOADS)}, not {v!r}")
        elif k == "vae_tiling" and not isinstance(v, bool):
            bad(f"{where} must be true or false")
        elif k == "steps" and v is not None and not (type(v) is int and 1 <= v <= 1000):
            bad(f"{where} must be a whole number from 1 to 1000")
        elif k == "size" and v is not None:
            if not (isinstance(v, list) and len(v) == 2 and all(type(x) is int and 16 <= x <= 8192 for x in v)):
                bad(f"{where} must be [width, height] in pixels, 16 to 8192 each")
            v = tuple(v)
        out[k] = v
    return out


def _check(data, path: Path) -> dict:
    def bad(problem: str):
        raise SettingsError(f"{path}: {problem}; fix it or delete the file")

    if not isinstance(data, dict):
        bad(f"the file must hold a JSON object, not {type(data).__name__}")
    from ai.catalog import generative_keys

    keys = generative_keys()
    out: dict = {}
    for name, value in data.items():
        if name == "compute":
            if not isinstance(value, dict) or set(value) - {"mode", "address"}:
                bad('"compute" must be {"mode": "local" or "ray", "address": "host:port"}')
            if value.get("mode", "local") not in COMPUTE_MODES:
                bad(f'"compute.mode" must be one of {", ".join(COMPUTE_MODES)}')
            if not isinstance(value.get("address", ""), str):
                bad('"compute.address" must be text like "gpu-box:6379"')
            out[name] = dict(value)
        elif name == "cache":
            limit = value.get("limit_gb") if isinstance(value, dict) else None
            if not isinstance(value, dict) or set(value) - {"limit_gb"} or not (
                    isinstance(limit, (int, float)) and not isinstance(limit, bool) and 0.1 <= limit <= 100000):
                bad('"cache" must be {"limit_gb": N} with N from 0.1 to 100000')
            out[name] = {"limit_gb": float(limit)}
        elif name in keys:
            out[name] = _check_backend(name, value, bad)
        else:
            bad(f'"{name}" is not a backend or section (backends: {", ".join(keys)}; sections: compute, cache)')
    return out


def load_user_settings() -> dict:
    """The settings file, checked; {} when there is none. Raises SettingsError when it is damaged."""
    p = settings_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{p}: cannot be read ({exc}); fix it or delete the file") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"{p}: not valid JSON ({exc}); fix it or delete the file") from None
    return _check(data, p)


def save_user_settings(data: dict) -> None:
    """Check and write the settings (atomically); loaded pipelines whose settings changed are released."""
    p = settings_path()
    clean = _check(json.loads(json.dumps(data)), p)
    try:
        old = load_user_settings()
    except SettingsError:
        old = {}
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    changed = [k for k in set(old) | set(clean) if old.get(k) != clean.get(k)]
    if changed:
        for listener in LISTENERS:  # ai.models releases the pipelines loaded with the old settings
            listener(changed)


def update_user_settings(section: str, values: dict | None) -> None:
    """Replace one section (a backend's settings, "compute" or "cache"); None removes it."""
    try:
        data = load_user_settings()
    except SettingsError:  # damaged: kept beside it for the user, and a good file written
        p = settings_path()
        os.replace(p, p.with_name(f"{p.name}.damaged-{int(time.time())}"))
        data = {}
    data = {k: (v.as_dict() if isinstance(v, ModelSettings) else v) for k, v in data.items()}
    for k, v in data.items():
        if isinstance(v, dict) and isinstance(v.get("size"), tuple):
            v["size"] = list(v["size"])
    if values is None:
        data.pop(section, None)
    else:
        data[section] = values
    save_user_settings(data)


def _bad_override(problem: str):
    raise AIError(f"model settings: {problem}")


def settings_for(key: str, overrides: dict | None = None) -> ModelSettings:
    """A backend's settings: its defaults, then models.json, then SEAMLINE_MODEL_<KEY>, then `overrides`."""
    from ai.catalog import ADAPTER, by_key

    _, backend = by_key(key)
    merged = {"model": backend.model, **({"adapter": ADAPTER} if key == "animatediff" else {}),
              **load_user_settings().get(key, {})}
    env = os.environ.get(f"SEAMLINE_MODEL_{key.upper().replace('-', '_')}")
    if env:
        merged["model"] = env
    over = dict(overrides or {})
    if over:
        over = _check_backend(key, over, _bad_override)
    merged.update(over)
    if merged.get("size") is not None:
        merged["size"] = tuple(merged["size"])
    return ModelSettings(**{k: v for k, v in merged.items() if k in ModelSettings.__dataclass_fields__})


def compute() -> dict:
    """{"mode": "local" | "ray", "address": str} (the UI's choice; the CLI uses --cluster)."""
    c = load_user_settings().get("compute", {})
    return {"mode": c.get("mode", "local"), "address": c.get("address", "")}


def cache_limit_bytes() -> int:
    env = os.environ.get("SEAMLINE_AI_CACHE_GB")
    if env:
        try:
            return int(float(env) * 1e9)
        except ValueError:
            raise SettingsError(f"SEAMLINE_AI_CACHE_GB must be a number of gigabytes, not {env!r}") from None
    return int(load_user_settings().get("cache", {}).get("limit_gb", DEFAULT_CACHE_GB) * 1e9)
