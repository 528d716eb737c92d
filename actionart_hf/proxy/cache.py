"""A content-addressed, crash-safe cache of teacher calls, and the runner that fills it.

Every call is keyed by the SHA-256 of (teacher id, messages including the prompt text, prompt tag, SHA-256 of each
image's bytes, generation settings, the oracle's context, retry variant). An answer is stored as one small JSON
file per key, written to a temporary file, fsync'ed and renamed into place, so a build killed at any instant
(`kill -9` included) leaves either the whole answer or nothing; started again, it finds every answer it already
paid for and calls the teacher only for the rest.

[`CallRunner`] runs a batch of [`TeacherRequest`]s: cache hits are served first without threads, misses go to a
bounded thread pool; exceptions are retried with exponential back-off, answers that fail `check` (empty, bad JSON,
wrong number of options, ...) are cached and retried as a new variant (next seed, non-zero temperature); a request
still failing after `retries` comes back with its last reason, and [`write_failure_report`] lists it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..atomic import write_jsonl_atomic, write_text_atomic
from .teachers import GenerationSettings, Teacher, TeacherError


logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
RETRY_TEMPERATURE = 0.7


@dataclass(frozen=True)
class TeacherRequest:
    """One teacher call of a build.

    Args:
        row_id (`str`): the output row (or unit) the call is for; named in failure reports, not part of the key.
        kind (`str`): `pose_description`, `spatial_difference`, `unit_label`, `fgqa_mcq`, `caption_pose_mcq` or
            `caption_events`.
        prompt_tag (`str`): the prompt file's tag, e.g. `"pose_description.v1"`.
        messages (`list[dict]`): chat messages with `{"type": "image"}` placeholders.
        images (`tuple[bytes, ...]`): PNG bytes, one per placeholder.
        context (`dict`): JSON-serialisable metadata for the oracle (`kind` is added automatically).
        settings ([`GenerationSettings`]): generation settings.
    """

    row_id: str
    kind: str
    prompt_tag: str
    messages: list[dict]
    images: tuple[bytes, ...] = ()
    context: dict = field(default_factory=dict)
    settings: GenerationSettings = field(default_factory=GenerationSettings)

    def full_context(self) -> dict:
        return {"kind": self.kind, **self.context}


def call_key(teacher: Teacher, request: TeacherRequest, variant: int = 0) -> str:
    """The cache key of `request` sent to `teacher` (retry `variant` 0 is the first try).

    Returns:
        `str`: 64 hex digits.
    """
    payload = {
        "format": CACHE_FORMAT,
        "teacher": teacher.id,
        "prompt": request.prompt_tag,
        "messages": request.messages,
        "images": [hashlib.sha256(image).hexdigest() for image in request.images],
        "settings": variant_settings(request.settings, variant).to_dict(),
        "context": request.full_context() if teacher.uses_context else None,
        "variant": variant,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def variant_settings(settings: GenerationSettings, variant: int) -> GenerationSettings:
    """Settings of retry `variant`: the next seed, and sampling switched on when the first try was greedy."""
    if variant == 0:
        return settings
    return replace(settings, seed=settings.seed + variant, temperature=settings.temperature or RETRY_TEMPERATURE)


class CallCache:
    """One JSON file per key under `directory/<key[:2]>/<key>.json`, written atomically.

    Args:
        directory (`str` or `os.PathLike`): cache folder (created if needed). Safe to share between builds and
            processes: writers of the same key write the same content, and renames are atomic.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The stored record (`{"key", "response", "teacher", "prompt", ...}`) or None."""
        path = self.path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:  # only possible after disk-level damage: recompute
            logger.warning("Ignoring unreadable cache file %s (%s); the call will be made again.", path, error)
            return None
        return record if isinstance(record, dict) and record.get("key") == key else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Stores `record` under `key`: temp file in the same folder, fsync, rename, fsync of the folder."""
        write_text_atomic(self.path(key), json.dumps({**record, "key": key}, ensure_ascii=False), durable=True)

    def __contains__(self, key: str) -> bool:
        return self.path(key).exists()

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("??/*.json"))


