"""LLaVA-OneVision → ActionArt: a tiny random source built from a config; features and logits must match it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from actionart_hf.models.actionart.convert_llava_onevision_to_actionart import (
    convert_llava_onevision_config,
    convert_llava_onevision_state_dict,
    convert_llava_onevision_to_actionart,
    main,
)
from actionart_hf.models.actionart.modeling_actionart import pool_frame_grid


def tiny_llava_onevision(tokenizer, tie_word_embeddings: bool = False):
    """A tiny random LlavaOnevisionForConditionalGeneration (40 px frames: an odd 5x5 grid)."""
    from transformers import LlavaOnevisionConfig, LlavaOnevisionForConditionalGeneration

    tiny_tokenizer = tokenizer

    config = LlavaOnevisionConfig(
        vision_config={
            "model_type": "siglip_vision_model",
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "image_size": 40,
            "patch_size": 8,
            "vision_use_head": False,
        },
        text_config={
            "model_type": "qwen2",
            "vocab_size": len(tiny_tokenizer),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "tie_word_embeddings": tie_word_embeddings,
        },
        image_token_index=tiny_tokenizer.unk_token_id,
        video_token_index=tiny_tokenizer.convert_tokens_to_ids("<video>"),
        image_grid_pinpoints=[[40, 40]],
    )
    torch.manual_seed(0)
    return LlavaOnevisionForConditionalGeneration(config).eval()


@pytest.fixture
def source(tiny_tokenizer, tmp_path):
    """A saved tiny LLaVA-OneVision and the tokenizer, in `tmp_path / "llava-ov-tiny"`."""
    model = tiny_llava_onevision(tiny_tokenizer)
    folder = tmp_path / "llava-ov-tiny"
    model.save_pretrained(folder)
    tiny_tokenizer.save_pretrained(folder)
    return model, folder


def test_features_and_text_logits_match_the_source(source):
    source_model, _ = source
    model = convert_llava_onevision_to_actionart(source_model, slow_frame_stride=1, spatial_pool_mode="bilinear")
    torch.manual_seed(1)
    pixel_values = torch.randn(3, 3, 40, 40)
    input_ids = torch.randint(5, model.config.text_config.vocab_size, (2, 9))
    with torch.no_grad():
        # Projected per-frame features: the source's vision tower + projector, as its get_video_features runs them.
        hidden = source_model.model.vision_tower(pixel_values, output_hidden_states=True).hidden_states[-1]
        source_frames = source_model.model.multi_modal_projector(hidden)
        ours_frames = model.model.get_frame_features(pixel_values)
        # Pooled video features: the source's (minus its trailing image_newline) = our slow block (every frame, 2x).
        source_video = source_model.model.get_video_features(pixel_values[None]).pooler_output[0, :-1]
        ours_video = model.get_video_features(pixel_values).pooler_output[0]
        source_logits = source_model(input_ids=input_ids).logits
        ours_logits = model(input_ids=input_ids).logits
    assert torch.allclose(ours_frames, source_frames, atol=1e-5)
    assert torch.allclose(ours_video[: source_video.shape[0]], source_video, atol=1e-5)
    assert torch.allclose(
        ours_video[source_video.shape[0] :], pool_frame_grid(ours_frames, 5, 5, 4, "bilinear").flatten(0, 1)
    )
    assert torch.allclose(ours_logits, source_logits, atol=1e-5)


def test_command_line_writes_a_loadable_checkpoint(source, tmp_path, frames):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    source_model, folder = source
    output = tmp_path / "actionart"
    assert main(["--source", str(folder), "--output", str(output), "--slow-frame-stride", "2"]) == 0
    config = json.loads((output / "config.json").read_text())
    assert config["model_type"] == "actionart" and config["slow_frame_stride"] == 2
    model = AutoModelForImageTextToText.from_pretrained(output)
    processor = AutoProcessor.from_pretrained(output)
    assert processor.video_token_id == model.config.video_token_id
    assert processor.video_processor.size["height"] == 40
    input_ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.allclose(model(input_ids=input_ids).logits, source_model(input_ids=input_ids).logits, atol=1e-5)
    prompt = processor.apply_chat_template(
        [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "What ?"}]}],
        add_generation_prompt=True,
    )
    inputs = processor(text=prompt, videos=[frames(5)], return_tensors="pt")
    assert model.generate(**inputs, max_new_tokens=2, do_sample=False).shape[1] == inputs["input_ids"].shape[1] + 2
    with pytest.raises(ValueError, match="exists and is not empty"):
        main(["--source", str(folder), "--output", str(output)])


def test_converted_processor_squashes_like_the_source(source, tmp_path):
    """LLaVA-OneVision's video processor stretches frames to the tower's size (bicubic, antialiased, then SigLIP
    normalisation); the converted processor keeps that geometry, so a 16:9 clip gives the source's pixels, and the
    converted model the source's features and logits, although ActionArt's own default pads instead."""
    from transformers import AutoModelForImageTextToText, AutoProcessor

    source_model, folder = source
    output = tmp_path / "actionart"
    arguments = ["--slow-frame-stride", "1", "--spatial-pool-mode", "bilinear"]  # LLaVA-OneVision's video pooling
    assert main(["--source", str(folder), "--output", str(output), *arguments]) == 0
    model = AutoModelForImageTextToText.from_pretrained(output).eval()
    processor = AutoProcessor.from_pretrained(output)
    assert processor.video_processor.resize_mode == "squash"
    clip = np.random.default_rng(0).integers(0, 256, size=(3, 45, 80, 3), dtype=np.uint8)  # 16:9
    ours = processor.video_processor(clip, return_tensors="pt")["pixel_values_videos"]
    stretched = torch.nn.functional.interpolate(
        torch.from_numpy(clip).permute(0, 3, 1, 2).float(), size=(40, 40), mode="bicubic", antialias=True
    )
    source_pixels = (stretched.clamp(0, 255) / 255 - 0.5) / 0.5
    assert torch.allclose(ours, source_pixels, atol=1e-5)
    input_ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        source_video = source_model.model.get_video_features(source_pixels[None]).pooler_output[0, :-1]
        ours_video = model.get_video_features(ours).pooler_output[0]
        assert torch.allclose(ours_video[: source_video.shape[0]], source_video, atol=1e-5)
        assert torch.allclose(model(input_ids=input_ids).logits, source_model(input_ids=input_ids).logits, atol=1e-5)
    padded = processor.video_processor(clip, resize_mode="pad", return_tensors="pt")["pixel_values_videos"]
    assert not torch.allclose(padded, source_pixels, atol=1e-2)
    assert main(["--source", str(folder), "--output", str(tmp_path / "padded"), "--resize-mode", "pad"]) == 0
    assert AutoProcessor.from_pretrained(tmp_path / "padded").video_processor.resize_mode == "pad"


def test_tied_embeddings(tiny_tokenizer):
    source_model = tiny_llava_onevision(tiny_tokenizer, tie_word_embeddings=True)
    model = convert_llava_onevision_to_actionart(source_model)
    assert model.config.tie_word_embeddings
    assert model.lm_head.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    input_ids = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        assert torch.allclose(model(input_ids=input_ids).logits, source_model(input_ids=input_ids).logits, atol=1e-5)


def test_legacy_keys_and_dropped_newline():
    state_dict = {
        "language_model.model.embed_tokens.weight": 1,
        "language_model.lm_head.weight": 2,
        "vision_tower.embeddings.patch_embedding.weight": 3,
        "multi_modal_projector.linear_1.weight": 4,
        "image_newline": 5,
        "model.language_model.norm.weight": 6,
    }
    assert convert_llava_onevision_state_dict(state_dict) == {
        "model.language_model.embed_tokens.weight": 1,
        "lm_head.weight": 2,
        "model.vision_tower.embeddings.patch_embedding.weight": 3,
        "model.multi_modal_projector.linear_1.weight": 4,
        "model.language_model.norm.weight": 6,
    }


def test_multi_layer_features_are_refused(source):
    source_model, _ = source
    config = type(source_model.config).from_dict(source_model.config.to_dict())
    config.vision_feature_layer = [-2, -1]
    with pytest.raises(ValueError, match="single vision layer"):
        convert_llava_onevision_config(config)


def test_project_command_adds_the_model_card(source, tmp_path, check_model_card):
    """`python -m actionart_hf.models.convert`: the converter's command, then the project's card."""
    from actionart_hf.models.convert import main as convert

    _, folder = source
    output = tmp_path / "converted"
    assert convert(["--source", str(folder), "--output", str(output), "--no-processor"]) == 0
    card = check_model_card(output)
    assert "**conversion:**" in card.text and card.data.base_model is None  # a local source is no Hub id
