"""The eval runner end to end with a scripted backend: scores, files, circular evaluation, resumption, errors."""

import json

import pytest

from actionart_hf.evaluation import evaluate_model
from actionart_hf.evaluation.paper_results import PAPER_TABLE1


def _check_plain(metrics, scripted):
    for key, value in {**scripted.plain, **scripted.plain_tasks}.items():
        assert metrics[key] == pytest.approx(value), key


def test_scores_and_files(tiny_benchmark, tmp_path, scripted):
    backend = scripted.Backend()
    out = tmp_path / "run"
    result = evaluate_model(
        backend, str(tiny_benchmark), output_dir=out, num_frames=4, batch_size=3, bootstrap_samples=200, progress=False
    )
    _check_plain(result.metrics, scripted)
    assert result.circular_metrics is None
    assert result.num_asked == 10 and len(backend.asked) == 10
    assert {q.frames.shape[0] for q in backend.asked} == {4, 3}  # the 3-frame video keeps its 3 frames
    assert backend.asked[0].frames.dtype.name == "uint8" and backend.asked[0].messages[0]["content"][0] == {
        "type": "video"
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["run.json", "predictions.jsonl", "metrics.json", "table.md", "per_task.png", "model_index.json"]
    )

    lines = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [r["key"] for r in lines] == [f"q{i}" for i in range(10)]
    by_id = {r["id"]: r for r in lines}
    assert by_id["q8"]["prediction"] == "A" and by_id["q8"]["rule"] == "option_text"
    assert by_id["q7"]["prediction"] is None and by_id["q7"]["rule"] == "refusal" and not by_id["q7"]["correct"]
    assert by_id["q0"]["output"] == "The answer is (B)." and by_id["q0"]["task"] == "AC"

    summary = json.loads((out / "metrics.json").read_text())
    assert summary["metrics"] == result.metrics
    assert summary["extraction_rules"] == {"answer_phrase": 6, "letter": 2, "refusal": 1, "option_text": 1}
    assert summary["table1_row"] == result.row
    assert 0 <= summary["metrics"]["accuracy_ci_low"] <= 0.8 <= summary["metrics"]["accuracy_ci_high"] <= 1

    # Titled by the dataset; Table 1 column order, percent, the paper's rows first and ours last in bold.
    title, _, *table = (out / "table.md").read_text().splitlines()
    assert (
        title == "**scripted-model on Tiny ActionArt (qa/test)**, accuracy (%)"
        and summary["dataset_name"] == "Tiny ActionArt"
    )
    assert table[0] == "| Model | AC | AR | AS | GS | HOI | LS | MV | TL | Avg. |"
    assert len(table) == 2 + len(PAPER_TABLE1) + 1
    assert table[2].startswith("| Human (10%) | 71.7 |")
    assert result.row == "| scripted-model | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 50.0 | 0.0 | 80.0 |"
    assert table[-1].startswith("| **scripted-model** | **100.0** |") and "**80.0**" in table[-1]

    png = (out / "per_task.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000

    model_index = json.loads((out / "model_index.json").read_text())
    assert model_index == result.model_index
    entry = model_index[0]
    assert entry["name"] == "scripted-model"
    (result_entry,) = entry["results"]
    assert result_entry["dataset"]["type"] == "TinyActionArt" and result_entry["dataset"]["split"] == "test"
    metrics = {m.get("config", "avg"): m["value"] for m in result_entry["metrics"]}
    assert metrics == {
        "avg": 80.0,
        "AC": 100.0,
        "AR": 100.0,
        "AS": 100.0,
        "GS": 100.0,
        "HOI": 100.0,
        "LS": 100.0,
        "MV": 50.0,
        "TL": 0.0,
    }


def test_circular(tiny_benchmark, tmp_path, scripted):
    backend = scripted.Backend()
    result = evaluate_model(
        backend,
        str(tiny_benchmark),
        output_dir=tmp_path / "c",
        num_frames=2,
        circular=True,
        batch_size=4,
        bootstrap_samples=0,
        plot=False,
        progress=False,
    )
    total_rotations = sum(len(q[4]) for q in scripted.questions)
    assert len(backend.asked) == total_rotations == 33
    _check_plain(result.metrics, scripted)  # plain accuracy is that of the original order
    for key, value in scripted.circular.items():
        assert result.circular_metrics[key] == pytest.approx(value), key
    # Rotations of one question share the decoded video and carry the rotated answer.
    rotated = [q for q in backend.asked if q.key.startswith("q0")]
    assert [q.key for q in rotated] == ["q0", "q0#r1", "q0#r2", "q0#r3"]
    assert rotated[1].prompt.splitlines()[1:3] == ["A. 3", "B. 4"]
    assert "(circular)" in result.table.splitlines()[-1]
    records = [json.loads(line) for line in (tmp_path / "c" / "predictions.jsonl").read_text().splitlines()]
    assert {(r["key"], r["answer"]) for r in records if r["id"] == "q9"} == {("q9", "A"), ("q9#r1", "B")}


def test_resumes_after_a_crash_without_asking_again(tiny_benchmark, tmp_path, scripted):
    out = tmp_path / "resume"
    crashing = scripted.Backend(fail_after=5)
    with pytest.raises(RuntimeError, match="scripted crash"):
        evaluate_model(
            crashing,
            str(tiny_benchmark),
            output_dir=out,
            num_frames=2,
            batch_size=2,
            bootstrap_samples=0,
            progress=False,
        )
    assert len(crashing.asked) == 4
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 4
    assert not (out / "metrics.json").exists()

    # A kill can leave half a line: it is dropped, and that question asked again.
    with open(out / "predictions.jsonl", "a") as handle:
        handle.write('{"key": "q4", "id": "q4", "outp')
    second = scripted.Backend()
    result = evaluate_model(
        second, str(tiny_benchmark), output_dir=out, num_frames=2, batch_size=2, bootstrap_samples=0, progress=False
    )
    assert [q.key for q in second.asked] == ["q4", "q5", "q6", "q7", "q8", "q9"]
    assert result.num_asked == 6
    _check_plain(result.metrics, scripted)
    lines = (out / "predictions.jsonl").read_text().splitlines()
    assert len(lines) == 10 and all(json.loads(line) for line in lines)

    # Everything answered: nothing is asked, and the backend is not even needed.
    third = scripted.Backend(fail_after=0)
    again = evaluate_model(
        third, str(tiny_benchmark), output_dir=out, num_frames=2, batch_size=2, bootstrap_samples=0, progress=False
    )
    assert again.num_asked == 0 and again.metrics == result.metrics

    # Turning on circular evaluation later reuses the answers of the original order.
    fourth = scripted.Backend()
    evaluate_model(
        fourth,
        str(tiny_benchmark),
        output_dir=out,
        num_frames=2,
        circular=True,
        bootstrap_samples=0,
        plot=False,
        progress=False,
    )
    assert len(fourth.asked) == 33 - 10 and all("#r" in q.key for q in fourth.asked)


def test_resume_does_not_depend_on_the_working_directory(tiny_benchmark, tmp_path, scripted, monkeypatch):
    out = tmp_path / "cwd"
    common = dict(output_dir=out, num_frames=2, limit=2, bootstrap_samples=0, plot=False, progress=False)
    evaluate_model(scripted.Backend(), str(tiny_benchmark), **common)
    monkeypatch.chdir(tiny_benchmark.parent)
    again = evaluate_model(scripted.Backend(), tiny_benchmark.name, **common)
    assert again.num_asked == 0


def test_operational_backend_arguments_may_change_on_resume():
    from actionart_hf.evaluation.runner import _run_identity

    first = _run_identity("m", "openai", "org/ds", "qa", "test", 8, None, {"max_new_tokens": 8, "concurrency": 2})
    second = _run_identity("m", "openai", "org/ds", "qa", "test", 8, None, {"max_new_tokens": 8, "concurrency": 9})
    third = _run_identity("m", "openai", "org/ds", "qa", "test", 8, None, {"max_new_tokens": 32})
    assert first == second != third


def test_refuses_to_mix_runs(tiny_benchmark, tmp_path, scripted):
    out = tmp_path / "mix"
    evaluate_model(
        scripted.Backend(),
        str(tiny_benchmark),
        output_dir=out,
        num_frames=2,
        limit=3,
        bootstrap_samples=0,
        plot=False,
        progress=False,
    )
    with pytest.raises(ValueError, match=r"different run \(num_frames: 2 -> 4\).*--overwrite"):
        evaluate_model(
            scripted.Backend(),
            str(tiny_benchmark),
            output_dir=out,
            num_frames=4,
            limit=3,
            bootstrap_samples=0,
            progress=False,
        )
    backend = scripted.Backend()
    evaluate_model(
        backend,
        str(tiny_benchmark),
        output_dir=out,
        num_frames=4,
        limit=3,
        overwrite=True,
        bootstrap_samples=0,
        plot=False,
        progress=False,
    )
    assert len(backend.asked) == 3
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "predictions.jsonl").write_text("{}\n")
    with pytest.raises(ValueError, match="exists without run.json"):
        evaluate_model(scripted.Backend(), str(tiny_benchmark), output_dir=tmp_path / "foreign", progress=False)


