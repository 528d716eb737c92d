"""ActionArtConfig: composite sub-configs, SlowFast token arithmetic, validation, save/load."""

from __future__ import annotations

import math

import pytest

from actionart_hf.models.actionart import ActionArtConfig, get_num_video_tokens, video_token_layout


def test_defaults_are_siglip_384_and_qwen2_7b():
    config = ActionArtConfig()
    assert config.model_type == "actionart"
    assert config.vision_config.model_type == "siglip_vision_model"
    assert (config.vision_config.image_size, config.vision_config.patch_size) == (384, 14)
    assert config.text_config.model_type == "qwen2" and config.text_config.hidden_size == 3584
    assert (config.slow_frame_stride, config.slow_pool_stride, config.fast_pool_stride, config.max_frames) == (
        4,
        2,
        4,
        64,
    )
    assert set(ActionArtConfig.sub_configs) == {"vision_config", "text_config"}


@pytest.mark.parametrize("num_frames", [1, 4, 16, 17, 64])
def test_token_arithmetic(num_frames):
    # SigLIP-384/14: a 27x27 grid; stride 2 → 14x14, stride 4 → 7x7; slow keeps frames 0, 4, 8, ...
    expected = math.ceil(num_frames / 4) * 14 * 14 + num_frames * 7 * 7
    assert ActionArtConfig().num_video_tokens(num_frames) == expected
    assert get_num_video_tokens(num_frames, 384, 384, 14, 4, 2, 4) == expected


def test_layout_without_fast_branch_is_concatenation():
    layout = video_token_layout(16, 384, 384, 14, slow_frame_stride=1, slow_pool_stride=1, fast_pool_stride=None)
    assert layout["total"] == 16 * 27 * 27 and layout["fast_tokens"] == 0


def test_round_trip(tmp_path):
    config = ActionArtConfig(
        slow_frame_stride=2, fast_pool_stride=None, spatial_pool_mode="bilinear", video_token_id=7
    )
    config.save_pretrained(tmp_path)
    loaded = ActionArtConfig.from_pretrained(tmp_path)
    assert loaded.to_dict() == config.to_dict()
    assert loaded.text_config.num_key_value_heads == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"slow_pool_stride": 0}, "slow_pool_stride=0"),
        ({"slow_frame_stride": 0}, "slow_frame_stride=0"),
        ({"fast_pool_stride": 0}, "fast_pool_stride=0"),
        ({"max_frames": 0}, "max_frames=0"),
    ],
)
def test_invalid_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ActionArtConfig(**kwargs)


def test_invalid_types_and_modes():
    with pytest.raises(Exception, match="max_frames"):
        ActionArtConfig(max_frames="64")
    with pytest.raises(Exception, match="spatial_pool_mode"):
        ActionArtConfig(spatial_pool_mode="max")


def test_frames_smaller_than_a_patch():
    with pytest.raises(ValueError, match="smaller than one patch"):
        get_num_video_tokens(4, 8, 8, 14, 4, 2, 4)
    with pytest.raises(ValueError, match="num_frames=0"):
        get_num_video_tokens(0, 384, 384, 14, 4, 2, 4)
