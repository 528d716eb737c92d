"""Teachers: whatever writes the proxy-task labels (docs/DESIGN.md §6.4).

One small interface, three implementations:

- [`OracleTeacher`]: exact answers from the synthetic generator's `motion` labels (no model).
- [`TransformersTeacher`]: any local image-text-to-text model through `transformers`.
- [`OpenAITeacher`]: any OpenAI-compatible server (vLLM, `transformers serve`, TGI, a hosted API) through
  `huggingface_hub.InferenceClient(base_url=...)`, images sent as PNG data URLs.

A call is `teacher.generate(messages, images, settings, context=..., timeout=...) -> str`. `messages` are chat
messages whose user content holds `{"type": "image"}` placeholders and `{"type": "text", "text": ...}` parts;
`images` are PNG bytes in placeholder order. `context` carries what only the oracle uses (the kind of request, the
source video, frame indices, the label sequence); model teachers ignore it. Every call goes through
[`actionart_hf.proxy.cache.CallRunner`], which caches, retries and bounds concurrency.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import threading
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any


logger = logging.getLogger(__name__)

REQUEST_KINDS = ("pose_description", "spatial_difference", "unit_label", "fgqa_mcq", "caption_events")
DEFAULT_API_KEY_ENVS = ("OPENAI_API_KEY", "HF_TOKEN")


@dataclass(frozen=True)
class GenerationSettings:
    """Generation settings sent with every call; part of the cache key.

    Args:
        max_new_tokens (`int`, *optional*, defaults to 512): longest answer.
        temperature (`float`, *optional*, defaults to 0.0): 0 means greedy.
        top_p (`float`, *optional*, defaults to 1.0): nucleus sampling.
        seed (`int`, *optional*, defaults to 0): sampling seed (sent to servers that accept one).
    """

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self):
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={self.max_new_tokens} must be >= 1.")
        if self.temperature < 0:
            raise ValueError(f"temperature={self.temperature} must be >= 0.")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p={self.top_p} must be in (0, 1].")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class TeacherError(RuntimeError):
    """A failed teacher call. `retryable=False` tells the runner not to try again (e.g. HTTP 400, oracle gaps)."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Teacher(ABC):
    """Answers chat messages with images.

    Subclasses set `id` (recorded in rows and cache keys: change it when answers would change) and implement
    `generate`. `uses_context = True` adds the call's `context` to the cache key (the oracle answers from it).
    `max_concurrency` caps the runner's worker threads (1 for a local model).
    """

    id: str = "teacher"
    uses_context: bool = False
    max_concurrency: int | None = None

    @abstractmethod
    def generate(
        self,
        messages: list[dict],
        images: list[bytes],
        settings: GenerationSettings,
        *,
        context: dict | None = None,
        timeout: float | None = None,
    ) -> str:
        """Returns the teacher's text answer.

        Args:
            messages (`list[dict]`): chat messages; user content parts are `{"type": "image"}` placeholders and
                `{"type": "text", "text": str}`.
            images (`list[bytes]`): PNG-encoded images, one per placeholder, in order.
            settings ([`GenerationSettings`]): generation settings.
            context (`dict`, *optional*): request metadata (`kind`, `source_video`, `frame_indices`, `events`, ...).
            timeout (`float`, *optional*): seconds before the call gives up (raises).

        Raises:
            TeacherError: the call failed (`retryable` says whether trying again can help).
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"


def _check_placeholders(messages: list[dict], images: list[bytes]) -> None:
    count = sum(
        1
        for message in messages
        for part in (message.get("content") if isinstance(message.get("content"), list) else [])
        if part.get("type") == "image"
    )
    if count != len(images):
        raise ValueError(f"messages hold {count} image placeholder(s) but {len(images)} image(s) were given.")


# --------------------------------------------------------------------------------------------------------------
# OpenAI-compatible servers
# --------------------------------------------------------------------------------------------------------------


def png_data_url(image: bytes) -> str:
    """`data:image/png;base64,...` for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(image).decode("ascii")


