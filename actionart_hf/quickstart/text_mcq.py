"""Text-only MCQ with the answer stated in the prompt: the language-model warm-up of the quickstart.

A stand-in for a pretrained LLM (not part of the paper's recipe). A tiny Qwen2 from random weights does not learn,
from pixels, to pick the letter of the option that names what it sees: it first has to learn that an option's letter
is what answers. This warm-up teaches only that: each generic stage-1 question (where the person is, which object,
how much they move; never the benchmark's pose vocabulary) is shown as text with its correct option stated before
it, and the answer is the letter.

    user:      The answer is "on the left".
               Where is the person at the end of the video?
               A. in the centre
               B. on the left ...
               Answer with the option's letter from the given choices directly.
    assistant: B

The rows use the `messages` format of `actionart_hf.training` (text only), so the warm-up trains through the same
`actionart-hf train` path as every stage.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..atomic import staged_dir
from ..tasks import format_mcq_prompt, letter_index, option_letter


HINT_TEMPLATE = 'The answer is "{option}".'
_WORD = re.compile(r"\w+")


def hinted_messages(question: str, options: list[str], answer: str) -> list[dict]:
    """One text-only conversation: the hint, the MCQ prompt, and the answer letter."""
    prompt = HINT_TEMPLATE.format(option=options[letter_index(answer)]) + "\n" + format_mcq_prompt(question, options)
    return [
        {"role": "user", "content": [{"type": "text", "text": prompt}]},
        {"role": "assistant", "content": [{"type": "text", "text": answer}]},
    ]


def mcq_rows(folder: str | Path) -> list[dict]:
    """The multiple-choice rows (`question`, `options`, `answer`) of a `messages` dataset folder's train split."""
    import pyarrow.parquet as pq

    files = sorted((Path(folder) / "data").glob("train-*.parquet"))
    columns = ["question", "options", "answer"]
    rows = [row for f in files for row in pq.read_table(f, columns=columns).to_pylist()]
    rows = [row for row in rows if row["question"] and row["options"]]
    if not rows:
        raise ValueError(
            f"{str(folder)!r} has no multiple-choice rows (question, options, answer) in its train split."
        )
    return rows


def build_text_mcq(
    rows: list[dict],
    out: str | Path,
    shuffles: int = 8,
    word_rows: int | None = None,
    seed: int = 0,
) -> int:
    """Writes `out/data/train-00000-of-00001.parquet` (`messages`, `prompt`) from multiple-choice rows.

    Args:
        rows (`list[dict]`): `question`, `options` and `answer` (a letter) of each question.
        out (`str` or `Path`): output folder (replaced atomically).
        shuffles (`int`, *optional*, defaults to 8): copies of each question, each with its options in a new random
            order, so that the answer letter can only be found by matching the stated option (a few thousand
            questions in one order are memorised instead).
        word_rows (`int`, *optional*): extra rows whose four options are single words drawn from the option texts
            (the hint names one of them). A 4-layer LM learned to match single words after about 1,900 steps, and
            not phrases in 2,000; these rows are the easy half of the warm-up. Default: as many as the phrase rows.
        seed (`int`, *optional*, defaults to 0): seed of the option orders and words.

    Returns:
        `int`: the number of rows written.
    """
    import datasets

    rng = np.random.default_rng(seed)
    conversations = []
    for row in rows:
        correct = row["options"][letter_index(row["answer"])]
        for _ in range(shuffles):
            options = [row["options"][i] for i in rng.permutation(len(row["options"]))]
            conversations.append(hinted_messages(row["question"], options, option_letter(options.index(correct))))
    words = sorted({word for row in rows for option in row["options"] for word in _WORD.findall(option)})
    if word_rows is None:
        word_rows = len(conversations)
    if len(words) < 4:  # too few distinct words for four options
        word_rows = 0
    for index in range(word_rows):
        options = [str(word) for word in rng.choice(words, size=4, replace=False)]
        answer = option_letter(int(rng.integers(4)))
        conversations.append(hinted_messages(rows[index % len(rows)]["question"], options, answer))
    # `prompt` repeats the user turn so that `make_tiny_base` finds the hint's words for its tokenizer
    table = datasets.Dataset.from_dict(
        {"messages": conversations, "prompt": [c[0]["content"][0]["text"] for c in conversations]}
    )
    with staged_dir(Path(out)) as stage:
        (stage / "data").mkdir()
        table.to_parquet(str(stage / "data" / "train-00000-of-00001.parquet"))
    return len(conversations)


__all__ = ["HINT_TEMPLATE", "build_text_mcq", "hinted_messages", "mcq_rows"]
