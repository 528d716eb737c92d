"""The validator: a question is kept only if its marked answer is the one option that follows from the labels.

[`validate_question`] re-derives every option's truth from an action sequence (a list of [`LabelSpan`]s) with the
predicate of the question's sub-task (one function per sub-task, in `_PREDICATES`), then keeps the question only
if exactly one option is true and it is the marked answer ([`keep_if_only_answer_true`], shared with the pose
validator). Rejections carry a reason code from `REJECT_REASONS`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from ..tasks import OPTION_LETTERS, TASKS
from .labels import LabelSpan, base_form, normalize_label, normalize_text, parse_count
from .mcq_parsing import MCQ, Rejection, parse_mcq
from .phrases import FILLER_WORDS, direction_of, movement_of, object_of, parse_range, span_iou


OptionCheck = Callable[[str], bool | None]
"""Whether an option is true of the labels: true, false, or None when the option cannot be read."""
OptionCheckResult = tuple[OptionCheck | None, Rejection | None]
"""`(option_check, None)`, or `(None, rejection)` when the question cannot be checked against the labels."""

_TIME_WINDOW = re.compile(r"(?:between|from)\s+(\d+(?:\.\d+)?)\s*(?:s|sec|seconds)?\s*(?:and|to|-)\s*(\d+(?:\.\d+)?)")
_ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split())}
_POSITIONS = {"beginning": 0, "start": 0, "middle": 1, "end": 2}
_UNTIMED = Rejection("no_referent", "the action sequence has no times (labels from a caption)")


def _match_key(text: str) -> str:
    """Normalised text with every word in base form, so "takes a step" in a question matches "take a step"."""
    return " ".join(base_form(word) for word in normalize_text(text).split())


def _mentioned_labels(question: str, labels: set[str]) -> list[str]:
    """Labels of the sequence named in the question (longest first, overlapping shorter ones dropped)."""
    padded, found, taken = f" {_match_key(question)} ", [], []
    for label in sorted(labels, key=len, reverse=True):
        key = _match_key(label)
        start = padded.find(f" {key} ")
        while start >= 0:
            span = (start, start + len(key) + 2)
            if not any(span[0] < t[1] and t[0] < span[1] for t in taken):
                taken.append(span)
                found.append(label)
                break
            start = padded.find(f" {key} ", start + 1)
    return found


def _label_is(target: str) -> OptionCheck:
    return lambda option: normalize_label(option) == target


def _unique_event(label: str, events: Sequence[LabelSpan]) -> tuple[int | None, Rejection | None]:
    positions = [i for i, e in enumerate(events) if e.label == label]
    if len(positions) != 1:
        return None, Rejection("ambiguous_referent", f"{label!r} occurs {len(positions)} times")
    return positions[0], None


def _single_label(question: str, labels: set[str]) -> tuple[str | None, Rejection | None]:
    """The one label of the sequence the question names, or why there is not exactly one."""
    mentioned = _mentioned_labels(question, labels)
    if not mentioned:
        return None, Rejection("no_referent", "the question names no action of the sequence")
    if len(mentioned) > 1:
        return None, Rejection("ambiguous_referent", f"the question names several actions: {mentioned}")
    return mentioned[0], None


def _single_referent(question: str, events: Sequence[LabelSpan]) -> tuple[int | None, Rejection | None]:
    label, rejection = _single_label(question, {e.label for e in events})
    if rejection:
        return None, rejection
    return _unique_event(label, events)


def _time_reference(question: str, events: Sequence[LabelSpan]) -> tuple[int | None, Rejection | None] | None:
    """The event a question points at by time range or ordinal ("the second action"), or None if it has none."""
    match = _TIME_WINDOW.search(question.lower())
    if match:
        window = (float(match[1]), float(match[2]))
        length = window[1] - window[0]
        if length <= 0:
            return None, Rejection("no_referent", f"time range {match[0]!r} is empty")
        covering = [
            i
            for i, e in enumerate(events)
            if max(0.0, min(e.end_s, window[1]) - max(e.start_s, window[0])) >= 0.2 * length
        ]
        best = [i for i in covering if span_iou((events[i].start_s, events[i].end_s), window) >= 0.5]
        if len(covering) != 1 or len(best) != 1:
            return None, Rejection("ambiguous_referent", f"time range {match[0]!r} does not match exactly one action")
        return best[0], None
    words = normalize_text(question).split()
    for i, word in enumerate(words):
        if word in _ORDINALS or word == "last":
            if i + 1 < len(words) and words[i + 1] in ("action", "movement", "move", "segment", "part", "step"):
                index = len(events) - 1 if word == "last" else _ORDINALS[word]
                if index >= len(events):
                    return None, Rejection("no_referent", f"the sequence has no {word} action")
                return index, None
    return None


def _order_check(events: Sequence[LabelSpan]) -> OptionCheck:
    """For "in which order" questions: each option lists actions; true when they appear in that order."""
    labels = {e.label for e in events}
    position = {e.label: i for i, e in enumerate(events)}
    counts = Counter(e.label for e in events)

    def is_true(option: str) -> bool | None:
        parts = [normalize_label(p) for p in re.split(r",|;|->|→|\bthen\b|\band\b", option.lower())]
        parts = [p for p in parts if p]
        if len(parts) < 2 or any(p not in labels or counts[p] != 1 for p in parts):
            return None
        order = [position[p] for p in parts]
        return order == sorted(order)

    return is_true


def _action_sequence(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """AS: the order ("in which order"), what comes after/before a named action, or the first/last action."""
    padded = f" {normalize_text(question)} "
    if " order " in padded or " sequence " in padded:
        return _order_check(events), None
    after = any(f" {w} " in padded for w in ("after", "next", "follows", "following"))
    before = any(f" {w} " in padded for w in ("before", "precedes", "prior", "preceding"))
    if after and before:
        return None, Rejection("ambiguous_referent", "the question asks both before and after")
    if after or before:
        index, rejection = _single_referent(question, events)
        if rejection:
            return None, rejection
        target = index + 1 if after else index - 1
        if not 0 <= target < len(events):
            return None, Rejection("not_derivable", f"nothing happens {'after' if after else 'before'} it")
        return _label_is(events[target].label), None
    if " first " in padded:
        return _label_is(events[0].label), None
    if " last " in padded or " finally " in padded:
        return _label_is(events[-1].label), None
    return None, Rejection("no_referent", "AS question without after/before/first/last/order")


def _temporal_localization(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """TL: when a named action happens, as a time range (IoU ≥ 0.5) or a third of the video (beginning/middle/end)."""
    if not timed:
        return None, _UNTIMED
    index, rejection = _single_referent(question, events)
    if rejection:
        return None, rejection
    event = events[index]
    span = (event.start_s, event.end_s)
    total = max(e.end_s for e in events) - min(e.start_s for e in events)
    origin = min(e.start_s for e in events)
    center = (event.start_s + event.end_s) / 2 - origin

    def is_true(option: str) -> bool | None:
        window = parse_range(option)
        if window is not None:
            return span_iou(window, span) >= 0.5
        words = set(normalize_text(option).split())
        named = {_POSITIONS[w] for w in words if w in _POSITIONS}
        if len(named) != 1 or total <= 0:
            return None
        third = min(2, int(3 * center / total))
        if min(abs(center - total / 3), abs(center - 2 * total / 3)) < 0.05 * total:
            return None  # the action sits on a boundary between thirds
        return named.pop() == third

    return is_true, None


def _action_count(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """AC: how many times a named action happens, summed over its occurrences and their repetitions."""
    label, rejection = _single_label(question, {e.label for e in events})
    if rejection:
        return None, rejection
    count = sum(e.count for e in events if e.label == label)
    return (lambda option: None if parse_count(option) is None else parse_count(option) == count), None


def _action_recognition(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """AR: the action at a time range or ordinal, or else which listed actions the person performs at all."""
    reference = _time_reference(question, events)
    if reference is not None and not timed and _TIME_WINDOW.search(question.lower()):
        return None, _UNTIMED
    if reference is not None:
        index, rejection = reference
        return (None, rejection) if rejection else (_label_is(events[index].label), None)
    # "Which of these actions does the person perform?": true options are actions of the sequence.
    labels = {e.label for e in events}
    return (lambda option: normalize_label(option) in labels), None


def _human_object_interaction(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """HOI: the one action that involves the object named by "with the <object>"."""
    match = re.search(r"\bwith (?:the|a|an|his|her|their) ([a-z]+)", question.lower())
    if not match:
        return None, Rejection("no_referent", "HOI question names no object ('with the <object>')")
    holders = sorted({e.label for e in events if object_of(e.label) == match[1]})
    if not holders:
        return None, Rejection("no_referent", f"no action of the sequence involves {match[1]!r}")
    if len(holders) > 1:
        return None, Rejection("ambiguous_referent", f"several actions involve {match[1]!r}: {holders}")
    _, rejection = _unique_event(holders[0], events)
    return (None, rejection) if rejection else (_label_is(holders[0]), None)


def _moving_direction(question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    """MV: the direction of the one directional action whose movement words the question uses."""
    words = set(_match_key(question).split())
    candidates = []
    for i, event in enumerate(events):
        mover = movement_of(event.label)
        if mover and all(base_form(w) in words for w in mover[1].split() if w not in FILLER_WORDS):
            candidates.append((i, mover[0]))
    if not candidates:
        return None, Rejection("no_referent", "no directional action of the sequence matches the question")
    if len(candidates) > 1:
        return None, Rejection("ambiguous_referent", "several directional actions match the question")
    direction = candidates[0][1]
    return (lambda option: None if direction_of(option) is None else direction_of(option) == direction), None


_PREDICATES: dict[str, Callable[[str, Sequence[LabelSpan], bool], OptionCheckResult]] = {
    "AS": _action_sequence,
    "TL": _temporal_localization,
    "AC": _action_count,
    "AR": _action_recognition,
    "HOI": _human_object_interaction,
    "MV": _moving_direction,
}
"""The sub-tasks an action sequence can check, each with its predicate."""


def _predicate(task: str, question: str, events: Sequence[LabelSpan], timed: bool) -> OptionCheckResult:
    if task not in _PREDICATES:
        detail = f"{task} ({TASKS[task].name}) cannot be checked against action labels"
        return None, Rejection("unsupported_task", detail)
    return _PREDICATES[task](question, events, timed)


def keep_if_only_answer_true(
    mcq: MCQ, verdicts: Sequence[bool | None], source: str
) -> tuple[MCQ | None, Rejection | None]:
    """`(mcq, None)` when the marked answer is true and every other option false, else the rejection.

    Args:
        mcq ([`MCQ`]): a parsed question.
        verdicts (`Sequence[bool | None]`): per option, true, false, or `None` when the labels cannot tell.
        source (`str`): what the verdicts come from, for the rejection's detail (e.g. "the sequence").
    """
    answer_index = OPTION_LETTERS.index(mcq.answer)
    if verdicts[answer_index] is not True:
        return None, Rejection("not_derivable", f"answer {mcq.options[answer_index]!r} does not follow from {source}")
    others = [mcq.options[i] for i, v in enumerate(verdicts) if i != answer_index and v is not False]
    if others:
        return None, Rejection("second_true_option", f"option(s) {others} are also true or cannot be ruled out")
    return mcq, None


def validate_question(
    question: dict, events: Sequence[LabelSpan], timed: bool = True
) -> tuple[MCQ | None, Rejection | None]:
    """Keeps a question only if its marked answer is the single option that follows from `events`.

    Args:
        question (`dict`): `{"task", "question", "options", "answer"}` (answer as a letter, index or option text).
        events (`Sequence[LabelSpan]`): the action sequence, in time order, labels normalised with
            `normalize_label`.
        timed (`bool`, *optional*, defaults to `True`): whether the event times are real; without them questions
            about times (TL, AR over a time range) are rejected.

    Returns:
        `(MCQ, None)` when kept, `(None, Rejection)` otherwise.
    """
    mcq, rejection = parse_mcq(question)
    if rejection:
        return None, rejection
    is_true, rejection = _predicate(mcq.task, mcq.question, events, timed)
    if rejection:
        return None, rejection
    return keep_if_only_answer_true(mcq, [is_true(option) for option in mcq.options], "the sequence")


__all__ = ["keep_if_only_answer_true", "validate_question"]
