"""Model registry and loading for the generative backends.

torch, diffusers and transformers are imported only here, and only when a generative backend runs. Weights load
from local files only (a model id already in the Hugging Face cache, or a local folder); nothing is fetched unless
the user asks for a download. Pipelines load with use_safetensors=True and never trust remote code.
"""
from __future__ import annotations

import importlib.util
import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ai.errors import MissingPackage, ModelNotAvailable, NoGPU, OutOfMemory


@dataclass(frozen=True)
class BackendInfo:
    name: str
    tool: str
    title: str
    pipeline: str  # diffusers class name (or "depth-estimation" for transformers)
    model: str  # default model id
    download_gb: float
    vram_gb: float  # with the default offload; published figures, not measured here
    packages: tuple[str, ...] = ("torch", "diffusers", "transformers", "accelerate")
    cpu_minutes_per_second: float = 120.0  # rough CPU estimate shown to users without a GPU
    lora: tuple[str, ...] = ()


REGISTRY: dict[str, BackendInfo] = {b.name: b for b in [
    BackendInfo("wan", "fill-transition", "Wan2.1 first/last frame (FLF2V 14B)", "WanImageToVideoPipeline",
                "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", 75.0, 24.0, ("torch", "diffusers", "transformers",
                                                                          "accelerate", "ftfy"), 600.0),
    BackendInfo("ltx", "fill-transition", "LTX-Video 0.9.7 distilled keyframes", "LTXConditionPipeline",
                "Lightricks/LTX-Video-0.9.7-distilled", 28.0, 10.0, cpu_minutes_per_second=90.0),
    BackendInfo("wan-i2v", "camera-move", "Wan2.1 image-to-video 480P", "WanImageToVideoPipeline",
                "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", 75.0, 20.0, ("torch", "diffusers", "transformers",
                                                                       "accelerate", "ftfy"), 400.0),
    BackendInfo("ltx-i2v", "camera-move", "LTX-Video image-to-video", "LTXImageToVideoPipeline",
                "Lightricks/LTX-Video-0.9.7-distilled", 28.0, 10.0, cpu_minutes_per_second=90.0),
    BackendInfo("animatediff", "camera-move", "AnimateDiff + motion LoRAs (text-to-video)", "AnimateDiffPipeline",
                "emilianJR/epiCRealism", 6.0, 8.0, ("torch", "diffusers", "transformers",
                                                                         "accelerate", "peft"), 30.0,
                lora=("zoom-in", "zoom-out", "pan-left", "pan-right", "tilt-up", "tilt-down",
                      "rolling-clockwise", "rolling-anticlockwise")),
    BackendInfo("depth", "camera-move", "Depth Anything V2 Small (depth for 2.5D moves)", "depth-estimation",
                "depth-anything/Depth-Anything-V2-Small-hf", 0.1, 0.5, ("torch", "transformers"), 0.02),
    BackendInfo("stable-audio", "sfx", "Stable Audio Open 1.0", "StableAudioPipeline",
                "stabilityai/stable-audio-open-1.0", 5.0, 8.0, ("torch", "diffusers", "transformers", "accelerate",
                                                                 "torchsde"), 3.0),
    BackendInfo("audioldm2", "sfx", "AudioLDM2", "AudioLDM2Pipeline", "cvssp/audioldm2", 3.5, 6.0,
                cpu_minutes_per_second=2.0),
]}


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


def settings_path() -> Path:
    base = os.environ.get("SEAMLINE_CONFIG") or os.path.join(
        os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "seamline")
    return Path(base) / "models.json"


def load_user_settings() -> dict:
    p = settings_path()
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return {}


def save_user_settings(data: dict) -> None:
    p = settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, p)


def settings_for(backend: str, overrides: dict | None = None) -> ModelSettings:
    info = REGISTRY[backend]
    merged = {"model": info.model, **({"adapter": "guoyww/animatediff-motion-adapter-v1-5-2"}
                                      if backend == "animatediff" else {}),
              **load_user_settings().get(backend, {}), **(overrides or {})}
    env = os.environ.get(f"SEAMLINE_MODEL_{backend.upper().replace('-', '_')}")
    if env and not (overrides or {}).get("model"):
        merged["model"] = env
    if merged.get("size") is not None:
        merged["size"] = tuple(merged["size"])
    return ModelSettings(**{k: v for k, v in merged.items() if k in ModelSettings.__dataclass_fields__})


