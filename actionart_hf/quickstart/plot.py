"""The table as a picture: accuracy of every row with its 95% interval, one panel per sub-task and the average.

Rows are horizontal points with error bars, top to bottom in table order; the paper's rows in colour, controls in a
second colour, reference rows (untrained model, text-only prior) in grey, with dashed lines at chance and dotted
lines at the text-only prior, so a row is read against what needs no training and what needs no video.

Drawn on a bare `matplotlib.figure.Figure` (no `pyplot`, no `matplotlib.use`), so plotting from a notebook leaves its
backend alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..atomic import atomic_file
from .prior import TEXT_PRIOR_KEY


ROW_COLOURS = {"paper": "tab:blue", "control": "tab:orange", "reference": "grey"}
ROW_KIND_NAMES = {"paper": "the paper's rows", "control": "controls", "reference": "reference rows"}
PANELS_PER_LINE = 5


def _check_table(table: Mapping[str, Any]) -> None:
    missing = [key for key in ("columns", "chance", "rows") if key not in table]
    if missing:
        raise ValueError(f"The table lacks {missing}; pass {{'columns': [...], 'chance': 25.0, 'rows': [...]}}.")
    if not table["columns"] or not table["rows"]:
        raise ValueError("The table has no columns or no rows to plot; pass at least one of each.")
    for row in table["rows"]:
        if row.get("kind") not in ROW_COLOURS:
            raise ValueError(
                f"Row {row.get('key')!r} has kind={row.get('kind')!r}; use one of {sorted(ROW_COLOURS)} ('reference' "
                f"for the untrained model and the text-only prior)."
            )


def _questions(table: Mapping[str, Any], column: str) -> int | None:
    for row in table["rows"]:
        cell = row["cells"].get(column)
        if cell is not None and cell.get("n") is not None:
            return int(cell["n"])
    return None


def plot_rows(
    table: Mapping[str, Any], path: str | os.PathLike, title: str | None = None, prior_key: str = TEXT_PRIOR_KEY
) -> Path:
    """Writes a PNG of every row's accuracy with its 95% interval, one panel per column of the table.

    Args:
        table (`Mapping`): `{"columns": [...], "chance": 25.0, "rows": [{"key", "label", "kind", "cells"}]}` with
            `kind` one of `"paper"`, `"control"`, `"reference"` and `cells` `{column: {"acc", "low", "high", "n"}}`
            in points (a missing or `None` cell is not drawn).
        path (`str` or `os.PathLike`): the PNG (written atomically).
        title (`str`, *optional*): the figure's title.
        prior_key (`str`, *optional*, defaults to `"text_prior"`): the key of the text-only prior's row, drawn as a
            dotted line in every panel (none when no row has it).

    Returns:
        `Path` of the written PNG.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    _check_table(table)
    columns, rows = list(table["columns"]), list(table["rows"])
    prior = next((row for row in rows if row["key"] == prior_key), None)
    per_line = min(PANELS_PER_LINE, len(columns))
    lines = math.ceil(len(columns) / per_line)
    figure = Figure(figsize=(2.0 + 2.2 * per_line, lines * (0.9 + 0.24 * len(rows)) + 0.8), layout="constrained")
    axes_grid = figure.subplots(lines, per_line, sharey=True, squeeze=False)
    positions = range(len(rows) - 1, -1, -1)  # the first row at the top
    for index, axes in enumerate(axes_grid.flat):
        if index >= len(columns):
            axes.set_visible(False)
            continue
        column = columns[index]
        for y, row in zip(positions, rows):
            cell = row["cells"].get(column)
            if cell is None:
                continue
            acc, low, high = cell["acc"], cell.get("low", math.nan), cell.get("high", math.nan)
            error = None if math.isnan(low) or math.isnan(high) else [[acc - low], [high - acc]]
            colour = ROW_COLOURS[row["kind"]]
            axes.errorbar([acc], [y], xerr=error, fmt="o", color=colour, markersize=4, capsize=2, linewidth=1)
            right = acc if error is None else high
            axes.annotate(f"{acc:.0f}", (right, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=6)
        axes.axvline(table["chance"], color="black", linestyle="--", linewidth=0.8)
        prior_cell = prior["cells"].get(column) if prior is not None else None
        if prior_cell is not None:
            axes.axvline(prior_cell["acc"], color="grey", linestyle=":", linewidth=1)
        n = _questions(table, column)
        axes.set_title(column if n is None else f"{column} (n={n})", fontsize=9)
        axes.set_xlim(0, 105)
        axes.grid(axis="x", linewidth=0.3, alpha=0.5)
        axes.tick_params(labelsize=7)
        if index % per_line == 0:
            axes.set_yticks(list(positions), [row["label"] for row in rows])
            for label, row in zip(axes.get_yticklabels(), rows):
                label.set_color("dimgrey" if row["kind"] == "reference" else "black")
        if index + per_line >= len(columns):  # the lowest panel of its column
            axes.set_xlabel("accuracy (%)", fontsize=8)
    kinds = [kind for kind in ROW_COLOURS if any(row["kind"] == kind for row in rows)]
    handles = [Line2D([], [], color=ROW_COLOURS[kind], marker="o", label=ROW_KIND_NAMES[kind]) for kind in kinds]
    handles.append(Line2D([], [], color="black", linestyle="--", label=f"chance ({table['chance']:g}%)"))
    if prior is not None:
        handles.append(Line2D([], [], color="grey", linestyle=":", label="text-only prior"))
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8, frameon=False)
    figure.suptitle(title or "Accuracy per row with 95% bootstrap intervals", fontsize=10)
    path = Path(path)
    with atomic_file(path) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
    return path


__all__ = ["plot_rows"]
