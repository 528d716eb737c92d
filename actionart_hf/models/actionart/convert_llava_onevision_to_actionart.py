"""Converts a LLaVA-OneVision / LLaVA-Video checkpoint (SigLIP + projector + Qwen2) into an ActionArt checkpoint.

    python -m actionart_hf.models.actionart.convert_llava_onevision_to_actionart \\
        --source llava-hf/llava-onevision-qwen2-7b-ov-hf --output outputs/actionart-7b-init
    python -m actionart_hf.models.actionart.convert_llava_onevision_to_actionart \\
        --source llava-hf/LLaVA-Video-7B-Qwen2-hf --output outputs/actionart-7b-init --slow-frame-stride 4

The paper starts from Oryx-7B, whose vision encoder is not in transformers; LLaVA-OneVision and LLaVA-Video share the
recipe (SigLIP-so400m-384/14, a 2-layer GELU projector, Qwen2) and load with `LlavaOnevisionForConditionalGeneration`.

What carries over unchanged: the vision tower, the projector and the LLM with its LM head (same parameter names:
`model.vision_tower.*`, `model.multi_modal_projector.*`, `model.language_model.*`, `lm_head.*`), the
`vision_feature_layer` / `vision_feature_select_strategy`, the `<video>` token id and the tokenizer, and the frame
geometry: LLaVA-OneVision's and LLaVA-Video's video processors stretch every frame to the tower's square size, so the
converted processor keeps `resize_mode="squash"` (ActionArt's own default, `"pad"`, keeps the aspect ratio).

What does not: LLaVA-OneVision's `image_newline` vector (appended once after a video's frames, and between rows of
its any-resolution image tiles) has no place in the SlowFast layout and is dropped; its any-resolution image path is
replaced by images-as-1-frame-videos; its video pooling (bilinear 2x on every frame) becomes SlowFast. With
`spatial_pool_mode="bilinear"`, ActionArt's stride-2 slow branch reproduces LLaVA-OneVision's pooled video features
exactly; the default `"average"` differs from it only on odd grids (27x27 for SigLIP-384/14). The converted model
still needs the paper's stage 1 (video SFT) to adapt to the SlowFast arrangement.

This file imports only `torch`, `transformers` and its sibling files.
"""

import argparse
import os

import torch
from transformers import PreTrainedModel
from transformers.utils import logging

from .configuration_actionart import ActionArtConfig
from .modeling_actionart import ActionArtForConditionalGeneration


logger = logging.get_logger(__name__)

# Parameters of LLaVA-OneVision that ActionArt has no counterpart for.
DROPPED_KEYS = ("model.image_newline",)
# Key prefixes of checkpoints saved before transformers 4.52 (`LlavaOnevisionForConditionalGeneration` then held the
# LLM as `language_model.model` / `language_model.lm_head`).
_LEGACY_PREFIXES = (
    ("language_model.model.", "model.language_model."),
    ("language_model.lm_head.", "lm_head."),
    ("vision_tower.", "model.vision_tower."),
    ("multi_modal_projector.", "model.multi_modal_projector."),
    ("image_newline", "model.image_newline"),
)


def convert_llava_onevision_config(source_config, **overrides) -> ActionArtConfig:
    """An [`ActionArtConfig`] with the source's vision tower, LLM, projector and `<video>` token.

    Args:
        source_config (`LlavaOnevisionConfig`): the source model's config.
        overrides: ActionArt fields to set (`slow_frame_stride`, `slow_pool_stride`, `fast_pool_stride`,
            `spatial_pool_mode`, `max_frames`, ...).

    Returns:
        `ActionArtConfig`
    """
    layer = source_config.vision_feature_layer
    if not isinstance(layer, int):
        raise ValueError(
            f"vision_feature_layer={layer!r}: ActionArt projects a single vision layer; convert a checkpoint that "
            "uses one layer (LLaVA-OneVision and LLaVA-Video use -1)."
        )
    fields = {
        "vision_config": source_config.vision_config.to_dict(),
        "text_config": source_config.text_config.to_dict(),
        "video_token_id": source_config.video_token_id,
        "projector_hidden_act": source_config.projector_hidden_act,
        "multimodal_projector_bias": getattr(source_config, "multimodal_projector_bias", True),
        "vision_feature_layer": layer,
        "vision_feature_select_strategy": source_config.vision_feature_select_strategy,
        "tie_word_embeddings": bool(getattr(source_config, "tie_word_embeddings", False)),
    }
    fields.update(overrides)
    return ActionArtConfig(**fields)


