"""Eval folders written without a model have the runner's layout, and read back the same."""

import json

import pytest

from actionart_hf.evaluation import evaluate_model
from actionart_hf.evaluation.predictions import read_predictions, write_predictions_folder


def test_a_folder_written_without_a_model_matches_the_runners(tiny_benchmark, tmp_path, scripted):
    run = tmp_path / "run"
    evaluate_model(scripted.Backend(), str(tiny_benchmark), output_dir=run, num_frames=2, progress=False, plot=False)
    records = read_predictions(run)
    rows = [{k: r[k] for k in ("id", "video_id", "task", "question", "options", "answer")} for r in records]
    copy = tmp_path / "copy"
    metrics = write_predictions_folder(copy, rows, [r["output"] for r in records], "copy", str(tiny_benchmark))
    assert read_predictions(copy) == records
    assert metrics == json.loads((run / "metrics.json").read_text())["metrics"]
    summary = json.loads((copy / "metrics.json").read_text())
    assert summary["metrics"] == metrics and summary["model"] == "copy" and summary["split"] == "test"


def test_read_predictions_refuses_missing_or_damaged_files(tmp_path):
    with pytest.raises(ValueError, match="has no predictions.jsonl"):
        read_predictions(tmp_path)
    (tmp_path / "predictions.jsonl").write_text('{"key": "q0", "rotation": 0}\nnot json\n')
    with pytest.raises(ValueError, match="predictions.jsonl:2 is not a prediction record"):
        read_predictions(tmp_path)
    (tmp_path / "predictions.jsonl").write_text('{"key": "q0#r1", "rotation": 1}\n')
    with pytest.raises(ValueError, match="holds no prediction"):
        read_predictions(tmp_path)
    with pytest.raises(ValueError, match="2 rows but 1 outputs"):
        write_predictions_folder(tmp_path / "out", [{}, {}], ["A"], "m", "d")
