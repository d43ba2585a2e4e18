"""A tiny random-weight Whisper (model, byte-level tokenizer with Whisper's special and timestamp tokens, feature
extractor, generation config with alignment heads for word timestamps), built offline and saved as safetensors."""
from __future__ import annotations

from pathlib import Path

LANGS = ("en", "zh", "ja", "de")


def build_tiny_whisper(folder: Path) -> Path:
    import torch
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import (GenerationConfig, WhisperConfig, WhisperFeatureExtractor,
                              WhisperForConditionalGeneration, WhisperProcessor, WhisperTokenizer)

    vocab = {ch: i for i, ch in enumerate(sorted(ByteLevel.alphabet()))}
    tok = WhisperTokenizer(vocab=vocab, merges=[])
    specials = ["<|startoftranscript|>"] + [f"<|{x}|>" for x in LANGS] + [
        "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]
    tok.add_special_tokens({"additional_special_tokens": specials})
    tok.add_tokens([f"<|{i * 0.02:.2f}|>" for i in range(1501)])
    ids = {s: tok.convert_tokens_to_ids(s) for s in specials + ["<|endoftext|>"]}
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    torch.manual_seed(0)
    cfg = WhisperConfig(vocab_size=len(tok), d_model=16, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                        num_mel_bins=80, max_source_positions=1500, max_target_positions=64, pad_token_id=eot,
                        bos_token_id=eot, eos_token_id=eot, decoder_start_token_id=sot, begin_suppress_tokens=[eot],
                        suppress_tokens=[])
    model = WhisperForConditionalGeneration(cfg).eval()
    gc = GenerationConfig.from_model_config(cfg)
    gc.lang_to_id = {f"<|{x}|>": ids[f"<|{x}|>"] for x in LANGS}
    gc.task_to_id = {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]}
    gc.is_multilingual = True
    gc.no_timestamps_token_id = ids["<|notimestamps|>"]
    gc.prev_sot_token_id = ids["<|startofprev|>"]
    gc.max_initial_timestamp_index = 50
    gc.alignment_heads = [[0, 0], [0, 1]]
    gc.max_length = 40
    gc.decoder_start_token_id = sot
    gc._from_model_config = False  # else loading rebuilds it from the model config and drops the Whisper fields
    model.generation_config = gc
    folder = Path(folder)
    model.save_pretrained(folder)  # safetensors
    WhisperProcessor(feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tok).save_pretrained(
        folder)
    return folder
