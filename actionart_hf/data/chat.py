"""Any dataset row → chat `messages` plus its media, the format training and evaluation share (docs/DESIGN.md §4).

    >>> messages, media = row_to_messages(row, "qa")
    >>> messages[0]["content"][0]
    {'type': 'video'}

The user turn holds `{"type": "video"}` / `{"type": "image"}` placeholders followed by the text; the assistant turn
holds the target (the answer letter for MCQ rows). `media` is `{"videos": [path, ...], "images": [PIL.Image, ...]}`.
"""

from __future__ import annotations

from typing import Any

from ..tasks import MCQ_INSTRUCTION, format_mcq_prompt


CAPTION_PROMPT = (
    "Describe in detail what the person does in this video: the posture and position of each body part, how they "
    "change over time, and any objects the person interacts with."
)
# The fixed texts of every prompt (a tokenizer built for ActionArt data must cover them).
PROMPT_TEXTS: tuple[str, ...] = (MCQ_INSTRUCTION, CAPTION_PROMPT)


def _turns(media_parts: list[dict], prompt: str, target: str | None) -> list[dict]:
    messages = [{"role": "user", "content": [*media_parts, {"type": "text", "text": prompt}]}]
    if target is not None:
        messages.append({"role": "assistant", "content": [{"type": "text", "text": target}]})
    return messages


def row_to_messages(row: dict[str, Any], config: str, with_target: bool = True) -> tuple[list[dict], dict]:
    """Converts a row of config `config` into chat messages.

    Args:
        row (`dict`): a row of `qa`, `fgqa`, `captions`, `pose_description` or `spatial_difference`.
        config (`str`): the row's config name.
        with_target (`bool`, *optional*, defaults to `True`): include the assistant turn.

    Returns:
        `(messages, media)`: the chat messages and `{"videos": [...], "images": [...]}` in placeholder order.
    """
    if config in ("qa", "fgqa"):
        messages = _turns([{"type": "video"}], format_mcq_prompt(row["question"], list(row["options"])), row["answer"])
        media = {"videos": [row["video"]], "images": []}
    elif config == "captions":
        messages = _turns([{"type": "video"}], CAPTION_PROMPT, row["caption"])
        media = {"videos": [row["video"]], "images": []}
    elif config == "pose_description":
        messages = _turns([{"type": "image"}], row["prompt"], row["response"])
        media = {"videos": [], "images": [row["image"]]}
    elif config == "spatial_difference":
        images = list(row["images"])
        messages = _turns([{"type": "image"} for _ in images], row["prompt"], row["response"])
        media = {"videos": [], "images": images}
    else:
        raise ValueError(
            f"Config {config!r} has no chat format; use qa, fgqa, captions, pose_description or spatial_difference."
        )
    if not with_target:
        messages = messages[:1]
    return messages, media


__all__ = ["CAPTION_PROMPT", "PROMPT_TEXTS", "row_to_messages"]
