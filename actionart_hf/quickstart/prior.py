"""The text-only prior: answers from the question and its options alone, learned from the train split's answers.

It is a reference row of the table: what a model could score without looking at the video, from how often each
answer is right for a question worded the same way. Each test question gets, among its own options, the option
text that was most often the right answer of train questions with the same wording (and the same sub-task); when no
train question is worded the same, the option text most often right in its sub-task; when none of its options was
ever a right answer, its first option. Ties go to the alphabetically first text, so the prior is deterministic.

    from actionart_hf.quickstart.prior import write_text_prior_eval

    metrics = write_text_prior_eval("out/data/synthetic", "out/eval/text_prior")

The folder has the layout of `evaluate_model`'s (`predictions.jsonl`, `metrics.json`), so the prior is one more row
for `accuracy_with_interval` and `paired_difference`.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..data.hub_folder import read_split_rows
from ..evaluation.predictions import write_predictions_folder
from ..tasks import letter_index, normalize_task, option_letter


logger = logging.getLogger(__name__)

TEXT_PRIOR_KEY = "text_prior"  # the row key the quickstart gives the prior
TEXT_PRIOR_NAME = "text-only prior"


@dataclass(frozen=True)
class PriorAnswer:
    """The prior's answer to one test question.

    Args:
        letter (`str`): the answer letter.
        option (`str`): the option text it names.
        source (`str`): what decided: `"question"` (train questions worded the same), `"task"` (the sub-task's
            answers) or `"first_option"` (no option was ever a right answer).
    """

    letter: str
    option: str
    source: str


def _wording(row: Mapping[str, Any]) -> tuple[str, str]:
    """A question's sub-task and wording, case and spacing ignored."""
    return normalize_task(row["task"]), " ".join(str(row["question"]).lower().split())


def _answer_text(row: Mapping[str, Any]) -> str:
    try:
        return row["options"][letter_index(row["answer"])]
    except (ValueError, IndexError) as error:
        raise ValueError(
            f"Train row {row.get('id')!r}: answer {row['answer']!r} names none of its {len(row['options'])} options "
            f"({error}); fix the row or rebuild the split."
        ) from None


def _most_frequent_option(counts: Counter, options: Sequence[str]) -> str | None:
    """The option text counted most often (ties: alphabetically first), or `None` when no option was counted."""
    ranked = sorted((option for option in set(options) if counts[option]), key=lambda text: (-counts[text], text))
    return ranked[0] if ranked else None


def text_prior_predictions(
    train_qa_rows: Iterable[Mapping[str, Any]], test_qa_rows: Sequence[Mapping[str, Any]]
) -> list[PriorAnswer]:
    """The prior's answer to each test question, from the right answers of the train questions.

    Args:
        train_qa_rows (`Iterable[Mapping]`): `qa` rows (`task` code or name, `question`, `options`, `answer`) whose
            answers the prior counts.
        test_qa_rows (`Sequence[Mapping]`): the `qa` rows to answer.

    Returns:
        `list[PriorAnswer]`: one per test row, in order.
    """
    by_wording: dict[tuple[str, str], Counter] = {}
    by_task: dict[str, Counter] = {}
    for row in train_qa_rows:
        task, wording = _wording(row)
        text = _answer_text(row)
        by_wording.setdefault((task, wording), Counter())[text] += 1
        by_task.setdefault(task, Counter())[text] += 1
    answers = []
    for row in test_qa_rows:
        options = list(row["options"])
        key = _wording(row)
        source, option = "question", _most_frequent_option(by_wording.get(key, Counter()), options)
        if option is None:
            source, option = "task", _most_frequent_option(by_task.get(key[0], Counter()), options)
        if option is None:
            source, option = "first_option", options[0]
        answers.append(PriorAnswer(option_letter(options.index(option)), option, source))
    return answers


def write_text_prior_eval(
    synth: str | os.PathLike,
    out: str | os.PathLike,
    train_split: str = "train",
    test_split: str = "test",
    bootstrap_samples: int = 1000,
) -> dict[str, Any]:
    """Answers the `qa` questions of `test_split` with the prior learned on `train_split` and writes an eval folder.

    Args:
        synth (`str` or `os.PathLike`): a dataset folder with `data/qa/<split>-*.parquet` (e.g. the synthetic one).
        out (`str` or `os.PathLike`): the eval folder to write (replaced atomically).
        train_split (`str`, *optional*, defaults to `"train"`): the split whose answers are counted.
        test_split (`str`, *optional*, defaults to `"test"`): the split answered.
        bootstrap_samples (`int`, *optional*, defaults to 1000): resamples of the intervals in `metrics.json`.

    Returns:
        `dict`: the metrics written to `metrics.json` (fractions, as `evaluate_model` returns them).
    """
    train_rows = read_split_rows(synth, "qa", train_split)
    test_rows = read_split_rows(synth, "qa", test_split)
    answers = text_prior_predictions(train_rows, test_rows)
    sources = Counter(answer.source for answer in answers)
    logger.info("Text-only prior on %d %s questions, decided by: %s", len(answers), test_split, dict(sources))
    return write_predictions_folder(
        out,
        test_rows,
        [answer.letter for answer in answers],
        model_name=TEXT_PRIOR_NAME,
        dataset=str(synth),
        split=test_split,
        bootstrap_samples=bootstrap_samples,
    )


__all__ = ["TEXT_PRIOR_KEY", "TEXT_PRIOR_NAME", "PriorAnswer", "text_prior_predictions", "write_text_prior_eval"]
