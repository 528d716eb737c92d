"""Atomic folder outputs: build in a staging folder beside the target, move it into place only on success.

Kept free of heavy imports (no `datasets`, no `torch`) so that every writer, the streaming merge included, can use it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


__all__ = ["replace_dir", "staged_dir"]
