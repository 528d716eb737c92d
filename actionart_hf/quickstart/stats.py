"""Accuracies and differences between models with paired bootstrap intervals, read from eval folders.

    from actionart_hf.quickstart.stats import accuracy_with_interval, paired_difference

    cells = accuracy_with_interval("eval/stage1", tasks=("GS", "LS"))
    cells["GS"]    # {"acc": 61.0, "low": 51.0, "high": 70.0, "n": 100}, in points
    diff = paired_difference("eval/stage1", "eval/stage2", tasks=("GS", "LS"))
    diff["Avg."]   # {"diff": 6.5, "low": 1.0, "high": 12.0, "n": 200}: stage2 - stage1 on GS and LS together

Every model of a table answers the same test questions, so two rows are compared question by question: each
bootstrap resample draws question ids (with replacement, within each sub-task, as `score` does for its intervals)
and scores both models on that same draw. The interval of the difference is then far narrower than the two
accuracy intervals suggest, because what makes one draw harder makes it harder for both models.

The resamples depend only on the seed, the sub-tasks and the sorted question ids, so with the same `seed` the
intervals of `accuracy_with_interval` and of `paired_difference` come from the very same draws. Only the original
option order is read (no circular rotations).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypedDict

import numpy as np

from ..evaluation.predictions import read_predictions
from ..tasks import TASK_CODES, normalize_task


AVERAGE = "Avg."  # the key of the micro average over the sub-tasks asked for
CONFIDENCE = 0.95


class AccuracyCell(TypedDict):
    """One model's accuracy on a sub-task (or the micro average), in points, with its percentile interval."""

    acc: float
    low: float
    high: float
    n: int


class DifferenceCell(TypedDict):
    """Accuracy of model b minus model a, in points, with its paired bootstrap interval, on `n` shared questions."""

    diff: float
    low: float
    high: float
    n: int


def _correct_by_id(eval_dir: str | os.PathLike) -> dict[str, tuple[str, bool]]:
    """`{question id: (sub-task code, answered right)}` of one eval folder."""
    return {r["id"]: (normalize_task(r["task"]), bool(r["correct"])) for r in read_predictions(eval_dir)}


def _select_tasks(answers: dict[str, tuple[str, bool]], tasks: Sequence[str] | None, eval_dir) -> tuple[str, ...]:
    present = {task for task, _ in answers.values()}
    if tasks is None:
        return tuple(code for code in TASK_CODES if code in present)
    if isinstance(tasks, str):
        raise ValueError(f"tasks={tasks!r} is one string; pass a sequence of sub-task codes, e.g. ({tasks!r},).")
    selected = tuple(dict.fromkeys(normalize_task(task) for task in tasks))
    if not selected:
        raise ValueError(f"tasks=() selects no sub-task of {str(eval_dir)!r}; pass None for all of them.")
    missing = [task for task in selected if task not in present]
    if missing:
        raise ValueError(
            f"{str(eval_dir)!r} has no questions of the sub-tasks {missing}; it has {sorted(present)}. Pass only "
            f"sub-tasks that were evaluated."
        )
    return selected


def _resampled_accuracies(
    answer_sets: Sequence[dict[str, tuple[str, bool]]], tasks: tuple[str, ...], samples: int, seed: int
) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """Observed and resampled accuracies (points) of models that answered the same questions.

    Args:
        answer_sets (`Sequence[dict]`): per model, `{question id: (sub-task code, right)}`, all with the same ids.
        tasks (`tuple[str, ...]`): the sub-tasks, each resampled within itself.
        samples (`int`): number of resamples.
        seed (`int`): seed of the resamples.

    Returns:
        `dict`: per sub-task and `AVERAGE`, `(observed, resampled, n)`: `observed` of shape `(num_models,)`,
        `resampled` of shape `(num_models, samples)` (every model scored on the same draws), `n` questions.
    """
    rng = np.random.default_rng(seed)
    out = {}
    group_rights, group_size = 0, 0
    for task in tasks:
        ids = sorted(qid for qid, (code, _) in answer_sets[0].items() if code == task)
        correct = np.array([[answers[qid][1] for qid in ids] for answers in answer_sets])  # (num_models, n)
        draws = rng.choice(len(ids), size=(samples, len(ids)), replace=True)  # the same draw for every model
        rights = correct[:, draws].sum(axis=2)  # (num_models, samples)
        out[task] = (100 * correct.mean(axis=1), 100 * rights / len(ids), len(ids))
        group_rights, group_size = group_rights + rights, group_size + len(ids)
    observed = sum(out[task][0] * out[task][2] for task in tasks) / group_size
    out[AVERAGE] = (observed, 100 * group_rights / group_size, group_size)
    return out


