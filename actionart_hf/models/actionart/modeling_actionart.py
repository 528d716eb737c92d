"""ActionArt: a vision tower, an MLP projector and an LLM, with videos arranged SlowFast (paper §5.1).

    >>> model = ActionArtForConditionalGeneration.from_pretrained(path)
    >>> inputs = processor(text=prompt, videos=[frames], return_tensors="pt")
    >>> model.generate(**inputs, max_new_tokens=8)

Video input (the processor's output): `pixel_values_videos` of shape `(total_frames, channels, height, width)`, the
frames of every video of the batch concatenated in placeholder order, with `video_num_frames` of shape
`(num_videos,)` giving each video's frame count (videos may differ in length). A 5-D tensor `(num_videos, num_frames,
channels, height, width)` is accepted too; with `video_num_frames` its trailing frames beyond each count are padding.
Images are 1-frame videos. Every frame goes through the vision tower and the projector; the slow branch keeps
frames `0, s, 2s, ...` (`s = slow_frame_stride`) pooled by `slow_pool_stride`, the fast branch keeps every frame
pooled by `fast_pool_stride`, and a video's visual tokens are its slow block followed by its fast block. They replace
the video's `<video>` placeholders in the LLM input, whose count the processor computes with the same
`get_num_video_tokens`.

This file imports only `torch`, `transformers` and its sibling files (it is copied next to the weights).
"""

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoModel, GenerationMixin, PreTrainedModel
from transformers.activations import ACT2FN
from transformers.modeling_outputs import BaseModelOutputWithPast, BaseModelOutputWithPooling, ModelOutput
from transformers.modeling_utils import slice_logits_to_keep
from transformers.utils import logging
from transformers.utils.generic import can_return_tuple

from .configuration_actionart import ActionArtConfig, get_num_video_tokens


logger = logging.get_logger(__name__)

IGNORE_INDEX = -100


@dataclass
class ActionArtModelOutputWithPast(BaseModelOutputWithPast):
    r"""Output of [`ActionArtModel`].

    Args:
        video_hidden_states (`tuple[torch.FloatTensor]`, *optional*):
            One tensor of shape `(num_video_tokens, hidden_size)` per video: the SlowFast visual tokens that replaced
            its placeholders (only when videos were encoded in this call).
    """

    video_hidden_states: tuple[torch.FloatTensor, ...] | None = None


@dataclass
class ActionArtCausalLMOutputWithPast(ModelOutput):
    r"""Output of [`ActionArtForConditionalGeneration`].

    Args:
        loss (`torch.FloatTensor` of shape `(1,)`, *optional*):
            Next-token cross-entropy over the positions whose `labels` are not -100.
        logits (`torch.FloatTensor` of shape `(batch_size, sequence_length, vocab_size)`):
            LM-head scores.
        cache (`Cache`, *optional*):
            The key/value cache to continue decoding with.
        hidden_states (`tuple[torch.FloatTensor]`, *optional*):
            LLM hidden states per layer, when requested.
        attentions (`tuple[torch.FloatTensor]`, *optional*):
            LLM attention weights per layer, when requested.
        video_hidden_states (`tuple[torch.FloatTensor]`, *optional*):
            Per video, the visual tokens of shape `(num_video_tokens, hidden_size)`.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    cache: object | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None
    video_hidden_states: tuple[torch.FloatTensor, ...] | None = None


class ActionArtMultiModalProjector(nn.Module):
    """Two-layer MLP from the vision tower's hidden size to the LLM's (LLaVA's projector; same parameter names)."""

    def __init__(self, config: ActionArtConfig):
        super().__init__()
        text_hidden_size = config.text_config.hidden_size
        self.linear_1 = nn.Linear(
            config.vision_config.hidden_size, text_hidden_size, bias=config.multimodal_projector_bias
        )
        self.act = ACT2FN[config.projector_hidden_act]
        self.linear_2 = nn.Linear(text_hidden_size, text_hidden_size, bias=config.multimodal_projector_bias)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(features)))


def _as_counts(video_num_frames: torch.Tensor | list[int]) -> list[int]:
    """Frames per video as a list of ints (from a tensor or a list)."""
    return [int(count) for count in torch.as_tensor(video_num_frames).reshape(-1).tolist()]


