"""`evaluate.load(<path>/actionart_accuracy)` in a fresh process: hand-computed scores, doctests, errors.

One subprocess runs every check (importing `evaluate` takes seconds) and prints a JSON report that the tests read.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


METRIC_DIR = Path(__file__).resolve().parents[2] / "actionart_hf" / "metrics" / "actionart_accuracy"

SCRIPT = textwrap.dedent(
    """
    import doctest, json, sys

    class _NoPackage:  # the metric must work where actionart-hf is not installed
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.split(".")[0] == "actionart_hf":
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, _NoPackage)
    import evaluate

    path = sys.argv[1]
    report = {}
    metric = evaluate.load(path)
    report["name"] = metric.name
    report["module_file"] = type(metric).__module__
    report["citation"] = metric.citation
    report["hand"] = metric.compute(
        predictions=["B", "Answer: (C)", "I think it is A or B", "3 times", "The answer is D.", ""],
        references=["B", "C", "A", "B", "A", "C"],
        tasks=["AC", "Moving Direction", "MD", "AC", "TL", "TL"],
        options=[["2 times", "3 times", "4 times"]] * 4 + [["a", "b", "c", "d"]] * 2,
    )
    for prediction, reference in zip(["B", "x", "(A)"], ["B", "A", "A"]):
        metric.add_batch(predictions=[prediction], references=[reference])
    report["batched"] = metric.compute()
    report["bootstrap"] = metric.compute(
        predictions=["A", "B"] * 10, references=["A"] * 20, bootstrap_samples=50, seed=1
    )

    errors = {}
    cases = {
        "length": dict(predictions=["A", "B"], references=["A"]),
        "task": dict(predictions=["A"], references=["A"], tasks=["XX"]),
        "reference": dict(predictions=["A"], references=["3 times"]),
        "empty": dict(predictions=[], references=[]),
    }
    for name, kwargs in cases.items():
        try:
            metric.compute(**kwargs)
            errors[name] = None
        except Exception as error:
            errors[name] = f"{type(error).__name__}: {error}"
    report["errors"] = errors

    # The doctest examples of _KWARGS_DESCRIPTION, with evaluate.load pointed at this folder.
    module = sys.modules[type(metric).__module__]

    class _Evaluate:
        @staticmethod
        def load(name, **kwargs):
            return evaluate.load(path, **kwargs)

    test = doctest.DocTestParser().get_doctest(module._KWARGS_DESCRIPTION, {"evaluate": _Evaluate}, "kwargs", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda text: report.setdefault("doctest_output", []).append(text))
    report["doctest"] = [runner.failures, runner.tries]
    print("REPORT" + json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    env = dict(os.environ)
    env.update(
        HF_MODULES_CACHE=str(tmp_path_factory.mktemp("modules")),
        HF_EVALUATE_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        PYTHONPATH="",  # the metric must not need the package
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(METRIC_DIR)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path_factory.mktemp("cwd"),  # no actionart_hf on the path from the working directory
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT"))
    return json.loads(line[len("REPORT") :])


def test_loads_by_path_from_the_evaluate_cache(report):
    assert report["name"] == "actionart_accuracy"
    assert report["module_file"].startswith("evaluate_modules.")
    assert "ActionArt" in report["citation"]


def test_scores_raw_outputs_like_a_hand_computation(report):
    # AC: "B" right, "3 times" = B right -> 2/2; MV: "Answer: (C)" right, "A or B" unanswered -> 1/2;
    # TL: "The answer is D." wrong, "" unanswered -> 0/2. Micro 3/6, macro (1 + 0.5 + 0) / 3.
    hand = report["hand"]
    assert hand["accuracy"] == pytest.approx(3 / 6)
    assert hand["macro_accuracy"] == pytest.approx(1.5 / 3)
    assert (hand["AC"], hand["MV"], hand["TL"]) == (1.0, 0.5, 0.0)
    assert hand["answered_rate"] == pytest.approx(4 / 6)
    assert hand["num_questions"] == 6 and hand["num_questions_MV"] == 2


def test_add_batch_and_bootstrap(report):
    assert report["batched"]["accuracy"] == pytest.approx(2 / 3)
    boot = report["bootstrap"]
    assert boot["accuracy"] == 0.5
    assert 0.0 <= boot["accuracy_ci_low"] < 0.5 < boot["accuracy_ci_high"] <= 1.0


def test_doctest_examples_pass(report):
    failures, tries = report["doctest"]
    assert tries >= 4 and failures == 0, "".join(report.get("doctest_output", []))


def test_bad_input_errors(report):
    errors = report["errors"]
    assert errors["length"] and "ValueError" in errors["length"]
    assert "Unknown ActionArt task 'XX'" in errors["task"]
    assert "is not an option letter" in errors["reference"]
    assert "No predictions to score" in errors["empty"]
