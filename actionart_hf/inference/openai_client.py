"""One client for OpenAI-compatible chat-completions servers (vLLM, `transformers serve`, TGI, hosted APIs).

    vllm serve Qwen/Qwen2.5-VL-7B-Instruct --port 8000

    client = OpenAIClient("http://127.0.0.1:8000/v1")
    messages = to_openai_messages(chat_messages, images=[image_data_url(png_bytes)])
    answer = client.complete({"model": "Qwen/Qwen2.5-VL-7B-Instruct", "messages": messages, "max_tokens": 16})

Requests are the plain OpenAI call shape over the standard library's HTTP client, so `HF_HUB_OFFLINE=1` (which
blocks every `huggingface_hub` request) does not block a local server, and a server on this machine is reached
directly whatever proxy the environment sets. The API key is read from environment variables, sent as a bearer
token and never logged, recorded or shown in errors or `repr`.
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
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .messages import check_placeholders


logger = logging.getLogger(__name__)

IMAGE_FORMATS = ("jpeg", "png")


def is_retryable_status(status: int) -> bool:
    """HTTP statuses worth a retry: timeouts, conflicts, rate limits (408, 409, 425, 429) and server errors (5xx)."""
    return status in (408, 409, 425, 429) or status >= 500


class ServerError(RuntimeError):
    """A failed chat-completions request.

    Args:
        message (`str`): what failed, naming the URL (never the key).
        status (`int`, *optional*): the HTTP status, when the server answered.
        retryable (`bool`, *optional*, defaults to `True`): whether trying again can help (not for HTTP 400).
    """

    def __init__(self, message: str, status: int | None = None, retryable: bool = True):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def image_data_url(data: bytes, image_format: str = "png") -> str:
    """A `data:image/<format>;base64,...` URL of encoded image bytes."""
    return f"data:image/{image_format};base64,{base64.b64encode(data).decode('ascii')}"


def frame_data_url(frame: np.ndarray, image_format: str = "jpeg", quality: int = 90) -> str:
    """A data URL of one RGB frame of shape `(height, width, 3)`, encoded as JPEG (`quality`) or PNG."""
    from PIL import Image

    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"image_format={image_format!r}; use 'jpeg' or 'png'.")
    buffer = io.BytesIO()
    options = {"quality": quality} if image_format == "jpeg" else {}
    Image.fromarray(frame).save(buffer, format=image_format.upper(), **options)
    return image_data_url(buffer.getvalue(), image_format)


def image_part(url: str) -> dict:
    """The OpenAI content part of one image URL."""
    return {"type": "image_url", "image_url": {"url": url}}


def to_openai_messages(
    messages: list[dict], images: Sequence[str] = (), videos: Sequence[Sequence[dict]] = ()
) -> list[dict]:
    """Chat messages in the OpenAI shape: each `{"type": "image"}` placeholder becomes an `image_url` part, each
    `{"type": "video"}` placeholder the OpenAI parts of its video.

    Args:
        messages (`list[dict]`): chat messages (see `actionart_hf.inference.messages`).
        images (`Sequence[str]`, *optional*): one image URL (e.g. [`image_data_url`]) per image placeholder, in order.
        videos (`Sequence[Sequence[dict]]`, *optional*): the OpenAI content parts of each video placeholder, in
            order (e.g. one [`image_part`] per frame, each after a text part giving its time).

    Raises:
        ValueError: the placeholders and the media differ in number, or a part has another type.
    """
    check_placeholders(messages, "image", len(images))
    check_placeholders(messages, "video", len(videos))
    remaining_images, remaining_videos = iter(images), iter(videos)
    converted = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            parts: list[dict] = []
            for part in content:
                if part.get("type") == "image":
                    parts.append(image_part(next(remaining_images)))
                elif part.get("type") == "video":
                    parts.extend(next(remaining_videos))
                elif part.get("type") == "text":
                    parts.append({"type": "text", "text": part["text"]})
                else:
                    raise ValueError(
                        f"Message part of type {part.get('type')!r} has no OpenAI form; use text, image, video."
                    )
            content = parts
        converted.append({"role": message["role"], "content": content})
    return converted


class OpenAIClient:
    """Chat completions over HTTP with retries, exponential back-off and a bounded worker pool.

    Args:
        base_url (`str`): server root, e.g. `"http://127.0.0.1:8000/v1"` (`/chat/completions` is appended).
        api_key_envs (`Sequence[str]`, *optional*, defaults to `("OPENAI_API_KEY",)`): environment variables tried
            for the API key, in order.
        missing_key (`str`, *optional*): the bearer token sent when none of `api_key_envs` is set (vLLM's convention
            is `"EMPTY"`); `None` sends no `Authorization` header then.
        timeout_s (`float`, *optional*, defaults to 120): seconds per request; `None` waits as long as the server.
        max_retries (`int`, *optional*, defaults to 3): retries of a request after a connection error, a timeout,
            an unreadable answer or HTTP 408/409/425/429/5xx (0 leaves retrying to the caller).
        retry_delay_s (`float`, *optional*, defaults to 1.0): first back-off; doubles with each retry.
        concurrency (`int`, *optional*, defaults to 4): requests in flight at once in [`~OpenAIClient.complete_all`].
    """

    def __init__(
        self,
        base_url: str,
        api_key_envs: Sequence[str] = ("OPENAI_API_KEY",),
        missing_key: str | None = None,
        timeout_s: float | None = 120.0,
        max_retries: int = 3,
        retry_delay_s: float = 1.0,
        concurrency: int = 4,
    ):
        if not str(base_url).startswith(("http://", "https://")):
            raise ValueError(
                f"base_url={base_url!r} must start with http:// or https://, e.g. http://127.0.0.1:8000/v1"
            )
        if max_retries < 0 or concurrency < 1:
            raise ValueError(f"max_retries={max_retries} must be >= 0 and concurrency={concurrency} >= 1.")
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.timeout_s, self.max_retries, self.retry_delay_s = timeout_s, max_retries, retry_delay_s
        self.concurrency = concurrency
        self.api_key_source = next((name for name in api_key_envs if os.environ.get(name)), None)
        key = os.environ[self.api_key_source] if self.api_key_source else missing_key
        self._headers = {"Content-Type": "application/json"}
        if key:
            self._headers["Authorization"] = f"Bearer {key}"
        host = urllib.parse.urlsplit(self.base_url).hostname or ""
        local = host in ("localhost", "::1") or host.startswith("127.")
        self._opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if local else []))
        if self.api_key_source:
            key_note = f"from ${self.api_key_source}"
        elif missing_key:
            key_note = f"not set (${', $'.join(api_key_envs)} empty; sending the placeholder {missing_key!r})"
        else:
            key_note = f"not set (${', $'.join(api_key_envs)} empty; no Authorization header)"
        logger.info("OpenAI-compatible server at %s, API key %s", self.base_url, key_note)

    def __repr__(self) -> str:  # never the key
        return f"OpenAIClient(base_url={self.base_url!r})"

    def complete(self, payload: dict[str, Any], timeout_s: float | None = None) -> str:
        """Sends one chat-completions request and returns the text of its first choice.

        Args:
            payload (`dict`): the request body (`messages`, `max_tokens`, `temperature`, `model`, ...).
            timeout_s (`float`, *optional*): this request's timeout instead of the client's.

        Raises:
            ServerError: the request still failed after `max_retries` retries, or failed in a way retrying cannot
                mend (e.g. HTTP 400).
        """
        data = json.dumps(payload).encode("utf-8")
        timeout = timeout_s if timeout_s is not None else self.timeout_s
        for attempt in range(self.max_retries + 1):
            try:
                return self._post(data, timeout)
            except ServerError as error:
                if not error.retryable or attempt == self.max_retries:
                    raise
                delay = self.retry_delay_s * 2**attempt
                logger.warning("%s; retry %d/%d in %.1f s", error, attempt + 1, self.max_retries, delay)
                time.sleep(delay)
        raise RuntimeError("unreachable")  # pragma: no cover

    def complete_all(self, payloads: Iterable[dict[str, Any]]) -> list[str]:
        """The answers of several requests, in order, with at most `concurrency` in flight."""
        payloads = list(payloads)
        if len(payloads) <= 1 or self.concurrency == 1:
            return [self.complete(payload) for payload in payloads]
        with ThreadPoolExecutor(min(self.concurrency, len(payloads)), thread_name_prefix="openai") as pool:
            return list(pool.map(self.complete, payloads))

    def _post(self, data: bytes, timeout: float | None) -> str:
        request = urllib.request.Request(self.url, data=data, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace")
            retryable = is_retryable_status(error.code)
            raise ServerError(f"{self.url} answered HTTP {error.code}: {detail}", error.code, retryable) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, TimeoutError):
                raise ServerError(f"{self.url} timed out after {timeout} s") from None
            raise ServerError(f"{self.url} could not be reached: {reason}") from None
        return self._first_choice(body)

    def _first_choice(self, body: bytes) -> str:
        try:
            content = json.loads(body)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            preview = body[:300].decode("utf-8", "replace")
            raise ServerError(f"{self.url} answered without choices[0].message.content: {preview}") from None
        if isinstance(content, list):  # content parts
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return content or ""


__all__ = [
    "IMAGE_FORMATS",
    "OpenAIClient",
    "ServerError",
    "frame_data_url",
    "image_data_url",
    "image_part",
    "is_retryable_status",
    "to_openai_messages",
]
