"""Spatial questions (GS, LS) from a caption's pose sentences, for caption QA (paper §5.2).

Fine-grained captions state the person's pose at the start ("A person is kneeling, facing the camera, with the
left hand at waist height ...") and at the end ("At the end of the video, the person is ...") of the video. A
teacher writes global-spatial (posture, facing) and local-spatial (hand height) questions about those two
moments; [`validate_pose_question`] keeps a question only when its marked answer is the one option that the
caption's sentence for that moment states.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

from ..tasks import normalize_task
from .labels import normalize_text
from .mcq_parsing import MCQ, Rejection, parse_mcq
from .mcq_templates import ORACLE_TASKS, assemble_question
from .mcq_validation import keep_if_only_answer_true


POSE_TASKS = ("GS", "LS")
CAPTION_QA_TASKS = (*ORACLE_TASKS, *POSE_TASKS)
"""The sub-tasks caption QA asks by default: the oracle's six from the action sequence, GS/LS from pose sentences."""
MOMENTS = {"start": "At the start of the video", "end": "At the end of the video"}
_MOMENT_PATTERNS = {"start": r"\bat the (?:start|beginning) of the video\b", "end": r"\bat the end of the video\b"}


def pose_sentences(caption: str) -> dict[str, str]:
    """The caption's sentences about the pose at each moment.

    Args:
        caption (`str`): a fine-grained caption.

    Returns:
        `dict[str, str]`: `"start"` → the first sentence, `"end"` → the last later sentence beginning with "At the
        end" (either is missing when the caption has no such sentence).
    """
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", caption.strip()) if s.strip()]
    found = {"start": sentences[0]} if sentences else {}
    ends = [s for s in sentences[1:] if re.match(r"(?i)at the end\b", s)]
    if ends:
        found["end"] = ends[-1]
    return found


def _stated(phrase: str, sentence: str, side: str | None) -> bool:
    """Whether `sentence` states `phrase` (for a hand question: "<side> hand <phrase>")."""
    target = normalize_text(f"{side} hand {phrase}" if side else phrase)
    return bool(target) and f" {target} " in f" {normalize_text(sentence)} "


def _moment(question: str) -> str | None:
    found = [m for m, pattern in _MOMENT_PATTERNS.items() if re.search(pattern, question, re.IGNORECASE)]
    return found[0] if len(found) == 1 else None


def validate_pose_question(question: dict, sentences: Mapping[str, str]) -> tuple[MCQ | None, Rejection | None]:
    """Keeps a GS/LS question only if its marked answer is the single option the caption states for its moment.

    The question names its moment ("At the start of the video, ..." or "At the end of the video, ..."); a question
    about a hand names the side ("left hand" / "right hand") and an option is stated when the sentence says
    "<side> hand <option>".

    Args:
        question (`dict`): `{"task", "question", "options", "answer"}` (answer as a letter, index or option text).
        sentences (`Mapping[str, str]`): [`pose_sentences`] of the caption.

    Returns:
        `(MCQ, None)` when kept, `(None, Rejection)` otherwise.
    """
    mcq, rejection = parse_mcq(question)
    if rejection:
        return None, rejection
    if mcq.task not in POSE_TASKS:
        return None, Rejection("unsupported_task", f"{mcq.task} is not asked from pose sentences (only {POSE_TASKS})")
    moment = _moment(mcq.question)
    if moment is None or moment not in sentences:
        return None, Rejection("no_moment", f"{mcq.question!r} asks about no start/end pose the caption describes")
    sides = set(re.findall(r"\b(left|right) (?:hand|arm)\b", mcq.question.lower()))
    if len(sides) > 1:
        return None, Rejection("ambiguous_referent", f"{mcq.question!r} names both hands")
    side = sides.pop() if sides else None
    verdicts = [_stated(option, sentences[moment], side) for option in mcq.options]
    return keep_if_only_answer_true(mcq, verdicts, f"the {moment} sentence")


def oracle_pose_questions(
    sentences: Mapping[str, str],
    vocabularies: Mapping[str, Sequence[tuple[str, str | None, Sequence[str]]]],
    tasks: Sequence[str] = POSE_TASKS,
    num_options: int = 4,
    seed: int = 0,
) -> list[dict]:
    """One template question per task about a state the caption states at the start or the end.

    Args:
        sentences (`Mapping[str, str]`): [`pose_sentences`] of the caption.
        vocabularies (`Mapping[str, Sequence[tuple]]`): per task, `(question, side, phrases)` templates, e.g.
            `("what is the person's posture?", None, ["standing", "kneeling", ...])`; the question is asked when
            exactly one phrase is stated, and the other phrases are its distractors.
        tasks (`Sequence[str]`, *optional*): among `POSE_TASKS`.
        num_options (`int`, *optional*, defaults to 4): options per question (fewer when too few phrases).
        seed (`int`, *optional*, defaults to 0): picks the moment, state, distractors and answer position.

    Returns:
        `list[dict]` of `{"task", "question", "options", "answer"}`.
    """
    rng = random.Random(seed)
    questions = []
    for task in (normalize_task(t) for t in tasks):
        candidates = []
        for moment, sentence in sorted(sentences.items()):
            for text, side, phrases in vocabularies.get(task, ()):
                stated = [p for p in phrases if _stated(p, sentence, side)]
                if len(stated) == 1:
                    others = [p for p in phrases if p != stated[0]]
                    candidates.append((f"{MOMENTS[moment]}, {text}", stated[0], others))
        if candidates:
            text, answer, others = rng.choice(candidates)
            distractors = rng.sample(others, min(num_options - 1, len(others)))
            question = assemble_question(task, text, answer, distractors, rng)
            if question is not None:
                questions.append(question)
    return questions


def synthetic_pose_vocabularies() -> dict[str, list[tuple[str, str | None, list[str]]]]:
    """The templates and phrases of the synthetic generator's GS/LS questions (as its captions word them)."""
    from ..synthetic.states import FACING_PHRASES, HAND_HEIGHT_PHRASES, POSTURE_PHRASES

    hands = list(HAND_HEIGHT_PHRASES.values())
    return {
        "GS": [
            ("what is the person's posture?", None, list(POSTURE_PHRASES.values())),
            ("which way is the person facing?", None, list(FACING_PHRASES.values())),
        ],
        "LS": [(f"where is the person's {side} hand?", side, hands) for side in ("left", "right")],
    }


__all__ = [
    "CAPTION_QA_TASKS",
    "MOMENTS",
    "POSE_TASKS",
    "oracle_pose_questions",
    "pose_sentences",
    "synthetic_pose_vocabularies",
    "validate_pose_question",
]
