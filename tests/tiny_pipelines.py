"""Tiny random-weight diffusers pipelines, built offline and saved with save_pretrained.

The generative backends load them through their real loader (local_files_only, safetensors), so the same loading
and calling code a user with real weights runs is exercised here on the CPU in seconds. Sizes follow
../shared/AI_NOTES.md (the ones diffusers' own tests use).
"""
from __future__ import annotations

import string
from pathlib import Path


def t5_tokenizer():
    from transformers import T5Tokenizer

    words = ["the", "camera", "slowly", "dolly", "in", "toward", "a", "of", "and", "scene", "smooth", "transition",
             "sound", "wind", "waves", "beach", "ambience", "whoosh", "footsteps", "pan", "zoom", "left", "right"]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -1.0)]
    vocab += [("\u2581" + w, -2.0) for w in words]
    vocab += [(c, -5.0) for c in string.ascii_letters + string.digits + string.punctuation]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=512)


def umt5_encoder(vocab_size: int):
    import torch
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    cfg = UMT5Config(vocab_size=max(vocab_size, 64), d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
                     relative_attention_num_buckets=8)
    return UMT5EncoderModel(cfg).eval()


def t5_encoder(vocab_size: int, d_model: int = 32):
    import torch
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    cfg = T5Config(vocab_size=max(vocab_size, 64), d_model=d_model, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
                   relative_attention_num_buckets=8)
    return T5EncoderModel(cfg).eval()


