"""ActionArt configuration and the SlowFast token arithmetic shared by the processor and the model.

    >>> from actionart_hf.models.actionart import ActionArtConfig
    >>> config = ActionArtConfig()                      # SigLIP-384/14 + Qwen2-7B, 64 frames at most
    >>> config.num_video_tokens(64)                     # 16 slow frames x 14x14 + 64 fast frames x 7x7
    6272

This file imports only `transformers` (it is copied next to the weights by `save_pretrained`).
"""

import math
from typing import Literal

from transformers import AutoConfig
from transformers.configuration_utils import PreTrainedConfig, SubConfigSpec, strict


def _to_pair(value) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def video_token_layout(
    num_frames: int,
    height: int,
    width: int,
    patch_size: int,
    slow_frame_stride: int,
    slow_pool_stride: int,
    fast_pool_stride: int | None,
) -> dict[str, int]:
    """How one video becomes visual tokens in the SlowFast arrangement (the single source of truth for token counts).

    The vision tower turns each frame into a `grid_height x grid_width` grid of patch features (`grid = size //
    patch_size`). The slow branch keeps every `slow_frame_stride`-th frame (frames `0, s, 2s, ...`) and average-pools
    its grid with stride `slow_pool_stride`; the fast branch keeps every frame and pools with stride
    `fast_pool_stride`. A pooled side has `ceil(side / stride)` cells (the last window may be partial). The video's
    tokens are the slow block followed by the fast block. `fast_pool_stride=None` disables the fast branch (with
    `slow_frame_stride=1, slow_pool_stride=1` this is plain per-frame concatenation).

    Args:
        num_frames (`int`): frames of the (already sampled) video, >= 1.
        height (`int`): frame height in pixels after preprocessing.
        width (`int`): frame width in pixels after preprocessing.
        patch_size (`int`): the vision tower's patch size.
        slow_frame_stride (`int`): temporal stride of the slow branch.
        slow_pool_stride (`int`): spatial pooling stride of the slow branch.
        fast_pool_stride (`int` or `None`): spatial pooling stride of the fast branch; `None` disables it.

    Returns:
        `dict[str, int]`: `grid_height`, `grid_width`, `slow_frames`, `slow_tokens_per_frame`, `fast_frames`,
        `fast_tokens_per_frame`, `slow_tokens`, `fast_tokens` and `total`.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames={num_frames} must be >= 1 (an image is a 1-frame video).")
    if height < patch_size or width < patch_size:
        raise ValueError(
            f"Frames of {height}x{width} pixels are smaller than one patch of {patch_size} pixels; resize them to the "
            "vision tower's image size (the video processor does this)."
        )
    grid_height, grid_width = height // patch_size, width // patch_size
    slow_frames = math.ceil(num_frames / slow_frame_stride)
    slow_tokens_per_frame = math.ceil(grid_height / slow_pool_stride) * math.ceil(grid_width / slow_pool_stride)
    if fast_pool_stride is None:
        fast_frames, fast_tokens_per_frame = 0, 0
    else:
        fast_frames = num_frames
        fast_tokens_per_frame = math.ceil(grid_height / fast_pool_stride) * math.ceil(grid_width / fast_pool_stride)
    slow_tokens, fast_tokens = slow_frames * slow_tokens_per_frame, fast_frames * fast_tokens_per_frame
    return {
        "grid_height": grid_height,
        "grid_width": grid_width,
        "slow_frames": slow_frames,
        "slow_tokens_per_frame": slow_tokens_per_frame,
        "fast_frames": fast_frames,
        "fast_tokens_per_frame": fast_tokens_per_frame,
        "slow_tokens": slow_tokens,
        "fast_tokens": fast_tokens,
        "total": slow_tokens + fast_tokens,
    }


def get_num_video_tokens(
    num_frames: int,
    height: int,
    width: int,
    patch_size: int,
    slow_frame_stride: int,
    slow_pool_stride: int,
    fast_pool_stride: int | None,
) -> int:
    """Number of `<video>` placeholders (= visual tokens) of one video; see [`video_token_layout`] for the arithmetic.

    Returns:
        `int`: slow tokens + fast tokens.
    """
    return video_token_layout(
        num_frames, height, width, patch_size, slow_frame_stride, slow_pool_stride, fast_pool_stride
    )["total"]


@strict
class ActionArtConfig(PreTrainedConfig):
    r"""Configuration of [`ActionArtForConditionalGeneration`]: a vision tower, an MLP projector and an LLM, with
    videos arranged SlowFast (paper §5.1).

    Args:
        vision_config (`dict` or `PreTrainedConfig`, *optional*):
            The vision tower; any transformers vision model config with `patch_size` and `image_size`. Defaults to
            SigLIP-so400m at 384 px, patch 14, without the pooling head.
        text_config (`dict` or `PreTrainedConfig`, *optional*):
            The LLM; any causal LM config. Defaults to Qwen2-7B.
        video_token_id (`int`, *optional*, defaults to 151647):
            Id of the `<video>` placeholder token (LLaVA-OneVision's, so converted checkpoints keep their vocabulary).
        projector_hidden_act (`str`, *optional*, defaults to `"gelu"`):
            Activation between the projector's two linear layers.
        multimodal_projector_bias (`bool`, *optional*, defaults to `True`):
            Whether the projector's linear layers have biases.
        vision_feature_layer (`int`, *optional*, defaults to -1):
            Hidden-state index of the vision tower whose features are projected.
        vision_feature_select_strategy (`str`, *optional*, defaults to `"full"`):
            `"full"` keeps every token (SigLIP); `"default"` drops the first (CLS) token (CLIP).
        slow_frame_stride (`int`, *optional*, defaults to 4):
            The slow branch keeps frames `0, slow_frame_stride, 2 * slow_frame_stride, ...`.
        slow_pool_stride (`int`, *optional*, defaults to 2):
            Spatial pooling stride of the slow branch.
        fast_pool_stride (`int`, *optional*, defaults to 4):
            Spatial pooling stride of the fast branch (every frame); `None` disables the fast branch.
        spatial_pool_mode (`str`, *optional*, defaults to `"average"`):
            `"average"`: average over each `stride x stride` window (the last one may be partial); `"bilinear"`:
            bilinear resize to `ceil(side / stride)` (LLaVA-OneVision's video pooling; identical to `"average"` for
            stride 2 on even grids). Both give `ceil(side / stride)` cells per side.
        max_frames (`int`, *optional*, defaults to 64):
            Most frames per video; more raise a `ValueError` (the video processor samples down to this).
        tie_word_embeddings (`bool`, *optional*, defaults to `False`):
            Tie the LM head to the input embeddings (taken from `text_config` when it ties them).

    Example:

    ```python
    >>> from transformers import Qwen2Config, SiglipVisionConfig
    >>> from actionart_hf.models.actionart import ActionArtConfig, ActionArtForConditionalGeneration

    >>> config = ActionArtConfig(
    ...     vision_config=SiglipVisionConfig(
    ...         hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
    ...         image_size=32, patch_size=8, vision_use_head=False,
    ...     ),
    ...     text_config=Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
    ...                             num_attention_heads=4, num_key_value_heads=2),
    ...     video_token_id=5,
    ... )
    >>> model = ActionArtForConditionalGeneration(config)
    ```
    """

    model_type = "actionart"
    sub_configs_defaults = {
        "vision_config": SubConfigSpec(
            config_class=AutoConfig,
            model_type="siglip_vision_model",
            init_kwargs={
                "hidden_size": 1152,
                "intermediate_size": 4304,
                "patch_size": 14,
                "image_size": 384,
                "num_hidden_layers": 26,
                "num_attention_heads": 16,
                "vision_use_head": False,
            },
        ),
        "text_config": SubConfigSpec(
            config_class=AutoConfig,
            model_type="qwen2",
            init_kwargs={
                "vocab_size": 152064,
                "hidden_size": 3584,
                "intermediate_size": 18944,
                "num_hidden_layers": 28,
                "num_attention_heads": 28,
                "num_key_value_heads": 4,
                "max_position_embeddings": 32768,
                "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0},
            },
        ),
    }

    vision_config: dict | PreTrainedConfig | None = None
    text_config: dict | PreTrainedConfig | None = None
    video_token_id: int = 151647
    projector_hidden_act: str = "gelu"
    multimodal_projector_bias: bool = True
    vision_feature_layer: int = -1
    vision_feature_select_strategy: Literal["default", "full"] = "full"
    slow_frame_stride: int = 4
    slow_pool_stride: int = 2
    fast_pool_stride: int | None = 4
    spatial_pool_mode: Literal["average", "bilinear"] = "average"
    # The paper's 64 frames, written here (not imported from actionart_hf.video) since this folder stands alone.
    max_frames: int = 64
    tie_word_embeddings: bool = False

    def __post_init__(self, **kwargs):
        super().__post_init__(**kwargs)
        for name in ("slow_frame_stride", "slow_pool_stride", "max_frames"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be >= 1.")
        if self.fast_pool_stride is not None and self.fast_pool_stride < 1:
            raise ValueError(f"fast_pool_stride={self.fast_pool_stride} must be >= 1, or None to disable the branch.")
        if getattr(self.vision_config, "patch_size", None) is None:
            raise ValueError(
                f"vision_config ({type(self.vision_config).__name__}) has no `patch_size`; ActionArt needs a "
                "patch-grid vision tower such as SigLIP or CLIP."
            )
        # Like LLaVA-OneVision: checkpoints often record tying on the text config only.
        if not self.tie_word_embeddings and getattr(self.text_config, "tie_word_embeddings", False):
            self.tie_word_embeddings = True

    @property
    def patch_size(self) -> int:
        """The vision tower's (square) patch size in pixels."""
        return _to_pair(self.vision_config.patch_size)[0]

    @property
    def image_size(self) -> tuple[int, int]:
        """`(height, width)` in pixels the vision tower expects."""
        return _to_pair(self.vision_config.image_size)

    def num_video_tokens(self, num_frames: int, height: int | None = None, width: int | None = None) -> int:
        """Visual tokens of one video of `num_frames` frames of `height x width` pixels (defaults: `image_size`).

        Returns:
            `int`: the number of `<video>` placeholders the processor must insert for this video.
        """
        default_height, default_width = self.image_size
        return get_num_video_tokens(
            num_frames,
            height if height is not None else default_height,
            width if width is not None else default_width,
            self.patch_size,
            self.slow_frame_stride,
            self.slow_pool_stride,
            self.fast_pool_stride,
        )


__all__ = ["ActionArtConfig", "get_num_video_tokens", "video_token_layout"]
