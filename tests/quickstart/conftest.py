"""Eval folders with answers chosen by the test, in the layout `evaluate_model` writes."""

from pathlib import Path

import pytest

from actionart_hf.evaluation.predictions import write_predictions_folder


def eval_folder(folder: Path, answers: dict[str, tuple[str, bool]]) -> Path:
    """Writes an eval folder in which question `id` of sub-task `task` is answered right or wrong, as given."""
    rows = [
        {"id": qid, "task": task, "question": f"Question {qid}?", "options": ["w", "x", "y", "z"], "answer": "A"}
        for qid, (task, _) in answers.items()
    ]
    outputs = ["A" if right else "B" for _, right in answers.values()]
    write_predictions_folder(folder, rows, outputs, model_name=folder.name, dataset="synthetic", bootstrap_samples=0)
    return folder


@pytest.fixture
def write_eval(tmp_path):
    """`write_eval(name, {id: (task, right)})` → the path of a new eval folder under `tmp_path`."""
    return lambda name, answers: eval_folder(tmp_path / name, answers)


def answers_of(task: str, rights: list[bool], prefix: str = "") -> dict[str, tuple[str, bool]]:
    """`{f"{prefix}{task}-{i:03d}": (task, right)}` for the given rights."""
    return {f"{prefix}{task}-{i:03d}": (task, right) for i, right in enumerate(rights)}


@pytest.fixture
def answers():
    return answers_of
