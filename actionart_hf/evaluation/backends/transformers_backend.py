"""Any video-capable `AutoModelForImageTextToText` (LLaVA-OneVision, LLaVA-Video, Qwen2-VL/2.5-VL, ...), prompted
through its processor's chat template with the runner's sampled frames as the video.

    actionart-hf eval --backend transformers --model llava-hf/llava-onevision-qwen2-7b-ov-hf --dataset <org>/ActionArt

transformers' video processors need torchvision; without it the processor cannot be built and this backend says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from . import EvalBackend, Query


logger = logging.getLogger(__name__)


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class TransformersBackend(EvalBackend):
    """Greedy generation with a transformers image-text-to-text model on videos.

    Args:
        model (`str` or `PreTrainedModel`): Hub id or folder, or a loaded model (then pass `processor`).
        processor (`ProcessorMixin`, *optional*): a loaded processor; loaded from `model` when it is a path.
        max_new_tokens (`int`, *optional*, defaults to 16): tokens generated per answer (raise it for models that
            reason before answering).
        device (`str`, *optional*): e.g. `"cuda"`; CUDA when available, else CPU.
        dtype (`str`, *optional*): `"bfloat16"`, `"float16"`, `"float32"` or `"auto"`; bfloat16 on CUDA, else
            float32.
        trust_remote_code (`bool`, *optional*, defaults to `False`): allow the model's own code (Hub models with
            `auto_map`).
        revision (`str`, *optional*): Hub revision.
        attn_implementation (`str`, *optional*): e.g. `"sdpa"` or `"flash_attention_2"`.
    """

    name = "transformers"
    # transformers' video processors stack the videos of a call: one call per frame shape.
    stack_videos = True
    # Send each video's fps and frame positions (`video_metadata`) to the processor.
    pass_video_metadata = True

    def __init__(
        self,
        model,
        processor=None,
        max_new_tokens: int = 16,
        device: str | None = None,
        dtype: str | None = None,
        trust_remote_code: bool = False,
        revision: str | None = None,
        attn_implementation: str | None = None,
    ):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={max_new_tokens} must be >= 1.")
        self.device = device or _default_device()
        if dtype is None:
            dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
        self.model_id = model if isinstance(model, str) else getattr(model, "name_or_path", type(model).__name__)
        if isinstance(model, str):
            if processor is None:
                processor = _load_processor(model, revision, trust_remote_code)
            kwargs: dict[str, Any] = {"revision": revision, "trust_remote_code": trust_remote_code}
            kwargs["dtype"] = dtype if dtype == "auto" else getattr(torch, dtype)
            if attn_implementation:
                kwargs["attn_implementation"] = attn_implementation
            model = AutoModelForImageTextToText.from_pretrained(model, **kwargs)
        elif processor is None:
            processor = AutoProcessor.from_pretrained(self.model_id)
        self.model = model.to(self.device).eval()
        self.processor = processor
        self.dtype = str(self.model.dtype).replace("torch.", "")
        self.max_new_tokens = max_new_tokens
        self.revision = revision
        tokenizer = getattr(processor, "tokenizer", None)
        if tokenizer is not None:
            tokenizer.padding_side = "left"  # batched generation appends after the prompt
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
        if getattr(processor, "video_processor", None) is None:
            raise ValueError(
                f"The processor of {self.model_id!r} ({type(processor).__name__}) has no video processor; the "
                f"transformers backend needs a video-capable model (its processor must accept `videos=`)."
            )

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model_id,
            "revision": self.revision,
            "model_class": type(self.model).__name__,
            "dtype": self.dtype,
            "max_new_tokens": self.max_new_tokens,
        }

    def _video_kwargs(self, queries: Sequence[Query]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        video_processor = self.processor.video_processor
        if hasattr(video_processor, "do_sample_frames"):  # the runner already sampled the frames: keep them all
            kwargs["do_sample_frames"] = False
        if self.pass_video_metadata and all(q.fps > 0 and q.total_frames > 0 for q in queries):
            # Where each frame sits in time: Qwen2.5-VL-style models derive temporal positions from the sampled fps.
            from transformers.video_utils import VideoMetadata

            kwargs["video_metadata"] = [
                VideoMetadata(
                    total_num_frames=q.total_frames,
                    fps=q.fps,
                    duration=q.duration_s,
                    frames_indices=[int(i) for i in q.indices],
                    height=int(q.frames.shape[1]),
                    width=int(q.frames.shape[2]),
                )
                for q in queries
            ]
        return kwargs

    def generate(self, queries: Sequence[Query]) -> list[str]:
        if not self.stack_videos:
            return self._generate(queries)
        groups: dict[tuple[int, ...], list[int]] = {}
        for index, query in enumerate(queries):
            groups.setdefault(tuple(query.frames.shape), []).append(index)
        answers: list[str] = [""] * len(queries)
        for indices in groups.values():
            for index, answer in zip(indices, self._generate([queries[i] for i in indices])):
                answers[index] = answer
        return answers

    def _generate(self, queries: Sequence[Query]) -> list[str]:
        import torch

        texts = [
            self.processor.apply_chat_template(q.messages, add_generation_prompt=True, tokenize=False) for q in queries
        ]
        inputs = self.processor(
            text=texts,
            videos=[q.frames for q in queries],
            padding=True,
            return_tensors="pt",
            **self._video_kwargs(queries),
        ).to(self.device)
        for key, value in inputs.items():  # pixel values in the model's dtype
            if key.startswith("pixel_values") and torch.is_floating_point(value):
                inputs[key] = value.to(self.model.dtype)
        with torch.inference_mode():
            output = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [text.strip() for text in self.processor.batch_decode(new_tokens, skip_special_tokens=True)]

    def close(self) -> None:
        self.model = None


def _load_processor(model: str, revision: str | None, trust_remote_code: bool):
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(model, revision=revision, trust_remote_code=trust_remote_code)
    except (ImportError, AttributeError) as error:
        from transformers.utils import is_torchvision_available

        if not is_torchvision_available():
            raise ImportError(
                f"Loading the processor of {model!r} failed ({type(error).__name__}: {error}). transformers' video "
                f"processors need torchvision, which is not installed: install the torchvision release that matches "
                f"your torch (e.g. `pip install torch==2.14.1 torchvision==0.29.1`)."
            ) from error
        raise


__all__ = ["TransformersBackend"]
