"""Random streams: independent generators derived from one seed, so each part of the benchmark draws its own numbers.

    >>> from actionart_hf.synthetic.random_streams import Stream, derive_seed, stream_rng
    >>> clip_seed = derive_seed(dataset_seed, clip_index)
    >>> plan_rng = stream_rng(clip_seed, Stream.PLAN)

A clip is a pure function of `(seed, config)`: planning, style and questions draw from separate streams, so a change
in how one part draws (e.g. more clutter shapes) leaves the others as they were.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """What a random stream is for; its value is mixed into the seed.

    - `PLAN`: camera yaw, initial state, action units, timeline and distractor objects of a clip.
    - `STYLE`: background colours, clutter and the noise seed of a clip.
    - `QUESTIONS`: option sampling of a clip's candidate questions.
    - `SELECTION`: tie-breaking when questions are selected over a set of clips.
    - `LETTERS`: answer-letter placement over a set of questions.
    """

    PLAN = 0
    STYLE = 1
    QUESTIONS = 2
    SELECTION = 7
    LETTERS = 11


def derive_seed(*parts: int) -> int:
    """A 63-bit seed from integers, e.g. `derive_seed(dataset_seed, clip_index)`; independent of process or order."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def stream_rng(seed: int, stream: Stream) -> np.random.Generator:
    """The generator of one stream of a seed (the same `(seed, stream)` always gives the same numbers)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(stream)]))


__all__ = ["Stream", "derive_seed", "stream_rng"]