def build_wan_i2v(folder: Path, first_last: bool = True) -> Path:
    """WanImageToVideoPipeline; with first_last the transformer takes A and B (FLF2V)."""
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline, \
        WanTransformer3DModel
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    tok = t5_tokenizer()
    text = umt5_encoder(len(tok))
    torch.manual_seed(0)
    extra = {"pos_embed_seq_len": 2 * (4 * 4 + 1)} if first_last else {}
    transformer = WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12,
                                        in_channels=36, out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32,
                                        num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
                                        rope_max_seq_len=32, image_dim=4, **extra)
    torch.manual_seed(0)
    enc = CLIPVisionModelWithProjection(CLIPVisionConfig(hidden_size=4, projection_dim=4, num_hidden_layers=2,
                                                         num_attention_heads=2, image_size=4, intermediate_size=16,
                                                         patch_size=1))
    proc = CLIPImageProcessor(crop_size=4, size=4)
    pipe = WanImageToVideoPipeline(tokenizer=tok, text_encoder=text, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(
        shift=7.0), transformer=transformer, image_encoder=enc, image_processor=proc)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def build_ltx(folder: Path, condition: bool = True) -> Path:
    """LTXConditionPipeline (keyframes) or LTXImageToVideoPipeline, tiny."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXConditionPipeline, \
        LTXImageToVideoPipeline, LTXVideoTransformer3DModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
                                             num_attention_heads=4, attention_head_dim=8, cross_attention_dim=32,
                                             num_layers=1, caption_channels=32)
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
                                decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
                                decoder_layers_per_block=(1, 1, 1, 1, 1),
                                spatio_temporal_scaling=(True, True, False, False),
                                decoder_spatio_temporal_scaling=(True, True, False, False),
                                decoder_inject_noise=(False, False, False, False, False), upsample_residual=(
                                    False, False, False, False), upsample_factor=(1, 1, 1, 1), timestep_conditioning=False,
                                patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False)
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    tok = t5_tokenizer()
    text = t5_encoder(len(tok))
    cls = LTXConditionPipeline if condition else LTXImageToVideoPipeline
    pipe = cls(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text, tokenizer=tok,
               transformer=transformer)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def clip_tokenizer():
    from transformers import CLIPTokenizer

    chars = list(string.ascii_lowercase + string.digits + ".,!?'-")
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "!": 2}
    for c in chars:
        for piece in (c, c + "</w>"):
            if piece not in vocab:
                vocab[piece] = len(vocab)
    import json
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cliptok"))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"),
                         model_max_length=77)


def build_animatediff(folder: Path, lora_names=("zoom-in",)) -> Path:
    """AnimateDiffPipeline (base UNet + motion adapter) and tiny PEFT motion LoRAs beside it."""
    import torch
    from diffusers import AnimateDiffPipeline, AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(8, 8), layers_per_block=2, sample_size=16, in_channels=4,
                                out_channels=4, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=8,
                                norm_num_groups=2)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="linear", clip_sample=False)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=(8, 8), in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, norm_num_groups=2)
    tok = clip_tokenizer()
    torch.manual_seed(0)
    text = CLIPTextModel(CLIPTextConfig(bos_token_id=0, eos_token_id=1, hidden_size=8, intermediate_size=37,
                                        layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2,
                                        pad_token_id=1, vocab_size=max(1000, len(tok)))).eval()
    torch.manual_seed(0)
    adapter = MotionAdapter(block_out_channels=(8, 8), motion_layers_per_block=2, motion_norm_num_groups=2,
                            motion_num_attention_heads=4)
    pipe = AnimateDiffPipeline(unet=unet, motion_adapter=adapter, scheduler=scheduler, vae=vae, text_encoder=text,
                               tokenizer=tok, feature_extractor=None, image_encoder=None)
    pipe.save_pretrained(folder, safe_serialization=True)
    for name in lora_names:  # random LoRAs on the motion modules, saved the way the guoyww ones are loaded
        from peft import LoraConfig
        from peft.utils import get_peft_model_state_dict

        fresh = AnimateDiffPipeline.from_pretrained(folder, local_files_only=True, use_safetensors=True)
        torch.manual_seed(1)
        fresh.unet.add_adapter(LoraConfig(r=2, lora_alpha=2, init_lora_weights=False,
                                          target_modules=["to_q", "to_k", "to_v"]))
        state = {k: v for k, v in get_peft_model_state_dict(fresh.unet).items() if "motion_modules" in k}
        AnimateDiffPipeline.save_lora_weights(folder.parent / f"animatediff-motion-lora-{name}",
                                              unet_lora_layers=state, safe_serialization=True)
    return folder


def build_depth(folder: Path) -> Path:
    """A tiny Depth Anything model + DPT image processor for transformers' depth-estimation pipeline."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    torch.manual_seed(0)
    backbone = Dinov2Config(hidden_size=16, num_hidden_layers=4, num_attention_heads=2, intermediate_size=32,
                            image_size=28, patch_size=14, out_features=["stage1", "stage2", "stage3", "stage4"],
                            reshape_hidden_states=False)
    cfg = DepthAnythingConfig(backbone_config=backbone, reassemble_hidden_size=16, neck_hidden_sizes=[8, 8, 8, 8],
                              fusion_hidden_size=8, head_hidden_size=8, patch_size=14)
    model = DepthAnythingForDepthEstimation(cfg).eval()
    model.save_pretrained(folder, safe_serialization=True)
    DPTImageProcessor(do_resize=True, size={"height": 28, "width": 28}, keep_aspect_ratio=False,
                      ensure_multiple_of=14, do_pad=False).save_pretrained(folder)
    return folder


