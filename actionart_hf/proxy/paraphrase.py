"""Rewording for the noisy oracle teacher: other sentence frames for the oracle's pose descriptions and pose changes,
and the teacher's own wording for FGQA questions.

A pose description such as `"The person is standing, facing the camera. The left arm is pointing straight up, with
the hand above the head."` may come back as `"Facing the camera, the person is standing. With the hand above the
head, the left arm is pointing straight up."`: word order and connectives change, the state phrases themselves
(`standing`, `facing the camera`, `above the head`, ...) never do, since they are what stage 3's questions ask about.
Sentences of another shape are kept as they are.

FGQA questions written from the oracle's templates (`proxy.mcq_templates.oracle_questions`) get one of a few
wordings per template; every wording keeps what the validator reads (the action label, "after", "first", a time
range, "with the <object>", the movement verb) and none is a template of the benchmark
(`actionart_hf.synthetic.questions`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ..synthetic.vocabulary import state_phrases


SUBJECTS = r"The person|The (?:left|right) (?:arm|hand|leg)|The upper body"
# any state phrase, longest first ("went from upright to leaning to the left" splits at the right " to ")
STATE = "|".join(re.escape(phrase) for phrase in sorted(state_phrases(), key=lambda p: (-len(p), p)))

# (sentence pattern, wordings); a wording's `{Name}` is the group `name` with a capital first letter, `{name}` with a
# small one.
DESCRIPTION_FRAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"The person is now holding the (?P<o>\w+) in the (?P<side>left|right) hand",
        (
            "The person is now holding the {o} in the {side} hand.",
            "Now the person holds the {o} in the {side} hand.",
            "The {o} is now in the person's {side} hand.",
        ),
    ),
    (
        r"The person is (?P<p>[^,]+), (?P<f>[^,]+)",
        (
            "The person is {p}, {f}.",
            "We see a person {p}, {f}.",
            "{P}, the person is {f}.",
            "{F}, the person is {p}.",
        ),
    ),
    (
        r"The person is (?P<p>[^,]+)",
        ("The person is {p}.", "We see a person {p}.", "In this frame the person is {p}."),
    ),
    (r"The upper body is (?P<t>[^,]+)", ("The upper body is {t}.", "Their upper body is {t}.", "The torso is {t}.")),
    (r"Both legs are (?P<l>[^,]+)", ("Both legs are {l}.", "The two legs are {l}.", "Each leg is {l}.")),
    (
        r"(?P<first>The (?:left|right) leg is .+?) and (?P<second>the (?:left|right) leg is .+)",
        ("{First} and {second}.", "{First}, while {second}.", "{First}; {second}."),
    ),
    (r"The (?P<side>left|right) leg is (?P<l>[^,]+)", ("The {side} leg is {l}.", "Their {side} leg is {l}.")),
    (
        r"The person holds the (?P<o>\w+) in the (?P<side>left|right) hand",
        (
            "The person holds the {o} in the {side} hand.",
            "In the {side} hand, the person holds the {o}.",
            "The {o} is in the person's {side} hand.",
        ),
    ),
    (
        rf"(?P<s>{SUBJECTS}) went from (?P<a>{STATE}) to (?P<b>{STATE})",
        (
            "{S} went from {a} to {b}.",
            "{S} changed from {a} to {b}.",
            "From {a}, {s} went to {b}.",
            "{S} was {a} at first and {b} afterwards.",
        ),
    ),
    (
        rf"(?P<s>{SUBJECTS}) turned from (?P<a>{STATE}) to (?P<b>{STATE})",
        ("{S} turned from {a} to {b}.", "From {a}, {s} turned to {b}.", "{S} was {a} at first and {b} afterwards."),
    ),
    (
        rf"(?P<s>{SUBJECTS}) moved from (?P<a>{STATE}) to (?P<b>{STATE})",
        ("{S} moved from {a} to {b}.", "From {a}, {s} moved to {b}.", "{S} moved to {b}, coming from {a}."),
    ),
    (
        r"The person moved (?P<w>.+)",
        ("The person moved {w}.", "The person went {w}.", "Over this time, the person moved {w}."),
    ),
    (
        r"The (?P<o>\w+) is no longer in the (?P<side>left|right) hand",
        (
            "The {o} is no longer in the {side} hand.",
            "The {side} hand no longer holds the {o}.",
            "The person's {side} hand has let go of the {o}.",
        ),
    ),
    (
        r"The pose does not change",
        ("The pose does not change.", "The pose stays the same.", "Nothing about the pose changes."),
    ),
)
ARM_CLAUSE = r"the (?P<side>left|right) arm is (?P<a>[^,;]+)(?:, with the hand (?P<h>[^,;]+))?"
ARM_WORDINGS = (
    ("the {side} arm is {a}, with the hand {h}", "the {side} arm is {a} and its hand is {h}"),
    ("with the hand {h}, the {side} arm is {a}",),
)
ARM_JOINERS = ("; ", ", while ", ". ")

QUESTION_WORDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"What does the person do right after they (?P<label>.+)\?",
        (
            "Immediately after they {label}, which action comes next?",
            "Which action follows once they {label}?",
            "After they {label}, what is the next action?",
        ),
    ),
    (
        r"What does the person do first\?",
        ("Which action comes first?", "What is the first thing they do?", "Which action do they perform first?"),
    ),
    (
        r"What does the person do between (?P<a>[\d.]+) s and (?P<b>[\d.]+) s\?",
        (
            "Between {a} s and {b} s, which action is performed?",
            "Which action takes place from {a} s to {b} s?",
            "From {a} s to {b} s, what are they doing?",
        ),
    ),
    (
        r"What does the person do with the (?P<object>\w+)\?",
        (
            "Which action is done with the {object}?",
            "What happens with the {object}?",
            "What do they do with the {object}?",
        ),
    ),
    (
        r"When does the person (?P<label>.+)\?",
        (
            "At what time do they {label}?",
            "During which part of the video do they {label}?",
            "Over which time span do they {label}?",
        ),
    ),
    (
        r"How many times does the person (?P<label>.+)\?",
        (
            "How often do they {label}?",
            "What is the number of times they {label}?",
            "Count it: how often do they {label}?",
        ),
    ),
    (
        r"Which of these actions does the person perform\?",
        (
            "Which one of these actions appears in the video?",
            "Which of the following actions can be seen?",
            "Which of these is one of their actions?",
        ),
    ),
    (
        r"In which direction does the person (?P<verb>.+)\?",
        (
            "Which way do they {verb}?",
            "Toward which direction do they {verb}?",
            "What is the direction when they {verb}?",
        ),
    ),
)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(wording: str, groups: dict[str, str | None]) -> str:
    values = {}
    for name, value in groups.items():
        value = value or ""
        values[name] = value[:1].lower() + value[1:]
        values[_capitalized(name)] = _capitalized(value)
    return wording.format(**values)


def _compiled(rules: Sequence[tuple[str, tuple[str, ...]]]) -> list[tuple[re.Pattern, tuple[str, ...]]]:
    return [(re.compile(pattern), wordings) for pattern, wordings in rules]


_DESCRIPTION_RULES = _compiled(DESCRIPTION_FRAMES)
_QUESTION_RULES = _compiled(QUESTION_WORDINGS)
_ARM_CLAUSE = re.compile(ARM_CLAUSE)
_SENTENCE_END = re.compile(r"(?<=\.) ")


def _arms(sentence: str, rng: random.Random) -> str | None:
    """The arm sentence (`"The left arm is ..., with the hand ...; the right arm is ..."`) reworded, or None."""
    clauses = (sentence[:1].lower() + sentence[1:].rstrip(".")).split("; ")
    matches = [_ARM_CLAUSE.fullmatch(clause) for clause in clauses]
    if not all(matches):
        return None
    parts = []
    for match in matches:
        wordings = ARM_WORDINGS[0] if match["h"] else ("the {side} arm is {a}",)
        if match["h"]:
            wordings = wordings + ARM_WORDINGS[1]
        parts.append(_fill(rng.choice(wordings), match.groupdict()))
    joiner = rng.choice(ARM_JOINERS)
    text = joiner.join(_capitalized(part) if joiner == ". " else part for part in parts)
    return _capitalized(text) + "."


def _reword(text: str, rules, rng: random.Random) -> str | None:
    for pattern, wordings in rules:
        match = pattern.fullmatch(text)
        if match:
            return _fill(rng.choice(wordings), match.groupdict())
    return None


def paraphrase_pose_text(text: str, rng: random.Random) -> str:
    """A pose description or pose change (`describe_pose` / `describe_pose_difference` output) in other sentence
    frames, sentence by sentence; the state phrases stay word for word. Sentences of unknown shape are kept."""
    sentences = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if sentence.startswith(("The left arm", "The right arm")):
            reworded = _arms(sentence, rng)
        else:
            reworded = _reword(sentence.rstrip("."), _DESCRIPTION_RULES, rng)
        sentences.append(reworded or sentence)
    return " ".join(sentences)


def reword_question(question: str, rng: random.Random) -> str:
    """One of the teacher's wordings of an oracle template question.

    Raises:
        RuntimeError: the question matches no template here (the oracle's templates changed without this table).
    """
    reworded = _reword(question, _QUESTION_RULES, rng)
    if reworded is None:
        raise RuntimeError(
            f"No teacher wording for the oracle question {question!r}; add its template to QUESTION_WORDINGS."
        )
    return reworded


def question_wordings() -> list[str]:
    """Every question wording, with its slots filled by placeholders (to check them against the benchmark's)."""
    slots = {"a": "1.0", "b": "2.0"}
    return [
        wording.format(**{name: slots.get(name, "x") for name in pattern.groupindex})
        for pattern, wordings in _QUESTION_RULES
        for wording in wordings
    ]


__all__ = [
    "ARM_CLAUSE",
    "DESCRIPTION_FRAMES",
    "QUESTION_WORDINGS",
    "paraphrase_pose_text",
    "question_wordings",
    "reword_question",
]
