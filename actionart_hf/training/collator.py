"""The training collator: lazy video/image decoding, processor + chat template, labels on the answer only.

    >>> collator = ActionArtDataCollator(processor, num_frames=DEFAULT_NUM_FRAMES, max_pixels=DEFAULT_MAX_PIXELS)
    >>> batch = collator([train_dataset[0], train_dataset[1]])
    >>> batch["input_ids"].shape, batch["labels"].shape        # (batch_size, sequence_length) each

Examples are the uniform rows of `load_mixture` (`messages` JSON, `videos` paths, `images` bytes). Nothing is
decoded before `__call__`, so a DataLoader worker decodes the videos of its own batches; the collator holds only
the processor and plain settings and pickles for spawned workers.

How labels are set: the conversation is rendered once with the processor's chat template, whose `{% generation %}`
blocks mark the assistant turns (what `apply_chat_template(..., return_assistant_tokens_mask=True)` reads). That
splits the text into unsupervised spans (system, user turns, the generation prompts) and supervised spans (each
assistant answer with its end-of-turn tokens and the line break the template writes after them). The first span,
which holds every video/image placeholder, goes through the processor with the media (so placeholders expand to
exactly the model's visual tokens); the other spans are tokenized as text. Labels are the input ids on supervised
spans and -100 everywhere else (with `loss_on="all"`, every token but padding and media placeholders).

Pixels: with a video processor that names the size it resizes frames to (ActionArt's `resized_frame_size`), videos
are decoded straight to that size in uint8 (the resize happens once, in libswscale / decord), so the processor only
pads and normalises them (one fused multiply-add) instead of resizing full frames in float32.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..video import DEFAULT_MAX_PIXELS, DEFAULT_NUM_FRAMES, load_video


IGNORE_INDEX = -100
# Processor outputs that are per-token and must be extended over the text-only spans and padded.
_TOKEN_ALIGNED = ("token_type_ids", "mm_token_type_ids")
_MEDIA_TYPES = ("video", "image")
_GENERATION_BLOCK = re.compile(r"\{%-?\s*generation\s*-?%\}")


def _decode_image(reference: Any, max_pixels: int | None) -> np.ndarray:
    """An undecoded image (`{"bytes", "path"}`, a path or a PIL image) → uint8 RGB array `(height, width, 3)`."""
    from PIL import Image

    if isinstance(reference, dict):
        source = io.BytesIO(reference["bytes"]) if reference.get("bytes") else reference.get("path")
        if source is None:
            raise ValueError(f"Image {reference!r} has neither bytes nor a path.")
        image = Image.open(source)
    elif isinstance(reference, str):
        image = Image.open(reference)
    else:
        image = reference
    image = image.convert("RGB")
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        scale = (max_pixels / (width * height)) ** 0.5
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))), Image.BICUBIC)
    return np.asarray(image, dtype=np.uint8)


@dataclass
class ActionArtDataCollator:
    """Collates uniform mixture examples into model inputs with answer-only labels.

    Args:
        processor ([`~transformers.ProcessorMixin`]):
            The model's processor: a chat template, a tokenizer with a pad token, and a `__call__` that expands
            `<video>` (and `<image>`) placeholders given `videos=` (and `images=`).
        num_frames (`int`, *optional*, defaults to 64):
            Frames sampled per video, once, when decoding: the processor is called with `do_sample_frames=False`
            (unless `processor_kwargs` says otherwise), so its own saved `num_frames` does not apply.
        max_pixels (`int`, *optional*, defaults to `480 * 480`):
            Pixel cap of a decoded frame or image.
        video_backend (`str`, *optional*, defaults to `"auto"`):
            Decoder passed to `actionart_hf.video.load_video`.
        loss_on (`str`, *optional*, defaults to `"assistant"`):
            `"assistant"` or `"all"` (see module docstring).
        max_length (`int`, *optional*):
            Longest sequence; longer ones lose their tail (answer tokens). A prompt that alone exceeds it (video
            tokens included) raises, since cutting visual tokens would break the model's input.
        images_as_videos (`bool`, *optional*):
            Feed images as 1-frame videos (for processors without image support). `None` decides from the
            processor: images go as images when it has an `image_processor`.
        processor_kwargs (`dict`, *optional*):
            Extra keyword arguments for the processor call (e.g. `{"resize_mode": "squash"}`).
        vision_features (`Mapping[str, torch.Tensor]`, *optional*):
            Precomputed vision-tower features per video path, each of shape `(num_frames, grid_height * grid_width,
            vision_hidden_size)` (see `actionart_hf.training.vision_cache`). A batch whose media are all videos found
            here is not decoded: it carries `video_vision_features` instead of `pixel_values_videos`. Only valid while
            the tower is frozen and for a processor with `num_video_tokens` (ActionArt's).

    Returns (from `__call__`):
        `dict[str, torch.Tensor]`: `input_ids`, `attention_mask` and `labels` of shape `(batch_size,
        sequence_length)`, plus the processor's media tensors (e.g. `pixel_values_videos`).
    """

    processor: Any
    num_frames: int = DEFAULT_NUM_FRAMES
    max_pixels: int | None = DEFAULT_MAX_PIXELS
    video_backend: str = "auto"
    loss_on: str = "assistant"
    max_length: int | None = None
    images_as_videos: bool | None = None
    processor_kwargs: dict = field(default_factory=dict)
    vision_features: Mapping[str, torch.Tensor] | None = None

    def __post_init__(self):
        if self.loss_on not in ("assistant", "all"):
            raise ValueError(f"loss_on={self.loss_on!r} must be 'assistant' or 'all'.")
        tokenizer = self.tokenizer
        if tokenizer.pad_token_id is None:
            if tokenizer.eos_token is None:
                raise ValueError("The tokenizer has neither a pad token nor an EOS token to pad with; set pad_token.")
            tokenizer.pad_token = tokenizer.eos_token
        if self.images_as_videos is None:
            self.images_as_videos = getattr(self.processor, "image_processor", None) is None

    # -- helpers ---------------------------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        return getattr(self.processor, "tokenizer", self.processor)

    def _render_with_generation(self, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
        """The rendered conversation and the character spans of its `{% generation %}` blocks."""
        from transformers.utils.chat_template_utils import render_jinja_template

        template = self.processor.chat_template
        if isinstance(template, dict):
            template = template.get("default")
        if not template or not _GENERATION_BLOCK.search(template):
            raise ValueError(
                "The chat template marks no assistant turn with `{% generation %}`, so the answer tokens cannot be "
                "found: wrap the assistant's content in `{% generation %}...{% endgeneration %}` (as "
                "actionart_hf.models.actionart.DEFAULT_CHAT_TEMPLATE does) and save the processor again."
            )
        rendered, generation = render_jinja_template(
            conversations=[messages],
            chat_template=template,
            return_assistant_tokens_mask=True,
            **self.tokenizer.special_tokens_map,
        )
        return rendered[0], [tuple(span) for span in generation[0]]

    def _media_token_ids(self) -> set[int]:
        ids = set()
        for name in ("video_token_id", "image_token_id"):
            value = getattr(self.processor, name, None)
            if value is None:
                token = getattr(self.processor, name.replace("_id", ""), None)
                value = self.tokenizer.convert_tokens_to_ids(token) if isinstance(token, str) else None
            if isinstance(value, int) and value >= 0:
                ids.add(value)
        return ids

    def split_spans(self, messages: list[dict]) -> list[tuple[str, bool]]:
        """Splits the rendered conversation into `(text, supervised)` spans (see the module docstring).

        Args:
            messages (`list[dict]`): chat messages with at least one assistant turn.

        Returns:
            `list[tuple[str, bool]]` whose texts concatenate to the whole rendered conversation; the first span holds
            every media placeholder.
        """
        full, generation = self._render_with_generation(messages)
        spans, position = [], 0
        for start, end in generation:
            rest = full[end:]
            end += len(rest) - len(rest.lstrip())  # the line break the template writes after the turn
            spans.append((full[position:start], False))
            spans.append((full[start:end], True))
            position = end
        if position == 0:
            raise ValueError("The conversation has no assistant turn to learn from.")
        if position < len(full):
            spans.append((full[position:], False))
        for part_index, message in enumerate(messages):
            if any(part.get("type") in _MEDIA_TYPES for part in message["content"]) and part_index > next(
                i for i, m in enumerate(messages) if m["role"] == "assistant"
            ):
                raise ValueError("Videos and images are only supported before the first assistant turn.")
        return [span for span in spans if span[0] or span[1]]

    def uses_cached_features(self, examples: list[dict[str, Any]]) -> bool:
        """Whether this batch's media are all videos with precomputed features (then nothing is decoded)."""
        if self.vision_features is None or any(example.get("images") for example in examples):
            return False
        paths = [path for example in examples for path in example.get("videos") or []]
        return bool(paths) and all(path in self.vision_features for path in paths)

    def _cached_heads(self, examples: list[dict[str, Any]], heads: list[str]) -> dict[str, torch.Tensor]:
        """Tokenises the first spans with each `<video>` expanded for its cached features (no decoding)."""
        video_token = self.processor.video_token
        features, texts = [], []
        for example, head in zip(examples, heads):
            pieces = head.split(video_token)
            paths = example.get("videos") or []
            if len(pieces) - 1 != len(paths):
                raise ValueError(
                    f"An example holds {len(pieces) - 1} {video_token} placeholder(s) but {len(paths)} video(s) "
                    f"({paths}); give one video part per video in its messages."
                )
            text = pieces[0]
            for path, piece in zip(paths, pieces[1:]):
                features.append(self.vision_features[path])
                text += video_token * self.processor.num_video_tokens(features[-1].shape[0]) + piece
            texts.append(text)
        encoded = self.tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=False)
        return {
            "input_ids": encoded["input_ids"],
            "attention_mask": encoded["attention_mask"],
            "video_vision_features": torch.cat(features).float(),
            "video_num_frames": torch.tensor([f.shape[0] for f in features], dtype=torch.long),
        }

    def _frame_size(self) -> Callable[[int, int], tuple[int, int]] | None:
        """The size the video processor resizes a frame to, when it says (ActionArt's `resized_frame_size`): videos
        are then decoded straight to it, in uint8, and the processor does not resize them again."""
        video_processor = getattr(self.processor, "video_processor", None)
        resized_frame_size = getattr(video_processor, "resized_frame_size", None)
        if resized_frame_size is None or not self.processor_kwargs.get("do_resize", video_processor.do_resize):
            return None
        overrides = {
            key: self.processor_kwargs[key] for key in ("size", "resize_mode") if key in self.processor_kwargs
        }
        return functools.partial(resized_frame_size, **overrides)

    def _prepare(self, example: dict, decode: bool = True) -> tuple[list[dict], list[np.ndarray], list[np.ndarray]]:
        messages = json.loads(example["messages"]) if isinstance(example["messages"], str) else example["messages"]
        if not decode:
            return messages, [], []
        frame_size = self._frame_size()
        videos = [
            load_video(
                path,
                num_frames=self.num_frames,
                max_pixels=self.max_pixels,
                backend=self.video_backend,
                frame_size=frame_size,
            ).frames
            for path in example.get("videos") or []
        ]
        images = [_decode_image(image, self.max_pixels) for image in example.get("images") or []]
        if self.images_as_videos and images:
            # Images become 1-frame videos, in placeholder order among the videos.
            video_iter, image_iter, ordered = iter(videos), iter(images), []
            for message in messages:
                for part in message["content"]:
                    if part.get("type") == "video":
                        ordered.append(next(video_iter))
                    elif part.get("type") == "image":
                        part["type"] = "video"
                        ordered.append(next(image_iter)[None])
            videos, images = ordered, []
        return messages, videos, images

    # -- main ------------------------------------------------------------------------------------------------------
    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        cached = self.uses_cached_features(examples)
        prepared = [self._prepare(example, decode=not cached) for example in examples]
        spans = [self.split_spans(messages) for messages, _, _ in prepared]
        videos = [video for _, vs, _ in prepared for video in vs]
        images = [image for _, _, ims in prepared for image in ims]
        head_texts = [example_spans[0][0] for example_spans in spans]

        if cached:
            heads = self._cached_heads(examples, head_texts)
        else:
            kwargs = dict(self.processor_kwargs)
            if videos:
                kwargs["videos"] = videos
                if hasattr(getattr(self.processor, "video_processor", None), "do_sample_frames"):
                    # `load_video` already sampled `num_frames`: the processor keeps them all instead of sampling
                    # again with the `num_frames` it was saved with.
                    kwargs.setdefault("do_sample_frames", False)
            if images:
                kwargs["images"] = images
            heads = self.processor(
                text=head_texts, padding=True, return_tensors="pt", add_special_tokens=False, **kwargs
            )
        head_ids, head_mask = heads.pop("input_ids"), heads.pop("attention_mask")
        aligned = {key: heads.pop(key) for key in _TOKEN_ALIGNED if key in heads}
        media_ids = self._media_token_ids() if self.loss_on == "all" else set()

        rows = []
        for row, example_spans in enumerate(spans):
            keep = head_mask[row].bool()
            ids = head_ids[row][keep].tolist()
            extra = {key: value[row][keep].tolist() for key, value in aligned.items()}
            labels = [IGNORE_INDEX] * len(ids)
            if self.loss_on == "all":
                labels = [IGNORE_INDEX if token in media_ids else token for token in ids]
            if example_spans[0][1]:  # the first span is an answer (a conversation opening with the assistant)
                labels = list(ids)
            prompt_length = len(ids)
            for text, supervised in example_spans[1:]:
                span_ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
                ids += span_ids
                labels += span_ids if (supervised or self.loss_on == "all") else [IGNORE_INDEX] * len(span_ids)
                for key in extra:
                    extra[key] += [0] * len(span_ids)
            if self.max_length is not None and len(ids) > self.max_length:
                if prompt_length > self.max_length:
                    raise ValueError(
                        f"A prompt of {prompt_length} tokens (visual tokens included) exceeds max_length="
                        f"{self.max_length} (source {examples[row].get('source', '?')}); raise max_length, set it to "
                        "null, or lower num_frames / max_pixels."
                    )
                ids, labels = ids[: self.max_length], labels[: self.max_length]
                extra = {key: value[: self.max_length] for key, value in extra.items()}
            rows.append((ids, labels, extra))

        batch_size, length = len(rows), max(len(ids) for ids, _, _ in rows)
        pad_id = self.tokenizer.pad_token_id
        input_ids = torch.full((batch_size, length), pad_id, dtype=torch.long)
        labels = torch.full((batch_size, length), IGNORE_INDEX, dtype=torch.long)
        attention_mask = torch.zeros((batch_size, length), dtype=torch.long)
        aligned_out = {key: torch.zeros((batch_size, length), dtype=value.dtype) for key, value in aligned.items()}
        for row, (ids, row_labels, extra) in enumerate(rows):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            labels[row, : len(ids)] = torch.tensor(row_labels, dtype=torch.long)
            attention_mask[row, : len(ids)] = 1
            for key, values in extra.items():
                aligned_out[key][row, : len(values)] = torch.tensor(values, dtype=aligned_out[key].dtype)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels, **aligned_out, **heads}


__all__ = ["IGNORE_INDEX", "ActionArtDataCollator"]
