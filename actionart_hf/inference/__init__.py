"""Talking to models: one client per kind of model server, shared by the proxy teachers and the eval backends.

- [`OpenAIClient`] (`openai_client.py`): any OpenAI-compatible chat-completions server (vLLM, `transformers serve`,
  TGI, a hosted API) over the standard library's HTTP client, with retries, back-off and a bounded worker pool.
- [`TransformersRunner`] (`transformers_runner.py`): a local `AutoModelForImageTextToText` and its processor,
  generating on chat messages with images or videos.
- `messages.py`: the chat-message conventions both follow (`{"type": "image"}` / `{"type": "video"}` placeholders).

    >>> from actionart_hf.inference import OpenAIClient, TransformersRunner
"""

from __future__ import annotations

from .messages import check_placeholders, count_placeholders
from .openai_client import OpenAIClient, ServerError, frame_data_url, image_data_url, image_part, to_openai_messages
from .transformers_runner import TransformersRunner


__all__ = [
    "OpenAIClient",
    "ServerError",
    "TransformersRunner",
    "check_placeholders",
    "count_placeholders",
    "frame_data_url",
    "image_data_url",
    "image_part",
    "to_openai_messages",
]
