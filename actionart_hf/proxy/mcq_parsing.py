"""Reading teachers' answers: the JSON they return, and each question object as an [`MCQ`].

A text teacher prompted with `fgqa_mcq`, `caption_pose_mcq` or `caption_events` answers in JSON, not always
cleanly: [`extract_json`] finds it inside code fences or prose, [`parse_questions_json`] and
[`parse_events_json`] accept the shapes teachers use (a wrapping object, a bare list, a single question), and
[`parse_mcq`] turns one question object into an [`MCQ`] or a [`Rejection`]. Whether the answer is right is the
validators' job (`mcq_validation.validate_question`, `pose_mcq.validate_pose_question`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..data.validation import check_mcq
from ..tasks import OPTION_LETTERS, normalize_task
from .labels import normalize_label, normalize_text


REJECT_REASONS = {
    "malformed": "the teacher's answer is not the JSON asked for (after retries)",
    "structure": "not 2-6 options, an empty option or question, or an answer that is not an option letter",
    "duplicate_options": "two options say the same thing",
    "unknown_task": "the task is not an ActionArt sub-task code",
    "unsupported_task": "the sub-task cannot be checked against an action sequence (e.g. GS, LS)",
    "no_referent": "the question names no action of the sequence (or no time, object or direction it needs)",
    "ambiguous_referent": "the question names an action that occurs more than once, or several actions",
    "not_derivable": "the marked answer does not follow from the sequence (or is not stated in the pose sentence)",
    "second_true_option": "another option is also true",
    "no_moment": "a GS/LS question about a moment whose pose the caption does not describe (only start and end)",
}
"""Why a question is not kept, by reason code; builders count the codes in the dataset card."""


@dataclass(frozen=True)
class MCQ:
    """A well-formed question (kept once a validator has checked its answer).

    Args:
        task (`str`): sub-task code.
        question (`str`): the question text.
        options (`list[str]`): 2-6 options.
        answer (`str`): the correct option's letter.
    """

    task: str
    question: str
    options: list[str]
    answer: str


@dataclass(frozen=True)
class Rejection:
    """Why a question was not kept: a code from `REJECT_REASONS` and a human-readable detail."""

    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def _json_candidates(text: str) -> Iterator[str]:
    fenced = re.findall(r"```(?:json)?\s*(.*?)```", text, flags=re.S)
    yield from fenced
    yield text
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            yield text[start : end + 1]


def extract_json(text: str):
    """The first JSON value found in `text` (whole text, code fences, or the outermost braces/brackets).

    Raises:
        ValueError: empty text or no parsable JSON.
    """
    if not text or not text.strip():
        raise ValueError("empty answer")
    for candidate in _json_candidates(text):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ValueError(f"no JSON found in {text.strip()[:80]!r}")


def parse_questions_json(text: str) -> tuple[list[dict] | None, str | None]:
    """Reads the teacher's questions: `{"questions": [...]}`, a bare list, or one question object.

    Returns:
        `(questions, None)` or `(None, reason)` when the answer is malformed (empty, not JSON, no questions);
        the runner retries malformed answers. Individual questions are checked later by `validate_question`.
    """
    try:
        data = extract_json(text)
    except ValueError as error:
        return None, f"malformed JSON: {error}"
    if isinstance(data, dict) and "questions" in data:
        data = data["questions"]
    elif isinstance(data, dict) and "question" in data:
        data = [data]
    if not isinstance(data, list) or not data:
        return None, "malformed JSON: expected a non-empty list of questions"
    questions = [q for q in data if isinstance(q, dict)]
    if not questions:
        return None, "malformed JSON: no question objects"
    return questions, None


def parse_events_json(text: str) -> tuple[list[str] | None, str | None]:
    """Reads `{"events": ["...", ...]}` (or a bare list) from the caption-events teacher."""
    try:
        data = extract_json(text)
    except ValueError as error:
        return None, f"malformed JSON: {error}"
    if isinstance(data, dict):
        data = data.get("events")
    if not isinstance(data, list):
        return None, "malformed JSON: expected {'events': [...]}"
    labels = [normalize_label(e.get("label", "") if isinstance(e, dict) else e) for e in data]
    labels = [label for label in labels if label]
    if not labels:
        return None, "malformed JSON: no events"
    return labels, None


def _coerce_answer(answer, options: list[str]) -> str:
    """Accepts "B", "b", "B.", 1 (index), or the option text itself."""
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(options):
        return OPTION_LETTERS[answer]
    text = str(answer).strip()
    match = re.fullmatch(r"\(?([A-Fa-f])[).:]?(?:\s.*)?", text)
    if match:
        return match[1].upper()
    normalized = [normalize_text(o) for o in options]
    if normalize_text(text) in normalized:
        return OPTION_LETTERS[normalized.index(normalize_text(text))]
    return text


def parse_mcq(question: dict) -> tuple[MCQ | None, Rejection | None]:
    """A teacher's question object as an [`MCQ`] (not yet checked against any labels), or why it is malformed.

    Accepts options as a list or a `{"A": ...}` dict, drops "A. " prefixes from options, and reads the answer as a
    letter, an index or the option's text.
    """
    try:
        task = normalize_task(str(question.get("task", "")))
    except ValueError:
        return None, Rejection("unknown_task", f"task {question.get('task')!r}")
    text = str(question.get("question") or "").strip()
    options = question.get("options")
    if isinstance(options, dict):  # {"A": "...", "B": "..."}
        options = [options[k] for k in sorted(options)]
    if not isinstance(options, list) or not text:
        return None, Rejection("structure", "missing question text or options list")
    options = [re.sub(r"^\(?[A-Fa-f][).:]\s+", "", str(o)).strip() for o in options]  # drop "A. " prefixes
    answer = _coerce_answer(question.get("answer", ""), options)
    normalized = [normalize_text(o) for o in options]
    if all(normalized) and len(set(normalized)) < len(normalized):
        return None, Rejection("duplicate_options", "two options are the same up to case and punctuation")
    reason = check_mcq(options, answer, task)
    if reason:
        return None, Rejection("duplicate_options" if "duplicate" in reason else "structure", reason)
    return MCQ(task, text, options, answer), None


__all__ = [
    "MCQ",
    "REJECT_REASONS",
    "Rejection",
    "extract_json",
    "parse_events_json",
    "parse_mcq",
    "parse_questions_json",
]