def pool_frame_grid(
    features: torch.Tensor, grid_height: int, grid_width: int, stride: int, mode: str = "average"
) -> torch.Tensor:
    """Spatially pools per-frame token grids by `stride`.

    Args:
        features (`torch.Tensor` of shape `(num_frames, grid_height * grid_width, hidden_size)`):
            Row-major token grids.
        grid_height (`int`), grid_width (`int`): the grid's sides.
        stride (`int`): pooling stride; 1 returns `features` unchanged.
        mode (`str`, *optional*, defaults to `"average"`): `"average"` (mean over each window, the last one may be
            partial) or `"bilinear"` (resize to the pooled size).

    Returns:
        `torch.Tensor` of shape `(num_frames, ceil(grid_height / stride) * ceil(grid_width / stride), hidden_size)`.
    """
    if stride == 1:
        return features
    num_frames, _, hidden_size = features.shape
    grids = features.reshape(num_frames, grid_height, grid_width, hidden_size).permute(0, 3, 1, 2)
    pooled_size = (math.ceil(grid_height / stride), math.ceil(grid_width / stride))
    if mode == "average":
        pooled = F.avg_pool2d(grids, kernel_size=stride, stride=stride, ceil_mode=True)
    elif mode == "bilinear":
        pooled = F.interpolate(grids, size=pooled_size, mode="bilinear", align_corners=False)
    else:
        raise ValueError(f"spatial_pool_mode={mode!r} is not supported; use 'average' or 'bilinear'.")
    return pooled.permute(0, 2, 3, 1).reshape(num_frames, pooled_size[0] * pooled_size[1], hidden_size)


class ActionArtPreTrainedModel(PreTrainedModel):
    config: ActionArtConfig
    config_class = ActionArtConfig
    base_model_prefix = "model"
    main_input_name = "input_ids"
    input_modalities = ("video", "text")
    supports_gradient_checkpointing = True
    _skip_keys_device_placement = "cache"
    _supports_flash_attn = True
    _supports_sdpa = True
    _supports_flex_attn = True
    _supports_attention_backend = True
    # Data-dependent checks (placeholder counts, per-video splits) break full-graph compilation.
    _can_compile_fullgraph = False


