"""Action labels: the [`LabelSpan`] value and how label text is normalised, counted and listed.

An action sequence is a list of [`LabelSpan`]s (label, start, end, repetitions): the units of an FGQA pseudo-long
video, the events of a caption, or a synthetic clip's action units. Labels are stored normalised
([`normalize_label`]: lower case, base-form verb, no "the person"), so a label in a question, an option or a
teacher's answer can be compared with the sequence by text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
}
_NUMBER_WORDS.update({"once": 1, "twice": 2, "thrice": 3, "never": 0})
_IRREGULAR_BASE = {"does": "do", "goes": "go", "has": "have", "is": "be"}
_KEEP_S = frozenset(("press", "cross", "toss", "kiss", "pass", "dress", "bless", "miss", "guess"))
_COUNT_SUFFIX = re.compile(r"\s+(?:(once|twice|thrice)|(\w+) times|for (\w+) steps?)$")


@dataclass(frozen=True)
class LabelSpan:
    """One action of a sequence: a label over a time span.

    Args:
        label (`str`): the action, a short verb phrase ("raise right arm").
        start_s (`float`): start time in the video, seconds.
        end_s (`float`): end time in the video, seconds.
        count (`int`, *optional*, defaults to 1): repetitions inside the span ("waves three times" → 3).
    """

    label: str
    start_s: float
    end_s: float
    count: int = 1


def normalize_text(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces (`"Raise the RIGHT arm."` → `"raise the right arm"`)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())


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


def parse_count(text: str) -> int | None:
    """The first number in `text`, in digits or words ("three" → 3, "twice" → 2), or None without one."""
    for word in normalize_text(text).split():
        if word.isdigit():
            return int(word)
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word]
    return None


def split_count(text: str) -> tuple[str, int]:
    """A caption event's label and repetitions: "waves the left hand three times" → ("wave the left hand", 3);
    "walks toward the camera for 4 steps" → ("walk toward the camera", 1)."""
    label = normalize_label(text)
    match = _COUNT_SUFFIX.search(label)
    if not match:
        return label, 1
    count = 1
    if match[1] or match[2]:
        count = parse_count(match[1] or match[2]) or 1
    return label[: match.start()].strip(), count


def format_events(events: Sequence[LabelSpan], timed: bool = True) -> str:
    """The sequence as numbered lines for the LLM prompt: `1. 0.0-2.0 s: raise right arm` (`1. raise right arm`
    when the times are unknown)."""

    def label(event: LabelSpan) -> str:
        return event.label if event.count == 1 else f"{event.label} ({event.count} times)"

    if not timed:
        return "\n".join(f"{i + 1}. {label(e)}" for i, e in enumerate(events))
    return "\n".join(f"{i + 1}. {e.start_s:.1f}-{e.end_s:.1f} s: {label(e)}" for i, e in enumerate(events))


def format_range(start_s: float, end_s: float) -> str:
    """A time span as an option reads it: `"2.0-4.0 s"`."""
    return f"{start_s:.1f}-{end_s:.1f} s"


__all__ = [
    "LabelSpan",
    "base_form",
    "format_events",
    "format_range",
    "normalize_label",
    "normalize_text",
    "parse_count",
    "split_count",
]
