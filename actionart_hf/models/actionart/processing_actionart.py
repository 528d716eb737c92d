"""ActionArt processor: a tokenizer, [`ActionArtVideoProcessor`] and a chat template with video parts.

    >>> question = {"type": "text", "text": "What does the person do?"}
    >>> messages = [{"role": "user", "content": [{"type": "video"}, question]}]
    >>> prompt = processor.apply_chat_template(messages, add_generation_prompt=True)
    >>> inputs = processor(text=prompt, videos=[frames], return_tensors="pt")    # frames: uint8 (T, H, W, 3)
    >>> sorted(inputs)
    ['attention_mask', 'input_ids', 'pixel_values_videos', 'video_num_frames']

Each `<video>` in the text is expanded to exactly `num_video_tokens(num_frames, height, width)` placeholders, the
number of SlowFast visual tokens the model produces for that video (both use `get_num_video_tokens`). Images are
1-frame videos: `images=` is accepted (when `videos=` is not) and chat `{"type": "image"}` parts render as `<video>`.

This file imports only `torch`, `transformers` and its sibling files (it is copied next to the weights).
"""

from transformers.feature_extraction_utils import BatchFeature
from transformers.image_transforms import convert_to_rgb
from transformers.image_utils import is_pil_image, is_valid_image, load_image, to_numpy_array
from transformers.processing_utils import MultiModalData, ProcessorMixin
from transformers.utils import logging
from transformers.video_utils import make_batched_videos

from .configuration_actionart import get_num_video_tokens


logger = logging.get_logger(__name__)

# ChatML (as Qwen2 / LLaVA-OneVision) with `<video>` for video and image parts. The assistant turn sits in a
# `{% generation %}` block so `return_assistant_tokens_mask=True` works.
DEFAULT_CHAT_TEMPLATE = (
    "{%- macro render(content) -%}"
    "{%- if content is string -%}{{ content }}"
    "{%- else -%}{%- for part in content -%}"
    "{%- if part['type'] in ['video', 'image'] -%}{{ '<video>\\n' }}"
    "{%- elif part['type'] == 'text' -%}{{ part['text'] }}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
    "{%- endmacro -%}"
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['role'] == 'assistant' -%}"
    "{% generation %}{{ render(message['content']) + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{%- else -%}{{ render(message['content']) + '<|im_end|>\\n' }}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


def _image_to_video(image):
    """An image (PIL, array or tensor `(H, W, C)` / `(C, H, W)`, or a path/URL) → a 1-frame video."""
    if isinstance(image, str):
        image = load_image(image)
    if not is_valid_image(image):
        raise ValueError(f"images= holds {type(image).__name__}, which is not an image (PIL, array, tensor or path).")
    if is_pil_image(image):
        image = to_numpy_array(convert_to_rgb(image))
    if image.ndim != 3:
        raise ValueError(f"An image must have 3 dimensions (height, width, channels), got shape {tuple(image.shape)}.")
    return image[None]


def _flatten_images(images) -> list:
    if isinstance(images, (list, tuple)):
        return [image for item in images for image in _flatten_images(item)]
    return [images]


