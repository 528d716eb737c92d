"""Teachers: whatever writes the proxy-task labels (docs/DESIGN.md §6.4).

One small interface, three implementations:

- [`OracleTeacher`]: exact answers from the synthetic generator's `motion` labels (no model).
- [`TransformersTeacher`]: any local image-text-to-text model through `transformers`.
- [`OpenAITeacher`]: any OpenAI-compatible server (vLLM, `transformers serve`, TGI, a hosted API) through
  [`actionart_hf.inference.OpenAIClient`], images sent as PNG data URLs.

A call is `teacher.generate(messages, images, settings, context=..., timeout=...) -> str`. `messages` are chat
messages whose user content holds `{"type": "image"}` placeholders and `{"type": "text", "text": ...}` parts;
`images` are PNG bytes in placeholder order. `context` carries what only the oracle uses (the kind of request, the
source video, frame indices, the label sequence); model teachers ignore it. Every call goes through
[`actionart_hf.proxy.cache.CallRunner`], which caches, retries and bounds concurrency.
"""

from __future__ import annotations

import io
import threading
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any

from ..inference.messages import check_placeholders
from ..inference.openai_client import OpenAIClient, ServerError, image_data_url, to_openai_messages


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


# --------------------------------------------------------------------------------------------------------------
# OpenAI-compatible servers
# --------------------------------------------------------------------------------------------------------------


class OpenAITeacher(Teacher):
    """Any OpenAI-compatible chat-completions server, through [`actionart_hf.inference.OpenAIClient`].

    The API key comes from the environment: the first set of `api_key_envs` (default `OPENAI_API_KEY`, then
    `HF_TOKEN`). Without one the placeholder `"EMPTY"` is sent (vLLM's convention), never a token stored on disk.
    The key is not logged and does not appear in `repr` or in the teacher id. Each call is one request: the
    [`~actionart_hf.proxy.cache.CallRunner`] retries failed calls (`TeacherError.retryable` says which).

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
        self.client = OpenAIClient(base_url, api_key_envs, missing_key="EMPTY", timeout_s=None, max_retries=0)
        self.base_url = self.client.base_url
        self.model = model
        self.extra_body = dict(extra_body or {})
        self.max_concurrency = max_concurrency
        self.id = f"openai:{model or 'default'}"

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        payload = {
            "messages": to_openai_messages(messages, images=[image_data_url(image) for image in images]),
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "seed": settings.seed,
            **({"model": self.model} if self.model else {}),
            **self.extra_body,
        }
        try:
            return self.client.complete(payload, timeout_s=timeout)
        except ServerError as error:
            raise TeacherError(str(error), retryable=error.retryable) from error

    def __repr__(self) -> str:
        return f"OpenAITeacher(base_url={self.base_url!r}, model={self.model!r})"


# --------------------------------------------------------------------------------------------------------------
# Local transformers models
# --------------------------------------------------------------------------------------------------------------


class TransformersTeacher(Teacher):
    """Any local image-text-to-text model, through [`actionart_hf.inference.TransformersRunner`].

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
        from ..inference.transformers_runner import TransformersRunner

        if (model is None) != (processor is None):
            raise ValueError("Pass both `model` and `processor`, or neither (then both load from the path).")
        self.runner = TransformersRunner(
            model_name_or_path if model is None else model,
            processor,
            device=device,
            dtype=dtype,
            revision=revision,
            trust_remote_code=trust_remote_code,
        )
        self.id = f"transformers:{model_name_or_path}" + (f"@{revision}" if revision else "")
        self._lock = threading.Lock()

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        import torch
        from PIL import Image

        check_placeholders(messages, "image", len(images))
        pil_images = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
        sample = settings.temperature > 0
        kwargs = {"max_new_tokens": settings.max_new_tokens, "do_sample": sample}
        if sample:
            kwargs.update(temperature=settings.temperature, top_p=settings.top_p)
        if timeout is not None:
            kwargs["max_time"] = float(timeout)
        with self._lock:
            if sample:
                torch.manual_seed(settings.seed)
            return self.runner.generate([messages], images=pil_images, **kwargs)[0]


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
]
