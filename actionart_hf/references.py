"""Model and dataset references: a local path or a Hub id (`name` or `org/name`), told apart before anything loads.

A reference that starts with `.`, `/` or `~`, or that is not shaped like a Hub id (e.g. `outputs/tiny/model`), can
only be a local path: when it does not exist, the user gets one line naming it instead of a Hub error about an
invalid repository id.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def is_local_reference(reference: str | os.PathLike) -> bool:
    """Whether `reference` names a local path: it exists, starts with `.`, `/` or `~`, or is not a Hub id."""
    text = str(reference)
    return Path(text).expanduser().exists() or text.startswith((".", "/", "~")) or not HUB_ID.match(text)


def check_local_reference(reference: str | os.PathLike, what: str) -> None:
    """Refuses a reference that can only be a local path when nothing is there.

    Args:
        reference (`str` or `os.PathLike`): a folder, file or Hub id.
        what (`str`): the item for the message, e.g. `"--model"` or `"dataset_mixture[0].path"`.

    Raises:
        ValueError: naming `what`, the reference, and the fix.
    """
    if is_local_reference(reference) and not Path(str(reference)).expanduser().exists():
        raise ValueError(
            f"{what} {str(reference)!r} does not exist (it is a local path, not a Hub id such as 'org/name'); fix "
            "the path, relative to the current folder, or build that folder first."
        )


__all__ = ["HUB_ID", "check_local_reference", "is_local_reference"]
