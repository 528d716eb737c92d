"""Small English helpers: verb forms of action phrases, counts and lists."""

from __future__ import annotations


_IRREGULAR_THIRD = {"do": "does", "go": "goes"}
_DOUBLED = {"sit", "put", "step", "tap", "squat", "clap", "spin", "swing"}
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def third_person(verb: str) -> str:
    """`raise` → `raises`, `punch` → `punches`, `lie` → `lies`."""
    if verb in _IRREGULAR_THIRD:
        return _IRREGULAR_THIRD[verb]
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def gerund(verb: str) -> str:
    """`raise` → `raising`, `sit` → `sitting`, `lie` → `lying`."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb in _DOUBLED:
        return verb + verb[-1] + "ing"
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    return verb + "ing"


def inflect(phrase: str, form: str) -> str:
    """Puts the leading verb of a base-form phrase into `form`: `"base"`, `"third"` or `"gerund"`."""
    verb, _, rest = phrase.partition(" ")
    if form == "base":
        head = verb
    elif form == "third":
        head = third_person(verb)
    elif form == "gerund":
        head = gerund(verb)
    else:
        raise ValueError(f"Unknown verb form {form!r}; use 'base', 'third' or 'gerund'.")
    return f"{head} {rest}".strip()


def times(count: int) -> str:
    """`1` → `once`, `2` → `twice`, `3` → `three times`."""
    if count == 1:
        return "once"
    if count == 2:
        return "twice"
    return f"{number_word(count)} times"


def number_word(count: int) -> str:
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)


def ordinal_connector(index: int, total: int) -> str:
    """Sentence openers for the i-th of `total` events in a caption."""
    if index == 0:
        return "First,"
    if index == total - 1:
        return "Finally,"
    return ("Then,", "Next,", "After that,")[(index - 1) % 3]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = ["capitalize", "gerund", "inflect", "number_word", "ordinal_connector", "third_person", "times"]
