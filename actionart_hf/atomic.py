"""Atomic outputs: a file or folder is written beside its target under a temporary name and renamed into place only
when it is complete, so a reader (or a run killed at any instant) sees the old version or the new one, never half.

Files: [`atomic_file`] yields a temporary path for any writer (`Figure.savefig`, `Dataset.to_parquet`, safetensors
`save_file`, PyAV); [`write_text_atomic`], [`write_bytes_atomic`], [`write_json_atomic`] and [`write_jsonl_atomic`]
cover the common cases. Folders: [`staged_dir`] and [`replace_dir`].

Kept free of heavy imports (no `datasets`, no `torch`) so that every writer, the streaming merge included, can use it.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_file(path: str | os.PathLike, durable: bool = False) -> Iterator[Path]:
    """Yields a temporary path beside `path`; renames it to `path` when the block succeeds.

    The temporary name is unique (concurrent writers of the same target do not collide) and ends with the target's
    suffix, so writers that choose the format from the extension (PIL, PyAV) still do. An interrupted or failed block
    removes the temporary file and leaves any previous `path` untouched.

    Args:
        path (`str` or `os.PathLike`): the target file; its folder is created if needed.
        durable (`bool`, *optional*, defaults to `False`): fsync the file before the rename and the folder after it,
            so the new content survives a power loss too (not only a killed process).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        yield temporary
        if durable:
            _fsync(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        _fsync(path.parent)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, durable: bool = False) -> Path:
    """Writes `data` to `path` atomically (see [`atomic_file`]) and returns `path`."""
    with atomic_file(path, durable) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike, text: str, durable: bool = False) -> Path:
    """Writes `text` (UTF-8) to `path` atomically (see [`atomic_file`]) and returns `path`."""
    return write_bytes_atomic(path, text.encode("utf-8"), durable)


def write_json_atomic(path: str | os.PathLike, data: Any, durable: bool = False, **dumps_kwargs: Any) -> Path:
    """Writes `data` as indented JSON (UTF-8, non-ASCII kept, a final newline) to `path` atomically.

    Args:
        dumps_kwargs: overrides of the `json.dumps` defaults `indent=2, ensure_ascii=False` (e.g. `default=str`).
    """
    text = json.dumps(data, **{"indent": 2, "ensure_ascii": False, **dumps_kwargs})
    return write_text_atomic(path, text + "\n", durable)


def write_jsonl_atomic(path: str | os.PathLike, rows: Iterable[dict], durable: bool = False) -> Path:
    """Writes one JSON object per line (UTF-8, non-ASCII kept) to `path` atomically; `rows` may be a generator."""
    with atomic_file(path, durable) as temporary, open(temporary, "w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Path(path)


def _fsync(path: Path) -> None:
    """Flushes a file or folder to disk (folders cannot be opened on Windows: skipped there)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def staged_dir(target: Path) -> Iterator[Path]:
    """Yields an empty staging folder beside `target`; moves it to `target` when the block succeeds.

    An interrupted or failed block removes the staging folder and leaves any previous `target` untouched. Checking
    whether `target` may be replaced is the caller's job.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    replace_dir(stage, target)


def replace_dir(source: Path, target: Path) -> None:
    """Moves folder `source` to `target`; an existing `target` is renamed aside first and removed last."""
    backup = None
    if target.exists():
        backup = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, backup)
    os.replace(source, target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


__all__ = [
    "atomic_file",
    "replace_dir",
    "staged_dir",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_jsonl_atomic",
    "write_text_atomic",
]
