"""The metric's Space: `app.py` loads the metric from its own folder (any name), and per-question inputs batch."""

import importlib.util
import sys

import pytest


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    """The Space folder `push-metric --dry-run` writes, under a name that is not the metric's."""
    from actionart_hf.hub import push_metric

    folder = tmp_path_factory.mktemp("spaces") / "app"
    push_metric("me/actionart_accuracy", dry_run=True, dry_run_dir=folder)
    return folder


@pytest.fixture(scope="module")
def app(space):
    """`app.py` imported from the Space folder, with gradio unavailable (only `build_demo` needs it)."""
    saved = sys.modules.get("gradio")
    sys.modules["gradio"] = None  # `import gradio` raises ImportError, as where gradio is not installed
    try:
        spec = importlib.util.spec_from_file_location("space_app", space / "app.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("gradio")
        if saved is not None:
            sys.modules["gradio"] = saved


def test_app_scores_its_example_table(app):
    metric = app.load_metric()
    assert metric.name == "actionart_accuracy"
    scores = app.score_rows(metric, app.EXAMPLE)
    assert scores["accuracy"] == 0.5 and scores["AC"] == 1.0 and scores["answered_rate"] == 0.75
    assert (
        app.score_rows(metric, [["B", "B", "", ""], ["up", "A", "", "up | down"], ["", "", "", ""]])["accuracy"] == 0.5
    )
    with pytest.raises(ValueError, match="reference letter"):
        app.score_rows(metric, [["B", "", "AC", ""]])
    with pytest.raises(ImportError):
        app.build_demo(metric)


def test_tasks_and_options_go_through_add_batch(app):
    metric = app.load_metric()
    predictions = ["The answer is (B).", "A", "3 times", "C"]
    references = ["B", "C", "B", "C"]
    tasks = ["AC", "AR", "AC", "LS"]
    options = [["2 times", "3 times"], ["up", "down", "left"], ["2 times", "3 times", "4 times"], ["a", "b", "c"]]
    whole = metric.compute(predictions=predictions, references=references, tasks=tasks, options=options)
    for start in (0, 2):
        window = slice(start, start + 2)
        metric.add_batch(
            predictions=predictions[window],
            references=references[window],
            tasks=tasks[window],
            options=options[window],
        )
    assert metric.compute() == whole and whole["AC"] == 1.0 and whole["accuracy"] == 0.75
    for prediction, reference, task, option in zip(predictions, references, tasks, options):
        metric.add(prediction=prediction, reference=reference, tasks=task, options=option)
    assert metric.compute() == whole
    for prediction, reference in zip(predictions, references):  # tasks and options left out
        metric.add(prediction=prediction, reference=reference)
    assert metric.compute()["num_questions"] == 4 and "AC" not in metric.compute(predictions=["A"], references=["A"])
    with pytest.raises(ValueError, match="Bad inputs"):
        metric.add(prediction="B", reference="B", task="GS")
