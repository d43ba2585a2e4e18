"""Generative fill backends: Wan2.1 first/last frame and LTX-Video keyframe conditioning (diffusers)."""
from __future__ import annotations

from ai import generation as G
from ai.errors import AIError

DEFAULT_PROMPT = "one continuous shot, smooth natural motion, consistent lighting"
NEGATIVE = "cut, flicker, distortion, text, watermark, blurry"


def generate_fill(backend: str, req, report, cancelled) -> tuple[list, dict]:
    from ai import models
    from ai.transition.frame_times import times

    if backend not in ("wan", "ltx"):
        raise AIError(f"{backend!r} is not a fill backend")
    settings = models.settings_for(backend, req.model_settings)
    models.require(backend, settings, seconds_of_output=(req.frames + 1) / float(req.fps))
    report(0.02, "loading model")
    pipe = models.load_pipeline(backend, settings)
    G.check_cancel(cancelled, "the fill")
    h, w = req.a.shape[:2]
    gw, gh = G.gen_size(backend, w, h, settings.size)
    n = G.frame_count(backend, req.frames + 2)
    steps = settings.steps or G.default_steps(backend)
    prompt = f"{req.prompt.strip()}, {DEFAULT_PROMPT}" if req.prompt.strip() else DEFAULT_PROMPT
    common = dict(prompt=prompt, height=gh, width=gw, num_frames=n, num_inference_steps=steps,
                  generator=models.generator(req.seed), output_type="np",
                  callback_on_step_end=G.step_callback(steps, report, cancelled))
    img_a, img_b = G.pil(req.a, (gw, gh)), G.pil(req.b, (gw, gh))
    report(0.1, "generating")
    if backend == "wan":
        extra = dict(image=img_a, last_image=img_b, guidance_scale=5.5)
    else:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        # one condition per keyframe: the image=[a, b] form silently drops b (diffusers bug)
        extra = dict(conditions=[LTXVideoCondition(image=img_a, frame_index=0),
                                 LTXVideoCondition(image=img_b, frame_index=n - 1)],
                     guidance_scale=1.0, decode_timestep=0.05, image_cond_noise_scale=0.025)
    frames = G.run_pipeline(pipe, backend, (w, h), cancelled, "the fill", negative_prompt=NEGATIVE, **extra,
                            **common)
    ts = times(req.frames)
    inner = G.resample(frames, ts)
    inner = G.match_seams(inner, ts, req.a, req.b, frames[0], frames[-1])
    report(1.0, "done")
    return inner, {"model": settings.model, "generated_frames": n, "generated_size": [gw, gh],
                   "steps": steps, "prompt": prompt, "device": settings.device}
