"""The metric's Hub Space (`sdk: gradio` in README.md): a table of model outputs in, the ActionArt scores out.

The Space runs `python app.py` in its own folder, whatever that folder is named, so the metric is loaded from the
script beside this file. To run it locally: `pip install "actionart-hf[space]"`, write the Space folder with
`actionart-hf push-metric --dry-run`, then `python app.py` in it.
"""

import json
from pathlib import Path

import evaluate


HERE = Path(__file__).resolve().parent
COLUMNS = ("predictions", "references", "tasks", "options")
EXAMPLE = [
    ["The answer is (B).", "B", "AC", '["2 times", "3 times"]'],
    ["A", "C", "AR", '["up", "down", "left"]'],
    ["I think it is C or D.", "D", "LS", '["a", "b", "c", "d"]'],
    ["3 times", "B", "AC", '["2 times", "3 times", "4 times"]'],
]


def load_metric() -> evaluate.EvaluationModule:
    """The metric from `actionart_accuracy.py` beside this file (with its helper `scoring.py`)."""
    return evaluate.load(str(HERE / "actionart_accuracy.py"))


def _options(cell) -> list[str]:
    """A table cell of options: a JSON list (`["up", "down"]`) or text separated by `|` (`up | down`)."""
    text = str(cell or "").strip()
    if text.startswith("["):
        return [str(option) for option in json.loads(text)]
    return [option.strip() for option in text.split("|") if option.strip()]


def score_rows(metric: evaluate.EvaluationModule, rows: list[list]) -> dict:
    """Scores the rows of the Space's table: `[prediction, reference, task, options]`, the last two may be empty.

    Rows without a reference are skipped; tasks and options are used when every row has them.
    """
    rows = [list(row) + [""] * (len(COLUMNS) - len(row)) for row in rows if len(row) > 1 and str(row[1]).strip()]
    if not rows:
        raise ValueError("The table has no row with a reference letter; fill at least `predictions` and `references`.")
    tasks = [str(row[2] or "").strip() for row in rows]
    options = [_options(row[3]) for row in rows]
    return metric.compute(
        predictions=[str(row[0] or "") for row in rows],
        references=[str(row[1]).strip() for row in rows],
        tasks=tasks if all(tasks) else None,
        options=options if all(options) else None,
    )


def build_demo(metric: evaluate.EvaluationModule):
    """The Gradio interface (gradio is needed here only)."""
    try:
        import gradio as gr
    except ImportError as error:
        raise ImportError('The Space app needs gradio: pip install "actionart-hf[space]" (or gradio).') from error

    return gr.Interface(
        fn=lambda rows: score_rows(metric, rows),
        inputs=gr.Dataframe(headers=list(COLUMNS), datatype=["str"] * len(COLUMNS), value=EXAMPLE, type="array"),
        outputs=gr.JSON(label="scores"),
        title="ActionArt Accuracy",
        description=(
            "One row per question: the model's raw output, the answer letter, the sub-task (AC AR AS GS HOI LS MV TL) "
            "and the options (a JSON list or `a | b | c`). Scores are fractions in [0, 1]; see the card for details."
        ),
    )


if __name__ == "__main__":
    build_demo(load_metric()).launch()
