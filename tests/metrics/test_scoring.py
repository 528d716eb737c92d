"""The scoring code shared by the `evaluate` metric and the eval runner: hand-computed scores and clear errors."""

import re
from pathlib import Path

import pytest

from actionart_hf.metrics.actionart_accuracy import scoring
from actionart_hf.metrics.actionart_accuracy.scoring import score


METRIC_DIR = Path(scoring.__file__).parent


def test_hand_computed_micro_macro_and_per_task():
    # AC: 2 of 3 right; LS: 1 of 1; MV: 0 of 2 (one unanswered); TL: 1 of 2 (answer given as option text).
    predictions = ["B", "The answer is C.", "A", "(D)", "none of them", "C", "forward", "left"]
    references = ["B", "C", "B", "D", "A", "B", "C", "B"]
    tasks = ["AC", "Action Count", "count", "LS", "MD", "moving direction", "TL", "TL"]
    options = [["1", "2", "3", "4"]] * 4 + [["left", "right", "forward", "backward"]] * 4
    result = score(predictions, references, tasks=tasks, options=options)
    assert result["num_questions"] == 8
    assert result["accuracy"] == pytest.approx(4 / 8)
    assert result["AC"] == pytest.approx(2 / 3)
    assert result["LS"] == 1.0
    assert result["MV"] == 0.0
    assert result["TL"] == pytest.approx(1 / 2)
    assert result["macro_accuracy"] == pytest.approx((2 / 3 + 1 + 0 + 1 / 2) / 4)
    assert result["answered_rate"] == pytest.approx(7 / 8)
    assert {k: result[f"num_questions_{k}"] for k in ("AC", "LS", "MV", "TL")} == {"AC": 3, "LS": 1, "MV": 2, "TL": 2}
    assert "AR" not in result and "num_questions_AR" not in result


def test_without_tasks_macro_equals_micro_and_no_task_keys():
    result = score(["A", "B", "x"], ["A", "A", "C"])
    assert result == {"accuracy": 1 / 3, "macro_accuracy": 1 / 3, "answered_rate": 2 / 3, "num_questions": 3}


def test_letters_outside_options_are_unanswered():
    result = score(["C"], ["A"], options=[["yes", "no"]])
    assert result["answered_rate"] == 0.0


def test_lowercase_and_parenthesised_references_are_letters():
    assert score(["B", "C"], ["b", "(C)"])["accuracy"] == 1.0


def test_circular_groups_need_every_rotation_right():
    predictions = ["A", "B", "C", "A", "A", "B"]
    references = ["A", "B", "C", "A", "B", "B"]
    groups = ["q1", "q1", "q1", "q2", "q2", "q3"]
    tasks = ["AC", "AC", "AC", "LS", "LS", "LS"]
    result = score(predictions, references, tasks=tasks, groups=groups)
    assert result["num_questions"] == 3
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["AC"] == 1.0 and result["LS"] == 0.5
    with pytest.raises(ValueError, match="mixes tasks"):
        score(["A", "A"], ["A", "A"], tasks=["AC", "LS"], groups=["q", "q"])


def test_bootstrap_intervals_are_deterministic_and_bracket_the_estimate():
    predictions = ["A"] * 40
    references = ["A"] * 10 + ["A", "B", "A"] * 10
    tasks = ["AC"] * 10 + ["AR", "AS", "AS"] * 10
    first = score(predictions, references, tasks=tasks, bootstrap_samples=200, seed=3)
    assert first == score(predictions, references, tasks=tasks, bootstrap_samples=200, seed=3)
    for key in ("accuracy", "macro_accuracy", "AC", "AS"):
        low, high = first[f"{key}_ci_low"], first[f"{key}_ci_high"]
        assert 0.0 <= low <= first[key] <= high <= 1.0
    assert first["accuracy_ci_low"] < first["accuracy"] < first["accuracy_ci_high"]
    # Sub-tasks are resampled within themselves: a task that is always right stays at 1.
    assert first["AC_ci_low"] == first["AC_ci_high"] == 1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"predictions": ["A", "B"], "references": ["A"]}, "predictions has 2 entries but references has 1"),
        ({"predictions": [], "references": []}, "No predictions to score"),
        ({"predictions": ["A"], "references": ["A"], "tasks": ["XYZ"]}, "Unknown ActionArt task 'XYZ'"),
        ({"predictions": ["A"], "references": ["A"], "tasks": ["AC", "AC"]}, "tasks has 2 entries"),
        ({"predictions": ["A"], "references": ["1"]}, r"references\[0\]='1' is not an option letter"),
        ({"predictions": ["A"], "references": ["3 times"]}, "is not an option letter"),
        ({"predictions": ["A"], "references": [None]}, "is not an option letter"),
        ({"predictions": ["A"], "references": ["G"]}, "is not an option letter"),
        ({"predictions": ["A"], "references": ["C"], "options": [["x", "y"]]}, "outside the question's 2 options"),
        ({"predictions": ["A"], "references": ["A"], "options": [["x", "y"], ["x", "y"]]}, "options has 2 entries"),
        ({"predictions": ["A"], "references": ["A"], "bootstrap_samples": -1}, "bootstrap_samples=-1"),
        ({"predictions": ["A"], "references": ["A"], "confidence": 1.5}, "confidence=1.5"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        score(**kwargs)


def test_task_table_matches_the_package():
    """The metric repeats the task spellings (it must load without the package); they must not drift."""
    from actionart_hf import tasks

    assert scoring.TASK_CODES == tasks.TASK_CODES
    assert scoring.OPTION_LETTERS == tasks.OPTION_LETTERS
    for task in tasks.TASKS.values():
        for spelling in (task.code, task.name, *task.aliases, f"{task.name} ({task.code})", task.code.lower()):
            assert scoring.normalize_task(spelling) == tasks.normalize_task(spelling) == task.code
    for code, spellings in scoring.TASK_SPELLINGS.items():
        for spelling in spellings:
            assert tasks.normalize_task(spelling) == code


def test_metric_citation_matches_the_package():
    from actionart_hf.data.dataset_card import ACTIONART_CITATION

    source = (METRIC_DIR / "actionart_accuracy.py").read_text()
    citation = re.search(r'_CITATION = """\\\n(.*?)"""', source, flags=re.S).group(1)
    assert citation == ACTIONART_CITATION
    assert ACTIONART_CITATION in (METRIC_DIR / "README.md").read_text()


def test_metric_imports_only_what_evaluate_can_ship():
    """`evaluate.load` copies the module plus its relative imports; anything from actionart_hf would break it."""
    for name in ("actionart_accuracy.py", "scoring.py"):
        source = (METRIC_DIR / name).read_text()
        assert "actionart_hf" not in re.findall(r"^(?:from|import)\s+(\S+)", source, flags=re.M)
        assert not [m for m in re.findall(r"^from\s+(\S+)", source, flags=re.M) if m.startswith("..")]


def test_metric_card_front_matter_and_sections():
    import yaml

    text = (METRIC_DIR / "README.md").read_text()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == "ActionArt Accuracy" and {"evaluate", "metric"} <= set(meta["tags"])
    assert meta["app_file"] == "app.py" and (METRIC_DIR / "app.py").exists()
    headings = re.findall(r"^##+ (.+)$", body, flags=re.M)
    for section in ("Metric Description", "How to Use", "Inputs", "Output Values", "Limitations and Bias", "Citation"):
        assert section in headings, section
