"""Table 1 data and rendering, model-index entries, circular rotations, the prediction store, the CLI parser."""

import json

import pytest

from actionart_hf.evaluation.circular import rotate_options, rotations
from actionart_hf.evaluation.cli import backend_kwargs_from_args, default_output_dir, make_parser
from actionart_hf.evaluation.paper_results import (
    INFERRED_TASK_QUESTIONS,
    PAPER_NUM_QUESTIONS,
    PAPER_TABLE1,
    PAPER_TABLE2,
    TABLE1_COLUMNS,
    macro_average,
    metrics_from_task_accuracies,
    paper_row,
    weighted_average,
)
from actionart_hf.evaluation.predictions import PredictionStore, prediction_key
from actionart_hf.evaluation.report import model_index_results, table1_markdown, table1_row
from actionart_hf.tasks import TASK_CODES


def test_paper_table1_as_published():
    assert TABLE1_COLUMNS == ("AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL", "Avg.")
    assert len(PAPER_TABLE1) == 14
    assert paper_row("ActionArt (paper)").scores == dict(
        zip(TABLE1_COLUMNS, [45.2, 82.6, 61.8, 85.5, 83.1, 75.7, 59.6, 42.5, 69.4])
    )
    assert paper_row("human (10%)").scores["Avg."] == 87.4 and paper_row("Human (10%)").num_frames is None
    assert paper_row("GPT-4o").num_frames == 16 and paper_row("Qwen2.5-VL-72B").scores["Avg."] == 59.5
    for row in PAPER_TABLE1:
        assert all(0 < v < 100 for v in row.scores.values())
        # "Avg." is question-weighted, so it lies within the range of the task columns.
        tasks = [row.scores[c] for c in TABLE1_COLUMNS[:-1]]
        assert min(tasks) <= row.scores["Avg."] <= max(tasks)
    with pytest.raises(ValueError, match="No Table 1 row for 'GPT-5'"):
        paper_row("GPT-5")


def test_inferred_question_counts_reproduce_every_average_of_tables_1_and_2():
    assert tuple(INFERRED_TASK_QUESTIONS) == TASK_CODES
    assert sum(INFERRED_TASK_QUESTIONS.values()) == PAPER_NUM_QUESTIONS
    assert len(PAPER_TABLE2) == 11 and [r.scores["Avg."] for r in PAPER_TABLE2][::5] == [55.8, 61.1, 69.4]
    macro_misses = []
    for row in PAPER_TABLE1 + PAPER_TABLE2:
        tasks = {code: row.scores[code] for code in TASK_CODES}
        assert abs(weighted_average(tasks) - row.scores["Avg."]) < 0.1, row.model  # micro: the paper's "Avg."
        macro_misses.append(abs(macro_average(tasks) - row.scores["Avg."]))
    assert max(macro_misses) > 3  # the plain mean of the columns is not how the paper averages


def test_table1_row_for_any_model_with_both_averages():
    metrics = metrics_from_task_accuracies({"AC": 0.5, "GS": 1.0})
    assert metrics["macro_accuracy"] == 0.75 and metrics["accuracy"] == pytest.approx((126 * 0.5 + 543) / 669)
    assert weighted_average({"AC": None, "GS": 0.8}) == 0.8 and macro_average({}) is None
    table = table1_markdown([("m", metrics)], paper_rows=[paper_row("ActionArt (paper)")], averages=True)
    header, _, paper, ours = table.splitlines()
    assert header.endswith("| TL | Avg. | Macro | Avg. (paper weights) |")
    published = "45.2 | 82.6 | 61.8 | 85.5 | 83.1 | 75.7 | 59.6 | 42.5 | 69.4 | 67.0 | 69.4"  # Avg., Macro, weighted
    assert paper == f"| ActionArt (paper) | {published} |"
    assert ours == "| **m** | **50.0** | – | – | **100.0** | – | – | – | – | **90.6** | **75.0** | **90.6** |"
    with pytest.raises(ValueError, match=r"Unknown task code\(s\) \['XX'\]"):
        metrics_from_task_accuracies({"XX": 0.5})


def test_table_rows_in_paper_order_and_percent():
    metrics = {"accuracy": 0.5, "AC": 0.25, "LS": 1.0, "TL": 0.123}
    assert table1_row("m", metrics) == "| m | 25.0 | – | – | – | – | 100.0 | – | 12.3 | 50.0 |"
    table = table1_markdown([("m", metrics)], include_paper=False).splitlines()
    assert table == ["| Model | AC | AR | AS | GS | HOI | LS | MV | TL | Avg. |", "|---|" + "---:|" * 9, table[2]]
    with_paper = table1_markdown([("m", metrics)]).splitlines()
    assert "| GPT-4o (16 frames) | 32.5 |" in with_paper[3] and with_paper[-1].startswith("| **m** | **25.0** | – |")