def convert_llava_onevision_state_dict(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Renames legacy keys and drops `image_newline`; every other tensor keeps its name.

    Args:
        state_dict (`dict[str, torch.Tensor]`): the source model's parameters.

    Returns:
        `dict[str, torch.Tensor]`: ActionArt parameters.
    """
    converted = {}
    for key, value in state_dict.items():
        if not key.startswith(("model.", "lm_head.")):
            for old, new in _LEGACY_PREFIXES:
                if key.startswith(old):
                    key = new + key[len(old) :]
                    break
        if key in DROPPED_KEYS:
            logger.info(f"Dropping {key} (no counterpart in the SlowFast layout).")
            continue
        converted[key] = value
    return converted


def convert_llava_onevision_to_actionart(
    source: "str | os.PathLike | PreTrainedModel",
    output_dir: "str | os.PathLike | None" = None,
    dtype: "torch.dtype | str | None" = None,
    save_processor: bool = True,
    resize_mode: str = "squash",
    **config_overrides,
) -> ActionArtForConditionalGeneration:
    """Builds an ActionArt model holding the weights of a LLaVA-OneVision / LLaVA-Video model.

    Args:
        source (`str`, `os.PathLike` or `LlavaOnevisionForConditionalGeneration`):
            A Hub id or folder of the source checkpoint, or the loaded model.
        output_dir (`str` or `os.PathLike`, *optional*):
            Where to save the ActionArt checkpoint (safetensors, code files with `auto_map`, and, with
            `save_processor` and a path `source`, the processor).
        dtype (`torch.dtype` or `str`, *optional*):
            Load and save in this dtype (default: the checkpoint's).
        save_processor (`bool`, *optional*, defaults to `True`):
            Also build an `ActionArtProcessor` from the source's tokenizer and video settings and save it.
        resize_mode (`str`, *optional*, defaults to `"squash"`):
            The saved processor's frame geometry: `"squash"` as the source models were trained, or `"pad"` (keep the
            aspect ratio), which the model learns to read in further training.
        config_overrides:
            ActionArt config fields (`slow_frame_stride`, `spatial_pool_mode`, ...).

    Returns:
        `ActionArtForConditionalGeneration` in eval mode.
    """
    from transformers import LlavaOnevisionForConditionalGeneration

    if isinstance(source, PreTrainedModel):
        source_model, source_path = source, None
    else:
        source_path = str(source)
        source_model = LlavaOnevisionForConditionalGeneration.from_pretrained(source_path, dtype=dtype or "auto")
    config = convert_llava_onevision_config(source_model.config, **config_overrides)
    config._attn_implementation = source_model.config._attn_implementation
    state_dict = convert_llava_onevision_state_dict(source_model.state_dict())

    with torch.device("meta"):
        model = ActionArtForConditionalGeneration(config)
    if config.tie_word_embeddings:
        state_dict.pop("lm_head.weight", None)
    missing, unexpected = model.load_state_dict(state_dict, strict=False, assign=True)
    missing = [key for key in missing if not (config.tie_word_embeddings and key == "lm_head.weight")]
    if missing or unexpected:
        raise ValueError(
            f"The source checkpoint does not match ActionArt: missing {missing[:8]}, unexpected {unexpected[:8]}; "
            "is it a LlavaOnevisionForConditionalGeneration checkpoint?"
        )
    if config.tie_word_embeddings:
        model.lm_head.weight = model.get_input_embeddings().weight
    # Buffers outside the state dict (rotary frequencies, position ids) are still on the meta device; both models
    # hold the same submodules under the same names, so take them from the source.
    source_buffers = dict(source_model.named_buffers())
    for name, buffer in list(model.named_buffers()):
        if not buffer.is_meta:
            continue
        if name not in source_buffers:
            raise RuntimeError(f"Buffer {name} has no counterpart in the source model to initialise it from.")
        module_name, _, buffer_name = name.rpartition(".")
        module = model.get_submodule(module_name)
        persistent = buffer_name not in module._non_persistent_buffers_set
        module.register_buffer(buffer_name, source_buffers[name].detach().clone(), persistent=persistent)
    model.generation_config = source_model.generation_config
    if not model.generation_config.suppress_tokens:
        model.generation_config.suppress_tokens = [config.video_token_id]
    model.eval()

    if output_dir is not None:
        model.save_pretrained(output_dir)
        if save_processor and source_path is not None:
            convert_processor(source_path, config, resize_mode=resize_mode).save_pretrained(output_dir)
    return model


def convert_processor(source_path: "str | os.PathLike", config: ActionArtConfig, **video_processor_kwargs):
    """An `ActionArtProcessor` with the source's tokenizer, its video normalisation and resampling, and its geometry
    (`resize_mode="squash"`: the source models were trained on stretched frames).

    Args:
        source_path (`str` or `os.PathLike`): Hub id or folder of the LLaVA-OneVision checkpoint.
        config (`ActionArtConfig`): the converted config (token arithmetic, frame size, `max_frames`).
        video_processor_kwargs: overrides for `ActionArtVideoProcessor` (e.g. `num_frames=32`, `resize_mode="pad"`).

    Returns:
        `ActionArtProcessor`
    """
    import json

    from transformers import AutoTokenizer
    from transformers.utils import cached_file

    from .processing_actionart import ActionArtProcessor

    tokenizer = AutoTokenizer.from_pretrained(source_path)
    video_processor_kwargs.setdefault("resize_mode", "squash")  # the source models were trained on stretched frames
    for filename in ("processor_config.json", "video_preprocessor_config.json", "preprocessor_config.json"):
        resolved = cached_file(source_path, filename, _raise_exceptions_for_missing_entries=False)
        if resolved is None:
            continue
        with open(resolved, encoding="utf-8") as file:
            settings = json.load(file)
        settings = settings.get("video_processor", settings.get("image_processor", settings))
        for key in ("image_mean", "image_std", "resample", "rescale_factor"):
            if key in settings:
                video_processor_kwargs.setdefault(key, settings[key])
        break
    return ActionArtProcessor.from_model_config(config, tokenizer, **video_processor_kwargs)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, help="Hub id or folder of a LLaVA-OneVision / LLaVA-Video model.")
    parser.add_argument("--output", required=True, help="Folder for the ActionArt checkpoint (must not exist).")
    parser.add_argument("--dtype", default=None, help="bfloat16, float16 or float32 (default: the checkpoint's).")
    parser.add_argument("--slow-frame-stride", type=int, default=4, help="Slow branch keeps every N-th frame.")
    parser.add_argument("--slow-pool-stride", type=int, default=2, help="Spatial pooling stride of the slow branch.")
    parser.add_argument("--fast-pool-stride", type=int, default=4, help="Spatial pooling stride of the fast branch.")
    parser.add_argument("--spatial-pool-mode", choices=("average", "bilinear"), default="average")
    parser.add_argument("--max-frames", type=int, default=64, help="Most frames per video.")
    parser.add_argument(
        "--resize-mode",
        choices=("squash", "pad"),
        default="squash",
        help="Frame geometry of the saved processor: squash (stretch, as the source was trained) or pad (keep the "
        "aspect ratio; the model then needs training to adapt).",
    )
    parser.add_argument("--no-processor", action="store_true", help="Do not build and save the processor.")
    parser.add_argument("--overwrite", action="store_true", help="Write into an existing output folder.")
    return parser


def main(argv: "list[str] | None" = None) -> int:
    args = make_parser().parse_args(argv)
    if os.path.exists(args.output) and os.listdir(args.output) and not args.overwrite:
        raise ValueError(f"--output {args.output!r} exists and is not empty; pass --overwrite or choose a new folder.")
    dtype = getattr(torch, args.dtype) if args.dtype else None
    convert_llava_onevision_to_actionart(
        args.source,
        args.output,
        dtype=dtype,
        save_processor=not args.no_processor,
        resize_mode=args.resize_mode,
        slow_frame_stride=args.slow_frame_stride,
        slow_pool_stride=args.slow_pool_stride,
        fast_pool_stride=args.fast_pool_stride,
        spatial_pool_mode=args.spatial_pool_mode,
        max_frames=args.max_frames,
    )
    logger.warning(f"Saved the ActionArt checkpoint to {args.output}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "convert_llava_onevision_config",
    "convert_llava_onevision_state_dict",
    "convert_llava_onevision_to_actionart",
    "convert_processor",
    "main",
    "make_parser",
]
