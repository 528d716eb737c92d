"""ActionArtProcessor: exact placeholder expansion, chat template, images as 1-frame videos, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from actionart_hf.models.actionart import ActionArtProcessor


def test_expands_each_video_to_its_token_count(tiny, frames):
    _, processor = tiny
    prompts = ["<video>\nWhat does the person do ?", "<video> and <video>\nWhich hand moves ?"]
    videos = [frames(12), frames(3), frames(1)]
    inputs = processor(text=prompts, videos=videos, padding=True, return_tensors="pt")
    assert sorted(inputs) == ["attention_mask", "input_ids", "pixel_values_videos", "video_num_frames"]
    assert inputs["video_num_frames"].tolist() == [8, 3, 1]  # sampled down to num_frames=8
    counts = (inputs["input_ids"] == processor.video_token_id).sum(-1).tolist()
    per_video = [processor.num_video_tokens(n) for n in (8, 3, 1)]
    assert per_video == [4 * 4 + 8, 2 * 4 + 3, 1 * 4 + 1]  # ceil(T / 2) slow frames x 2x2 + T fast frames x 1x1
    assert counts == [per_video[0], per_video[1] + per_video[2]]
    assert processor.num_video_tokens(8) == processor.num_video_tokens(8, 32, 32)


def test_chat_template(tiny, messages):
    _, processor = tiny
    conversation = messages("What does the person do ?", answer="A")
    prompt = processor.apply_chat_template(conversation[:1], add_generation_prompt=True)
    assert prompt == "<|im_start|>user\n<video>\nWhat does the person do ?<|im_end|>\n<|im_start|>assistant\n"
    full = processor.apply_chat_template(conversation)
    assert full == prompt + "A<|im_end|>\n"
    image_prompt = processor.apply_chat_template(messages(part="image"), add_generation_prompt=True)
    assert image_prompt == prompt
    text_only = processor.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True)
    assert text_only == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_chat_template_tokenizes_videos_and_masks_assistant(tiny, messages, frames):
    _, processor = tiny
    conversation = messages("What does the person do ?", answer="A")
    conversation[0]["content"][0]["video"] = frames(5)
    out = processor.apply_chat_template(
        conversation, tokenize=True, return_dict=True, return_tensors="pt", return_assistant_tokens_mask=True
    )
    assert out["video_num_frames"].tolist() == [5]
    assert int((out["input_ids"] == processor.video_token_id).sum()) == processor.num_video_tokens(5)
    supervised = out["input_ids"][out["assistant_masks"].bool()]
    assert processor.tokenizer.convert_ids_to_tokens(supervised.tolist()) == ["A", "<|im_end|>"]


def test_images_are_one_frame_videos(tiny):
    _, processor = tiny
    image = Image.fromarray(np.zeros((20, 24, 3), dtype=np.uint8))
    array_image = np.zeros((24, 20, 3), dtype=np.uint8)
    inputs = processor(text=["<video> <video> same ?"], images=[image, array_image], return_tensors="pt")
    assert inputs["video_num_frames"].tolist() == [1, 1]
    assert int((inputs["input_ids"] == processor.video_token_id).sum()) == 2 * processor.num_video_tokens(1)


@pytest.mark.parametrize(
    "prompt, num_videos, match",
    [
        ("no placeholder here", 1, "0 <video> placeholder.*1 video.*put one <video> in the text"),
        ("<video> <video>", 1, "2 <video> placeholder.*1 video.*exactly one <video> per video"),
        ("<video> alone", 0, "1 <video> placeholder.*0 video.*pass the videos"),
    ],
)
def test_placeholder_video_mismatch(tiny, frames, prompt, num_videos, match):
    _, processor = tiny
    videos = [frames(4) for _ in range(num_videos)] or None
    with pytest.raises(ValueError, match=match):
        processor(text=prompt, videos=videos)


def test_other_refusals(tiny, frames):
    _, processor = tiny
    with pytest.raises(ValueError, match="either images= or videos="):
        processor(text="<video> <video>", videos=[frames(2)], images=[np.zeros((8, 8, 3), np.uint8)])
    with pytest.raises(ValueError, match="truncation cut into a video"):
        processor(text="<video> What", videos=[frames(4)], truncation=True, max_length=5)
    with pytest.raises(ValueError, match="does not take audio"):
        processor(text="hi", audio=[np.zeros(10)])
    with pytest.raises(ValueError, match="max_frames"):
        processor(text="<video>", videos=[frames(70)], do_sample_frames=False)


def test_tokenizer_without_video_token(tiny):
    _, processor = tiny
    with pytest.raises(ValueError, match="has no '<clip>' token"):
        ActionArtProcessor(
            video_processor=processor.video_processor, tokenizer=processor.tokenizer, video_token="<clip>"
        )


def test_from_model_config_checks_the_token_id(tiny):
    model, processor = tiny
    config = model.config
    config_copy = type(config).from_dict(config.to_dict())
    config_copy.video_token_id = config.video_token_id + 1
    with pytest.raises(ValueError, match="video_token_id"):
        ActionArtProcessor.from_model_config(config_copy, processor.tokenizer)


def test_round_trip(tiny, frames, tmp_path):
    _, processor = tiny
    processor.save_pretrained(tmp_path)
    loaded = ActionArtProcessor.from_pretrained(tmp_path)
    assert loaded.chat_template == processor.chat_template
    assert (loaded.patch_size, loaded.slow_frame_stride, loaded.fast_pool_stride) == (8, 2, 4)
    inputs = processor(text="<video> What", videos=[frames(6)], return_tensors="pt")
    reloaded = loaded(text="<video> What", videos=[frames(6)], return_tensors="pt")
    assert all(torch.equal(inputs[key], reloaded[key]) for key in inputs)