def test_model_index_entries():
    from huggingface_hub import ModelCardData
    from huggingface_hub.repocard_data import eval_results_to_model_index

    metrics = {"accuracy": 0.6789, "AC": 0.5, "MV": 0.75}
    results = model_index_results(metrics, "org/ActionArt", circular_metrics={"accuracy": 0.4}, num_frames=64)
    assert [(r.metric_config, r.metric_value) for r in results] == [
        (None, 67.9),
        ("AC", 50.0),
        ("MV", 75.0),
        ("circular", 40.0),
    ]
    assert {(r.dataset_type, r.dataset_config, r.dataset_split, r.task_type) for r in results} == {
        ("org/ActionArt", "qa", "test", "video-text-to-text")
    }
    assert results[1].metric_name == "AC (Action Count) accuracy"
    index = eval_results_to_model_index("my-model", results)
    assert len(index) == 1 and len(index[0]["results"][0]["metrics"]) == 4
    assert index[0]["results"][0]["dataset"]["args"] == {"num_frames": 64}
    card = ModelCardData(model_name="my-model", eval_results=results).to_dict()
    assert card["model-index"] == index


def test_rotations():
    assert rotate_options(["a", "b", "c"], "C", 0) == (["a", "b", "c"], "C")
    assert rotate_options(["a", "b", "c"], "C", 1) == (["b", "c", "a"], "B")
    assert rotate_options(["a", "b", "c"], "A", 2) == (["c", "a", "b"], "B")
    assert list(rotations(4, True)) == [0, 1, 2, 3] and list(rotations(4, False)) == [0]
    with pytest.raises(ValueError, match="shift=3 must be in 0..2"):
        rotate_options(["a", "b", "c"], "A", 3)
    with pytest.raises(ValueError, match="outside the 2 options"):
        rotate_options(["a", "b"], "D", 0)
    assert prediction_key("q1") == "q1" and prediction_key("q1", 2) == "q1#r2"


def test_prediction_store_repairs_a_cut_line_and_refuses_damage(tmp_path):
    path = tmp_path / "p.jsonl"
    store = PredictionStore(path)
    store.append([{"key": "a", "v": 1}, {"key": "b", "v": 2}])
    with open(path, "a") as handle:
        handle.write('{"key": "c", "v"')
    again = PredictionStore(path)
    assert len(again) == 2 and "c" not in again and again.get("b") == {"key": "b", "v": 2}
    assert path.read_text().endswith('"v": 2}\n')
    path.write_text('{"key": "a"}\nnot json\n{"key": "b"}\n')
    with pytest.raises(ValueError, match=r"p.jsonl:2 is not a prediction record"):
        PredictionStore(path)
    memory = PredictionStore()
    memory.append([{"key": "x"}])
    assert "x" in memory and not list(tmp_path.glob("*.tmp"))


def test_cli_arguments():
    parser = make_parser()
    args = parser.parse_args(["--model", "m", "--dataset", "d"])
    assert (args.config, args.split, args.num_frames, args.batch_size, args.bootstrap) == ("qa", "test", 64, 1, 1000)
    assert backend_kwargs_from_args(args, "transformers") == {"max_new_tokens": 16}
    args = parser.parse_args(
        ["--model", "m", "--dataset", "d", "--backend", "openai", "--base-url", "http://x/v1", "--concurrency", "8"]
    )
    assert backend_kwargs_from_args(args, "openai") == {
        "max_new_tokens": 16,
        "base_url": "http://x/v1",
        "api_key_env": "OPENAI_API_KEY",
        "concurrency": 8,
        "image_format": "jpeg",
    }
    args = parser.parse_args(["--model", "m", "--dataset", "d", "--trust-remote-code", "--dtype", "bfloat16"])
    assert backend_kwargs_from_args(args, "actionart") == {
        "max_new_tokens": 16,
        "dtype": "bfloat16",
        "trust_remote_code": True,
    }
    assert str(default_output_dir("org/model-7b/", "qa", "test")) == "outputs/eval/model-7b-qa-test"
    with pytest.raises(SystemExit):
        parser.parse_args(["--model", "m", "--dataset", "d", "--backend", "vllm"])
    json.dumps(vars(args))  # everything on the command line is recordable


def test_plots_leave_the_matplotlib_backend_alone(tmp_path):
    """Library plots draw on a bare `Figure`: a notebook's backend is not switched and pyplot is not imported."""
    import subprocess
    import sys

    code = f"""
import sys, matplotlib
matplotlib.use("svg")
from actionart_hf.evaluation.report import plot_per_task
from actionart_hf.merge.sweep import sweep_plot
plot_per_task({str(tmp_path / "tasks.png")!r}, [("m", {{"accuracy": 0.5, "LS": 0.5}})], "m on X (qa/test)")
sweep_plot([0.0, 1.0], [{{"accuracy": 0.2}}, {{"accuracy": 0.4}}], 1.0, {str(tmp_path / "sweep.png")!r})
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["svg", "False"]
    assert (tmp_path / "tasks.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "sweep.png").stat().st_size > 0
