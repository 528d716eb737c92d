"""Results in the paper's shapes: a Table 1 markdown row beside the published rows, a per-task bar chart, and
`model-index` entries (`huggingface_hub.EvalResult`) for model cards.

Metrics are the dicts of `actionart_hf.metrics.actionart_accuracy.scoring.score` (fractions in [0, 1]); tables, plots
and model-index values are in percent, as the paper prints them.

With `averages=True` a table also compares the averages: "Macro" (the mean of the task columns) and "Avg. (paper
weights)" (the task columns weighted by ActionArt's inferred question counts, the way the paper's "Avg." is computed:
equal to "Avg." on ActionArt's test set, and the number to compare with the paper on any other set, such as the
synthetic benchmark or a subset).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..atomic import atomic_file
from ..tasks import TASK_CODES, TASKS
from .paper_results import PAPER_TABLE1, TABLE1_COLUMNS, PublishedResult, macro_average, weighted_average


MISSING = "–"
AVERAGE_COLUMNS = ("Macro", "Avg. (paper weights)")


def _percent(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f}"


def table1_values(metrics: Mapping[str, float]) -> dict[str, float | None]:
    """The Table 1 columns of `metrics`, as fractions (`None` for a sub-task with no questions)."""
    values: dict[str, float | None] = {code: metrics.get(code) for code in TASK_CODES}
    values["Avg."] = metrics["accuracy"]
    return values


def table1_header(averages: bool = False) -> str:
    """`| Model | AC | AR | AS | GS | HOI | LS | MV | TL | Avg. |` (with `averages`, then `AVERAGE_COLUMNS`) and its
    separator line."""
    columns = TABLE1_COLUMNS + (AVERAGE_COLUMNS if averages else ())
    return "| Model | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns)


def table1_row(model_name: str, metrics: Mapping[str, float], bold: bool = False, averages: bool = False) -> str:
    """One markdown row in Table 1's column order (AC AR AS GS HOI LS MV TL Avg.), accuracies in percent.

    Args:
        model_name (`str`): first cell.
        metrics (`Mapping[str, float]`): `accuracy` and per-task fractions (missing tasks print as "–"). A model known
            only by its task accuracies: `actionart_hf.evaluation.paper_results.metrics_from_task_accuracies`.
        bold (`bool`, *optional*, defaults to `False`): embolden the row (our result among the paper's).
        averages (`bool`, *optional*, defaults to `False`): add the macro average and the average with the paper's
            weights (see the module docstring) over the tasks present.
    """
    values = table1_values(metrics)
    if averages:
        tasks = {code: values[code] for code in TASK_CODES}
        values |= dict(zip(AVERAGE_COLUMNS, (macro_average(tasks), weighted_average(tasks))))
    cells = [_percent(v) for v in values.values()]
    if bold:
        model_name, cells = f"**{model_name}**", [c if c == MISSING else f"**{c}**" for c in cells]
    return f"| {model_name} | " + " | ".join(cells) + " |"


def _published_row(row: PublishedResult, averages: bool) -> str:
    name = row.model + (f" ({row.num_frames} frames)" if row.num_frames not in (None, 64) else "")
    return table1_row(name, row.as_metrics(), averages=averages)


def table1_markdown(
    rows: Sequence[tuple[str, Mapping[str, float]]],
    include_paper: bool = True,
    paper_rows: Sequence[PublishedResult] = PAPER_TABLE1,
    averages: bool = False,
) -> str:
    """A Table 1-style markdown table: the paper's published rows (for reference), then `rows` in bold.

    Args:
        rows (`Sequence[tuple[str, Mapping[str, float]]]`): `(name, metrics)` pairs of this evaluation, e.g. the
            plain and the circular result.
        include_paper (`bool`, *optional*, defaults to `True`): print the published rows first.
        paper_rows (`Sequence[PublishedResult]`, *optional*): which published rows (all of Table 1 by default;
            `PAPER_TABLE2` for the ablations).
        averages (`bool`, *optional*, defaults to `False`): add the "Macro" and "Avg. (paper weights)" columns.
    """
    lines = [table1_header(averages)]
    if include_paper:
        lines += [_published_row(row, averages) for row in paper_rows]
    lines += [table1_row(name, metrics, bold=include_paper, averages=averages) for name, metrics in rows]
    return "\n".join(lines)


def plot_per_task(
    path: str | os.PathLike,
    rows: Sequence[tuple[str, Mapping[str, float]]],
    title: str = "ActionArt accuracy per sub-task",
    reference_rows: Sequence[PublishedResult] = (),
) -> Path:
    """A PNG bar chart of accuracy (%) per sub-task and the average, one bar group per entry of `rows`.

    Args:
        path (`str` or `os.PathLike`): output PNG (written atomically).
        rows (`Sequence[tuple[str, Mapping[str, float]]]`): `(name, metrics)` pairs, e.g. plain and circular.
        title (`str`, *optional*): figure title.
        reference_rows (`Sequence[PublishedResult]`, *optional*): published rows drawn as markers for context.

    Returns:
        `Path` of the written PNG.
    """
    import numpy as np
    from matplotlib.figure import Figure  # no pyplot: a notebook's backend and open figures stay as they are

    columns = list(TABLE1_COLUMNS)
    positions = np.arange(len(columns))
    width = 0.8 / max(1, len(rows))
    figure = Figure(figsize=(9, 4.6), dpi=100)
    axes = figure.subplots()
    for i, (name, metrics) in enumerate(rows):
        values = [100 * v if v is not None else np.nan for v in table1_values(metrics).values()]
        offset = (i - (len(rows) - 1) / 2) * width
        bars = axes.bar(positions + offset, np.nan_to_num(values), width, label=name)
        for bar, value in zip(bars, values):
            label = MISSING if np.isnan(value) else f"{value:.1f}"
            top = (bar.get_x() + bar.get_width() / 2, bar.get_height())
            axes.annotate(label, top, ha="center", va="bottom", fontsize=7, xytext=(0, 1), textcoords="offset points")
    markers = "o^sDv<>"
    for j, row in enumerate(reference_rows):
        values = [row.scores[c] for c in columns]
        marker = markers[j % len(markers)]
        label = row.model if "paper" in row.model else f"{row.model} (paper)"
        axes.scatter(positions, values, marker=marker, color="black", s=18, zorder=3, label=label)
    axes.set_xticks(positions, columns)
    axes.set_ylim(0, 105)
    axes.set_ylabel("accuracy (%)")
    axes.set_title(title)
    axes.axvline(len(columns) - 1.5, color="grey", linewidth=0.8, linestyle=":")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)
    figure.tight_layout()
    path = Path(path)
    with atomic_file(path) as temporary:
        figure.savefig(temporary, format="png")
    return path


def model_index_results(
    metrics: Mapping[str, float],
    dataset_id: str,
    dataset_name: str = "ActionArt",
    dataset_config: str | None = "qa",
    dataset_split: str | None = "test",
    dataset_revision: str | None = None,
    circular_metrics: Mapping[str, float] | None = None,
    num_frames: int | None = None,
    source_name: str | None = None,
    source_url: str | None = None,
):
    """`huggingface_hub.EvalResult`s for a model card's `model-index`: the average, then one per sub-task.

    Values are accuracies in percent rounded to 0.1 (as Table 1). Pass the list to `ModelCardData(eval_results=...,
    model_name=...)`, or to `huggingface_hub.repocard_data.eval_results_to_model_index`.

    Args:
        metrics (`Mapping[str, float]`): output of the metric (`accuracy` and per-task fractions).
        dataset_id (`str`): Hub dataset id, e.g. `"<org>/ActionArt"`.
        dataset_name (`str`, *optional*, defaults to `"ActionArt"`): pretty name.
        dataset_config (`str`, *optional*, defaults to `"qa"`), dataset_split (`str`, *optional*, defaults to
            `"test"`), dataset_revision (`str`, *optional*): what was evaluated.
        circular_metrics (`Mapping[str, float]`, *optional*): adds the circular accuracy (every rotation right).
        num_frames (`int`, *optional*): frames per video, recorded in `dataset_args`.
        source_name (`str`, *optional*), source_url (`str`, *optional*): where the numbers come from.

    Returns:
        `list[huggingface_hub.EvalResult]`.
    """
    from huggingface_hub import EvalResult

    common = dict(
        task_type="video-text-to-text",
        task_name="Multiple-choice video question answering",
        dataset_type=dataset_id,
        dataset_name=dataset_name,
        dataset_config=dataset_config,
        dataset_split=dataset_split,
        dataset_revision=dataset_revision,
        dataset_args={"num_frames": num_frames} if num_frames else None,
        source_name=source_name,
        source_url=source_url,
    )
    results = [
        EvalResult(metric_type="accuracy", metric_name="Avg. Acc.", metric_value=_round(metrics["accuracy"]), **common)
    ]
    for code in TASK_CODES:
        if metrics.get(code) is not None:
            results.append(
                EvalResult(
                    metric_type="accuracy",
                    metric_name=f"{code} ({TASKS[code].name}) accuracy",
                    metric_config=code,
                    metric_value=_round(metrics[code]),
                    **common,
                )
            )
    if circular_metrics is not None:
        results.append(
            EvalResult(
                metric_type="accuracy",
                metric_name="Circular Avg. Acc. (every option rotation right)",
                metric_config="circular",
                metric_value=_round(circular_metrics["accuracy"]),
                **common,
            )
        )
    return results


def _round(fraction: float) -> float:
    return round(100 * float(fraction), 1)


__all__ = [
    "AVERAGE_COLUMNS",
    "model_index_results",
    "plot_per_task",
    "table1_header",
    "table1_markdown",
    "table1_row",
    "table1_values",
]