def test_in_memory_dataset_without_output_dir(tiny_benchmark, scripted):
    from actionart_hf.data.loading import load_actionart

    dataset = load_actionart(tiny_benchmark, "qa", "test")
    result = evaluate_model(scripted.Backend(), dataset, num_frames=2, limit=4, bootstrap_samples=0, progress=False)
    assert result.output_dir is None and result.files == {}
    assert result.metrics["num_questions"] == 4 and result.metrics["accuracy"] == 1.0
    assert result.scores() == {"accuracy": 1.0, "AC": 1.0, "AR": 1.0, "AS": 1.0, "GS": 1.0}


def test_bad_input(tiny_benchmark, tmp_path, scripted):
    import datasets

    from actionart_hf.data.schemas import QA_FEATURES

    empty = datasets.Dataset.from_dict({name: [] for name in QA_FEATURES}, features=QA_FEATURES)
    with pytest.raises(ValueError, match="has no questions to evaluate"):
        evaluate_model(scripted.Backend(), empty, progress=False)
    with pytest.raises(ValueError, match="limit=0 must be >= 1"):
        evaluate_model(scripted.Backend(), str(tiny_benchmark), limit=0, progress=False)
    with pytest.raises(ValueError, match="lacks the columns"):
        evaluate_model(scripted.Backend(), datasets.Dataset.from_list([{"id": "x"}]), progress=False)
    with pytest.raises(ValueError, match="no config 'captions'"):
        evaluate_model(scripted.Backend(), str(tiny_benchmark), config="captions", progress=False)
    missing_video = datasets.Dataset.from_list(
        [
            {
                "id": "a",
                "video_id": "v",
                "video": str(tmp_path / "nope.mp4"),
                "task": 0,
                "question": "Q?",
                "options": ["x", "y"],
                "answer": "A",
            }
        ],
        features=QA_FEATURES,
    )
    with pytest.raises(ValueError, match="nope.mp4' does not exist"):
        evaluate_model(scripted.Backend(), missing_video, progress=False)
    with pytest.raises(ValueError, match="leave `backend` and `backend_kwargs` unset"):
        evaluate_model(scripted.Backend(), str(tiny_benchmark), backend="openai", progress=False)
    with pytest.raises(ValueError, match="Unknown eval backend 'nope'"):
        evaluate_model("some/model", str(tiny_benchmark), backend="nope", progress=False)