class ActionArtProcessor(ProcessorMixin):
    r"""Tokenizer + [`ActionArtVideoProcessor`] + chat template for [`ActionArtForConditionalGeneration`].

    Args:
        video_processor ([`ActionArtVideoProcessor`]):
            Samples, resizes and normalises frames.
        tokenizer ([`PreTrainedTokenizerBase`]):
            Must know `video_token` as a single token.
        chat_template (`str`, *optional*):
            Jinja chat template; defaults to ChatML with `<video>` for video and image parts.
        video_token (`str`, *optional*, defaults to `"<video>"`):
            The placeholder, one per video in the text before expansion.
        patch_size (`int`, *optional*, defaults to 14):
            The vision tower's patch size (the model config's `vision_config.patch_size`).
        slow_frame_stride (`int`, *optional*, defaults to 4):
            As in the model config.
        slow_pool_stride (`int`, *optional*, defaults to 2):
            As in the model config.
        fast_pool_stride (`int`, *optional*, defaults to 4):
            As in the model config (`None`: no fast branch).

    Call convention: `processor(text=str | list[str], videos=list of videos | None, images=list of images | None,
    return_tensors="pt", padding=True, ...)`. Videos are uint8 arrays/tensors `(num_frames, height, width, 3)` (or
    channels-first), lists of frames, or paths/URLs; they are matched to `<video>` placeholders in order across the
    batch. Returns a [`BatchFeature`] with `input_ids`, `attention_mask`, `pixel_values_videos` `(total_frames, 3,
    height, width)` and `video_num_frames` `(num_videos,)`.
    """

    video_token_id: int

    def __init__(
        self,
        video_processor=None,
        tokenizer=None,
        chat_template: str | None = None,
        video_token: str = "<video>",
        patch_size: int = 14,
        slow_frame_stride: int = 4,
        slow_pool_stride: int = 2,
        fast_pool_stride: int | None = 4,
        **kwargs,
    ):
        if tokenizer is None:
            raise ValueError("ActionArtProcessor needs a tokenizer.")
        if video_processor is None:
            raise ValueError("ActionArtProcessor needs a video_processor (ActionArtVideoProcessor).")
        self.video_token = getattr(tokenizer, "video_token", None) or video_token
        token_id = tokenizer.convert_tokens_to_ids(self.video_token)
        if token_id is None or (tokenizer.unk_token_id is not None and token_id == tokenizer.unk_token_id):
            raise ValueError(
                f"The tokenizer has no {self.video_token!r} token; add it with "
                f"tokenizer.add_special_tokens({{'additional_special_tokens': [{self.video_token!r}]}}) and resize "
                "the model's embeddings."
            )
        self.video_token_id = token_id
        self.patch_size = patch_size
        self.slow_frame_stride = slow_frame_stride
        self.slow_pool_stride = slow_pool_stride
        self.fast_pool_stride = fast_pool_stride
        if chat_template is None:
            chat_template = DEFAULT_CHAT_TEMPLATE
        super().__init__(video_processor, tokenizer, chat_template=chat_template, **kwargs)

    # transformers routes a processor's `video_processor` through `AutoVideoProcessor` and checks it against the
    # top-level `BaseVideoProcessor`; both are torchvision-only placeholders when torchvision is missing. ActionArt's
    # video processor needs only torch, so it is loaded and checked directly.
    def check_argument_for_proper_class(self, argument_name, argument):
        if argument_name == "video_processor":
            from transformers.video_processing_utils import BaseVideoProcessor

            if not isinstance(argument, BaseVideoProcessor):
                raise TypeError(f"video_processor must be a BaseVideoProcessor, got {type(argument).__name__}.")
            return BaseVideoProcessor
        return super().check_argument_for_proper_class(argument_name, argument)

    @classmethod
    def _get_arguments_from_pretrained(cls, pretrained_model_name_or_path, processor_dict=None, **kwargs):
        from .video_processing_actionart import ActionArtVideoProcessor

        subfolder = kwargs.pop("subfolder", "")
        video_processor = ActionArtVideoProcessor.from_pretrained(
            pretrained_model_name_or_path, subfolder=subfolder, **kwargs
        )
        tokenizer = cls._load_tokenizer_from_pretrained(
            "tokenizer", pretrained_model_name_or_path, subfolder=subfolder, **kwargs
        )
        return [video_processor, tokenizer]

    @classmethod
    def from_model_config(cls, config, tokenizer, chat_template: str | None = None, **video_processor_kwargs):
        """A processor whose token arithmetic and frame size match `config` (an `ActionArtConfig`).

        Args:
            config (`ActionArtConfig`): the model's config.
            tokenizer (`PreTrainedTokenizerBase`): with the `<video>` token at `config.video_token_id`.
            chat_template (`str`, *optional*): defaults to [`DEFAULT_CHAT_TEMPLATE`].
            video_processor_kwargs: passed to [`ActionArtVideoProcessor`] (e.g. `num_frames=16`, `image_mean=...`).

        Returns:
            `ActionArtProcessor`
        """
        from .video_processing_actionart import ActionArtVideoProcessor

        height, width = config.image_size
        video_processor_kwargs.setdefault("size", {"height": height, "width": width})
        video_processor_kwargs.setdefault("max_frames", config.max_frames)
        video_processor_kwargs.setdefault("num_frames", min(config.max_frames, ActionArtVideoProcessor.num_frames))
        processor = cls(
            video_processor=ActionArtVideoProcessor(**video_processor_kwargs),
            tokenizer=tokenizer,
            chat_template=chat_template,
            patch_size=config.patch_size,
            slow_frame_stride=config.slow_frame_stride,
            slow_pool_stride=config.slow_pool_stride,
            fast_pool_stride=config.fast_pool_stride,
        )
        if processor.video_token_id != config.video_token_id:
            raise ValueError(
                f"The tokenizer maps {processor.video_token!r} to id {processor.video_token_id} but the model config "
                f"has video_token_id={config.video_token_id}; use the model's tokenizer or fix config.video_token_id."
            )
        return processor

    def num_video_tokens(self, num_frames: int, height: int | None = None, width: int | None = None) -> int:
        """Placeholders one video of `num_frames` frames of `height x width` pixels expands to.

        Args:
            num_frames (`int`): frames after sampling.
            height (`int`, *optional*): processed frame height; defaults to the video processor's `size`.
            width (`int`, *optional*): processed frame width; defaults to the video processor's `size`.

        Returns:
            `int`: slow-branch tokens + fast-branch tokens (see `get_num_video_tokens`).
        """
        size = self.video_processor.size
        height = height if height is not None else size["height"]
        width = width if width is not None else size["width"]
        return get_num_video_tokens(
            num_frames,
            height,
            width,
            self.patch_size,
            self.slow_frame_stride,
            self.slow_pool_stride,
            self.fast_pool_stride,
        )

    def _get_num_multimodal_tokens(self, video_sizes=None, **kwargs):
        """Placeholder counts for `(num_frames, height, width)` video sizes (the hook vLLM-style callers use)."""
        num_video_tokens = [self.num_video_tokens(*sizes) for sizes in (video_sizes or [])]
        return MultiModalData(num_video_tokens=num_video_tokens)

    def __call__(self, images=None, text=None, videos=None, audio=None, **kwargs) -> BatchFeature:
        """Tokenises `text` with each `<video>` expanded to its video's placeholders, and processes the videos.

        Args:
            images (*optional*):
                Images (PIL, arrays, tensors, paths), treated as 1-frame videos in `<video>` order. Not together with
                `videos`.
            text (`str` or `list[str]`, *optional*):
                Prompts with one `<video>` per video (the chat template writes them).
            videos (*optional*):
                One video or a list (possibly nested per sample) of videos: arrays/tensors `(num_frames, height,
                width, channels)`, lists of frames, or paths/URLs.
            kwargs:
                Tokenizer arguments (`padding`, `truncation`, `max_length`, `add_special_tokens`, ...), video processor
                arguments (`num_frames`, `do_sample_frames`, `fps`, `size`, ...) and `return_tensors`.

        Returns:
            [`BatchFeature`]: `input_ids`, `attention_mask` (when `text` is given), `pixel_values_videos` and
            `video_num_frames` (when media are given).
        """
        if audio is not None:
            raise ValueError("ActionArtProcessor does not take audio.")
        if images is not None:
            if videos is not None:
                raise ValueError(
                    "Pass either images= or videos=, not both: images are 1-frame videos, so give them in placeholder "
                    "order inside videos= (each as an array of shape (1, height, width, 3))."
                )
            videos = [_image_to_video(image) for image in _flatten_images(images)]
        if text is None and videos is None:
            raise ValueError("Pass text=, videos= or images=.")
        if isinstance(text, str):
            text = [text]
        if text is not None and not (isinstance(text, (list, tuple)) and all(isinstance(t, str) for t in text)):
            raise ValueError(f"text must be a string or a list of strings, got {type(text).__name__}.")

        merged = self._merge_kwargs(tokenizer_init_kwargs=self.tokenizer.init_kwargs, **kwargs)
        text_kwargs, videos_kwargs = merged["text_kwargs"], merged["videos_kwargs"]
        return_tensors = text_kwargs.pop("return_tensors", None) or videos_kwargs.get("return_tensors")
        videos_kwargs.pop("return_tensors", None)

        num_videos = len(make_batched_videos(videos)) if videos is not None else 0
        if text is not None:
            placeholders = [sample.count(self.video_token) for sample in text]
            if sum(placeholders) != num_videos:
                if num_videos == 0:
                    hint = "pass the videos (or images) with videos= / images=, or remove the placeholders."
                elif sum(placeholders) == 0:
                    hint = (
                        f"put one {self.video_token} in the text where each video goes (the chat template does this "
                        "for {'type': 'video'} parts)."
                    )
                else:
                    hint = f"give exactly one {self.video_token} per video, in the order of videos=."
                raise ValueError(
                    f"The text holds {sum(placeholders)} {self.video_token} placeholder(s) (per sample: "
                    f"{placeholders}) but {num_videos} video(s)/image(s) were given; {hint}"
                )

        data = {}
        if videos is not None:
            video_inputs = self.video_processor(videos, return_tensors="pt", **videos_kwargs)
            data.update(video_inputs)

        if text is not None:
            return_offsets = merged.get("return_text_replacement_offsets", False)
            return_mm_token_type_ids = merged.get("return_mm_token_type_ids", False)
            for key in ("return_text_replacement_offsets", "return_mm_token_type_ids"):
                text_kwargs.pop(key, None)
            replacements = []
            if videos is not None:
                height, width = data["pixel_values_videos"].shape[-2:]
                replacements = [
                    self.video_token * self.num_video_tokens(int(count), height, width)
                    for count in data["video_num_frames"]
                ]
            text, replacement_offsets = self.get_text_with_replacements(list(text), videos_replacements=replacements)
            text_inputs = self.tokenizer(text, **text_kwargs)
            text_inputs.pop("token_type_ids", None)
            expected = [sample.count(self.video_token) for sample in text]
            found = [list(ids).count(self.video_token_id) for ids in text_inputs["input_ids"]]
            if found != expected:
                raise ValueError(
                    f"After tokenisation the samples hold {found} video placeholders instead of {expected}; "
                    "truncation cut into a video. Disable truncation or raise max_length."
                )
            data.update(text_inputs)
            if return_offsets:
                data["text_replacement_offsets"] = replacement_offsets
            if return_mm_token_type_ids:
                data["mm_token_type_ids"] = self.create_mm_token_type_ids(text_inputs["input_ids"])
        return BatchFeature(
            data=dict(data), tensor_type=return_tensors, skip_tensor_conversion=self.skip_tensor_conversion
        )

    @property
    def model_input_names(self) -> list[str]:
        return ["input_ids", "attention_mask", *self.video_processor.model_input_names]


__all__ = ["DEFAULT_CHAT_TEMPLATE", "ActionArtProcessor"]