def build_stable_audio(folder: Path) -> Path:
    import torch
    from diffusers import AutoencoderOobleck, CosineDPMSolverMultistepScheduler, StableAudioDiTModel, \
        StableAudioPipeline
    from diffusers.pipelines.stable_audio.modeling_stable_audio import StableAudioProjectionModel

    torch.manual_seed(0)
    transformer = StableAudioDiTModel(sample_size=4, in_channels=3, num_layers=2, attention_head_dim=4,
                                      num_key_value_attention_heads=2, out_channels=3, cross_attention_dim=4,
                                      time_proj_dim=8, global_states_input_dim=8, cross_attention_input_dim=4)
    scheduler = CosineDPMSolverMultistepScheduler(solver_order=2, prediction_type="v_prediction", sigma_data=1.0,
                                                  sigma_schedule="exponential")
    torch.manual_seed(0)
    vae = AutoencoderOobleck(encoder_hidden_size=6, downsampling_ratios=[1, 2], decoder_channels=3,
                             decoder_input_channels=3, audio_channels=2, channel_multiples=[2, 4], sampling_rate=4)
    tok = t5_tokenizer()
    text = t5_encoder(len(tok))
    projection = StableAudioProjectionModel(text_encoder_dim=32, conditioning_dim=4, min_value=0, max_value=32)
    pipe = StableAudioPipeline(vae=vae, text_encoder=text, projection_model=projection, tokenizer=tok,
                               transformer=transformer, scheduler=scheduler)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def roberta_tokenizer():
    import json
    import tempfile

    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import RobertaTokenizer

    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>"] + sorted(ByteLevel.alphabet()) +
                                        ["<mask>"])}
    folder = Path(tempfile.mkdtemp(prefix="robertatok"))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return RobertaTokenizer(vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"),
                            model_max_length=77)


def build_audioldm2(folder: Path) -> Path:
    import torch
    from diffusers import AudioLDM2Pipeline, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel, \
        AutoencoderKL, DDIMScheduler
    from transformers import ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapTextConfig, \
        GPT2Config, GPT2LMHeadModel, SpeechT5HifiGan, SpeechT5HifiGanConfig

    torch.manual_seed(0)
    unet = AudioLDM2UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=1, sample_size=16,
                                         in_channels=4, out_channels=4,
                                         down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                         up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                                         cross_attention_dim=([None, 16, 32], [None, 16, 32]), norm_num_groups=4)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[8, 16], in_channels=1, out_channels=1,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, norm_num_groups=4)
    tok = roberta_tokenizer()
    torch.manual_seed(0)
    text_cfg = ClapTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=16, intermediate_size=37,
                              layer_norm_eps=1e-05, num_attention_heads=2, num_hidden_layers=2, pad_token_id=1,
                              vocab_size=max(300, len(tok)), projection_dim=16)
    audio_cfg = ClapAudioConfig(spec_size=64, window_size=4, num_mel_bins=64, intermediate_size=37,
                                layer_norm_eps=1e-05, depths=[2, 2], num_attention_heads=[2, 2], num_hidden_layers=2,
                                hidden_size=192, projection_dim=16, patch_size=2, patch_stride=2,
                                patch_embed_input_channels=4)
    clap = ClapModel(ClapConfig(text_config=text_cfg.to_dict(), audio_config=audio_cfg.to_dict(), projection_dim=16))
    tok2 = t5_tokenizer()
    t5 = t5_encoder(len(tok2))
    torch.manual_seed(0)
    lm = GPT2LMHeadModel(GPT2Config(n_embd=16, n_head=2, n_layer=2, vocab_size=1000, n_ctx=99, n_positions=99))
    lm.config.max_new_tokens = 8
    torch.manual_seed(0)
    proj = AudioLDM2ProjectionModel(text_encoder_dim=16, text_encoder_1_dim=32, langauge_model_dim=16)
    vocoder = SpeechT5HifiGan(SpeechT5HifiGanConfig(model_in_dim=8, sampling_rate=16000, upsample_initial_channel=16,
                                                    upsample_rates=[2, 2], upsample_kernel_sizes=[4, 4],
                                                    resblock_kernel_sizes=[3, 7],
                                                    resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]],
                                                    normalize_before=False))
    fe = ClapFeatureExtractor(feature_size=64, sampling_rate=48000, hop_length=7900)
    pipe = AudioLDM2Pipeline(vae=vae, text_encoder=clap, text_encoder_2=t5, projection_model=proj, language_model=lm,
                             tokenizer=tok, tokenizer_2=tok2, feature_extractor=fe, unet=unet, scheduler=scheduler,
                             vocoder=vocoder)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
