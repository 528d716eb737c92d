"""The benchmark's own words, read from the generator's tables and source: what data that must not teach the
benchmark (generic stage-1 data, a teacher's own question wording) is checked against.

- [`state_phrases`]: the body-state answers (posture, facing, torso, hand height, arm direction, leg), as questions,
  captions and pose descriptions word them;
- [`unit_phrases`]: every action unit in every wording the generator uses (verb forms, sides, objects, directions,
  counted phrases, "which action" options) and the motion answers (walk, step, turn and lean directions, what is done
  after a pick-up);
- [`template_fragments`]: the fixed parts of the benchmark's question, caption and pose-description templates
  (`questions.py`, `captions.py`, `descriptions.py`), e.g. `"How many times does the person"`.

Matching is case-insensitive on whole words: [`find_phrases`].
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
from collections.abc import Iterable
from functools import lru_cache
from types import ModuleType


MIN_FRAGMENT_WORDS = 2
MAX_FRAGMENT_WORDS = 12  # longer literals are messages and word lists, not template text
STOP_WORD_FRAGMENT_WORDS = 4  # from this length, a fragment of stop words only is template text too


def _values(*tables: dict[str, str]) -> set[str]:
    return {phrase for table in tables for phrase in table.values()}


@lru_cache(maxsize=1)
def state_phrases() -> frozenset[str]:
    """The body-state phrases: the values of `states.BODY_STATES` and the hand levels of pose differences."""
    from .descriptions import HAND_LEVELS
    from .states import BODY_STATES

    return frozenset(_values(*BODY_STATES.values(), HAND_LEVELS))


@lru_cache(maxsize=1)
def unit_phrases() -> frozenset[str]:
    """Every action unit's phrase for every side, object and direction, in base, third-person and gerund form, its
    counted and "which action" phrases, and the motion answers of the benchmark's questions."""
    from .actions import OBJECT_KINDS, STEP_DIRECTIONS, STEP_PHRASES, UNITS, WALK_DIRECTIONS, WALK_PHRASES, UnitCall
    from .questions import AFTER_PICKUP_PHRASES, LEAN_PHRASES, TURN_PHRASES
    from .skeleton import SIDES

    directions = {"walk": WALK_DIRECTIONS, "step": STEP_DIRECTIONS}
    phrases = _values(WALK_PHRASES, STEP_PHRASES, TURN_PHRASES, LEAN_PHRASES, AFTER_PICKUP_PHRASES)
    for name, spec in UNITS.items():
        sides = SIDES if spec.sided else (None,)
        objects = OBJECT_KINDS if "{object}" in spec.phrase else (None,)
        for side, obj, direction in itertools.product(sides, objects, directions.get(name, (None,))):
            call = UnitCall(name, side=side, direction=direction, obj=obj)
            for form in ("base", "third", "gerund"):
                phrases.add(call.phrase(form))
                if spec.count_phrase:
                    phrases.add(call.count_phrase(form))
        if spec.ar_phrase:
            phrases.add(spec.ar_phrase)
    return frozenset(phrases)


def _literal_texts(module: ModuleType) -> Iterable[str]:
    """The string literals of a module's code (f-strings as their literal parts), without docstrings and without
    the messages of `raise` statements."""
    tree = ast.parse(inspect.getsource(module))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node) is not None:
            skipped.add(id(node.body[0].value))
        if isinstance(node, ast.Raise):
            skipped.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            yield node.value


@lru_cache(maxsize=1)
def template_fragments() -> frozenset[str]:
    """The fixed text of the benchmark's question, caption and pose-description templates.

    Every literal piece of `questions.py`, `captions.py` and `descriptions.py` of `MIN_FRAGMENT_WORDS` to
    `MAX_FRAGMENT_WORDS` words, lower-cased and trimmed of punctuation, that has a word of three letters or more
    that is not a stop word of the question checker, or at least `STOP_WORD_FRAGMENT_WORDS` words. So
    `"How many times does the person"`, `"At the end of the video"` and `"What does the person do"` are fragments;
    `"the person"`, `" in the "` and identifiers such as `"pick_up"` are not.
    """
    from . import captions, descriptions, questions

    stop_words = questions._STOPWORDS
    fragments = set()
    for module in (questions, captions, descriptions):
        for text in _literal_texts(module):
            fragment = text.strip(" ,.;:?()-").lower()
            words = fragment.split()
            if "_" in fragment or not MIN_FRAGMENT_WORDS <= len(words) <= MAX_FRAGMENT_WORDS:
                continue
            content = [w for w in re.findall(r"[a-z0-9']+", fragment) if len(w) >= 3 and w not in stop_words]
            if content or len(words) >= STOP_WORD_FRAGMENT_WORDS:
                fragments.add(fragment)
    return frozenset(fragments)


def _whole_words(phrase: str) -> str:
    return rf"(?<!\w){re.escape(phrase.lower())}(?!\w)"


@lru_cache(maxsize=8)
def _any_phrase(phrases: frozenset[str]) -> re.Pattern:
    return re.compile("|".join(_whole_words(p) for p in sorted(phrases)))


def find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The `phrases` that occur in `text` as whole words (case-insensitive), sorted."""
    lowered, phrases = text.lower(), frozenset(phrases)
    if not phrases or not _any_phrase(phrases).search(lowered):  # one pass over clean text
        return []
    return sorted(p for p in phrases if re.search(_whole_words(p), lowered))


__all__ = ["find_phrases", "state_phrases", "template_fragments", "unit_phrases"]
