"""α sweep: merge at each α, evaluate each merge on a held-out split, keep the best, write a table and a plot.

    actionart-hf merge --base A --finetuned B --alpha 0,0.25,0.5,0.75,1 --eval-dataset DIR --output C

    from actionart_hf.merge.sweep import sweep_alpha
    sweep = sweep_alpha(config, [0, 0.5, 1], "C", evaluate=lambda folder: {"accuracy": ..., "AC": ...})

Each α is merged into a work folder beside the output; after evaluation only the best merge so far is kept (at
most two merged models on disk). The best one is moved into the output with `sweep.json`, `sweep.md`, `sweep.png`
and the table in its card. Ties go to the α listed first.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import scratch_dir
from .card import write_model_card
from .config import MergeConfig
from .core import check_output, merge_resolved, replace_dir, resolve_inputs


logger = logging.getLogger(__name__)

EvaluateFn = Callable[[Path], Mapping[str, float]]
OVERALL = "accuracy"


@dataclass
class SweepResult:
    """The outcome of an α sweep.

    Args:
        output (`Path`): folder holding the best merge and the sweep files.
        alphas (`list[float]`): the α values, in the order given.
        scores (`list[dict[str, float]]`): per α, `"accuracy"` (overall) and one score per task.
        best_alpha (`float`): the α kept.
        table (`str`): markdown table of the scores (best row in bold).
        plot (`Path`): `sweep.png`.
    """

    output: Path
    alphas: list[float]
    scores: list[dict[str, float]]
    best_alpha: float
    table: str
    plot: Path


def sweep_table(alphas: Sequence[float], scores: Sequence[Mapping[str, float]], best_alpha: float) -> str:
    """Markdown table: one row per α, columns `accuracy` then each task (sorted); the best row is bold."""
    tasks = sorted({key for score in scores for key in score if key != OVERALL})
    rows = ["| α | " + " | ".join([OVERALL, *tasks]) + " |", "|---|" + "---|" * (len(tasks) + 1)]
    for alpha, score in zip(alphas, scores):
        cells = [f"{alpha:g}"] + [_cell(score.get(key)) for key in (OVERALL, *tasks)]
        if alpha == best_alpha:
            cells = [f"**{cell}**" for cell in cells]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _cell(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.4f}"


def sweep_plot(alphas: Sequence[float], scores: Sequence[Mapping[str, float]], best_alpha: float, path: Path) -> Path:
    """A PNG of accuracy per α: the overall accuracy in bold, one thin line per task, the kept α marked."""
    from matplotlib.figure import Figure  # no pyplot: a notebook's backend and open figures stay as they are

    order = sorted(range(len(alphas)), key=lambda i: alphas[i])
    xs = [alphas[i] for i in order]
    tasks = sorted({key for score in scores for key in score if key != OVERALL})
    figure = Figure(figsize=(6.4, 4.2), dpi=120)
    axis = figure.subplots()
    for task in tasks:
        axis.plot(xs, [scores[i].get(task, math.nan) for i in order], marker=".", linewidth=1, alpha=0.7, label=task)
    axis.plot(xs, [scores[i][OVERALL] for i in order], marker="o", linewidth=2.5, color="black", label=OVERALL)
    axis.axvline(best_alpha, linestyle="--", color="gray", linewidth=1)
    axis.set_xlabel("α  (out = (1 − α)·base + α·finetuned)")
    axis.set_ylabel("accuracy")
    axis.set_title(f"α sweep (kept α = {best_alpha:g})")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2, loc="best")
    figure.tight_layout()
    figure.savefig(path)
    return path


def sweep_alpha(
    config: MergeConfig,
    alphas: Sequence[float],
    output: str | os.PathLike,
    evaluate: EvaluateFn,
    *,
    overwrite: bool = False,
) -> SweepResult:
    """Merges at every α, evaluates each merge and keeps the best in `output`.

    Args:
        config (`MergeConfig`): the recipe; its `alpha` is replaced by each value of `alphas` (method `linear`).
        alphas (`Sequence[float]`): the α values, e.g. `[0, 0.25, 0.5, 0.75, 1]`.
        output (`str` or `os.PathLike`): folder for the best merge plus `sweep.json`, `sweep.md`, `sweep.png`.
        evaluate (`Callable[[Path], Mapping[str, float]]`): scores a merged model folder; returns `"accuracy"`
            (overall, higher is better) and optionally one score per task, e.g. `{"accuracy": 0.61, "AC": 0.5}`.
            `runner_evaluate(dataset)` builds one from the eval runner.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output folder.

    Returns:
        `SweepResult`.

    Raises:
        ValueError: no or repeated α, a refused α or input (checked before any merge), or `evaluate` returned no
            `"accuracy"`.
    """
    alphas = [float(alpha) for alpha in alphas]
    if not alphas or len(set(alphas)) != len(alphas):
        raise ValueError(f"alphas={alphas} must be a non-empty list of distinct values.")
    if "alpha" not in config.parameters:
        raise ValueError(f"merge_method={config.merge_method!r} has no alpha to sweep.")
    configs = [dataclasses.replace(config, parameters={**config.parameters, "alpha": alpha}) for alpha in alphas]
    output = check_output(output, overwrite)
    scores: list[dict[str, float]] = []
    with resolve_inputs(config, output) as inputs:
        work = scratch_dir(output)  # under the output's lock, held by `resolve_inputs`
        try:
            best_index, best_folder, best_result = None, None, None
            for index, (alpha, alpha_config) in enumerate(zip(alphas, configs)):
                folder = work / f"alpha-{alpha:g}"
                result = merge_resolved(inputs, alpha_config, folder)
                score = {key: float(value) for key, value in dict(evaluate(folder)).items()}
                if OVERALL not in score:
                    raise ValueError(f"The evaluate function returned {sorted(score)} without {OVERALL!r}.")
                scores.append(score)
                logger.info("alpha=%g: accuracy %.4f", alpha, score[OVERALL])
                if best_index is None or score[OVERALL] > scores[best_index][OVERALL]:
                    if best_folder is not None:
                        shutil.rmtree(best_folder)
                    best_index, best_folder, best_result = index, folder, result
                else:
                    shutil.rmtree(folder)
            best_alpha = alphas[best_index]
            table = sweep_table(alphas, scores, best_alpha)
            record = {
                "alphas": alphas,
                "scores": scores,
                "best_alpha": best_alpha,
                "metric": OVERALL,
                "recipe": best_result.config.to_dict(),
            }
            (best_folder / "sweep.json").write_text(json.dumps(record, indent=2) + "\n")
            (best_folder / "sweep.md").write_text(table + "\n")
            sweep_plot(alphas, scores, best_alpha, best_folder / "sweep.png")
            best_result.output = output
            write_model_card(best_folder, best_result, sweep_table=table, best_alpha=best_alpha)
            check_output(output, overwrite)
            replace_dir(best_folder, output)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return SweepResult(output, alphas, scores, best_alpha, table, output / "sweep.png")


def runner_evaluate(
    dataset,
    *,
    config: str = "qa",
    split: str = "test",
    limit: int | None = None,
    backend: str | Callable[[Path], Any] | None = None,
    num_frames: int | None = None,
    backend_kwargs: Mapping[str, Any] | None = None,
    progress: bool = True,
) -> EvaluateFn:
    """An `evaluate` function for `sweep_alpha` backed by the eval runner (`actionart_hf.evaluation.evaluate_model`).

    Args:
        dataset (`str`, `os.PathLike` or `datasets.Dataset`): the held-out data (a folder built by our tools, a Hub
            dataset id or a loaded split), as `evaluate_model` takes it.
        config (`str`, *optional*, defaults to `"qa"`): dataset config.
        split (`str`, *optional*, defaults to `"test"`): the held-out split.
        limit (`int`, *optional*): evaluate the first `limit` questions only.
        backend (`str` or `Callable[[Path], EvalBackend]`, *optional*): a runner backend name, `None` to detect
            it from each merged folder, or a factory building a backend for a merged folder.
        num_frames (`int`, *optional*): frames per video (the runner's default when `None`).
        backend_kwargs (`Mapping[str, Any]`, *optional*): passed to the backend, e.g. `{"dtype": "bfloat16"}`.
        progress (`bool`, *optional*, defaults to `True`): show the runner's progress bar.

    Returns:
        `Callable[[Path], dict[str, float]]`: `accuracy` and the per-task accuracies of a merged folder.
    """
    from actionart_hf.evaluation import evaluate_model

    def evaluate(folder: Path) -> dict[str, float]:
        model = backend(folder) if callable(backend) else folder
        try:
            result = evaluate_model(
                model,
                dataset,
                config=config,
                split=split,
                backend=None if callable(backend) else backend,
                num_frames=num_frames,
                limit=limit,
                bootstrap_samples=0,
                plot=False,
                progress=progress,
                model_name=folder.name,
                backend_kwargs=backend_kwargs,
            )
        finally:
            if model is not folder:
                model.close()
        return result.scores()

    return evaluate


__all__ = ["EvaluateFn", "SweepResult", "runner_evaluate", "sweep_alpha", "sweep_plot", "sweep_table"]