@dataclass
class CallResult:
    """The outcome of one request.

    Args:
        request ([`TeacherRequest`]): the request.
        response (`str`, *optional*): the accepted answer, or None when the request failed.
        parsed (`Any`, *optional*): what `check` returned for the accepted answer (e.g. parsed JSON).
        error (`str`, *optional*): why it failed (last reason), when `response` is None.
        attempts (`int`): teacher calls made in this run (0 when served from the cache).
        cached (`bool`): the accepted answer came from the cache.
        variant (`int`): the retry variant that was accepted (0 = first try).
    """

    request: TeacherRequest
    response: str | None = None
    parsed: Any = None
    error: str | None = None
    attempts: int = 0
    cached: bool = False
    variant: int = 0

    @property
    def ok(self) -> bool:
        return self.response is not None


# `check(response, request) -> (parsed, None)` when usable, `(None, reason)` when malformed.
CheckFn = Callable[[str, TeacherRequest], tuple[Any, str | None]]


def default_check(response: str, request: TeacherRequest) -> tuple[Any, str | None]:
    """Accepts any non-empty answer."""
    text = response.strip()
    return (text, None) if text else (None, "empty answer")


class _NeedsCall(Exception):
    pass


class CallRunner:
    """Runs teacher requests through the cache with bounded concurrency, retries, back-off and timeouts.

    Args:
        teacher ([`Teacher`]): who answers.
        cache ([`CallCache`]): where answers are kept.
        workers (`int`, *optional*, defaults to 8): parallel calls (capped by `teacher.max_concurrency`).
        retries (`int`, *optional*, defaults to 3): extra tries per request after the first, shared between
            errors (same variant, after back-off) and malformed answers (next variant).
        backoff_s (`float`, *optional*, defaults to 1.0): first back-off; doubles each retry, with jitter.
        max_backoff_s (`float`, *optional*, defaults to 30.0): back-off ceiling.
        timeout_s (`float`, *optional*, defaults to 120.0): per-call timeout handed to the teacher.
        check (`Callable`, *optional*): `check(response, request) -> (parsed, reason)`; defaults to non-empty.
    """

    def __init__(
        self,
        teacher: Teacher,
        cache: CallCache,
        workers: int = 8,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        timeout_s: float | None = 120.0,
        check: CheckFn | None = None,
    ):
        if workers < 1:
            raise ValueError(f"workers={workers} must be >= 1.")
        if retries < 0:
            raise ValueError(f"retries={retries} must be >= 0.")
        self.teacher, self.cache = teacher, cache
        self.workers = min(workers, teacher.max_concurrency or workers)
        self.retries, self.backoff_s, self.max_backoff_s = retries, backoff_s, max_backoff_s
        self.timeout_s = timeout_s
        self.check = check or default_check
        self.calls_made = 0  # teacher calls in this runner's lifetime (cache misses, including failed ones)
        self._count_lock = threading.Lock()

    def _resolve(self, request: TeacherRequest, cache_only: bool) -> CallResult:
        """Walks retry variants: cached answers are re-checked for free; uncached ones cost a call."""
        result = CallResult(request)
        budget = self.retries + 1
        variant, reason = 0, "no attempt"
        while budget > 0:
            key = call_key(self.teacher, request, variant)
            record = self.cache.get(key)
            if record is None:
                if cache_only:
                    raise _NeedsCall
                record, spent, error = self._call(request, key, variant, budget)
                budget -= spent
                result.attempts += spent
                if record is None:
                    result.error = f"{error} (after {result.attempts} call(s))"
                    return result
            else:
                budget -= 1
            parsed, reason = self.check(record["response"], request)
            if reason is None:
                result.response, result.parsed, result.variant = record["response"], parsed, variant
                result.cached = result.attempts == 0
                return result
            variant += 1
        result.error = f"malformed answer: {reason} (after {variant} variant(s))"
        return result

    def _call(self, request: TeacherRequest, key: str, variant: int, budget: int) -> tuple[dict | None, int, str]:
        """Calls the teacher, retrying errors with back-off; returns `(record or None, calls spent, last error)`."""
        settings = variant_settings(request.settings, variant)
        error = ""
        for attempt in range(budget):
            if attempt:
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
                time.sleep(delay * (0.5 + random.random() / 2))
            with self._count_lock:
                self.calls_made += 1
            try:
                response = self.teacher.generate(
                    request.messages,
                    list(request.images),
                    settings,
                    context=request.full_context(),
                    timeout=self.timeout_s,
                )
            except TeacherError as exc:
                error = str(exc)
                if not exc.retryable:
                    return None, attempt + 1, error
                logger.debug("Teacher call for %s failed (%s); retrying.", request.row_id, error)
                continue
            if not isinstance(response, str):
                raise RuntimeError(f"{self.teacher!r}.generate returned {type(response).__name__}, not str.")
            record = {
                "response": response,
                "teacher": self.teacher.id,
                "prompt": request.prompt_tag,
                "kind": request.kind,
                "variant": variant,
                "created": time.time(),
            }
            self.cache.put(key, record)
            return record, attempt + 1, ""
        return None, budget, error

    def run(self, requests: Sequence[TeacherRequest], desc: str = "teacher calls") -> list[CallResult]:
        """Answers every request; results come back in request order whatever the completion order.

        Returns:
            `list[CallResult]`, one per request.
        """
        results: list[CallResult | None] = [None] * len(requests)
        pending: list[int] = []
        for index, request in enumerate(requests):
            try:
                results[index] = self._resolve(request, cache_only=True)
            except _NeedsCall:
                pending.append(index)
        hits = len(requests) - len(pending)
        if hits:
            logger.info("%s: %d of %d answers found in the cache %s", desc, hits, len(requests), self.cache.directory)
        if pending:
            with (
                ThreadPoolExecutor(self.workers, thread_name_prefix="teacher") as pool,
                tqdm(total=len(pending), desc=desc, unit="call", disable=None) as progress,
            ):
                queue = iter(pending)
                running: dict[Future, int] = {}

                def submit_next() -> bool:
                    index = next(queue, None)
                    if index is None:
                        return False
                    running[pool.submit(self._resolve, requests[index], False)] = index
                    return True

                for _ in range(self.workers * 2):  # a bounded window, so 200K requests do not all queue at once
                    if not submit_next():
                        break
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        results[running.pop(future)] = future.result()
                        progress.update(1)
                        submit_next()
        failed = sum(1 for r in results if r is not None and not r.ok)
        if failed:
            logger.warning("%s: %d of %d requests failed; see the failure report.", desc, failed, len(requests))
        return results  # type: ignore[return-value]


def write_failure_report(path: str | os.PathLike, results: Sequence[CallResult]) -> Path | None:
    """Writes failed requests as JSONL (`row_id`, `kind`, `prompt`, `error`, `attempts`) atomically.

    Returns:
        The path when something failed; otherwise removes a stale report and returns None.
    """
    path = Path(path)
    failed = [r for r in results if not r.ok]
    if not failed:
        path.unlink(missing_ok=True)
        return None
    rows = (
        {
            "row_id": result.request.row_id,
            "kind": result.request.kind,
            "prompt": result.request.prompt_tag,
            "error": result.error,
            "attempts": result.attempts,
        }
        for result in failed
    )
    return write_jsonl_atomic(path, rows)


__all__ = [
    "CACHE_FORMAT",
    "CallCache",
    "CallResult",
    "CallRunner",
    "TeacherRequest",
    "call_key",
    "default_check",
    "variant_settings",
    "write_failure_report",
]
