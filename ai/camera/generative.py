"""Generative camera moves: image-to-video with the move in the prompt (Wan, LTX), or AnimateDiff + motion LoRAs."""
from __future__ import annotations

from ai import generation as G
from ai.errors import AIError

# move -> how a camera operator would say it
PHRASES = {
    "push-in": "the camera slowly dollies in toward the subject",
    "pull-out": "the camera slowly dollies back, revealing the scene",
    "zoom-in": "the camera slowly zooms in on the subject",
    "zoom-out": "the camera slowly zooms out",
    "pan-left": "the camera pans slowly to the left",
    "pan-right": "the camera pans slowly to the right",
    "tilt-up": "the camera tilts slowly upward",
    "tilt-down": "the camera tilts slowly downward",
    "roll-right": "the camera rolls clockwise",
    "roll-left": "the camera rolls counterclockwise",
    "truck-left": "the camera trucks left, parallel to the scene, with parallax",
    "truck-right": "the camera trucks right, parallel to the scene, with parallax",
    "pedestal-up": "the camera rises smoothly on a crane",
    "pedestal-down": "the camera lowers smoothly on a crane",
    "orbit-left": "the camera orbits around the subject to the left",
    "orbit-right": "the camera orbits around the subject to the right",
    "dolly-zoom-in": "a dolly zoom: the camera moves in while zooming out, the background stretches",
    "dolly-zoom-out": "a dolly zoom: the camera pulls back while zooming in, the background looms",
}
# moves the guoyww AnimateDiff motion LoRAs cover
ANIMATEDIFF_LORA = {"zoom-in": "zoom-in", "push-in": "zoom-in", "zoom-out": "zoom-out", "pull-out": "zoom-out",
                    "pan-left": "pan-left", "pan-right": "pan-right", "tilt-up": "tilt-up", "tilt-down": "tilt-down",
                    "roll-right": "rolling-clockwise", "roll-left": "rolling-anticlockwise"}
NEGATIVE = "static, still image, jitter, warping, distortion, text, watermark"


def backend_name(backend: str) -> str:
    """The settings name of a camera backend (`wan` -> `wan-i2v`)."""
    from ai.catalog import tool

    return tool("camera-move").backend(backend).settings_key


def chosen_lora(moves: list[str]) -> str:
    """The guoyww motion LoRA for a move (AnimateDiff covers zoom, pan, tilt and roll)."""
    covered = [ANIMATEDIFF_LORA[m] for m in moves if m in ANIMATEDIFF_LORA]
    if not covered:
        raise AIError("AnimateDiff's motion LoRAs cover zoom, pan, tilt and roll; pick the built-in backend or "
                      "Wan/LTX for " + ", ".join(moves))
    return covered[0]


def lora_source(settings, lora: str) -> str:
    """A local folder beside the base model (`animatediff-motion-lora-<move>`) or the guoyww hub id."""
    from pathlib import Path

    from ai.catalog import lora_id

    local = Path(settings.model).parent / f"animatediff-motion-lora-{lora}"
    return str(local) if local.is_dir() else lora_id(lora)


def model_roles(req, settings) -> dict[str, str]:
    """Every model the result depends on (their revisions and weight files go into the cache key)."""
    roles = {"pipeline": settings.model}
    if req.backend == "animatediff":
        from ai.models import _has_motion_unet

        if settings.adapter and not _has_motion_unet(settings.model):
            roles["adapter"] = settings.adapter
        roles["lora"] = lora_source(settings, chosen_lora(req.moves))
    return roles


def prompt_for(moves: list[str], words: str = "", handheld: float = 0.0, intensity: float = 0.5) -> str:
    pace = "slowly" if intensity < 0.4 else ("steadily" if intensity < 0.75 else "quickly")
    parts = [PHRASES[m].replace("slowly", pace) for m in moves if m in PHRASES]
    if handheld > 0:
        parts.append("handheld camera, subtle natural shake")
    scene = words.strip()
    text = ", and ".join(parts) if parts else "a subtle camera move"
    return f"{scene + '. ' if scene else ''}{text}. Cinematic, smooth, stable footage."


def generate_move(req, report, cancelled) -> tuple[list, dict]:
    from ai import models

    name = backend_name(req.backend)
    settings = models.settings_for(name, req.model_settings)
    models.require(name, settings, seconds_of_output=req.duration)
    lora = chosen_lora(req.moves) if req.backend == "animatediff" else None
    report(0.02, "loading model")
    pipe = models.load_pipeline(name, settings)
    G.check_cancel(cancelled, "the camera move")
    w, h = req.size
    gw, gh = G.gen_size(name, w, h, settings.size)
    n = G.frame_count(name, req.frames)
    steps = settings.steps or G.default_steps(name)
    prompt = prompt_for(req.moves, req.prompt, req.handheld, req.intensity)
    common = dict(prompt=prompt, negative_prompt=NEGATIVE, height=gh, width=gw, num_frames=n,
                  num_inference_steps=steps, generator=models.generator(req.seed),
                  callback_on_step_end=G.step_callback(steps, report, cancelled))
    report(0.1, "generating")
    if req.backend == "animatediff":
        _set_lora(pipe, lora, settings)
        extra = dict(guidance_scale=7.5)
    elif req.backend == "wan":
        extra = dict(image=G.pil(req.source, (gw, gh)), guidance_scale=5.0)
    else:
        extra = dict(image=G.pil(req.source, (gw, gh)), guidance_scale=1.0, decode_timestep=0.05,
                     decode_noise_scale=0.025)
    frames = G.run_pipeline(pipe, name, (w, h), cancelled, "the camera move", output_type="np", **extra, **common)
    times = [k / max(1, req.frames - 1) for k in range(req.frames)]
    frames = G.resample(frames, times)  # to the project's frame rate and length
    report(1.0, "done")
    return frames, {"model": settings.model, "prompt": prompt, "generated_frames": n,
                    "generated_size": [gw, gh], "steps": steps, "lora": lora}


def _set_lora(pipe, lora: str, settings) -> None:
    """Load (once) and activate the guoyww motion LoRA for a move; a local folder may hold them."""
    from ai.errors import MissingPackage, ModelNotAvailable

    loaded = getattr(pipe, "_seamline_loras", set())
    if lora not in loaded:
        repo = f"guoyww/animatediff-motion-lora-{lora}"
        source = lora_source(settings, lora)
        try:
            pipe.load_lora_weights(source, adapter_name=lora, local_files_only=True, use_safetensors=True)
        except ImportError as exc:
            raise MissingPackage(f"motion LoRAs need the peft package ({exc}); `pip install peft`") from None
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"the AnimateDiff motion LoRA {repo} is not on this machine ({exc}); "
                                    f"download it in AI > Models or pick another backend", model_id=repo) from None
        loaded.add(lora)
        pipe._seamline_loras = loaded
    pipe.set_adapters([lora], adapter_weights=[1.0])