def _interval(values: np.ndarray) -> tuple[float, float]:
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _check_samples(samples: int) -> None:
    if samples < 1:
        raise ValueError(f"samples={samples} must be >= 1 bootstrap resamples (1000 is usual).")


def accuracy_with_interval(
    eval_dir: str | os.PathLike, tasks: Sequence[str] | None = None, samples: int = 1000, seed: int = 0
) -> dict[str, AccuracyCell]:
    """One model's accuracy per sub-task and their micro average, with 95% percentile bootstrap intervals.

    Args:
        eval_dir (`str` or `os.PathLike`): an eval folder (its `predictions.jsonl`).
        tasks (`Sequence[str]`, *optional*): the sub-tasks (codes or aliases); all those evaluated when `None`.
        samples (`int`, *optional*, defaults to 1000): bootstrap resamples.
        seed (`int`, *optional*, defaults to 0): seed of the resamples.

    Returns:
        `dict[str, AccuracyCell]`: per sub-task code and `"Avg."` (right / questions over `tasks`), `acc`, `low`,
        `high` in points and `n` questions.
    """
    _check_samples(samples)
    answers = _correct_by_id(eval_dir)
    selected = _select_tasks(answers, tasks, eval_dir)
    cells: dict[str, AccuracyCell] = {}
    for key, (observed, resampled, n) in _resampled_accuracies([answers], selected, samples, seed).items():
        low, high = _interval(resampled[0])
        cells[key] = {"acc": float(observed[0]), "low": low, "high": high, "n": n}
    return cells


def paired_difference(
    eval_a: str | os.PathLike,
    eval_b: str | os.PathLike,
    tasks: Sequence[str] | None = None,
    samples: int = 1000,
    seed: int = 0,
) -> dict[str, DifferenceCell]:
    """Accuracy of model b minus model a, per sub-task and for their micro average, with paired 95% intervals.

    Questions are matched by id; each resample draws the same question ids for both models.

    Args:
        eval_a (`str` or `os.PathLike`): the eval folder of the model subtracted.
        eval_b (`str` or `os.PathLike`): the eval folder of the other model.
        tasks (`Sequence[str]`, *optional*): the sub-tasks (codes or aliases); all those evaluated when `None`.
        samples (`int`, *optional*, defaults to 1000): bootstrap resamples.
        seed (`int`, *optional*, defaults to 0): seed of the resamples.

    Returns:
        `dict[str, DifferenceCell]`: per sub-task code and `"Avg."`, `diff` (b - a), `low`, `high` in points and
        `n` shared questions.

    Raises:
        ValueError: the two folders hold different question ids or give one question different sub-tasks, or a
            sub-task of `tasks` was not evaluated.
    """
    _check_samples(samples)
    answers_a, answers_b = _correct_by_id(eval_a), _correct_by_id(eval_b)
    if answers_a.keys() != answers_b.keys():
        only_a, only_b = sorted(answers_a.keys() - answers_b.keys()), sorted(answers_b.keys() - answers_a.keys())
        raise ValueError(
            f"{str(eval_a)!r} and {str(eval_b)!r} answered different questions ({len(only_a)} only in the first, "
            f"e.g. {only_a[:3]}; {len(only_b)} only in the second, e.g. {only_b[:3]}); evaluate both models on the "
            f"same test split to compare them."
        )
    differ = sorted(qid for qid in answers_a if answers_a[qid][0] != answers_b[qid][0])
    if differ:
        raise ValueError(
            f"{str(eval_a)!r} and {str(eval_b)!r} give the questions {differ[:3]} different sub-tasks; they come from "
            f"different datasets: evaluate both models on the same test split."
        )
    selected = _select_tasks(answers_a, tasks, eval_a)
    cells: dict[str, DifferenceCell] = {}
    for key, (observed, resampled, n) in _resampled_accuracies(
        [answers_a, answers_b], selected, samples, seed
    ).items():
        low, high = _interval(resampled[1] - resampled[0])
        cells[key] = {"diff": float(observed[1] - observed[0]), "low": low, "high": high, "n": n}
    return cells


__all__ = ["AVERAGE", "AccuracyCell", "DifferenceCell", "accuracy_with_interval", "paired_difference"]
