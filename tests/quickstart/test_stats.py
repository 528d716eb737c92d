"""Paired bootstrap differences and accuracies with intervals, on eval folders with known answers."""

import json

import pytest

from actionart_hf.quickstart.stats import AVERAGE, accuracy_with_interval, paired_difference


def test_identical_models_differ_by_zero(write_eval, answers):
    given = {**answers("GS", [True, False] * 20), **answers("LS", [True] * 10 + [False] * 30)}
    a, b = write_eval("a", given), write_eval("b", given)
    diff = paired_difference(a, b)
    assert set(diff) == {"GS", "LS", AVERAGE}
    for cell in diff.values():
        assert cell["diff"] == cell["low"] == cell["high"] == 0.0
    assert diff["GS"]["n"] == 40 and diff[AVERAGE]["n"] == 80


def test_known_difference_and_pairing(write_eval, answers):
    # b is right wherever a is, and on 10 more of 100 questions: +10 points, with a paired interval near
    # 10 ± 1.96 * sqrt(0.1 * 0.9 / 100) * 100 ≈ [4, 16], although the two accuracies' own intervals overlap.
    a = write_eval("a", answers("GS", [True] * 50 + [False] * 50))
    b = write_eval("b", answers("GS", [True] * 60 + [False] * 40))
    diff = paired_difference(a, b, tasks=("GS",))
    assert diff["GS"]["diff"] == pytest.approx(10.0)
    assert 2.0 < diff["GS"]["low"] < 6.5 and 13.5 < diff["GS"]["high"] < 18.0
    assert diff[AVERAGE] == diff["GS"]
    cell_a, cell_b = accuracy_with_interval(a, ("GS",))["GS"], accuracy_with_interval(b, ("GS",))["GS"]
    assert cell_b["low"] < cell_a["high"]
    reverse = paired_difference(b, a, tasks=("GS",))
    assert reverse["GS"]["diff"] == pytest.approx(-10.0)
    assert reverse["GS"]["low"] == pytest.approx(-diff["GS"]["high"])


def test_micro_average_over_a_group(write_eval, answers):
    a = write_eval("a", {**answers("GS", [False] * 20), **answers("LS", [False] * 80), **answers("AC", [True] * 10)})
    b = write_eval("b", {**answers("GS", [True] * 20), **answers("LS", [False] * 80), **answers("AC", [False] * 10)})
    diff = paired_difference(a, b, tasks=["local spatial", "GS"])
    assert list(diff) == ["LS", "GS", AVERAGE]
    assert diff["GS"]["diff"] == 100.0 and diff["LS"]["diff"] == 0.0
    assert diff[AVERAGE] == {"diff": 20.0, "low": 20.0, "high": 20.0, "n": 100}  # strata keep their sizes


def test_accuracy_matches_the_metrics_and_the_difference(write_eval, answers):
    given = {**answers("GS", [True] * 30 + [False] * 10), **answers("AS", [True] * 5 + [False] * 15)}
    a = write_eval("a", given)
    b = write_eval("b", {qid: (task, not right) for qid, (task, right) in given.items()})
    metrics = json.loads((a / "metrics.json").read_text())["metrics"]
    cells_a, cells_b = accuracy_with_interval(a), accuracy_with_interval(b)
    assert cells_a["GS"]["acc"] == pytest.approx(100 * metrics["GS"])
    assert cells_a[AVERAGE]["acc"] == pytest.approx(100 * metrics["accuracy"])
    assert cells_a[AVERAGE]["n"] == metrics["num_questions"] == 60
    assert cells_a["GS"]["low"] <= cells_a["GS"]["acc"] <= cells_a["GS"]["high"]
    diff = paired_difference(a, b)
    for key in ("AS", "GS", AVERAGE):
        assert diff[key]["diff"] == pytest.approx(cells_b[key]["acc"] - cells_a[key]["acc"])
    assert accuracy_with_interval(a, seed=3) == accuracy_with_interval(a, seed=3)


def test_refuses_different_questions(write_eval, answers):
    a = write_eval("model-a", answers("GS", [True] * 5))
    b = write_eval("model-b", answers("GS", [True] * 5, prefix="other-"))
    with pytest.raises(ValueError, match="model-a.*model-b.*different questions"):
        paired_difference(a, b)
    c = write_eval("model-c", answers("LS", [True] * 5))
    c_as_gs = write_eval(
        "model-d", {qid.replace("LS", "GS"): ("LS", right) for qid, (_, right) in answers("LS", [True] * 5).items()}
    )
    with pytest.raises(ValueError, match="different sub-tasks"):
        paired_difference(a, c_as_gs)
    with pytest.raises(ValueError, match=r"no questions of the sub-tasks \['GS'\]"):
        accuracy_with_interval(c, tasks=("GS",))
    with pytest.raises(ValueError, match="one string"):
        accuracy_with_interval(a, tasks="GS")
    with pytest.raises(ValueError, match="samples=0"):
        accuracy_with_interval(a, samples=0)
    with pytest.raises(ValueError, match="has no predictions.jsonl"):
        accuracy_with_interval(a.parent / "missing")
