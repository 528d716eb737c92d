"""Any video-capable `AutoModelForImageTextToText` (LLaVA-OneVision, LLaVA-Video, Qwen2-VL/2.5-VL, ...), prompted
through its processor's chat template with the runner's sampled frames as the video.

    actionart-hf eval --backend transformers --model llava-hf/llava-onevision-qwen2-7b-ov-hf --dataset <org>/ActionArt

transformers' video processors need torchvision; without it the processor cannot be built and this backend says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...inference.transformers_runner import TransformersRunner
from . import EvalBackend, Query


class TransformersBackend(EvalBackend):
    """Greedy generation with a transformers image-text-to-text model on videos, through
    [`actionart_hf.inference.TransformersRunner`].

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
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={max_new_tokens} must be >= 1.")
        self.runner = TransformersRunner(
            model,
            processor,
            device=device,
            dtype=dtype,
            revision=revision,
            trust_remote_code=trust_remote_code,
            attn_implementation=attn_implementation,
        )
        self.model, self.processor, self.model_id = self.runner.model, self.runner.processor, self.runner.model_id
        self.max_new_tokens = max_new_tokens
        if getattr(self.processor, "video_processor", None) is None:
            raise ValueError(
                f"The processor of {self.model_id!r} ({type(self.processor).__name__}) has no video processor; the "
                f"transformers backend needs a video-capable model (its processor must accept `videos=`)."
            )

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model_id,
            "revision": self.runner.revision,
            "model_class": type(self.model).__name__,
            "dtype": self.runner.dtype,
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
        return self.runner.generate(
            [q.messages for q in queries],
            videos=[q.frames for q in queries],
            processor_kwargs=self._video_kwargs(queries),
            max_new_tokens=self.max_new_tokens,
            do_sample=False,
        )

    def close(self) -> None:
        self.runner.close()
        self.model = None


__all__ = ["TransformersBackend"]
