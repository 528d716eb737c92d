"""Chat messages with media placeholders, as the proxy teachers and the eval backends write them.

A message is `{"role": ..., "content": str | list[part]}`; a part is `{"type": "text", "text": ...}`, or a
placeholder `{"type": "image"}` / `{"type": "video"}` whose media travel beside the messages, in placeholder order
(the layout of transformers' chat templates).
"""

from __future__ import annotations

from typing import Literal


MediaKind = Literal["image", "video"]


def count_placeholders(messages: list[dict], kind: MediaKind) -> int:
    """How many `{"type": kind}` parts `messages` hold."""
    return sum(
        1
        for message in messages
        if isinstance(message.get("content"), list)
        for part in message["content"]
        if part.get("type") == kind
    )


def check_placeholders(messages: list[dict], kind: MediaKind, given: int) -> None:
    """Raises a `ValueError` when `messages` hold another number of `kind` placeholders than the `given` media."""
    count = count_placeholders(messages, kind)
    if count != given:
        raise ValueError(
            f"messages hold {count} {kind} placeholder(s) but {given} {kind}(s) were given; pass one {kind} per "
            f'{{"type": "{kind}"}} part, in order.'
        )


__all__ = ["MediaKind", "check_placeholders", "count_placeholders"]