def to_openai_messages(messages: list[dict], images: list[bytes]) -> list[dict]:
    """Replaces `{"type": "image"}` placeholders by `{"type": "image_url", "image_url": {"url": <data URL>}}`."""
    _check_placeholders(messages, images)
    remaining = iter(images)
    converted = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if part.get("type") == "image":
                    parts.append({"type": "image_url", "image_url": {"url": png_data_url(next(remaining))}})
                else:
                    parts.append({"type": "text", "text": part["text"]})
            content = parts
        converted.append({"role": message["role"], "content": content})
    return converted


class OpenAITeacher(Teacher):
    """Any OpenAI-compatible chat-completions server, through `huggingface_hub.InferenceClient`.

    The API key comes from the environment: the first set of `api_key_envs` (default `OPENAI_API_KEY`, then
    `HF_TOKEN`). Without one the placeholder `"EMPTY"` is sent (vLLM's convention), never a token stored on disk.
    The key is not logged and does not appear in `repr` or in the teacher id.

    Args:
        base_url (`str`): server root, e.g. `"http://127.0.0.1:8000/v1"` (`/chat/completions` is appended).
        model (`str`, *optional*): model name sent in the payload (servers hosting one model ignore it).
        api_key_envs (`tuple[str, ...]`, *optional*): environment variables tried for the key, in order.
        max_concurrency (`int`, *optional*): cap on parallel calls (defaults to the runner's `workers`).
        extra_body (`dict`, *optional*): extra payload keys (e.g. `{"top_k": 20}` for vLLM).
    """

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        api_key_envs: tuple[str, ...] = DEFAULT_API_KEY_ENVS,
        max_concurrency: int | None = None,
        extra_body: dict | None = None,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url={base_url!r} must start with http:// or https://, e.g. http://127.0.0.1:8000/v1"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.extra_body = extra_body
        self.max_concurrency = max_concurrency
        self.id = f"openai:{model or 'default'}"
        self._api_key, self._api_key_source = "EMPTY", None
        for name in api_key_envs:
            if os.environ.get(name):
                self._api_key, self._api_key_source = os.environ[name], name
                break
        logger.info(
            "OpenAI-compatible teacher at %s, API key %s",
            self.base_url,
            f"from ${self._api_key_source}" if self._api_key_source else "not set (sending the placeholder 'EMPTY')",
        )
        self._clients = threading.local()

    def _client(self, timeout: float | None):
        from huggingface_hub import InferenceClient

        cached = getattr(self._clients, "by_timeout", None)
        if cached is None:
            cached = self._clients.by_timeout = {}
        if timeout not in cached:
            cached[timeout] = InferenceClient(base_url=self.base_url, api_key=self._api_key, timeout=timeout)
        return cached[timeout]

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        from huggingface_hub.errors import HfHubHTTPError, InferenceTimeoutError, OfflineModeIsEnabled

        payload = to_openai_messages(messages, images)
        try:
            output = self._client(timeout).chat_completion(
                messages=payload,
                model=self.model,
                max_tokens=settings.max_new_tokens,
                temperature=settings.temperature,
                top_p=settings.top_p,
                seed=settings.seed,
                extra_body=self.extra_body,
            )
        except OfflineModeIsEnabled as error:
            raise TeacherError(
                "HF_HUB_OFFLINE=1 blocks every huggingface_hub request, including to the teacher server "
                f"{self.base_url}; unset it (or set HF_HUB_OFFLINE=0) for this build. The Hub is not contacted.",
                retryable=False,
            ) from error
        except InferenceTimeoutError as error:
            raise TeacherError(f"timed out after {timeout} s") from error
        except HfHubHTTPError as error:
            status = error.response.status_code if error.response is not None else None
            retryable = status is None or status in (408, 409, 425, 429) or status >= 500
            raise TeacherError(f"HTTP {status}: {str(error).splitlines()[0][:300]}", retryable=retryable) from error
        except (OSError, ValueError) as error:  # connection refused/reset, invalid JSON from the server
            raise TeacherError(f"{type(error).__name__}: {str(error)[:300]}") from error
        except Exception as error:  # httpx transport errors are not OSError subclasses
            if type(error).__module__.startswith(("httpx", "httpcore")):
                raise TeacherError(f"{type(error).__name__}: {str(error)[:300]}") from error
            raise
        if not output.choices:
            raise TeacherError("the server answered with no choices")
        return output.choices[0].message.content or ""

    def __repr__(self) -> str:
        return f"OpenAITeacher(base_url={self.base_url!r}, model={self.model!r})"


