"""The actionart backend on a tiny random ActionArt checkpoint (built offline by `actionart_hf.models.tiny`): the
backend is detected from the checkpoint, videos of different lengths share a batch, answers do not depend on the
batch size, and a run resumes. The model answers garbage; the tests check plumbing."""

import json

import pytest

from actionart_hf.evaluation import evaluate_model
from actionart_hf.evaluation.backends import detect_backend


tiny = pytest.importorskip("actionart_hf.models.tiny", reason="the ActionArt model package (issue 6) is not there")


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    from actionart_hf.tasks import format_mcq_prompt

    folder = tmp_path_factory.mktemp("tiny-actionart")
    # Cover the words of the tiny benchmark's prompts (the questions live in the evaluation conftest).
    texts = [format_mcq_prompt("How many times does the person wave ? What happens first", ["2", "3", "left"])]
    model, processor = tiny.build_tiny_actionart(texts=texts, num_frames=4)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def test_detected_and_evaluated_end_to_end(tiny_checkpoint, tiny_benchmark, tmp_path):
    assert detect_backend(str(tiny_checkpoint)) == "actionart"
    out = tmp_path / "eval"
    common = dict(output_dir=out, num_frames=4, batch_size=4, bootstrap_samples=0, progress=False)
    common["backend_kwargs"] = {"max_new_tokens": 3}
    first = evaluate_model(str(tiny_checkpoint), str(tiny_benchmark), limit=6, **common)
    assert first.num_asked == 6 and first.metrics["num_questions"] == 6
    run = json.loads((out / "run.json").read_text())
    assert run["identity"]["backend"] == "actionart"
    assert run["backend"]["model_class"] == "ActionArtForConditionalGeneration"
    rest = evaluate_model(str(tiny_checkpoint), str(tiny_benchmark), **common)
    assert rest.num_asked == 4 and rest.metrics["num_questions"] == 10
    assert 0.0 <= rest.metrics["accuracy"] <= 1.0
    for name in ("metrics.json", "table.md", "per_task.png", "model_index.json"):
        assert (out / name).exists(), name


def test_batching_does_not_change_answers(tiny_checkpoint, tiny_benchmark, tmp_path):
    from actionart_hf.evaluation.backends.actionart_backend import ActionArtBackend

    backend = ActionArtBackend(str(tiny_checkpoint), max_new_tokens=3)
    outputs = []
    for batch_size in (1, 8):  # the batch of 8 mixes 4-frame and 3-frame videos
        out = tmp_path / f"b{batch_size}"
        evaluate_model(
            backend,
            str(tiny_benchmark),
            output_dir=out,
            num_frames=4,
            limit=8,
            batch_size=batch_size,
            bootstrap_samples=0,
            plot=False,
            progress=False,
        )
        outputs.append([json.loads(line)["output"] for line in (out / "predictions.jsonl").read_text().splitlines()])
    assert outputs[0] == outputs[1]
