"""Eval backends: how a model is asked a batch of video questions. One backend per module, imported on use.

- `transformers` (`transformers_backend.py`): any video-capable `AutoModelForImageTextToText` + `AutoProcessor`,
  prompted through the processor's chat template.
- `openai` (`openai_backend.py`): any OpenAI-compatible chat-completions server, sampled frames sent as images.
- `actionart` (`actionart_backend.py`): our SlowFast model (`actionart_hf.models.actionart`).

Every backend receives the same frames (sampled by the runner with `actionart_hf.video.load_video`) and the same
chat messages (`actionart_hf.data.chat.row_to_messages`), and returns the raw generated text.
"""

from __future__ import annotations

import abc
import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np


@dataclass
class Query:
    """One question to ask.

    Args:
        key (`str`): prediction key (question id, plus `#r<k>` for an option rotation).
        messages (`list[dict]`): the user turn: `[{"role": "user", "content": [{"type": "video"}, {"type": "text",
            "text": prompt}]}]`.
        prompt (`str`): the text part of the user turn (question, `A. ...` option lines, instruction).
        video (`str`): path of the video file.
        frames (`np.ndarray` of shape `(num_frames, height, width, 3)`, uint8): sampled RGB frames.
        timestamps_s (`np.ndarray` of shape `(num_frames,)`): time of each frame in the video.
        fps (`float`): the video's frame rate.
        duration_s (`float`): the video's length.
        indices (`np.ndarray` of shape `(num_frames,)`): positions of the frames in the video.
        total_frames (`int`): frames in the video.
    """

    key: str
    messages: list[dict]
    prompt: str
    video: str
    frames: np.ndarray
    timestamps_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fps: float = 0.0
    duration_s: float = 0.0
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    total_frames: int = 0


class EvalBackend(abc.ABC):
    """A model that answers video questions with text."""

    name: ClassVar[str]

    @abc.abstractmethod
    def generate(self, queries: Sequence[Query]) -> list[str]:
        """The raw generated answer of each query, in order."""

    def describe(self) -> dict[str, Any]:
        """What identifies this model and its settings (recorded in `run.json`; never secrets)."""
        return {"backend": self.name}

    def close(self) -> None:  # noqa: B027 (optional hook, a no-op by default)
        """Releases resources (server connections, GPU memory)."""


BACKENDS: dict[str, str] = {
    "transformers": "actionart_hf.evaluation.backends.transformers_backend:TransformersBackend",
    "openai": "actionart_hf.evaluation.backends.openai_backend:OpenAIBackend",
    "actionart": "actionart_hf.evaluation.backends.actionart_backend:ActionArtBackend",
}


def backend_class(name: str) -> type[EvalBackend]:
    """The backend class registered under `name`."""
    if name not in BACKENDS:
        raise ValueError(f"Unknown eval backend {name!r}; use one of {', '.join(BACKENDS)}.")
    module, _, attribute = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def detect_backend(model: str) -> str:
    """The backend for a model reference: `openai` for an http(s) URL, `actionart` for a folder whose config has
    `model_type: actionart`, else `transformers`."""
    if str(model).startswith(("http://", "https://")):
        return "openai"
    config = Path(model) / "config.json"
    if config.is_file():
        try:
            model_type = json.loads(config.read_text()).get("model_type")
        except ValueError:
            model_type = None
        if model_type == "actionart":
            return "actionart"
    return "transformers"


def make_backend(name: str | None, model: str, **kwargs) -> EvalBackend:
    """Creates the backend `name` (detected from `model` when `None`) with its keyword arguments."""
    return backend_class(name or detect_backend(model))(model, **kwargs)


__all__ = ["BACKENDS", "EvalBackend", "Query", "backend_class", "detect_backend", "make_backend"]