def missing_packages(backend: str) -> list[str]:
    return [p for p in REGISTRY[backend].packages if importlib.util.find_spec(p) is None]


def weights_present(backend: str, settings: ModelSettings | None = None) -> bool:
    s = settings or settings_for(backend)
    if Path(s.model).is_dir():
        return (Path(s.model) / "model_index.json").is_file() or (Path(s.model) / "config.json").is_file()
    if s.model.startswith(("/", ".", "~")) or os.sep in s.model.replace("/", "", 1) or s.model.count("/") != 1:
        return False  # a folder that does not exist (not a hub id)
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    name = "config.json" if REGISTRY[backend].pipeline == "depth-estimation" else "model_index.json"
    try:
        found = try_to_load_from_cache(s.model, name)
    except ValueError:  # not a valid hub id
        return False
    return isinstance(found, str)


def configured_backends(tool: str) -> list[str]:
    """Generative backends of a tool whose packages and weights are on this machine."""
    return [b.name for b in REGISTRY.values() if b.tool == tool and b.name != "depth"
            and not missing_packages(b.name) and weights_present(b.name)]


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


def _how_to_get_ai() -> str:
    from editor.resources import frozen

    if frozen():
        return ("this Seamline bundle was built without the AI packages (the `ai` extra); install Seamline from "
                "source with `bash packaging/setup.sh --ai`, or build the full bundle with "
                "`bash packaging/build.sh --full`")
    return "install them with `pip install 'seamline[ai]'` (or `bash packaging/setup.sh --ai`)"


def require(backend: str, settings: ModelSettings, seconds_of_output: float = 1.0) -> None:
    """Raise the error a user can act on before anything heavy is loaded."""
    info = REGISTRY[backend]
    missing = missing_packages(backend)
    if missing:
        raise MissingPackage(f"{info.title} needs the Python package(s) {', '.join(missing)}: {_how_to_get_ai()}, "
                             f"or use the built-in backend")
    if not weights_present(backend, settings):
        raise ModelNotAvailable(
            f"{info.title}: the weights ({settings.model}, about {info.download_gb:g} GB) are not on this machine. "
            f"Download them in AI > Models (or `huggingface-cli download {info.model}`), point the model setting "
            f"at a local folder, or use the built-in backend")
    if settings.device == "auto":
        import torch

        if not torch.cuda.is_available() and not (getattr(torch.backends, "mps", None) is not None
                                                   and torch.backends.mps.is_available()):
            est = info.cpu_minutes_per_second * max(seconds_of_output, 0.1)
            raise NoGPU(f"{info.title} needs a GPU (about {info.vram_gb:g} GB); none was found. On this CPU it "
                        f"would take roughly {est:.0f} minutes. Use the built-in backend, or set the device to "
                        f"'cpu' in AI > Models to run it anyway")


_CACHE: dict = {}
_LOCK = threading.Lock()


def load_pipeline(backend: str, settings: ModelSettings):
    """Load (once) and return a diffusers pipeline for a backend, placed on its device with its offload mode."""
    key = (backend, settings.model, settings.device, settings.dtype, settings.offload, settings.vae_tiling)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        import diffusers

        info = REGISTRY[backend]
        device = resolve_device(settings.device)
        dtype = resolve_dtype(settings.dtype, device)
        cls = getattr(diffusers, info.pipeline)
        kwargs = dict(local_files_only=True, use_safetensors=True)
        kwargs.update(_component_dtypes(backend, settings.model, dtype))
        if backend == "animatediff" and settings.adapter and not _has_motion_unet(settings.model):
            try:
                kwargs["motion_adapter"] = diffusers.MotionAdapter.from_pretrained(
                    settings.adapter, local_files_only=True, use_safetensors=True, dtype=dtype)
            except (OSError, ValueError) as exc:
                raise ModelNotAvailable(f"the AnimateDiff motion adapter {settings.adapter} is not on this machine "
                                        f"({exc}); download it in AI > Models") from None
        try:
            pipe = cls.from_pretrained(settings.model, **kwargs)
        except (OSError, EnvironmentError, ValueError) as exc:
            raise ModelNotAvailable(f"{info.title}: cannot load {settings.model} ({exc}). Download the weights in "
                                    f"AI > Models or pick the built-in backend") from None
        _place(pipe, device, settings)
        if hasattr(pipe, "set_progress_bar_config"):
            pipe.set_progress_bar_config(disable=True)
        _CACHE[key] = pipe
        return pipe


