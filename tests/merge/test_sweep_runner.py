"""The α sweep with the real eval runner (dataset loading, frame sampling, answer extraction, scoring)."""

import json

import numpy as np
import pytest
from safetensors.torch import load_file

from actionart_hf.merge import MergeConfig
from actionart_hf.merge.sweep import runner_evaluate, sweep_alpha


backends = pytest.importorskip("actionart_hf.evaluation.backends", reason="the eval runner (issue 7) is not installed")

# (task, options, answer, tolerance): the backend answers right when |merged scale - 1.5| <= tolerance
QUESTIONS = [
    ("AC", ["1", "2", "3"], "B", 0.1),
    ("MV", ["left", "right"], "A", 0.3),
    ("MV", ["up", "down", "forward"], "C", 0.3),
    ("TL", ["start", "middle", "end"], "A", 0.6),
]


@pytest.fixture
def tiny_qa(tmp_path):
    import datasets

    from actionart_hf.data.hub_folder import write_dataset_card, write_split
    from actionart_hf.data.schemas import QA_FEATURES
    from actionart_hf.tasks import TASK_CODES
    from actionart_hf.video import write_video

    root = tmp_path / "qa"
    (root / "videos").mkdir(parents=True)
    frames = np.zeros((4, 16, 16, 3), dtype=np.uint8)
    write_video(root / "videos" / "v0.mp4", frames, fps=4)
    rows = [
        {
            "id": f"q{i}",
            "video_id": "v0",
            "video": "videos/v0.mp4",
            "task": TASK_CODES.index(task),
            "question": f"Question {i}?",
            "options": options,
            "answer": answer,
        }
        for i, (task, options, answer, _) in enumerate(QUESTIONS)
    ]
    write_split(root, "qa", "test", datasets.Dataset.from_list(rows, features=QA_FEATURES))
    write_dataset_card(root, pretty_name="Tiny QA", summary="Four questions for the sweep test.")
    return root


class ScaleBackend(backends.EvalBackend):
    """Answers from the merged weights: right on question i when the merged `scale` is within its tolerance."""

    name = "scale"

    def __init__(self, folder):
        self.scale = load_file(folder / "model.safetensors")["scale"].item()

    def generate(self, queries):
        answers = []
        for query in queries:
            index = int(query.prompt.split("?")[0].split()[-1])
            _, options, answer, tolerance = QUESTIONS[index]
            right = abs(self.scale - 1.5) <= tolerance
            answers.append(answer if right else "ABC"[("ABC".index(answer) + 1) % len(options)])
        return answers


def test_sweep_with_the_eval_runner(raw_pair, tiny_qa, tmp_path):
    base, finetuned = raw_pair  # scale is 1.0 in the base and 2.0 in the finetuned model: merged 1 + alpha
    evaluate = runner_evaluate(tiny_qa, backend=ScaleBackend, num_frames=2, progress=False)
    sweep = sweep_alpha(MergeConfig(str(base), str(finetuned)), [0, 0.25, 0.5, 0.75, 1], tmp_path / "out", evaluate)
    assert sweep.best_alpha == 0.5
    assert [s["accuracy"] for s in sweep.scores] == [0.25, 0.75, 1.0, 0.75, 0.25]
    assert sweep.scores[1] == {"accuracy": 0.75, "AC": 0.0, "MV": 1.0, "TL": 1.0}
    assert "| **0.5** | **1.0000** |" in (tmp_path / "out" / "sweep.md").read_text()
    assert (tmp_path / "out" / "sweep.png").stat().st_size > 0


def test_cli_sweep_on_tiny_actionart_checkpoints_with_the_actionart_backend(tiny_qa, tmp_path, capsys):
    """End to end: real ActionArt checkpoints (model + processor), the runner's actionart backend, table and plot."""
    tiny = pytest.importorskip("actionart_hf.models.tiny", reason="the ActionArt model package is not installed")
    from actionart_hf.cli import main as cli_main
    from actionart_hf.tasks import format_mcq_prompt

    texts = [format_mcq_prompt(f"Question {i} ?", options) for i, (_, options, _, _) in enumerate(QUESTIONS)]
    for name, seed in (("stage1", 0), ("stage2", 1)):
        model, processor = tiny.build_tiny_actionart(texts=texts, num_frames=2, seed=seed)
        model.save_pretrained(tmp_path / name)
        processor.save_pretrained(tmp_path / name)
    argv = ["merge", "--base", str(tmp_path / "stage1"), "--finetuned", str(tmp_path / "stage2"), "--alpha", "0,0.5,1"]
    argv += ["--eval-dataset", str(tiny_qa), "--eval-num-frames", "2", "--eval-backend", "actionart"]
    assert cli_main([*argv, "--output", str(tmp_path / "pf")]) == 0
    record = json.loads((tmp_path / "pf" / "sweep.json").read_text())
    assert record["alphas"] == [0.0, 0.5, 1.0] and len(record["scores"]) == 3
    assert all(0.0 <= score["accuracy"] <= 1.0 for score in record["scores"])
    assert (tmp_path / "pf" / "sweep.png").exists() and "Kept alpha=" in capsys.readouterr().out
    for name in ("tokenizer.json", "chat_template.jinja", "config.json", "modeling_actionart.py"):
        assert (tmp_path / "pf" / name).exists(), name
