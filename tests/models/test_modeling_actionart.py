"""ActionArtForConditionalGeneration on a tiny config: training, generation, batching, dtypes, save/load, errors."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from actionart_hf.models.actionart import ActionArtForConditionalGeneration
from actionart_hf.models.actionart.modeling_actionart import pool_frame_grid


def prepare(processor, messages, videos, answer=None, **kwargs):
    prompts = [
        processor.apply_chat_template(messages(answer=answer), add_generation_prompt=answer is None) for _ in videos
    ]
    return processor(text=prompts, videos=videos, padding=True, return_tensors="pt", **kwargs)


def test_forward_backward_reaches_every_part(tiny, messages, frames):
    model, processor = tiny
    model.train()
    inputs = prepare(processor, messages, [frames(6)], answer="A")
    output = model(**inputs, labels=inputs["input_ids"])
    assert output.logits.shape == (*inputs["input_ids"].shape, model.config.text_config.vocab_size)
    assert len(output.video_hidden_states) == 1 and output.video_hidden_states[0].shape[
        0
    ] == processor.num_video_tokens(6)
    output.loss.backward()
    without_grad = [
        name for name, parameter in model.named_parameters() if parameter.grad is None or not parameter.grad.any()
    ]
    # SigLIP's post-layernorm comes after vision_feature_layer=-1 (pre-norm features, as LLaVA-OneVision).
    assert without_grad == ["model.vision_tower.post_layernorm.weight", "model.vision_tower.post_layernorm.bias"]


def test_loss_only_where_labels_are_set(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(4)], answer="A")
    input_ids = inputs["input_ids"]
    labels = torch.full_like(input_ids, -100)
    labels[:, -3:] = input_ids[:, -3:]
    logits = model(**inputs).logits
    expected = F.cross_entropy(logits[0, -4:-1], input_ids[0, -3:])
    assert torch.allclose(model(**inputs, labels=labels).loss, expected, atol=1e-6)
    # Labels on the <video> placeholders never count.
    with_placeholders = torch.where(input_ids == model.config.video_token_id, input_ids, labels)
    assert torch.allclose(model(**inputs, labels=with_placeholders).loss, expected, atol=1e-6)


def test_greedy_generation_with_cache_matches_stepwise_argmax(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(5)])
    calls = []
    hook = model.model.vision_tower.register_forward_hook(lambda *args: calls.append(1))
    generated = model.generate(**inputs, max_new_tokens=6, do_sample=False)
    hook.remove()
    assert len(calls) == 1  # the video is encoded once, at prefill

    input_ids = inputs["input_ids"]
    eos = model.generation_config.eos_token_id
    for _ in range(6):
        logits = model(
            **{**inputs, "input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)}, use_cache=False
        )
        scores = logits.logits[:, -1].clone()
        scores[:, model.config.video_token_id] = -float("inf")  # generation suppresses the placeholder
        next_token = scores.argmax(-1, keepdim=True)
        input_ids = torch.cat([input_ids, next_token], dim=-1)
        if next_token.item() == eos:
            break
    assert generated[0, : input_ids.shape[1]].tolist() == input_ids[0].tolist()
    new_tokens = generated[0, inputs["input_ids"].shape[1] :]
    assert model.config.video_token_id not in new_tokens.tolist()


def test_batch_of_videos_with_different_frame_counts(tiny, messages, frames):
    model, processor = tiny
    long_video, short_video = frames(8, seed=1), frames(3, seed=2)
    batch = prepare(processor, messages, [long_video, short_video], padding_side="right")
    assert batch["video_num_frames"].tolist() == [8, 3]
    assert batch["pixel_values_videos"].shape[0] == 11
    batched_logits = model(**batch).logits
    for row, video in enumerate([long_video, short_video]):
        single = prepare(processor, messages, [video])
        length = single["input_ids"].shape[1]
        assert torch.equal(batch["input_ids"][row, :length], single["input_ids"][0])
        assert torch.allclose(batched_logits[row, :length], model(**single).logits[0], atol=1e-5)
    # Batched generation (left padding) runs and keeps each prompt.
    left = prepare(processor, messages, [long_video, short_video])
    generated = model.generate(**left, max_new_tokens=3, do_sample=False)
    assert torch.equal(generated[:, : left["input_ids"].shape[1]], left["input_ids"])


def test_five_dim_and_padded_video_input(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(4, seed=1), frames(2, seed=2)])
    flat = inputs["pixel_values_videos"]
    padded = torch.zeros(2, 4, *flat.shape[1:])
    padded[0], padded[1, :2] = flat[:4], flat[4:]
    reference = model(**inputs).logits
    as_5d = model(
        input_ids=inputs["input_ids"],
        attention_mask=inputs["attention_mask"],
        pixel_values_videos=padded,
        video_num_frames=inputs["video_num_frames"],
    ).logits
    assert torch.allclose(reference, as_5d, atol=1e-6)


def test_precomputed_vision_features_replace_pixels(tiny, messages, frames):
    model, processor = tiny
    batch = prepare(processor, messages, [frames(8, seed=1), frames(3, seed=2)], padding_side="right")
    pixel_values = batch.pop("pixel_values_videos")
    with torch.no_grad():
        features = model.model.get_vision_features(pixel_values)  # (11, 4 * 4, vision hidden)
        expected = model(pixel_values_videos=pixel_values, **batch).logits
        got = model(video_vision_features=features, **batch).logits
    assert torch.allclose(expected, got, atol=1e-6)
    with pytest.raises(ValueError, match="exactly one of pixel_values_videos and video_vision_features"):
        model.get_video_features(pixel_values, batch["video_num_frames"], features)
    with pytest.raises(ValueError, match=r"this model's tower gives \(total_frames, 16, "):
        model(video_vision_features=features[:, :5], **batch)
    with pytest.raises(ValueError, match="does not split video_vision_features of 11 frames"):
        model(video_vision_features=features, **{**batch, "video_num_frames": torch.tensor([8, 2])})


def test_slowfast_arrangement(tiny, frames):
    model, processor = tiny
    pixel_values = processor.video_processor(frames(5))["pixel_values_videos"]
    with torch.no_grad():
        per_frame = model.model.get_frame_features(pixel_values)  # (5, 4 * 4, hidden)
        tokens = model.get_video_features(pixel_values).pooler_output[0]
    slow = pool_frame_grid(per_frame[::2], 4, 4, 2).flatten(0, 1)  # frames 0, 2, 4 → 2x2 each
    fast = pool_frame_grid(per_frame, 4, 4, 4).flatten(0, 1)  # every frame → 1x1
    assert torch.allclose(tokens, torch.cat([slow, fast]), atol=1e-6)
    assert torch.allclose(fast[0], per_frame[0].mean(0), atol=1e-6)


def test_partial_pooling_windows():
    grid = torch.arange(9.0).reshape(1, 9, 1)  # a 3x3 grid
    pooled = pool_frame_grid(grid, 3, 3, 2)
    assert pooled.flatten().tolist() == [2.0, 3.5, 6.5, 8.0]  # windows clipped at the border are averaged


def test_gradient_checkpointing_gives_the_same_gradients(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(4)], answer="A")

    def gradients():
        model.zero_grad()
        model(**inputs, labels=inputs["input_ids"]).loss.backward()
        return {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}

    model.train()
    reference = gradients()
    model.activation_checkpointing_enable({"use_reentrant": False})  # what gradient_checkpointing=True calls
    assert model.is_activation_checkpointing
    assert model.model.language_model.layers[0].gradient_checkpointing
    checkpointed = gradients()
    assert reference.keys() == checkpointed.keys()
    assert all(torch.allclose(reference[name], checkpointed[name], atol=1e-6) for name in reference)


def test_bf16_and_sdpa(tiny, messages, frames):
    model, processor = tiny
    assert model.config._attn_implementation == "sdpa"
    assert model.model.vision_tower.config._attn_implementation == "sdpa"
    inputs = prepare(processor, messages, [frames(4)], answer="A")
    reference = model(**inputs).logits
    model = model.to(torch.bfloat16)
    output = model(**inputs, labels=inputs["input_ids"])  # float32 pixels are cast to the tower's dtype
    assert output.logits.dtype == torch.bfloat16 and torch.isfinite(output.loss)
    assert torch.allclose(output.logits.float(), reference, atol=0.1)


def test_save_load_round_trip_safetensors(tiny, messages, frames, tmp_path):
    from transformers import AutoModelForImageTextToText

    model, processor = tiny
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists() and not list(tmp_path.glob("*.bin"))
    inputs = prepare(processor, messages, [frames(4)])
    reference = model(**inputs).logits
    for loader in (ActionArtForConditionalGeneration, AutoModelForImageTextToText):
        loaded = loader.from_pretrained(tmp_path)
        assert type(loaded) is ActionArtForConditionalGeneration
        assert torch.allclose(loaded(**inputs).logits, reference, atol=1e-6)
    assert loaded.lm_head.weight.data_ptr() == loaded.get_input_embeddings().weight.data_ptr()  # tied


# -- clear errors ---------------------------------------------------------------------------------------------------
def test_placeholders_not_matching_the_features(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(4)])
    video_id = model.config.video_token_id
    input_ids = inputs["input_ids"].clone()
    input_ids[0, (input_ids[0] == video_id).nonzero()[0]] = 10  # one placeholder too few
    with pytest.raises(ValueError, match=r"holds \d+ <video> placeholders .* give \d+ visual tokens"):
        model(**{**inputs, "input_ids": input_ids})


def test_video_without_placeholder_and_placeholder_without_video(tiny, messages, frames):
    model, processor = tiny
    inputs = prepare(processor, messages, [frames(4)])
    text_only = torch.tensor([[1, 10, 11, 2]])
    with pytest.raises(ValueError, match="holds 0 <video> placeholders"):
        model(input_ids=text_only, pixel_values_videos=inputs["pixel_values_videos"])
    with pytest.raises(ValueError, match="no video was given"):
        model(input_ids=inputs["input_ids"])


def test_too_many_frames(tiny_tokenizer):
    from actionart_hf.models.tiny import build_tiny_actionart

    model, _ = build_tiny_actionart(tokenizer=tiny_tokenizer, max_frames=4)
    with pytest.raises(ValueError, match="A video has 5 frames but max_frames=4"):
        model.get_video_features(torch.zeros(5, 3, 32, 32))


@pytest.mark.parametrize(
    "pixel_values, num_frames, match",
    [
        (torch.zeros(4, 3, 32, 32, dtype=torch.uint8), None, "dtype torch.uint8"),
        (torch.zeros(4, 3, 24, 24), None, r"\(3, 24, 24\) but the vision tower expects \(3, 32, 32\)"),
        (torch.zeros(4, 32, 32, 3), None, r"\(32, 32, 3\) but the vision tower expects"),
        (torch.zeros(3, 32, 32), None, "must have shape"),
        (torch.zeros(4, 3, 32, 32), torch.tensor([2, 3]), "sums to 5 but pixel_values_videos holds 4 frames"),
        (torch.zeros(2, 3, 3, 32, 32), torch.tensor([2, 4]), "does not fit"),
        (torch.zeros(4, 3, 32, 32), torch.tensor([4, 0]), "at least one frame"),
    ],
)
def test_wrong_video_inputs(tiny, pixel_values, num_frames, match):
    model, _ = tiny
    with pytest.raises(ValueError, match=match):
        model.get_video_features(pixel_values, num_frames)
