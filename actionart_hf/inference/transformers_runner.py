"""One runner for local transformers models: an `AutoModelForImageTextToText` and its processor, generating on chat
messages with images or videos through the processor's chat template.

    runner = TransformersRunner("llava-hf/llava-onevision-qwen2-0.5b-ov-hf", device="cpu")
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe the pose."}]}]
    runner.generate([messages], images=[image], max_new_tokens=32)

transformers' video processors need torchvision; without it a video model's processor cannot be built and the runner
says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def default_device() -> str:
    """`"cuda"` when a GPU is visible, else `"cpu"`."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_processor(model: str, revision: str | None = None, trust_remote_code: bool = False):
    """`AutoProcessor.from_pretrained`, explaining the failure that a missing torchvision causes."""
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(model, revision=revision, trust_remote_code=trust_remote_code)
    except (ImportError, AttributeError) as error:
        from transformers.utils import is_torchvision_available

        if not is_torchvision_available():
            from ..extras import install_hint

            raise ImportError(
                f"Loading the processor of {model!r} failed ({type(error).__name__}: {error}). transformers' video "
                f"processors need torchvision, which is not installed: {install_hint('eval')}, with the torchvision "
                "release that matches your torch."
            ) from error
        raise


class TransformersRunner:
    """A loaded image-text-to-text model and its processor.

    Args:
        model (`str` or `PreTrainedModel`): Hub id or folder, or a loaded model.
        processor (`ProcessorMixin`, *optional*): a loaded processor; by default loaded from `model` (its
            `name_or_path` for a loaded model).
        device (`str`, *optional*): e.g. `"cuda"`; CUDA when available, else CPU.
        dtype (`str`, *optional*): `"auto"` or a torch dtype name (`"bfloat16"`, `"float32"`, ...) for loading;
            bfloat16 on CUDA and float32 on CPU when unset.
        revision (`str`, *optional*): Hub revision.
        trust_remote_code (`bool`, *optional*, defaults to `False`): allow the model's own code (`auto_map`).
        attn_implementation (`str`, *optional*): e.g. `"sdpa"` or `"flash_attention_2"`.
    """

    def __init__(
        self,
        model,
        processor=None,
        device: str | None = None,
        dtype: str | None = None,
        revision: str | None = None,
        trust_remote_code: bool = False,
        attn_implementation: str | None = None,
    ):
        import torch
        from transformers import AutoModelForImageTextToText

        self.device = device or default_device()
        self.revision = revision
        self.model_id = model if isinstance(model, str) else getattr(model, "name_or_path", type(model).__name__)
        if processor is None:
            processor = load_processor(self.model_id, revision if isinstance(model, str) else None, trust_remote_code)
        if isinstance(model, str):
            if dtype is None:
                dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
            kwargs: dict[str, Any] = {"revision": revision, "trust_remote_code": trust_remote_code}
            kwargs["dtype"] = dtype if dtype == "auto" else getattr(torch, dtype)
            if attn_implementation:
                kwargs["attn_implementation"] = attn_implementation
            model = AutoModelForImageTextToText.from_pretrained(model, **kwargs)
        self.model = model.to(self.device).eval()
        self.processor = processor
        tokenizer = getattr(processor, "tokenizer", None)
        if tokenizer is not None:
            tokenizer.padding_side = "left"  # batched generation appends after the prompt
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token

    @property
    def dtype(self) -> str:
        """The model's dtype, e.g. `"float32"`."""
        return str(self.model.dtype).replace("torch.", "")

    def generate(
        self,
        conversations: Sequence[list[dict]],
        images: list | None = None,
        videos: list | None = None,
        processor_kwargs: dict[str, Any] | None = None,
        **generate_kwargs: Any,
    ) -> list[str]:
        """The generated answer of each conversation, special tokens removed and stripped.

        Args:
            conversations (`Sequence[list[dict]]`): chat messages per answer, with `{"type": "image"}` /
                `{"type": "video"}` placeholders (see `actionart_hf.inference.messages`).
            images (`list`, *optional*): the images of the placeholders, as the processor takes them (PIL images).
            videos (`list`, *optional*): the videos of the placeholders, each an array of shape
                `(num_frames, height, width, 3)`.
            processor_kwargs (`dict`, *optional*): extra processor arguments (e.g. `video_metadata`).
            generate_kwargs: `model.generate` arguments (`max_new_tokens`, `do_sample`, `max_time`, ...).
        """
        import torch

        texts = [
            self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            for messages in conversations
        ]
        media = {name: value for name, value in (("images", images), ("videos", videos)) if value}
        inputs = self.processor(text=texts, padding=True, return_tensors="pt", **media, **(processor_kwargs or {}))
        inputs = inputs.to(self.device)
        for key, value in inputs.items():  # pixel values in the model's dtype
            if key.startswith("pixel_values") and torch.is_floating_point(value):
                inputs[key] = value.to(self.model.dtype)
        with torch.inference_mode():
            output = self.model.generate(**inputs, **generate_kwargs)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [text.strip() for text in self.processor.batch_decode(new_tokens, skip_special_tokens=True)]

    def close(self) -> None:
        """Drops the model (frees its memory once no other reference holds it)."""
        self.model = None


__all__ = ["TransformersRunner", "default_device", "load_processor"]
