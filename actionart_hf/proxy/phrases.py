"""What a label or an option says: a direction, a directional movement, an object, a time range.

Both the oracle's templates ([`oracle_questions`]) and the validator ([`validate_question`]) read labels and
options with these functions, so a question the templates write is read back the same way.
"""

from __future__ import annotations

import re

from .labels import normalize_text


MOVEMENT_VERBS = frozenset(
    "step walk run jog turn move jump hop slide shuffle lean roll spin rotate crawl go march skip sidestep".split()
)
DIRECTIONS = ("left", "right", "forward", "backward", "up", "down", "clockwise", "counterclockwise")
DIRECTION_FAMILIES = (("left", "right", "forward", "backward"), ("up", "down"), ("clockwise", "counterclockwise"))
"""Directions that are alternatives to one another (the distractors of a direction)."""
FILLER_WORDS = frozenset(("to", "the", "a", "an", "towards", "toward", "of", "in", "his", "her", "their"))
"""Words between a movement and its direction ("take a step *to their* left")."""
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
_NOT_OBJECTS = frozenset(
    """arm arms hand hands leg legs knee knees foot feet head body torso waist hip hips shoulder shoulders back side
    sides chest elbow elbows wrist wrists neck face fist fists finger fingers thumb palm palms toe toes heel heels
    camera floor ground frame circle turn step steps air place spot room wall direction way time times left right
    front upper lower whole other same full quarter half""".split()
)
_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(rf"{_NUMBER}\s*(?:s|sec|secs|seconds)?\s*(?:-|–|—|to|and)\s*{_NUMBER}\s*(?:s|sec|secs|seconds)?\b")


def direction_of(text: str) -> str | None:
    """The one direction `text` names ("to the left" → "left", "backwards" → "backward"), else None."""
    found = set()
    for word in normalize_text(text).split():
        word = _DIRECTION_SYNONYMS.get(word, word)
        if word in DIRECTIONS:
            found.add(word)
    return found.pop() if len(found) == 1 else None


def movement_of(label: str) -> tuple[str, str] | None:
    """`(direction, phrase without it)` when a movement label ends in a direction: "take a step to their left" →
    ("left", "take a step"); "lean the upper body to their right" → ("right", "lean the upper body"); else None."""
    words = label.split()
    if len(words) < 2 or not MOVEMENT_VERBS & set(words[:3]):
        return None
    direction = _DIRECTION_SYNONYMS.get(words[-1], words[-1])
    if direction not in DIRECTIONS:
        return None
    rest = words[:-1]
    while rest and rest[-1] in FILLER_WORDS:
        rest = rest[:-1]
    return (direction, " ".join(rest)) if rest else None


def object_of(label: str) -> str | None:
    """The object an action involves: the first noun after the/a/an that is not a body part or the scene."""
    for match in re.finditer(r"\b(?:the|a|an)\s+([a-z]+)", label):
        if match[1] not in _NOT_OBJECTS and match[1] not in DIRECTIONS:
            return match[1]
    return None


def parse_range(text: str) -> tuple[float, float] | None:
    """The time range an option states ("2.0-4.0 s", "from 2 to 4 seconds") in seconds, or None (none, or empty)."""
    match = _RANGE.search(str(text).lower())
    if not match:
        return None
    start, end = float(match[1]), float(match[2])
    return (start, end) if end > start else None


def span_iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Intersection over union of two time spans `(start_s, end_s)` (0 when both are empty)."""
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


__all__ = [
    "DIRECTIONS",
    "DIRECTION_FAMILIES",
    "FILLER_WORDS",
    "MOVEMENT_VERBS",
    "direction_of",
    "movement_of",
    "object_of",
    "parse_range",
    "span_iou",
]
