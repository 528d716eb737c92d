"""Rows of any mixture dataset → one uniform training example (chat messages as JSON plus media references).

ActionArt configs (`qa`, `fgqa`, `captions`, `pose_description`, `spatial_difference`) go through
`actionart_hf.data.chat.row_to_messages`. The `messages` format takes conversational rows of foreign video
instruction data (stage 1), in either spelling:

- transformers/TRL: `[{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "..."}]}, ...]`
  or `content` as a plain string;
- LLaVA: `[{"from": "human", "value": "<video>\\nWhat happens?"}, {"from": "gpt", "value": "..."}]`, where
  `<video>` / `<image>` mark where media go (at the start of the first user turn when absent).

Media of a `messages` row come from its `video` / `videos` / `image` / `images` columns, in placeholder order.

The uniform example has `messages` (a JSON string, so datasets with different chat shapes concatenate), `videos`
(absolute paths), `images` (`{"bytes", "path"}` dicts, decoded by the collator) and `source` (the dataset label).
"""

from __future__ import annotations

import json
import re
from typing import Any

import datasets

from ..data.chat import row_to_messages


MEDIA_TYPES = ("video", "image")
ROLE_ALIASES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
_MARKER = re.compile(r"<(video|image)>\n?")

EXAMPLE_FEATURES = datasets.Features(
    {
        "messages": datasets.Value("string"),
        "videos": datasets.List(datasets.Value("string")),
        "images": datasets.List(datasets.Image(decode=False)),
        "source": datasets.Value("string"),
    }
)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _split_markers(text: str) -> list[dict]:
    """`"<video>\\nWhat?"` → `[{"type": "video"}, {"type": "text", "text": "What?"}]`."""
    parts, position = [], 0
    for match in _MARKER.finditer(text):
        if text[position : match.start()].strip():
            parts.append({"type": "text", "text": text[position : match.start()]})
        parts.append({"type": match.group(1)})
        position = match.end()
    if text[position:] or not parts:
        parts.append({"type": "text", "text": text[position:]})
    return parts


def normalize_conversation(conversation: list[dict], num_media: int, row_id: str = "?") -> list[dict]:
    """Turns a conversational row (transformers or LLaVA spelling) into transformers chat messages.

    Args:
        conversation (`list[dict]`): the turns.
        num_media (`int`): media items that come with the row; placeholders are added at the start of the first
            user turn when the text has none.
        row_id (`str`, *optional*): used in error messages.

    Returns:
        `list[dict]`: messages whose `content` is a list of `{"type": "text" | "video" | "image", ...}` parts.
    """
    messages = []
    for turn in conversation:
        role = turn.get("role") or turn.get("from")
        if role not in ROLE_ALIASES:
            raise ValueError(
                f"Row {row_id}: turn role {role!r} is not one of {sorted(ROLE_ALIASES)}; fix the `messages` column."
            )
        content = turn.get("content", turn.get("value"))
        if isinstance(content, str):
            parts = _split_markers(content)
        elif isinstance(content, list):
            parts = []
            for part in content:
                kind = part.get("type")
                if kind == "text":
                    parts.append({"type": "text", "text": part.get("text") or ""})
                elif kind in MEDIA_TYPES:
                    parts.append({"type": kind})
                else:
                    raise ValueError(f"Row {row_id}: content part type {kind!r} is not text, video or image.")
        else:
            raise ValueError(f"Row {row_id}: turn content {content!r} is neither a string nor a list of parts.")
        messages.append({"role": ROLE_ALIASES[role], "content": parts})
    placeholders = sum(part["type"] in MEDIA_TYPES for m in messages for part in m["content"])
    if placeholders == 0 and num_media:
        first_user = next((m for m in messages if m["role"] == "user"), None)
        if first_user is None:
            raise ValueError(f"Row {row_id}: a conversation with media needs a user turn.")
        first_user["content"][:0] = [{"type": "media"}] * num_media  # typed below, in media order
    if not any(m["role"] == "assistant" for m in messages):
        raise ValueError(f"Row {row_id}: the conversation has no assistant turn to learn from.")
    return messages


def _image_reference(image: Any, root: str | None) -> dict:
    """An image cell (undecoded `{"bytes", "path"}`, a path, or a PIL image) → a `{"bytes", "path"}` dict."""
    if isinstance(image, dict):
        reference = {"bytes": image.get("bytes"), "path": image.get("path")}
    elif isinstance(image, str):
        reference = {"bytes": None, "path": image}
    else:  # a decoded PIL image
        return datasets.Image().encode_example(image)
    if reference["bytes"] is None and reference["path"] and root and not reference["path"].startswith("/"):
        reference["path"] = f"{root.rstrip('/')}/{reference['path']}"
    return reference


def row_to_example(row: dict[str, Any], fmt: str, source: str, image_root: str | None = None) -> dict[str, Any]:
    """Converts one (column-mapped) row into the uniform training example.

    Args:
        row (`dict`): the row, with image columns undecoded.
        fmt (`str`): one of `qa`, `fgqa`, `captions`, `pose_description`, `spatial_difference`, `messages`.
        source (`str`): the dataset label stored in `source`.
        image_root (`str`, *optional*): folder relative image paths are resolved against.

    Returns:
        `dict` with `messages` (JSON string), `videos`, `images` and `source`.
    """
    if fmt == "messages":
        videos = _as_list(row.get("videos")) + _as_list(row.get("video"))
        images = _as_list(row.get("images")) + _as_list(row.get("image"))
        messages = normalize_conversation(row["messages"], len(videos) + len(images), str(row.get("id", "?")))
        parts = [p for m in messages for p in m["content"] if p["type"] in ("media", *MEDIA_TYPES)]
        if len(parts) == len(videos) + len(images):
            # Placeholders added for rows without markers are untyped; LLaVA-Video writes `<image>` for its videos.
            # With one kind of media, every placeholder is that kind; otherwise untyped ones take videos first.
            kinds = ["video"] * len(videos) + ["image"] * len(images)
            for part, kind in zip(parts, kinds):
                if part["type"] == "media" or not (videos and images):
                    part["type"] = kind
        media = {"videos": videos, "images": images}
    else:
        messages, media = row_to_messages(row, fmt)
    counts = {kind: sum(p["type"] == kind for m in messages for p in m["content"]) for kind in MEDIA_TYPES}
    if counts["video"] != len(media["videos"]) or counts["image"] != len(media["images"]):
        raise ValueError(
            f"Row {row.get('id', '?')} of {source}: {counts['video']} video / {counts['image']} image placeholders "
            f"but {len(media['videos'])} videos / {len(media['images'])} images; they must match one to one."
        )
    return {
        "messages": json.dumps(messages, ensure_ascii=False),
        "videos": [str(v) for v in media["videos"]],
        "images": [_image_reference(image, image_root) for image in media["images"]],
        "source": source,
    }


__all__ = ["EXAMPLE_FEATURES", "normalize_conversation", "row_to_example"]