# --------------------------------------------------------------------------------------------------------------
# Local transformers models
# --------------------------------------------------------------------------------------------------------------


class TransformersTeacher(Teacher):
    """Any local image-text-to-text model (`AutoModelForImageTextToText` + `AutoProcessor`).

    Calls are serialised (one model in memory; `max_concurrency = 1`). The per-call timeout becomes
    `generate(max_time=...)`, which stops decoding and returns what was written so far.

    Args:
        model_name_or_path (`str`): Hub id or local folder.
        model (`PreTrainedModel`, *optional*): an already loaded model (then `processor` is required too).
        processor (`ProcessorMixin`, *optional*): an already loaded processor.
        device (`str`, *optional*): e.g. `"cuda"`; defaults to CUDA when available, else CPU.
        dtype (`str`, *optional*, defaults to `"auto"`): torch dtype for loading.
        revision (`str`, *optional*): model revision (part of the teacher id).
        trust_remote_code (`bool`, *optional*, defaults to `False`): allow custom model code.
    """

    max_concurrency = 1

    def __init__(
        self,
        model_name_or_path: str,
        model=None,
        processor=None,
        device: str | None = None,
        dtype: str = "auto",
        revision: str | None = None,
        trust_remote_code: bool = False,
    ):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        if (model is None) != (processor is None):
            raise ValueError("Pass both `model` and `processor`, or neither (then both load from the path).")
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if model is None:
            processor = AutoProcessor.from_pretrained(
                model_name_or_path, revision=revision, trust_remote_code=trust_remote_code
            )
            model = AutoModelForImageTextToText.from_pretrained(
                model_name_or_path, revision=revision, dtype=dtype, trust_remote_code=trust_remote_code
            )
        self.model = model.to(device).eval()
        self.processor = processor
        self.id = f"transformers:{model_name_or_path}" + (f"@{revision}" if revision else "")
        self._lock = threading.Lock()

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        import torch
        from PIL import Image

        _check_placeholders(messages, images)
        pil_images = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
        text = self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        inputs = self.processor(text=[text], images=pil_images or None, return_tensors="pt").to(self.model.device)
        sample = settings.temperature > 0
        kwargs = {"max_new_tokens": settings.max_new_tokens, "do_sample": sample}
        if sample:
            kwargs.update(temperature=settings.temperature, top_p=settings.top_p)
        if timeout is not None:
            kwargs["max_time"] = float(timeout)
        with self._lock, torch.inference_mode():
            if sample:
                torch.manual_seed(settings.seed)
            output = self.model.generate(**inputs, **kwargs)
        new_tokens = output[0, inputs["input_ids"].shape[1] :]
        return self.processor.decode(new_tokens, skip_special_tokens=True).strip()


def __getattr__(name: str):
    if name == "OracleTeacher":  # lives in oracle.py (it needs the synthetic generator); importable from here too
        from .oracle import OracleTeacher

        return OracleTeacher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_API_KEY_ENVS",
    "REQUEST_KINDS",
    "GenerationSettings",
    "OpenAITeacher",
    "Teacher",
    "TeacherError",
    "TransformersTeacher",
    "png_data_url",
    "to_openai_messages",
]
