"""Circular evaluation: each question is asked once per rotation of its options and counts as right only if every
rotation is answered right, which removes the advantage of a model that prefers a letter or a position.

    >>> rotate_options(["2", "3", "4"], "B", 1)
    (['3', '4', '2'], 'A')
"""

from __future__ import annotations

from collections.abc import Sequence

from ..tasks import letter_index, option_letter


def rotate_options(options: Sequence[str], answer: str, shift: int) -> tuple[list[str], str]:
    """The options rotated left by `shift` (option `shift` comes first) and the answer letter that follows it.

    Args:
        options (`Sequence[str]`): the options in letter order.
        answer (`str`): the answer letter for `options`.
        shift (`int`): rotation, `0 <= shift < len(options)`; 0 leaves the question unchanged.

    Returns:
        `(options, answer)` of the rotated question.
    """
    count = len(options)
    if not 0 <= shift < count:
        raise ValueError(f"shift={shift} must be in 0..{count - 1} for {count} options.")
    index = letter_index(answer)
    if index >= count:
        raise ValueError(f"answer={answer!r} is outside the {count} options {list(options)}.")
    return list(options[shift:]) + list(options[:shift]), option_letter((index - shift) % count)


def rotations(num_options: int, circular: bool) -> range:
    """The rotations to ask: all of them for circular evaluation, else only the original order."""
    return range(num_options if circular else 1)


__all__ = ["rotate_options", "rotations"]
