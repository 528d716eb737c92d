"""Any OpenAI-compatible chat-completions server (vLLM, `transformers serve`, TGI, hosted APIs): the sampled frames
are sent as images (JPEG data URLs) before the question.

    vllm serve Qwen/Qwen2.5-VL-7B-Instruct --port 8000
    actionart-hf eval --backend openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-7B-Instruct \
        --dataset <org>/ActionArt --num-frames 16

The request is the plain OpenAI call shape over the standard library's HTTP client, so it works with
`HF_HUB_OFFLINE=1` (which blocks every `huggingface_hub` request, local servers included). The API key is read from
an environment variable (`OPENAI_API_KEY` by default) and is never logged, recorded or shown in errors.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from . import EvalBackend, Query


logger = logging.getLogger(__name__)

RETRY_STATUSES = (408, 409, 425, 429, 500, 502, 503, 504)


def frame_data_url(frame: np.ndarray, image_format: str = "jpeg", quality: int = 90) -> str:
    """A `data:image/...;base64,` URL of one RGB frame of shape `(height, width, 3)`."""
    from PIL import Image

    buffer = io.BytesIO()
    if image_format == "jpeg":
        Image.fromarray(frame).save(buffer, format="JPEG", quality=quality)
    elif image_format == "png":
        Image.fromarray(frame).save(buffer, format="PNG")
    else:
        raise ValueError(f"image_format={image_format!r}; use 'jpeg' or 'png'.")
    return f"data:image/{image_format};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def to_openai_messages(query: Query, image_format: str = "jpeg", with_timestamps: bool = False) -> list[dict]:
    """The query's chat messages with each `{"type": "video"}` part replaced by one `image_url` part per frame."""
    messages = []
    for message in query.messages:
        content = message["content"]
        if isinstance(content, str):
            messages.append({"role": message["role"], "content": content})
            continue
        parts: list[dict] = []
        for part in content:
            if part["type"] == "video":
                for i, frame in enumerate(query.frames):
                    if with_timestamps and i < len(query.timestamps_s):
                        parts.append({"type": "text", "text": f"Frame at {query.timestamps_s[i]:.1f} s:"})
                    parts.append({"type": "image_url", "image_url": {"url": frame_data_url(frame, image_format)}})
            elif part["type"] == "text":
                parts.append({"type": "text", "text": part["text"]})
            else:
                raise ValueError(f"Message part of type {part['type']!r} is not supported by the openai backend.")
        messages.append({"role": message["role"], "content": parts})
    return messages


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
        max_retries (`int`, *optional*, defaults to 3): retries on connection errors and HTTP 408/409/425/429/5xx,
            with exponential back-off from `retry_delay_s`.
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
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url={base_url!r} must start with http:// or https://.")
        if concurrency < 1 or max_new_tokens < 1 or max_retries < 0:
            raise ValueError(
                f"concurrency={concurrency} and max_new_tokens={max_new_tokens} must be >= 1, "
                f"max_retries={max_retries} >= 0."
            )
        if image_format not in ("jpeg", "png"):
            raise ValueError(f"image_format={image_format!r}; use 'jpeg' or 'png'.")
        self.base_url = base_url.rstrip("/")
        self.model = None if is_url and model.rstrip("/") == self.base_url else model
        self.api_key_env = api_key_env
        self._api_key = os.environ.get(api_key_env) or None
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.retry_delay_s = retry_delay_s
        self.image_format = image_format
        self.with_timestamps = with_timestamps
        self.extra_body = dict(extra_body or {})
        host = urllib.parse.urlsplit(self.base_url).hostname or ""
        # A server on this machine is reached directly, whatever proxy the environment sets.
        handlers = [urllib.request.ProxyHandler({})] if host in ("localhost", "::1") or host.startswith("127.") else []
        self._opener = urllib.request.build_opener(*handlers)
        logger.info(
            "OpenAI-compatible endpoint %s, API key %s",
            self.base_url,
            f"from ${api_key_env}" if self._api_key else f"not set (${api_key_env} is empty; no Authorization header)",
        )

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
            "messages": to_openai_messages(query, self.image_format, self.with_timestamps),
            "max_tokens": self.max_new_tokens,
            "temperature": self.temperature,
        }
        if self.model:
            payload["model"] = self.model
        payload.update(self.extra_body)
        return payload

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            try:
                with self._opener.open(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                body = error.read()[:500].decode("utf-8", "replace")
                if error.code not in RETRY_STATUSES or attempt == self.max_retries:
                    raise RuntimeError(f"{url} answered HTTP {error.code}: {body}") from None
                reason = f"HTTP {error.code}"
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
                if attempt == self.max_retries:
                    raise RuntimeError(f"{url} could not be reached: {error}") from None
                reason = str(error)
            delay = self.retry_delay_s * 2**attempt
            logger.warning("%s failed (%s); retry %d/%d in %.1f s", url, reason, attempt + 1, self.max_retries, delay)
            time.sleep(delay)
        raise RuntimeError("unreachable")  # pragma: no cover

    def _ask(self, query: Query) -> str:
        response = self._post(self._payload(query))
        try:
            content = response["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise RuntimeError(
                f"{self.base_url} answered without choices[0].message.content for {query.key!r}: "
                f"{json.dumps(response)[:300]}"
            ) from None
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return (content or "").strip()

    def generate(self, queries: Sequence[Query]) -> list[str]:
        if len(queries) <= 1 or self.concurrency == 1:
            return [self._ask(q) for q in queries]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(queries))) as pool:
            return list(pool.map(self._ask, queries))


__all__ = ["OpenAIBackend", "frame_data_url", "to_openai_messages"]