class ActionArtModel(ActionArtPreTrainedModel):
    """Vision tower → projector → SlowFast arrangement → placeholder replacement → LLM (no LM head)."""

    def __init__(self, config: ActionArtConfig):
        super().__init__(config)
        self.vision_tower = AutoModel.from_config(config.vision_config)
        self.multi_modal_projector = ActionArtMultiModalProjector(config)
        self.language_model = AutoModel.from_config(config.text_config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.language_model.get_input_embeddings()

    def set_input_embeddings(self, value: nn.Module):
        self.language_model.set_input_embeddings(value)

    # -- video features ------------------------------------------------------------------------------------------
    def _check_frame_counts(self, video_num_frames: list[int]) -> None:
        """Every video has at least one frame and at most `config.max_frames`."""
        if any(count < 1 for count in video_num_frames):
            raise ValueError(f"video_num_frames={video_num_frames}: every video needs at least one frame.")
        too_long = [count for count in video_num_frames if count > self.config.max_frames]
        if too_long:
            raise ValueError(
                f"A video has {max(too_long)} frames but max_frames={self.config.max_frames}; sample fewer frames "
                f"(the video processor samples down to num_frames <= {self.config.max_frames}) or raise "
                "config.max_frames."
            )

    def _flatten_videos(
        self, pixel_values_videos: torch.Tensor, video_num_frames: torch.Tensor | list[int] | None
    ) -> tuple[torch.Tensor, list[int]]:
        """Validates the video input and returns `(frames of shape (total_frames, C, H, W), frames per video)`."""
        if not isinstance(pixel_values_videos, torch.Tensor):
            raise ValueError(
                f"pixel_values_videos must be a torch.Tensor, got {type(pixel_values_videos).__name__}; call the "
                "processor with return_tensors='pt'."
            )
        if not pixel_values_videos.is_floating_point():
            raise ValueError(
                f"pixel_values_videos has dtype {pixel_values_videos.dtype}; the model expects normalised float "
                "frames. Run the frames through ActionArtVideoProcessor (or the processor) first."
            )
        if video_num_frames is not None:
            video_num_frames = _as_counts(video_num_frames)
        if pixel_values_videos.ndim == 5:
            num_videos, padded_frames = pixel_values_videos.shape[:2]
            if video_num_frames is None:
                video_num_frames = [padded_frames] * num_videos
            if len(video_num_frames) != num_videos or any(n > padded_frames for n in video_num_frames):
                raise ValueError(
                    f"video_num_frames={video_num_frames} does not fit pixel_values_videos of shape "
                    f"{tuple(pixel_values_videos.shape)}: give one count <= {padded_frames} per video."
                )
            pixel_values_videos = torch.cat(
                [video[:count] for video, count in zip(pixel_values_videos, video_num_frames)], dim=0
            )
        elif pixel_values_videos.ndim == 4:
            if video_num_frames is None:
                video_num_frames = [pixel_values_videos.shape[0]]
            if sum(video_num_frames) != pixel_values_videos.shape[0]:
                raise ValueError(
                    f"video_num_frames={video_num_frames} sums to {sum(video_num_frames)} but pixel_values_videos "
                    f"holds {pixel_values_videos.shape[0]} frames (shape {tuple(pixel_values_videos.shape)}); pass "
                    "the processor's video_num_frames with its pixel_values_videos."
                )
        else:
            raise ValueError(
                f"pixel_values_videos must have shape (total_frames, channels, height, width) or (num_videos, "
                f"num_frames, channels, height, width); got {tuple(pixel_values_videos.shape)}."
            )
        self._check_frame_counts(video_num_frames)
        channels, height, width = pixel_values_videos.shape[1:]
        expected_channels = getattr(self.config.vision_config, "num_channels", 3)
        expected_height, expected_width = self.config.image_size
        if (channels, height, width) != (expected_channels, expected_height, expected_width):
            raise ValueError(
                f"Frames have shape (channels, height, width)=({channels}, {height}, {width}) but the vision tower "
                f"expects ({expected_channels}, {expected_height}, {expected_width}); resize with the video processor "
                f"(size={{'height': {expected_height}, 'width': {expected_width}}})."
            )
        return pixel_values_videos, video_num_frames

    def get_vision_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """The vision tower's patch features of individual frames (the configured layer, CLS dropped if asked).

        With a frozen tower these are a fixed function of the frames, so they can be computed once and passed to
        [`~ActionArtModel.forward`] as `video_vision_features` instead of `pixel_values_videos` (see
        `actionart_hf.training.vision_cache`).

        Args:
            pixel_values (`torch.FloatTensor` of shape `(num_frames, channels, height, width)`):
                Preprocessed frames.

        Returns:
            `torch.FloatTensor` of shape `(num_frames, grid_height * grid_width, vision_hidden_size)`.
        """
        pixel_values = pixel_values.to(dtype=self.vision_tower.dtype)
        layer = self.config.vision_feature_layer
        # An index (not `True`) makes transformers' output capturing keep only that layer's hidden states (0 would
        # read as False, so it asks for all of them).
        vision_outputs = self.vision_tower(pixel_values, output_hidden_states=layer or True, return_dict=True)
        features = vision_outputs.hidden_states[layer]
        if self.config.vision_feature_select_strategy == "default":
            features = features[:, 1:]  # drop the CLS token
        height, width = pixel_values.shape[-2:]
        grid_height, grid_width = height // self.config.patch_size, width // self.config.patch_size
        if features.shape[1] != grid_height * grid_width:
            raise ValueError(
                f"The vision tower returned {features.shape[1]} tokens per frame, not a {grid_height}x{grid_width} "
                f"patch grid; check vision_feature_select_strategy={self.config.vision_feature_select_strategy!r} "
                "('default' drops a CLS token, 'full' keeps every token)."
            )
        return features

    def get_frame_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Projected patch features of individual frames, before any pooling.

        Args:
            pixel_values (`torch.FloatTensor` of shape `(num_frames, channels, height, width)`):
                Preprocessed frames.

        Returns:
            `torch.FloatTensor` of shape `(num_frames, grid_height * grid_width, text_hidden_size)`.
        """
        return self.multi_modal_projector(self.get_vision_features(pixel_values))

    def _check_vision_features(
        self, video_vision_features: torch.Tensor, video_num_frames: torch.Tensor | list[int] | None
    ) -> list[int]:
        """Validates precomputed tower features and returns the frames per video."""
        grid_height, grid_width = (side // self.config.patch_size for side in self.config.image_size)
        expected = (grid_height * grid_width, self.config.vision_config.hidden_size)
        if video_vision_features.ndim != 3 or tuple(video_vision_features.shape[1:]) != expected:
            raise ValueError(
                f"video_vision_features has shape {tuple(video_vision_features.shape)} but this model's tower gives "
                f"(total_frames, {expected[0]}, {expected[1]}); compute them with model.get_vision_features on frames "
                "preprocessed for this model (the cache must come from the same vision tower and image size)."
            )
        total = video_vision_features.shape[0]
        counts = [total] if video_num_frames is None else _as_counts(video_num_frames)
        if sum(counts) != total:
            raise ValueError(
                f"video_num_frames={counts} does not split video_vision_features of {total} frames; give one count "
                "per video, summing to the number of frames."
            )
        self._check_frame_counts(counts)
        return counts

    def get_video_features(
        self,
        pixel_values_videos: torch.Tensor | None = None,
        video_num_frames: torch.Tensor | list[int] | None = None,
        video_vision_features: torch.Tensor | None = None,
        **kwargs,
    ) -> BaseModelOutputWithPooling:
        """Encodes videos into their SlowFast visual tokens.

        Args:
            pixel_values_videos (`torch.FloatTensor`, *optional*):
                Of shape `(total_frames, channels, height, width)` (all videos' frames concatenated) or
                `(num_videos, num_frames, channels, height, width)`.
            video_num_frames (`torch.LongTensor` of shape `(num_videos,)`, *optional*):
                Frames per video; defaults to one video (4-D input) or full-length videos (5-D input).
            video_vision_features (`torch.FloatTensor` of shape `(total_frames, grid_height * grid_width,
                vision_hidden_size)`, *optional*):
                The tower's output for every frame ([`~ActionArtModel.get_vision_features`]), precomputed; replaces
                `pixel_values_videos` and skips the tower (for training with a frozen tower).

        Returns:
            [`~modeling_outputs.BaseModelOutputWithPooling`] whose `pooler_output` is a tuple with one tensor of
            shape `(num_video_tokens, text_hidden_size)` per video (slow block, then fast block), and whose
            `last_hidden_state` holds the projected, unpooled frame features of shape `(total_frames, grid_height *
            grid_width, text_hidden_size)`.
        """
        if (pixel_values_videos is None) == (video_vision_features is None):
            raise ValueError("Pass exactly one of pixel_values_videos and video_vision_features.")
        config = self.config
        if video_vision_features is None:
            frames, video_num_frames = self._flatten_videos(pixel_values_videos, video_num_frames)
            height, width = frames.shape[-2:]
            frame_features = self.get_frame_features(frames)
        else:
            video_num_frames = self._check_vision_features(video_vision_features, video_num_frames)
            height, width = config.image_size
            frame_features = self.multi_modal_projector(
                video_vision_features.to(self.multi_modal_projector.linear_1.weight.dtype)
            )
        grid_height, grid_width = height // config.patch_size, width // config.patch_size

        video_tokens = []
        for features in torch.split(frame_features, video_num_frames, dim=0):
            # Slow: every `slow_frame_stride`-th frame, finer grid; fast: every frame, coarser grid.
            slow = pool_frame_grid(
                features[:: config.slow_frame_stride],
                grid_height,
                grid_width,
                config.slow_pool_stride,
                config.spatial_pool_mode,
            )
            blocks = [slow.flatten(0, 1)]
            if config.fast_pool_stride is not None:
                fast = pool_frame_grid(
                    features, grid_height, grid_width, config.fast_pool_stride, config.spatial_pool_mode
                )
                blocks.append(fast.flatten(0, 1))
            tokens = torch.cat(blocks, dim=0)
            expected = get_num_video_tokens(
                features.shape[0],
                height,
                width,
                config.patch_size,
                config.slow_frame_stride,
                config.slow_pool_stride,
                config.fast_pool_stride,
            )
            if tokens.shape[0] != expected:
                raise RuntimeError(
                    f"SlowFast produced {tokens.shape[0]} tokens for a {features.shape[0]}-frame video but "
                    f"get_num_video_tokens says {expected}; the pooling and the token arithmetic disagree."
                )
            video_tokens.append(tokens)
        return BaseModelOutputWithPooling(last_hidden_state=frame_features, pooler_output=tuple(video_tokens))

    def get_placeholder_mask(self, input_ids: torch.LongTensor | None, inputs_embeds: torch.Tensor) -> torch.Tensor:
        """Boolean mask of shape `(batch_size, sequence_length)`: where the `<video>` placeholders are."""
        if input_ids is not None:
            return input_ids == self.config.video_token_id
        video_embedding = self.get_input_embeddings()(
            torch.tensor(self.config.video_token_id, dtype=torch.long, device=inputs_embeds.device)
        )
        return (inputs_embeds == video_embedding).all(-1)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values_videos: torch.FloatTensor | None = None,
        video_num_frames: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache=None,
        inputs_embeds: torch.FloatTensor | None = None,
        use_cache: bool | None = None,
        mm_encoder_outputs: dict | None = None,
        video_vision_features: torch.FloatTensor | None = None,
        **kwargs,
    ) -> ActionArtModelOutputWithPast:
        r"""
        Args:
            input_ids (`torch.LongTensor` of shape `(batch_size, sequence_length)`, *optional*):
                Token ids, with `<video>` placeholders where visual tokens go.
            pixel_values_videos (`torch.FloatTensor`, *optional*):
                See the module docstring; only needed when the input holds placeholders (the prefill).
            video_num_frames (`torch.LongTensor` of shape `(num_videos,)`, *optional*):
                Frames per video of `pixel_values_videos`.
            attention_mask (`torch.Tensor` of shape `(batch_size, sequence_length)`, *optional*):
                1 for tokens to attend to, 0 for padding.
            position_ids (`torch.LongTensor` of shape `(batch_size, sequence_length)`, *optional*):
                Positions; default `arange` after the cached length.
            cache (`Cache`, *optional*):
                Key/value cache of previous steps.
            inputs_embeds (`torch.FloatTensor` of shape `(batch_size, sequence_length, hidden_size)`, *optional*):
                Instead of `input_ids`.
            use_cache (`bool`, *optional*):
                Whether to return a cache.
            mm_encoder_outputs (`dict`, *optional*):
                Pre-encoded media (`{"video": get_video_features(...)}`), as `generate` passes them.
            video_vision_features (`torch.FloatTensor`, *optional*):
                Precomputed vision-tower features instead of `pixel_values_videos` (see
                [`~ActionArtModel.get_video_features`]).

        Returns:
            [`ActionArtModelOutputWithPast`]
        """
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("Pass exactly one of input_ids and inputs_embeds.")
        encoded = (mm_encoder_outputs or {}).get("video")
        has_video_input = pixel_values_videos is not None or video_vision_features is not None
        if has_video_input and encoded is not None:
            raise ValueError(
                "Pass either pixel_values_videos (or video_vision_features) or mm_encoder_outputs['video']."
            )
        if inputs_embeds is None:
            inputs_embeds = self.get_input_embeddings()(input_ids)

        if encoded is None and has_video_input:
            encoded = self.get_video_features(pixel_values_videos, video_num_frames, video_vision_features)
        placeholder_mask = self.get_placeholder_mask(input_ids, inputs_embeds)

        video_tokens = None
        if encoded is not None:
            video_tokens = tuple(encoded.pooler_output)
            features = torch.cat(video_tokens, dim=0).to(inputs_embeds.device, inputs_embeds.dtype)
            num_placeholders = int(placeholder_mask.sum())
            if num_placeholders != features.shape[0]:
                per_video = [tokens.shape[0] for tokens in video_tokens]
                per_sample = placeholder_mask.sum(-1).tolist()
                raise ValueError(
                    f"The input holds {num_placeholders} <video> placeholders (per sample: {per_sample}) but the "
                    f"{len(per_video)} video(s) give {features.shape[0]} visual tokens (per video: {per_video}). "
                    "Build the input with ActionArtProcessor, which inserts exactly num_video_tokens(num_frames, "
                    "height, width) placeholders per video, and keep its config in sync with the model's "
                    "(patch_size, slow_frame_stride, slow_pool_stride, fast_pool_stride)."
                )
            inputs_embeds = inputs_embeds.masked_scatter(placeholder_mask.unsqueeze(-1), features)
        else:
            is_prefill = cache is None or cache.get_seq_length() == 0
            if is_prefill and bool(placeholder_mask.any()):
                raise ValueError(
                    f"The input holds {int(placeholder_mask.sum())} <video> placeholders but no video was given; pass "
                    "pixel_values_videos (and video_num_frames) from the processor, or remove the <video> tokens."
                )

        outputs = self.language_model(
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            inputs_embeds=inputs_embeds,
            use_cache=use_cache,
            return_dict=True,
            **kwargs,
        )
        return ActionArtModelOutputWithPast(
            last_hidden_state=outputs.last_hidden_state,
            cache=outputs.cache,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            video_hidden_states=video_tokens,
        )


class ActionArtForConditionalGeneration(ActionArtPreTrainedModel, GenerationMixin):
    """[`ActionArtModel`] with a language-modelling head; `generate` answers questions about videos."""

    _tied_weights_keys = {"lm_head.weight": "model.language_model.embed_tokens.weight"}

    def __init__(self, config: ActionArtConfig):
        super().__init__(config)
        self.model = ActionArtModel(config)
        self.lm_head = nn.Linear(config.text_config.hidden_size, config.text_config.vocab_size, bias=False)
        self.post_init()
        if self.generation_config is not None and not self.generation_config.suppress_tokens:
            # Never generate a placeholder: it would ask for visual tokens that do not exist.
            self.generation_config.suppress_tokens = [config.video_token_id]

    def get_input_embeddings(self) -> nn.Module:
        return self.model.get_input_embeddings()

    def set_input_embeddings(self, value: nn.Module):
        self.model.set_input_embeddings(value)

    def get_output_embeddings(self) -> nn.Module:
        return self.lm_head

    def set_output_embeddings(self, new_embeddings: nn.Module):
        self.lm_head = new_embeddings

    @property
    def vision_tower(self) -> nn.Module:
        return self.model.vision_tower

    @property
    def multi_modal_projector(self) -> nn.Module:
        return self.model.multi_modal_projector

    @property
    def language_model(self) -> nn.Module:
        return self.model.language_model

    def get_video_features(
        self,
        pixel_values_videos: torch.Tensor | None = None,
        video_num_frames: torch.Tensor | list[int] | None = None,
        video_vision_features: torch.Tensor | None = None,
        **kwargs,
    ) -> BaseModelOutputWithPooling:
        """See [`ActionArtModel.get_video_features`]."""
        return self.model.get_video_features(pixel_values_videos, video_num_frames, video_vision_features, **kwargs)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values_videos: torch.FloatTensor | None = None,
        video_num_frames: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache=None,
        inputs_embeds: torch.FloatTensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        mm_encoder_outputs: dict | None = None,
        video_vision_features: torch.FloatTensor | None = None,
        **kwargs,
    ) -> ActionArtCausalLMOutputWithPast:
        r"""
        Args:
            labels (`torch.LongTensor` of shape `(batch_size, sequence_length)`, *optional*):
                Targets aligned with `input_ids` (the model shifts them); -100 marks positions without loss.
                Positions holding `<video>` placeholders never get loss.
            logits_to_keep (`int` or `torch.Tensor`, *optional*, defaults to 0):
                Compute logits only for the last `logits_to_keep` positions (0: all).
            other arguments:
                As in [`ActionArtModel.forward`].

        Returns:
            [`ActionArtCausalLMOutputWithPast`]

        Example:

        ```python
        >>> inputs = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
        ...                                        return_dict=True, return_tensors="pt")
        >>> output_ids = model.generate(**inputs, max_new_tokens=16, do_sample=False)
        ```
        """
        outputs = self.model(
            input_ids=input_ids,
            pixel_values_videos=pixel_values_videos,
            video_num_frames=video_num_frames,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            inputs_embeds=inputs_embeds,
            use_cache=use_cache,
            mm_encoder_outputs=mm_encoder_outputs,
            video_vision_features=video_vision_features,
            **kwargs,
        )
        hidden_states = slice_logits_to_keep(outputs.last_hidden_state, logits_to_keep)
        logits = self.lm_head(hidden_states)

        loss = None
        if labels is not None:
            labels = labels.masked_fill(labels == self.config.video_token_id, IGNORE_INDEX)
            loss = self.loss_function(
                logits=logits, labels=labels, vocab_size=self.config.text_config.vocab_size, **kwargs
            )
        return ActionArtCausalLMOutputWithPast(
            loss=loss,
            logits=logits,
            cache=outputs.cache,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            video_hidden_states=outputs.video_hidden_states,
        )


__all__ = [
    "ActionArtCausalLMOutputWithPast",
    "ActionArtForConditionalGeneration",
    "ActionArtModel",
    "ActionArtModelOutputWithPast",
    "ActionArtMultiModalProjector",
    "ActionArtPreTrainedModel",
    "pool_frame_grid",
]
