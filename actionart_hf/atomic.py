"""Atomic outputs: a file or folder is written beside its target under a temporary name and renamed into place only
when it is complete, so a reader (or a run killed at any instant) sees the old version or the new one, never half.

Files: [`atomic_file`] yields a temporary path for any writer (`Figure.savefig`, `Dataset.to_parquet`, safetensors
`save_file`, PyAV); [`write_text_atomic`], [`write_bytes_atomic`], [`write_json_atomic`] and [`write_jsonl_atomic`]
cover the common cases. Folders: [`staged_dir`] and [`replace_dir`].

A run that is killed (`kill -9`, a power cut) cannot clean up after itself: its staging folder
(`.<name>.staging-*`) stays beside the output, and a kill between the two renames of [`replace_dir`] leaves the old
output renamed aside (`.<name>.old-*`). [`output_lock`] (taken by [`staged_dir`]) makes one run at a time write an
output and lets that run remove what killed runs of the same output left, by these naming patterns only, saying so
in a log line.

Kept free of heavy imports (no `datasets`, no `torch`) so that every writer, the streaming merge included, can use it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


logger = logging.getLogger(__name__)

STAGING_PATTERN = ".{name}.staging-*"
BACKUP_PATTERN = ".{name}.old-*"
_held_locks: dict[Path, int] = {}  # target -> nesting depth of `output_lock` in this process


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


def scratch_dir(target: Path) -> Path:
    """Creates and returns an empty folder beside `target` named by `STAGING_PATTERN` (removed by later runs if this
    one is killed; hold [`output_lock`] while using it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    return stage


@contextmanager
def staged_dir(target: Path, check: Callable[[Path, Path], None] | None = None) -> Iterator[Path]:
    """Yields an empty staging folder beside `target`; moves it to `target` when the block succeeds.

    The block runs under [`output_lock`] (leftovers of killed runs are removed first). An interrupted or failed block,
    or a failed `check`, removes the staging folder and leaves any previous `target` untouched. Checking whether
    `target` may be replaced is the caller's job.

    Args:
        target (`Path`): the final folder.
        check (`Callable[[Path, Path], None]`, *optional*): called as `check(stage, target)` once the block is done,
            before the staging folder replaces `target`; raises (e.g. `ValueError`) when the new output is not valid.
    """
    with output_lock(target):
        stage = scratch_dir(target)
        try:
            yield stage
            if check is not None:
                check(stage, target)
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


@contextmanager
def output_lock(target: str | os.PathLike) -> Iterator[None]:
    """Holds `.<name>.lock` beside `target` for the block, then removes what killed runs of `target` left behind.

    Removed: staging folders (`STAGING_PATTERN`) and, when `target` exists, old outputs renamed aside
    (`BACKUP_PATTERN`); when `target` is missing because a run was killed while replacing it, the newest old output
    is renamed back. Each removal is logged. Nested blocks for the same target in one process share the lock. On
    systems without `fcntl` (Windows) nothing is locked or removed.

    Raises:
        ValueError: another process is writing `target` (it holds the lock).
    """
    target = Path(target).absolute()
    if target in _held_locks:
        _held_locks[target] += 1
        try:
            yield
        finally:
            _held_locks[target] -= 1
        return
    try:
        import fcntl
    except ImportError:
        yield
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    descriptor = _acquire(lock_path, target, fcntl)
    _held_locks[target] = 1
    try:
        remove_leftovers(target)
        yield
    finally:
        del _held_locks[target]
        lock_path.unlink(missing_ok=True)  # under the lock; `_acquire` retries if it raced with this
        os.close(descriptor)


def _acquire(lock_path: Path, target: Path, fcntl) -> int:
    """An open descriptor of `lock_path` holding its exclusive lock, checked to be the file now at `lock_path`."""
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            raise ValueError(
                f"Another run is writing {str(target)!r} (it holds {str(lock_path)!r}); wait for it to finish, or "
                "remove the lock file if no such run exists."
            ) from None
        try:
            current = os.stat(lock_path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(descriptor).st_ino:
            return descriptor
        os.close(descriptor)  # the holder removed the file between our open and our lock: take the new one


def remove_leftovers(target: Path) -> list[Path]:
    """Removes the staging folders and old outputs that killed runs of `target` left beside it (see
    [`output_lock`], which calls it under the lock) and returns them."""
    removed = []
    for stage in sorted(target.parent.glob(STAGING_PATTERN.format(name=target.name))):
        logger.warning("Removing %s, left by an interrupted run of %s.", stage, target)
        shutil.rmtree(stage, ignore_errors=True)
        removed.append(stage)
    backups = sorted(target.parent.glob(BACKUP_PATTERN.format(name=target.name)), key=lambda p: p.stat().st_mtime)
    if backups and not target.exists():
        logger.warning("Restoring %s from %s, left by a run killed while replacing it.", target, backups[-1])
        os.replace(backups.pop(), target)
    for backup in backups:
        logger.warning("Removing %s, the old %s left by an interrupted run.", backup, target.name)
        shutil.rmtree(backup, ignore_errors=True)
        removed.append(backup)
    return removed


__all__ = [
    "BACKUP_PATTERN",
    "STAGING_PATTERN",
    "atomic_file",
    "output_lock",
    "remove_leftovers",
    "replace_dir",
    "scratch_dir",
    "staged_dir",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_jsonl_atomic",
    "write_text_atomic",
]
