"""Multiple-choice questions from an action sequence: oracle templates, LLM JSON parsing, and the validator.

An action sequence is a list of [`Event`]s (label, start, end) — the units of an FGQA pseudo-long video, or the
events of a caption. Two writers produce questions from it:

- [`oracle_questions`]: deterministic templates for AS, TL, AC, AR, and HOI / MV where the labels name an object
  or a direction;
- a text LLM prompted with `fgqa_mcq.v1.yaml`, whose JSON answer [`parse_questions_json`] reads robustly (code
  fences, prose around the JSON, a bare list, a single question).

Either way [`validate_question`] re-derives the answer from the sequence and keeps a question only if exactly one
option is true and it is the marked answer. Rejections carry a reason code (see `REJECT_REASONS`) that builders
count in the dataset card.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..data.validation import check_mcq
from ..tasks import OPTION_LETTERS, TASKS, normalize_task


ORACLE_TASKS = ("AS", "TL", "AC", "AR", "HOI", "MV")
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
MOVEMENT_VERBS = frozenset(
    "step walk run jog turn move jump hop slide shuffle lean roll spin rotate crawl go march skip sidestep".split()
)
DIRECTIONS = ("left", "right", "forward", "backward", "up", "down", "clockwise", "counterclockwise")
_DIRECTION_SYNONYMS = {
    "forwards": "forward",
    "ahead": "forward",
    "front": "forward",
    "backwards": "backward",
    "back": "backward",
    "anticlockwise": "counterclockwise",
    "upward": "up",
    "upwards": "up",
    "downward": "down",
    "downwards": "down",
}
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
}
_NUMBER_WORDS.update({"once": 1, "twice": 2, "thrice": 3, "never": 0})
_ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split())}
_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(rf"{_NUMBER}\s*(?:s|sec|secs|seconds)?\s*(?:-|–|—|to|and)\s*{_NUMBER}\s*(?:s|sec|secs|seconds)?\b")
_TIME_WINDOW = re.compile(rf"(?:between|from)\s+{_NUMBER}\s*(?:s|sec|seconds)?\s*(?:and|to|-)\s*{_NUMBER}")
_POSITIONS = {"beginning": 0, "start": 0, "middle": 1, "end": 2}


@dataclass(frozen=True)
class Event:
    """One action of a sequence.

    Args:
        label (`str`): the action, a short verb phrase ("raise right arm").
        start_s (`float`): start time in the video, seconds.
        end_s (`float`): end time in the video, seconds.
        count (`int`, *optional*, defaults to 1): repetitions inside the event ("waves three times" → 3).
    """

    label: str
    start_s: float
    end_s: float
    count: int = 1


@dataclass(frozen=True)
class Rejection:
    """Why a question was not kept: a code from `REJECT_REASONS` and a human-readable detail."""

    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def normalize_text(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces (`"Raise the RIGHT arm."` → `"raise the right arm"`)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())


_IRREGULAR_BASE = {"does": "do", "goes": "go", "has": "have", "is": "be"}
_KEEP_S = frozenset(("press", "cross", "toss", "kiss", "pass", "dress", "bless", "miss", "guess"))


def base_form(verb: str) -> str:
    """Undoes the third person of a leading verb: `raises` → `raise`, `waves` → `wave`, `touches` → `touch`."""
    if verb in _IRREGULAR_BASE:
        return _IRREGULAR_BASE[verb]
    if verb in _KEEP_S or not verb.endswith("s") or verb.endswith(("ss", "us", "is")) or len(verb) < 4:
        return verb
    if verb.endswith("ies"):
        return verb[:-1] if len(verb) <= 4 else verb[:-3] + "y"  # lies → lie, carries → carry
    if verb.endswith(("ches", "shes", "xes", "zes", "sses", "oes")):
        return verb[:-2]
    return verb[:-1]


def normalize_label(text: str) -> str:
    """A label as stored: normalised text in base form ("The person raises the right arm." → "raise the right
    arm"), without a leading "the person" / "to", at most 12 words."""
    words = normalize_text(text).split()
    for prefix in (["the", "person"], ["a", "person"], ["person"], ["he"], ["she"], ["they"], ["to"]):
        if words[: len(prefix)] == prefix:
            words = words[len(prefix) :]
            break
    if words:
        words[0] = base_form(words[0])
    for i in range(1, len(words) - 1):  # "squats down and stands up"
        if words[i] == "and":
            words[i + 1] = base_form(words[i + 1])
    return " ".join(words[:12])


_COUNT_SUFFIX = re.compile(r"\s+(?:(once|twice|thrice)|(\w+) times|for (\w+) steps?)$")


def split_count(text: str) -> tuple[str, int]:
    """A caption event's label and repetitions: "waves the left hand three times" → ("wave the left hand", 3);
    "walks toward the camera for 4 steps" → ("walk toward the camera", 1)."""
    label = normalize_label(text)
    match = _COUNT_SUFFIX.search(label)
    if not match:
        return label, 1
    count = 1
    if match[1] or match[2]:
        count = _parse_count(match[1] or match[2]) or 1
    return label[: match.start()].strip(), count


def format_events(events: Sequence[Event], timed: bool = True) -> str:
    """The sequence as numbered lines for the LLM prompt: `1. 0.0-2.0 s: raise right arm` (`1. raise right arm`
    when the times are unknown)."""

    def label(event: Event) -> str:
        return event.label if event.count == 1 else f"{event.label} ({event.count} times)"

    if not timed:
        return "\n".join(f"{i + 1}. {label(e)}" for i, e in enumerate(events))
    return "\n".join(f"{i + 1}. {e.start_s:.1f}-{e.end_s:.1f} s: {label(e)}" for i, e in enumerate(events))


def format_range(start_s: float, end_s: float) -> str:
    return f"{start_s:.1f}-{end_s:.1f} s"


# ---------------------------------------------------------------------------------------------------------------
# Parsing the LLM's JSON
# ---------------------------------------------------------------------------------------------------------------


def _json_candidates(text: str):
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


# ---------------------------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MCQ:
    """A kept question.

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


def _padded(text: str) -> str:
    return f" {normalize_text(text)} "


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


def _parse_count(text: str) -> int | None:
    for word in normalize_text(text).split():
        if word.isdigit():
            return int(word)
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word]
    return None


def _parse_range(text: str) -> tuple[float, float] | None:
    match = _RANGE.search(str(text).lower())
    if not match:
        return None
    start, end = float(match[1]), float(match[2])
    return (start, end) if end > start else None


def _iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def _direction(text: str) -> str | None:
    found = set()
    for word in normalize_text(text).split():
        word = _DIRECTION_SYNONYMS.get(word, word)
        if word in DIRECTIONS:
            found.add(word)
    return found.pop() if len(found) == 1 else None


_DIRECTION_FAMILIES = (("left", "right", "forward", "backward"), ("up", "down"), ("clockwise", "counterclockwise"))
_FILLERS = frozenset(("to", "the", "a", "an", "towards", "toward", "of", "in", "his", "her", "their"))


_NOT_OBJECTS = frozenset(
    """arm arms hand hands leg legs knee knees foot feet head body torso waist hip hips shoulder shoulders back side
    sides chest elbow elbows wrist wrists neck face fist fists finger fingers thumb palm palms toe toes heel heels
    camera floor ground frame circle turn step steps air place spot room wall direction way time times left right
    front upper lower whole other same full quarter half""".split()
)


def _movement(label: str) -> tuple[str, str] | None:
    """`(direction, phrase without it)` when a movement label ends in a direction: "take a step to their left" →
    ("left", "take a step"); "lean the upper body to their right" → ("right", "lean the upper body"); else None."""
    words = label.split()
    if len(words) < 2 or not MOVEMENT_VERBS & set(words[:3]):
        return None
    direction = _DIRECTION_SYNONYMS.get(words[-1], words[-1])
    if direction not in DIRECTIONS:
        return None
    rest = words[:-1]
    while rest and rest[-1] in _FILLERS:
        rest = rest[:-1]
    return (direction, " ".join(rest)) if rest else None


def _object_of(label: str) -> str | None:
    """The object an action involves: the first noun after the/a/an that is not a body part or the scene."""
    for match in re.finditer(r"\b(?:the|a|an)\s+([a-z]+)", label):
        if match[1] not in _NOT_OBJECTS and match[1] not in DIRECTIONS:
            return match[1]
    return None


def _unique_event(label: str, events: Sequence[Event]) -> tuple[int | None, Rejection | None]:
    positions = [i for i, e in enumerate(events) if e.label == label]
    if len(positions) != 1:
        return None, Rejection("ambiguous_referent", f"{label!r} occurs {len(positions)} times")
    return positions[0], None


def _single_referent(question: str, events: Sequence[Event]) -> tuple[int | None, Rejection | None]:
    mentioned = _mentioned_labels(question, {e.label for e in events})
    if not mentioned:
        return None, Rejection("no_referent", "the question names no action of the sequence")
    if len(mentioned) > 1:
        return None, Rejection("ambiguous_referent", f"the question names several actions: {mentioned}")
    return _unique_event(mentioned[0], events)


def _order_predicate(options: list[str], events: Sequence[Event]):
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


def _time_reference(question: str, events: Sequence[Event]) -> tuple[int | None, Rejection | None] | None:
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
        best = [i for i in covering if _iou((events[i].start_s, events[i].end_s), window) >= 0.5]
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


def _predicate(task: str, question: str, options: list[str], events: Sequence[Event], timed: bool = True):
    """`(is_true, None)` where `is_true(option) -> bool | None` (None: the option cannot be read), or a rejection."""
    q = _padded(question)
    untimed = Rejection("no_referent", "the action sequence has no times (labels from a caption)")
    labels = {e.label for e in events}
    label_is = lambda target: lambda option: normalize_label(option) == target  # noqa: E731

    if task == "AS":
        if " order " in q or " sequence " in q:
            return _order_predicate(options, events), None
        after = any(f" {w} " in q for w in ("after", "next", "follows", "following"))
        before = any(f" {w} " in q for w in ("before", "precedes", "prior", "preceding"))
        if after and before:
            return None, Rejection("ambiguous_referent", "the question asks both before and after")
        if after or before:
            index, rejection = _single_referent(question, events)
            if rejection:
                return None, rejection
            target = index + 1 if after else index - 1
            if not 0 <= target < len(events):
                return None, Rejection("not_derivable", f"nothing happens {'after' if after else 'before'} it")
            return label_is(events[target].label), None
        if " first " in q:
            return label_is(events[0].label), None
        if " last " in q or " finally " in q:
            return label_is(events[-1].label), None
        return None, Rejection("no_referent", "AS question without after/before/first/last/order")

    if task == "TL":
        if not timed:
            return None, untimed
        index, rejection = _single_referent(question, events)
        if rejection:
            return None, rejection
        event = events[index]
        span = (event.start_s, event.end_s)
        total = max(e.end_s for e in events) - min(e.start_s for e in events)
        origin = min(e.start_s for e in events)
        center = (event.start_s + event.end_s) / 2 - origin

        def is_true(option: str) -> bool | None:
            window = _parse_range(option)
            if window is not None:
                return _iou(window, span) >= 0.5
            words = set(normalize_text(option).split())
            named = {_POSITIONS[w] for w in words if w in _POSITIONS}
            if len(named) != 1 or total <= 0:
                return None
            third = min(2, int(3 * center / total))
            if min(abs(center - total / 3), abs(center - 2 * total / 3)) < 0.05 * total:
                return None  # the action sits on a boundary between thirds
            return named.pop() == third

        return is_true, None

    if task == "AC":
        mentioned = _mentioned_labels(question, labels)
        if not mentioned:
            return None, Rejection("no_referent", "the question names no action of the sequence")
        if len(mentioned) > 1:
            return None, Rejection("ambiguous_referent", f"the question names several actions: {mentioned}")
        count = sum(e.count for e in events if e.label == mentioned[0])
        return (lambda option: None if _parse_count(option) is None else _parse_count(option) == count), None

    if task in ("AR", "HOI"):
        if task == "HOI":
            match = re.search(r"\bwith (?:the|a|an|his|her|their) ([a-z]+)", question.lower())
            if not match:
                return None, Rejection("no_referent", "HOI question names no object ('with the <object>')")
            holders = sorted({e.label for e in events if _object_of(e.label) == match[1]})
            if not holders:
                return None, Rejection("no_referent", f"no action of the sequence involves {match[1]!r}")
            if len(holders) > 1:
                return None, Rejection("ambiguous_referent", f"several actions involve {match[1]!r}: {holders}")
            index, rejection = _unique_event(holders[0], events)
            return (None, rejection) if rejection else (label_is(holders[0]), None)
        reference = _time_reference(question, events)
        if reference is not None and not timed and _TIME_WINDOW.search(question.lower()):
            return None, untimed
        if reference is not None:
            index, rejection = reference
            return (None, rejection) if rejection else (label_is(events[index].label), None)
        # "Which of these actions does the person perform?": true options are actions of the sequence.
        return (lambda option: normalize_label(option) in labels), None

    if task == "MV":
        words = set(_match_key(question).split())
        candidates = []
        for i, event in enumerate(events):
            mover = _movement(event.label)
            if mover and all(base_form(w) in words for w in mover[1].split() if w not in _FILLERS):
                candidates.append((i, mover[0]))
        if not candidates:
            return None, Rejection("no_referent", "no directional action of the sequence matches the question")
        if len(candidates) > 1:
            return None, Rejection("ambiguous_referent", "several directional actions match the question")
        direction = candidates[0][1]
        return (lambda option: None if _direction(option) is None else _direction(option) == direction), None

    return None, Rejection("unsupported_task", f"{task} ({TASKS[task].name}) cannot be checked against action labels")


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


def validate_question(
    question: dict, events: Sequence[Event], timed: bool = True
) -> tuple[MCQ | None, Rejection | None]:
    """Keeps a question only if its marked answer is the single option that follows from `events`.

    Args:
        question (`dict`): `{"task", "question", "options", "answer"}` (answer as a letter, index or option text).
        events (`Sequence[Event]`): the action sequence, in time order, labels normalised with `normalize_label`.
        timed (`bool`, *optional*, defaults to `True`): whether the event times are real; without them questions
            about times (TL, AR over a time range) are rejected.

    Returns:
        `(MCQ, None)` when kept, `(None, Rejection)` otherwise.
    """
    mcq, rejection = parse_mcq(question)
    if rejection:
        return None, rejection
    is_true, rejection = _predicate(mcq.task, mcq.question, mcq.options, events, timed)
    if rejection:
        return None, rejection
    return keep_if_only_answer_true(mcq, [is_true(option) for option in mcq.options], "the sequence")


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


# ---------------------------------------------------------------------------------------------------------------
# Oracle templates
# ---------------------------------------------------------------------------------------------------------------


def _pick_distractors(answer: str, pools: Sequence[Sequence[str]], count: int, rng: random.Random) -> list[str]:
    chosen, seen = [], {normalize_text(answer)}
    for pool in pools:
        candidates = [c for c in dict.fromkeys(pool) if normalize_text(c) not in seen]
        rng.shuffle(candidates)
        for candidate in candidates:
            if len(chosen) == count:
                return chosen
            chosen.append(candidate)
            seen.add(normalize_text(candidate))
    return chosen


def assemble_question(
    task: str, question: str, answer: str, distractors: list[str], rng: random.Random
) -> dict | None:
    """A question object with the answer inserted among the distractors at a random position (None without any)."""
    if not distractors:
        return None
    options = list(distractors)
    position = rng.randrange(len(options) + 1)
    options.insert(position, answer)
    return {"task": task, "question": question, "options": options, "answer": OPTION_LETTERS[position]}


def oracle_questions(
    events: Sequence[Event],
    tasks: Sequence[str] = ORACLE_TASKS,
    vocabulary: Sequence[str] = (),
    num_options: int = 4,
    seed: int = 0,
    timed: bool = True,
) -> list[dict]:
    """Template questions whose answers are exact by construction (then checked by `validate_question` anyway).

    Args:
        events (`Sequence[Event]`): the action sequence.
        tasks (`Sequence[str]`, *optional*): sub-tasks to ask about; one question each where the labels allow.
        vocabulary (`Sequence[str]`, *optional*): other action labels to draw distractors from.
        num_options (`int`, *optional*, defaults to 4): options per question (fewer when too few distractors).
        seed (`int`, *optional*, defaults to 0): picks referents, distractors and the answer position.
        timed (`bool`, *optional*, defaults to `True`): event times are real; without them no TL question is asked
            and AR asks which listed action the person performs.

    Returns:
        `list[dict]` of `{"task", "question", "options", "answer"}`.
    """
    rng = random.Random(seed)
    events = list(events)
    counts = Counter(e.label for e in events)
    unique = [i for i, e in enumerate(events) if counts[e.label] == 1]
    sequence_labels = list(dict.fromkeys(e.label for e in events))
    other_labels = [v for v in dict.fromkeys(normalize_label(v) for v in vocabulary) if v and v not in counts]
    questions = []
    for task in tasks:
        task = normalize_task(task)
        question = None
        if task == "AS" and len(events) >= 2:
            candidates = [i for i in unique if i + 1 < len(events)]
            if candidates and rng.random() < 0.75:
                i = rng.choice(candidates)
                target = events[i + 1].label
                pools = [[lab for lab in sequence_labels if lab not in (target, events[i].label)], other_labels]
                text = f"What does the person do right after they {events[i].label}?"
            else:
                target = events[0].label
                pools = [[lab for lab in sequence_labels if lab != target], other_labels]
                text = "What does the person do first?"
            question = assemble_question(
                task, text, target, _pick_distractors(target, pools, num_options - 1, rng), rng
            )
        elif task == "TL" and timed and unique and len(events) >= 2:
            i = rng.choice(unique)
            others = [format_range(e.start_s, e.end_s) for j, e in enumerate(events) if j != i]
            answer = format_range(events[i].start_s, events[i].end_s)
            distractors = _pick_distractors(answer, [others], num_options - 1, rng)
            question = assemble_question(task, f"When does the person {events[i].label}?", answer, distractors, rng)
        elif task == "AC":
            label = rng.choice(sequence_labels)
            count = sum(e.count for e in events if e.label == label)
            pool = [str(n) for n in range(1, max(count + num_options, 2 * num_options))]
            close = sorted(pool, key=lambda n: (abs(int(n) - count), int(n)))
            distractors = _pick_distractors(str(count), [close[:num_options]], num_options - 1, rng)
            question = assemble_question(
                task, f"How many times does the person {label}?", str(count), distractors, rng
            )
        elif task == "AR" and events and not timed:
            label = rng.choice(sequence_labels)
            distractors = _pick_distractors(label, [other_labels], num_options - 1, rng)
            question = assemble_question(
                task, "Which of these actions does the person perform?", label, distractors, rng
            )
        elif task == "AR" and events:
            i = rng.randrange(len(events))
            event = events[i]
            text = f"What does the person do between {event.start_s:.1f} s and {event.end_s:.1f} s?"
            pools = [[lab for lab in sequence_labels if lab != event.label], other_labels]
            distractors = _pick_distractors(event.label, pools, num_options - 1, rng)
            question = assemble_question(task, text, event.label, distractors, rng)
        elif task == "HOI":
            by_object: dict[str, list[str]] = {}
            for label in sequence_labels:
                if _object_of(label):
                    by_object.setdefault(_object_of(label), []).append(label)
            usable = [(obj, labels[0]) for obj, labels in sorted(by_object.items()) if len(labels) == 1]
            usable = [(obj, label) for obj, label in usable if counts[label] == 1]
            if usable:
                obj, label = rng.choice(usable)
                # other actions done to the same object: the vocabulary's object actions with the object swapped
                pool = [
                    re.sub(rf"\b{_object_of(lab)}\b", obj, lab, count=1)
                    for lab in [*other_labels, *sequence_labels]
                    if _object_of(lab) and lab != label
                ]
                pool = [p for p in pool if p not in counts]
                distractors = _pick_distractors(label, [pool], num_options - 1, rng)
                question = assemble_question(task, f"What does the person do with the {obj}?", label, distractors, rng)
        elif task == "MV":
            movers = [(i, *m) for i, e in enumerate(events) if (m := _movement(e.label))]
            verbs = Counter(verb for _, _, verb in movers)
            movers = [m for m in movers if verbs[m[2]] == 1]
            if movers:
                _, direction, verb = rng.choice(movers)
                family = next(f for f in _DIRECTION_FAMILIES if direction in f)
                if verb.split()[0] == "turn" and direction in ("left", "right"):
                    family = ("left", "right")
                distractors = _pick_distractors(direction, [family], num_options - 1, rng)
                question = assemble_question(
                    task, f"In which direction does the person {verb}?", direction, distractors, rng
                )
        if question is not None:
            questions.append(question)
    return questions


__all__ = [
    "DIRECTIONS",
    "MCQ",
    "MOVEMENT_VERBS",
    "ORACLE_TASKS",
    "REJECT_REASONS",
    "Event",
    "Rejection",
    "extract_json",
    "format_events",
    "format_range",
    "normalize_label",
    "normalize_text",
    "assemble_question",
    "keep_if_only_answer_true",
    "oracle_questions",
    "parse_mcq",
    "base_form",
    "split_count",
    "parse_events_json",
    "parse_questions_json",
    "validate_question",
]