def _has_motion_unet(model: str) -> bool:
    """A saved AnimateDiff pipeline (base + adapter already merged into a UNetMotionModel)."""
    index = Path(model) / "model_index.json"
    try:
        return "UNetMotionModel" in index.read_text()
    except OSError:
        return False


_DEPTH: dict = {}


def load_depth_pipeline(model: str, device: str = "cpu"):
    """transformers' depth-estimation pipeline (Depth Anything V2), from local files only."""
    key = (model, device)
    with _LOCK:
        if key not in _DEPTH:
            missing = missing_packages("depth")
            if missing:
                raise MissingPackage(f"the depth model needs {', '.join(missing)}; the built-in depth is used "
                                     f"without it")
            if not weights_present("depth", ModelSettings(model=model)):
                raise ModelNotAvailable(f"the depth model {model} is not on this machine; download it in "
                                        f"AI > Models (about 0.1 GB) or use the built-in depth")
            import transformers

            dev = resolve_device(device) if device == "auto" else device
            _DEPTH[key] = transformers.pipeline("depth-estimation", model=model, device=dev,
                                                model_kwargs={"use_safetensors": True})
        return _DEPTH[key]


def _component_dtypes(backend: str, model: str, dtype) -> dict:
    """Wan's VAE and image encoder stay in float32 (bf16 there ruins colour); the rest in `dtype`."""
    import torch

    if backend in ("wan", "wan-i2v") and dtype != torch.float32:
        import diffusers
        import transformers

        vae = diffusers.AutoencoderKLWan.from_pretrained(model, subfolder="vae", dtype=torch.float32,
                                                         local_files_only=True, use_safetensors=True)
        extra = {"vae": vae, "dtype": dtype}
        if (Path(model) / "image_encoder").is_dir() or not Path(model).is_dir():
            extra["image_encoder"] = transformers.CLIPVisionModel.from_pretrained(
                model, subfolder="image_encoder", dtype=torch.float32, local_files_only=True)
        return extra
    if backend == "stable-audio":
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


def unload_all() -> None:
    with _LOCK:
        _CACHE.clear()
        _DEPTH.clear()


def generator(seed: int):
    import torch

    return torch.Generator("cpu").manual_seed(int(seed))


def is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, getattr(torch, "OutOfMemoryError", ())) or "out of memory" in str(exc).lower()


def oom_error(backend: str) -> OutOfMemory:
    return OutOfMemory(f"{REGISTRY[backend].title} ran out of GPU memory. Lower the generation size, set offload "
                       f"to 'model' or 'group', or turn on VAE tiling in AI > Models")


def download(backend: str, progress=None, cancelled=None) -> str:
    """Fetch a backend's weights into the Hugging Face cache (resumable). Returns the local folder."""
    from huggingface_hub import snapshot_download

    info = REGISTRY[backend]
    from ai.errors import JobCancelled

    class _Progress:  # tqdm-like hook: huggingface_hub reports bytes through it
        def __init__(self, *a, total=None, **k):
            self.total, self.n = total or 0, 0

        def update(self, n=1):
            self.n += n
            if cancelled is not None and cancelled():
                raise JobCancelled("download cancelled (it resumes where it stopped next time)")
            if progress is not None and self.total:
                progress(min(1.0, self.n / self.total), f"downloading {info.model}")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def close(self):
            pass

        def set_description(self, *a, **k):
            pass

    patterns = ["*.json", "*.txt", "*.model", "*.safetensors", "tokenizer*/*", "*.py"] if info.pipeline != \
        "depth-estimation" else None
    return snapshot_download(info.model, allow_patterns=patterns, tqdm_class=_Progress)


def describe() -> list[dict]:
    """What the Models dialog shows: each backend, its needs and whether it is ready."""
    rows = []
    for b in REGISTRY.values():
        s = settings_for(b.name)
        rows.append({**asdict(b), "settings": asdict(s), "missing_packages": missing_packages(b.name),
                     "weights_present": weights_present(b.name, s)})
    return rows
