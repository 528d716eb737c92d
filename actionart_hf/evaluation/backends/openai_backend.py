"""Any OpenAI-compatible chat-completions server (vLLM, `transformers serve`, TGI, hosted APIs): the sampled frames
are sent as images (JPEG data URLs) before the question.

    vllm serve Qwen/Qwen2.5-VL-7B-Instruct --port 8000
    actionart-hf eval --backend openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-7B-Instruct \
        --dataset <org>/ActionArt --num-frames 16

Requests go through [`actionart_hf.inference.OpenAIClient`] (the standard library's HTTP client, so `HF_HUB_OFFLINE=1`
does not block a local server; retries with back-off; `concurrency` requests at a time). The API key is read from an
environment variable (`OPENAI_API_KEY` by default) and is never logged, recorded or shown in errors.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ...inference.messages import count_placeholders
from ...inference.openai_client import IMAGE_FORMATS, OpenAIClient, frame_data_url, image_part, to_openai_messages
from . import EvalBackend, Query


def video_parts(query: Query, image_format: str = "jpeg", with_timestamps: bool = False) -> list[dict]:
    """The OpenAI content parts of the query's frames: one image each, after "Frame at 1.5 s:" with timestamps."""
    parts: list[dict] = []
    for index, frame in enumerate(query.frames):
        if with_timestamps and index < len(query.timestamps_s):
            parts.append({"type": "text", "text": f"Frame at {query.timestamps_s[index]:.1f} s:"})
        parts.append(image_part(frame_data_url(frame, image_format)))
    return parts


def query_to_openai_messages(query: Query, image_format: str = "jpeg", with_timestamps: bool = False) -> list[dict]:
    """The query's chat messages with its `{"type": "video"}` part replaced by the frames (see [`video_parts`])."""
    count = count_placeholders(query.messages, "video")
    videos = [video_parts(query, image_format, with_timestamps)] * count if count else []
    return to_openai_messages(query.messages, videos=videos)


class OpenAIBackend(EvalBackend):
    """Chat completions over HTTP, `concurrency` requests at a time, greedy (temperature 0) by default.

    Args:
        model (`str`): the model name sent in each request, or the server URL itself (then no name is sent).
        base_url (`str`, *optional*): server root such as `"http://127.0.0.1:8000/v1"`; defaults to `model` when
            that is a URL, else to `$OPENAI_BASE_URL`.
        api_key_env (`str`, *optional*, defaults to `"OPENAI_API_KEY"`): environment variable holding the key; no
            `Authorization` header is sent when it is unset.
        max_new_tokens (`int`, *optional*, defaults to 16): `max_tokens` of each request.
        temperature (`float`, *optional*, defaults to 0.0): sampling temperature.
        concurrency (`int`, *optional*, defaults to 4): parallel requests within a batch.
        timeout_s (`float`, *optional*, defaults to 120): per request.
        max_retries (`int`, *optional*, defaults to 3): retries on connection errors, timeouts, unreadable answers
            and HTTP 408/409/425/429/5xx, with exponential back-off from `retry_delay_s`.
        retry_delay_s (`float`, *optional*, defaults to 1.0): first back-off.
        image_format (`str`, *optional*, defaults to `"jpeg"`): `"jpeg"` or `"png"`.
        with_timestamps (`bool`, *optional*, defaults to `False`): put "Frame at 1.5 s:" before each frame.
        extra_body (`dict`, *optional*): extra request fields (e.g. `{"top_k": 1}`).
    """

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        max_new_tokens: int = 16,
        temperature: float = 0.0,
        concurrency: int = 4,
        timeout_s: float = 120.0,
        max_retries: int = 3,
        retry_delay_s: float = 1.0,
        image_format: str = "jpeg",
        with_timestamps: bool = False,
        extra_body: dict | None = None,
    ):
        is_url = str(model).startswith(("http://", "https://"))
        base_url = base_url or (model if is_url else os.environ.get("OPENAI_BASE_URL"))
        if not base_url:
            raise ValueError(
                f"The openai backend needs the server: pass --base-url (e.g. http://127.0.0.1:8000/v1) or set "
                f"OPENAI_BASE_URL (model={model!r})."
            )
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={max_new_tokens} must be >= 1.")
        if image_format not in IMAGE_FORMATS:
            raise ValueError(f"image_format={image_format!r}; use 'jpeg' or 'png'.")
        self.client = OpenAIClient(
            base_url,
            api_key_envs=(api_key_env,),
            timeout_s=timeout_s,
            max_retries=max_retries,
            retry_delay_s=retry_delay_s,
            concurrency=concurrency,
        )
        self.base_url = self.client.base_url
        self.model = None if is_url and model.rstrip("/") == self.base_url else model
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.image_format = image_format
        self.with_timestamps = with_timestamps
        self.extra_body = dict(extra_body or {})

    def __repr__(self) -> str:  # never the key
        return f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r})"

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "base_url": self.base_url,
            "model": self.model,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "image_format": self.image_format,
            "with_timestamps": self.with_timestamps,
            "extra_body": self.extra_body,
        }

    def _payload(self, query: Query) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "messages": query_to_openai_messages(query, self.image_format, self.with_timestamps),
            "max_tokens": self.max_new_tokens,
            "temperature": self.temperature,
        }
        if self.model:
            payload["model"] = self.model
        payload.update(self.extra_body)
        return payload

    def generate(self, queries: Sequence[Query]) -> list[str]:
        return [answer.strip() for answer in self.client.complete_all(self._payload(q) for q in queries)]


__all__ = ["OpenAIBackend", "query_to_openai_messages", "video_parts"]
