"""The oracle's question templates: multiple-choice questions whose answers are exact by construction.

[`oracle_questions`] writes one question per sub-task from an action sequence (a list of [`LabelSpan`]s), with one
template function per sub-task (in `_TEMPLATES`): AS, TL, AC, AR, and HOI / MV where the labels name an object or
a direction. Distractors come from the sequence's other labels and a vocabulary of other actions; the answer is
put at a seeded random position ([`assemble_question`], shared with the pose templates). Template questions go
through the validator like a teacher's.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..tasks import OPTION_LETTERS, normalize_task
from .labels import LabelSpan, format_range, normalize_label, normalize_text
from .phrases import DIRECTION_FAMILIES, movement_of, object_of


ORACLE_TASKS = ("AS", "TL", "AC", "AR", "HOI", "MV")
"""The sub-tasks the templates (and the validator) handle from an action sequence."""


@dataclass(frozen=True)
class _SequenceFacts:
    """What the templates draw from: the sequence, its labels, the distractor vocabulary and the option count."""

    events: list[LabelSpan]
    counts: Counter  # occurrences of each label
    unique: list[int]  # positions of the labels that occur once
    sequence_labels: list[str]  # the sequence's labels, first occurrence order
    other_labels: list[str]  # vocabulary labels that are not in the sequence
    num_options: int
    timed: bool


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


def _action_sequence_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """AS: what comes right after a once-occurring action (three times in four), else what comes first."""
    events = facts.events
    if len(events) < 2:
        return None
    candidates = [i for i in facts.unique if i + 1 < len(events)]
    if candidates and rng.random() < 0.75:
        i = rng.choice(candidates)
        target = events[i + 1].label
        pools = [[lab for lab in facts.sequence_labels if lab not in (target, events[i].label)], facts.other_labels]
        text = f"What does the person do right after they {events[i].label}?"
    else:
        target = events[0].label
        pools = [[lab for lab in facts.sequence_labels if lab != target], facts.other_labels]
        text = "What does the person do first?"
    distractors = _pick_distractors(target, pools, facts.num_options - 1, rng)
    return assemble_question("AS", text, target, distractors, rng)


def _temporal_localization_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """TL: the time range of a once-occurring action, among the other actions' ranges (timed sequences only)."""
    events = facts.events
    if not (facts.timed and facts.unique and len(events) >= 2):
        return None
    i = rng.choice(facts.unique)
    others = [format_range(e.start_s, e.end_s) for j, e in enumerate(events) if j != i]
    answer = format_range(events[i].start_s, events[i].end_s)
    distractors = _pick_distractors(answer, [others], facts.num_options - 1, rng)
    return assemble_question("TL", f"When does the person {events[i].label}?", answer, distractors, rng)


def _action_count_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """AC: how many times an action happens, among the nearest other counts."""
    num_options = facts.num_options
    label = rng.choice(facts.sequence_labels)
    count = sum(e.count for e in facts.events if e.label == label)
    pool = [str(n) for n in range(1, max(count + num_options, 2 * num_options))]
    close = sorted(pool, key=lambda n: (abs(int(n) - count), int(n)))
    distractors = _pick_distractors(str(count), [close[:num_options]], num_options - 1, rng)
    return assemble_question("AC", f"How many times does the person {label}?", str(count), distractors, rng)


def _action_recognition_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """AR: the action between two times; without times, which of the listed actions the person performs."""
    if not facts.events:
        return None
    if not facts.timed:
        label = rng.choice(facts.sequence_labels)
        distractors = _pick_distractors(label, [facts.other_labels], facts.num_options - 1, rng)
        return assemble_question("AR", "Which of these actions does the person perform?", label, distractors, rng)
    event = facts.events[rng.randrange(len(facts.events))]
    text = f"What does the person do between {event.start_s:.1f} s and {event.end_s:.1f} s?"
    pools = [[lab for lab in facts.sequence_labels if lab != event.label], facts.other_labels]
    distractors = _pick_distractors(event.label, pools, facts.num_options - 1, rng)
    return assemble_question("AR", text, event.label, distractors, rng)


def _human_object_interaction_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """HOI: what the person does with an object only one once-occurring action involves; the distractors are other
    object actions with the object swapped in."""
    by_object: dict[str, list[str]] = {}
    for label in facts.sequence_labels:
        if object_of(label):
            by_object.setdefault(object_of(label), []).append(label)
    usable = [(obj, labels[0]) for obj, labels in sorted(by_object.items()) if len(labels) == 1]
    usable = [(obj, label) for obj, label in usable if facts.counts[label] == 1]
    if not usable:
        return None
    obj, label = rng.choice(usable)
    pool = [
        re.sub(rf"\b{object_of(lab)}\b", obj, lab, count=1)
        for lab in [*facts.other_labels, *facts.sequence_labels]
        if object_of(lab) and lab != label
    ]
    pool = [p for p in pool if p not in facts.counts]
    distractors = _pick_distractors(label, [pool], facts.num_options - 1, rng)
    return assemble_question("HOI", f"What does the person do with the {obj}?", label, distractors, rng)


def _moving_direction_question(facts: _SequenceFacts, rng: random.Random) -> dict | None:
    """MV: the direction of a movement whose phrase occurs once, among the directions of its family."""
    movers = [(i, *m) for i, e in enumerate(facts.events) if (m := movement_of(e.label))]
    verbs = Counter(verb for _, _, verb in movers)
    movers = [m for m in movers if verbs[m[2]] == 1]
    if not movers:
        return None
    _, direction, verb = rng.choice(movers)
    family = next(f for f in DIRECTION_FAMILIES if direction in f)
    if verb.split()[0] == "turn" and direction in ("left", "right"):
        family = ("left", "right")
    distractors = _pick_distractors(direction, [family], facts.num_options - 1, rng)
    return assemble_question("MV", f"In which direction does the person {verb}?", direction, distractors, rng)


_TEMPLATES: dict[str, Callable[[_SequenceFacts, random.Random], dict | None]] = {
    "AS": _action_sequence_question,
    "TL": _temporal_localization_question,
    "AC": _action_count_question,
    "AR": _action_recognition_question,
    "HOI": _human_object_interaction_question,
    "MV": _moving_direction_question,
}


def _sequence_facts(
    events: Sequence[LabelSpan], vocabulary: Sequence[str], num_options: int, timed: bool
) -> _SequenceFacts:
    events = list(events)
    counts = Counter(e.label for e in events)
    return _SequenceFacts(
        events=events,
        counts=counts,
        unique=[i for i, e in enumerate(events) if counts[e.label] == 1],
        sequence_labels=list(dict.fromkeys(e.label for e in events)),
        other_labels=[v for v in dict.fromkeys(normalize_label(v) for v in vocabulary) if v and v not in counts],
        num_options=num_options,
        timed=timed,
    )


def oracle_questions(
    events: Sequence[LabelSpan],
    tasks: Sequence[str] = ORACLE_TASKS,
    vocabulary: Sequence[str] = (),
    num_options: int = 4,
    seed: int = 0,
    timed: bool = True,
) -> list[dict]:
    """Template questions whose answers are exact by construction (then checked by `validate_question` anyway).

    Args:
        events (`Sequence[LabelSpan]`): the action sequence.
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
    facts = _sequence_facts(events, vocabulary, num_options, timed)
    questions = []
    for task in tasks:
        template = _TEMPLATES.get(normalize_task(task))
        question = template(facts, rng) if template else None
        if question is not None:
            questions.append(question)
    return questions


__all__ = ["ORACLE_TASKS", "assemble_question", "oracle_questions"]