def test_queries_carry_frame_positions_for_the_processors(tiny_benchmark, scripted):
    from types import SimpleNamespace

    from actionart_hf.evaluation.backends.transformers_backend import TransformersBackend

    backend = scripted.Backend()
    evaluate_model(backend, str(tiny_benchmark), num_frames=4, limit=1, bootstrap_samples=0, progress=False)
    (query,) = backend.asked
    assert query.indices.tolist() == [0, 2, 5, 7] and query.total_frames == 8 and query.fps == 8.0
    assert query.timestamps_s.tolist() == [0.0, 0.25, 0.625, 0.875]

    # The transformers backend turns them into `video_metadata` (sampled fps = 4 / 8 * 8 = 4 frames a second).
    fake = SimpleNamespace(
        processor=SimpleNamespace(video_processor=SimpleNamespace(do_sample_frames=True)), pass_video_metadata=True
    )
    kwargs = TransformersBackend._video_kwargs(fake, [query])
    assert kwargs["do_sample_frames"] is False
    (metadata,) = kwargs["video_metadata"]
    assert metadata.frames_indices == [0, 2, 5, 7] and metadata.sampled_fps == 4.0


def test_generated_data_is_titled_by_its_name_without_the_papers_rows(tiny_benchmark, tmp_path, scripted):
    """On the synthetic benchmark (card tag `synthetic`) the table and plot are titled by it and the paper's
    real-benchmark rows, which do not compare, are left out."""
    import shutil

    from huggingface_hub import DatasetCard

    synthetic = tmp_path / "synthetic"
    shutil.copytree(tiny_benchmark, synthetic)
    card = DatasetCard.load(synthetic / "README.md")
    card.data.pretty_name, card.data.tags = "ActionArt-Synthetic", [*card.data.tags, "synthetic"]
    card.save(str(synthetic / "README.md"))
    result = evaluate_model(
        scripted.Backend(),
        str(synthetic),
        output_dir=tmp_path / "out",
        num_frames=2,
        bootstrap_samples=0,
        progress=False,
    )
    lines = result.table.splitlines()
    assert lines[0] == "**scripted-model on ActionArt-Synthetic (qa/test)**, accuracy (%)" and len(lines) == 5
    assert "Human" not in result.table and "paper" not in result.table
    assert result.model_index[0]["results"][0]["dataset"]["name"] == "ActionArt-Synthetic"


def test_a_failed_overwrite_keeps_the_previous_run(tiny_benchmark, tmp_path, scripted):
    """`--overwrite` replaces a finished run only with another finished one: a run that fails puts it back."""
    out = tmp_path / "kept"
    kwargs = dict(output_dir=out, num_frames=2, batch_size=2, bootstrap_samples=0, progress=False)
    evaluate_model(scripted.Backend(), str(tiny_benchmark), **kwargs)
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    with pytest.raises(RuntimeError, match="scripted crash"):
        evaluate_model(scripted.Backend(fail_after=3), str(tiny_benchmark), overwrite=True, **kwargs)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    result = evaluate_model(scripted.Backend(), str(tiny_benchmark), overwrite=True, **kwargs)
    assert result.num_asked == 10 and not [p for p in out.iterdir() if p.name.startswith(".previous")]
