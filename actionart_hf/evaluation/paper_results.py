"""The published ActionArt results (Table 1 of the paper), the one place these numbers live.

Accuracies are in percent, as printed in the paper. "Avg." is the question-weighted average over all 2,678
questions (the metric's `accuracy`), not the mean of the eight columns. Models marked with 16 frames were
evaluated on 16 frames per video; all others on 64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..tasks import TASK_CODES
from ..video import DEFAULT_NUM_FRAMES


TABLE1_COLUMNS: tuple[str, ...] = (*TASK_CODES, "Avg.")


@dataclass(frozen=True)
class PublishedResult:
    """One row of the paper's Table 1.

    Args:
        model (`str`): model name as printed.
        scores (`dict[str, float]`): accuracy in percent for each column of `TABLE1_COLUMNS`.
        num_frames (`int` or `None`): frames per video (None for the human baseline).
        note (`str`): footnote, e.g. the human baseline's sample.
    """

    model: str
    scores: dict[str, float] = field(hash=False)
    num_frames: int | None = DEFAULT_NUM_FRAMES
    note: str = ""


def _row(model: str, values: str, num_frames: int | None = DEFAULT_NUM_FRAMES, note: str = "") -> PublishedResult:
    numbers = [float(v) for v in values.split()]
    if len(numbers) != len(TABLE1_COLUMNS):
        raise RuntimeError(f"Table 1 row {model!r} has {len(numbers)} values, expected {len(TABLE1_COLUMNS)}.")
    return PublishedResult(model, dict(zip(TABLE1_COLUMNS, numbers)), num_frames, note)


# Columns: AC AR AS GS HOI LS MV TL Avg.
PAPER_TABLE1: tuple[PublishedResult, ...] = (
    _row("Human (10%)", "71.7 93.5 78.8 94.8 92.5 93.3 80.0 79.4 87.4", None, "10% of each task, 5 volunteers"),
    _row("GPT-4o", "32.5 71.4 51.1 68.3 66.3 56.3 47.1 30.4 54.7", 16),
    _row("Gemini", "27.8 62.1 50.5 74.8 65.2 49.0 48.5 36.5 53.9", 16),
    _row("InternVL-2.5-78B", "54.0 61.4 55.2 82.9 73.0 60.8 48.2 53.5 62.2"),
    _row("Qwen2.5-VL-72B", "50.8 64.3 49.5 81.2 74.2 61.0 47.7 38.6 59.5"),
    _row("Oryx-7B", "39.7 64.3 52.4 78.6 75.3 58.8 44.6 33.1 57.3"),
    _row("Llava-ov-7B", "42.9 71.1 56.4 84.0 75.3 65.2 55.4 29.2 62.2"),
    _row("Llava-video-qwen2-7B", "42.9 69.8 58.6 84.5 78.7 68.8 46.8 37.7 63.2"),
    _row("InternVL-2.5-8B", "42.9 54.0 50.5 81.4 68.5 60.8 48.8 51.4 59.6"),
    _row("Qwen2.5-VL-7B", "41.3 59.8 44.8 78.6 70.8 55.3 44.9 30.4 54.7"),
    _row("PLLAVA-7B", "24.6 53.7 43.3 53.8 70.8 45.3 27.7 36.2 44.1", 16),
    _row("Long-VITA", "46.8 56.9 50.2 77.9 67.4 55.3 45.4 40.1 56.3"),
    _row("Cambrian-8B", "21.4 44.7 40.1 72.4 57.3 47.5 37.4 15.5 45.2"),
    _row("ActionArt (paper)", "45.2 82.6 61.8 85.5 83.1 75.7 59.6 42.5 69.4", 64, "the paper's model, 'Ours'"),
)

PAPER_NUM_QUESTIONS = 2678


def paper_row(model: str) -> PublishedResult:
    """The published row of `model` (case-insensitive).

    Raises:
        ValueError: listing the models of Table 1.
    """
    for row in PAPER_TABLE1:
        if row.model.lower() == model.lower():
            return row
    raise ValueError(f"No Table 1 row for {model!r}; rows: {', '.join(r.model for r in PAPER_TABLE1)}.")


__all__ = ["PAPER_NUM_QUESTIONS", "PAPER_TABLE1", "TABLE1_COLUMNS", "PublishedResult", "paper_row"]
