"""The eight ActionArt sub-tasks and the fixed multiple-choice prompt.

Codes follow Table 1 of the paper (AC AR AS GS HOI LS MV TL); the paper's text calls moving direction "MD", so
that spelling and every full name are accepted on input through :func:`normalize_task`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SubTask:
    """One ActionArt sub-task.

    Args:
        code (`str`): the short code used in tables and datasets, e.g. `"LS"`.
        name (`str`): the paper's full name, e.g. `"Local Spatial Understanding"`.
        description (`str`): what the sub-task evaluates, after §3.2 of the paper.
        aliases (`tuple[str, ...]`): other spellings accepted on input.
    """

    code: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()


TASKS: dict[str, SubTask] = {
    task.code: task
    for task in (
        SubTask(
            "AC",
            "Action Count",
            "How many times a specific action happens in the video, e.g. hand waves or squats.",
            ("action counting", "counting", "count"),
        ),
        SubTask(
            "AR",
            "Action Recognition",
            "Which specific action a body part performs, especially hands and feet, e.g. waving a hand.",
            ("action understanding", "action recognition understanding"),
        ),
        SubTask(
            "AS",
            "Action Sequence",
            "The order of movements of different body parts, e.g. arm and leg moves in dance or martial arts.",
            ("sequence", "action order"),
        ),
        SubTask(
            "GS",
            "Global Spatial Understanding",
            "The overall posture and position of the person, e.g. standing, lying down or squatting.",
            ("global spatial", "global posture"),
        ),
        SubTask(
            "HOI",
            "Human-Object Interaction",
            "What the person does with which object, e.g. picking up or throwing an item.",
            ("human object interaction", "object interaction"),
        ),
        SubTask(
            "LS",
            "Local Spatial Understanding",
            "The posture and position of a specific body part at a moment, e.g. where a hand is placed.",
            ("local spatial", "local posture"),
        ),
        SubTask(
            "MV",
            "Moving Direction",
            "The direction in which the person or a body part moves.",
            ("MD", "movement direction", "direction"),
        ),
        SubTask(
            "TL",
            "Temporal Localization",
            "When a specific action happens in the video, e.g. when the person begins to squat.",
            ("temporal grounding", "temporal location"),
        ),
    )
}

TASK_CODES: tuple[str, ...] = tuple(TASKS)
OPTION_LETTERS = "ABCDEF"
MIN_OPTIONS, MAX_OPTIONS = 2, len(OPTION_LETTERS)
MCQ_INSTRUCTION = "Answer with the option's letter from the given choices directly."


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_LOOKUP: dict[str, str] = {}
for _task in TASKS.values():
    for _spelling in (_task.code, _task.name, *_task.aliases):
        _LOOKUP[_key(_spelling)] = _task.code
    # "Local Spatial Understanding (LS)", "human-object interaction (HOI)"
    _LOOKUP[_key(f"{_task.name} ({_task.code})")] = _task.code


def normalize_task(value: str) -> str:
    """Returns the task code for a code, alias or full name (case, spaces and punctuation ignored).

    Raises:
        ValueError: naming the value and the accepted codes.
    """
    code = _LOOKUP.get(_key(str(value)))
    if code is None:
        raise ValueError(
            f"Unknown ActionArt task {value!r}: use one of the codes {', '.join(TASK_CODES)}, a full name such as "
            f"'Local Spatial Understanding', or an alias such as 'MD'."
        )
    return code


def option_letter(index: int) -> str:
    """The answer letter of the option at `index` (0 → "A")."""
    if not 0 <= index < len(OPTION_LETTERS):
        raise ValueError(f"Option index {index} is outside 0..{len(OPTION_LETTERS) - 1}.")
    return OPTION_LETTERS[index]


def letter_index(letter: str) -> int:
    """The option index of an answer letter ("B" → 1)."""
    index = OPTION_LETTERS.find(letter.strip().upper()) if len(letter.strip()) == 1 else -1
    if index < 0:
        raise ValueError(f"Answer {letter!r} is not an option letter {OPTION_LETTERS[0]}-{OPTION_LETTERS[-1]}.")
    return index


def format_options(options: list[str]) -> str:
    """Options as `A. ...` lines."""
    return "\n".join(f"{option_letter(i)}. {text}" for i, text in enumerate(options))


def format_mcq_prompt(question: str, options: list[str]) -> str:
    """The fixed MCQ prompt: the question, the options as `A. ...` lines, then the instruction."""
    return f"{question.strip()}\n{format_options(options)}\n{MCQ_INSTRUCTION}"


__all__ = [
    "MAX_OPTIONS",
    "MCQ_INSTRUCTION",
    "MIN_OPTIONS",
    "OPTION_LETTERS",
    "TASKS",
    "TASK_CODES",
    "SubTask",
    "format_mcq_prompt",
    "format_options",
    "letter_index",
    "normalize_task",
    "option_letter",
]
