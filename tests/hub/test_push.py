"""Dry runs of push-dataset / push-model / push-metric write folders that the standard Hugging Face calls load."""

import json
import subprocess
import sys

import datasets
import pytest

from actionart_hf.cli import main as cli


def test_push_dataset_dry_run_loads(tmp_path, capsys):
    from actionart_hf.data.build_actionart import build_actionart
    from actionart_hf.data.example_release import write_example_release

    built = build_actionart(write_example_release(tmp_path / "raw"), tmp_path / "ActionArt")
    out = tmp_path / "dry"
    assert cli(["push-dataset", str(built), "--repo-id", "me/ActionArt", "--dry-run", "--dry-run-dir", str(out)]) == 0
    assert len(datasets.load_dataset(str(out), "qa", split="test")) == 8
    assert cli(["push-dataset", str(built), "--repo-id", "me/ActionArt", "--dry-run", "--dry-run-dir", str(out)]) == 2
    error_line = capsys.readouterr().err.splitlines()[-1]
    assert error_line.startswith("actionart-hf push-dataset: error: ") and "--overwrite" in error_line


TRL_CARD = """---
base_model: None
datasets: /tmp/data/sd
library_name: transformers
tags:
- trl
- sft
---

# Model Card for None

This model is a fine-tuned version of [None](https://huggingface.co/None).
"""


@pytest.fixture
def tiny_model_folder(tmp_path):
    """A tiny ActionArt `save_pretrained` folder holding TRL's automatic card and the project's card facts."""
    from actionart_hf.cards import CARD_METADATA
    from actionart_hf.models.tiny import build_tiny_actionart

    model, processor = build_tiny_actionart(texts=["The person raises the left arm."])
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    (folder / "README.md").write_text(TRL_CARD)
    stages = [{"name": "stage1", "description": "video SFT", "datasets": ["me/ActionArt-Proxy[fgqa]", "sd[sd]"]}]
    metadata = {"base_model": "llava-hf/llava-onevision-qwen2-0.5b-ov-hf", "stages": stages, "datasets": ["me/x"]}
    (folder / CARD_METADATA).write_text(json.dumps(metadata))
    return folder


def test_push_model_dry_run_loads_with_remote_code(tiny_model_folder, tmp_path, check_model_card):
    from transformers import AutoModelForImageTextToText

    out = tmp_path / "dry"
    assert cli(["push-model", str(tiny_model_folder), "--repo-id", "me/actionart-tiny", "--dry-run",
                "--dry-run-dir", str(out)]) == 0  # fmt: skip
    card = check_model_card(out)  # the project's card replaced TRL's
    assert "Model Card for None" not in card.text and 'from_pretrained("me/actionart-tiny"' in card.text
    assert card.data.pipeline_tag == "video-text-to-text" and card.data.datasets == ["me/x"]
    assert card.data.base_model == ["llava-hf/llava-onevision-qwen2-0.5b-ov-hf"] and "**stage1:**" in card.text
    assert (tiny_model_folder / "README.md").read_text() == TRL_CARD  # the source folder is left as it was
    weights = "model.safetensors"
    assert (out / weights).stat().st_ino == (tiny_model_folder / weights).stat().st_ino  # hard-linked, not copied
    loaded = AutoModelForImageTextToText.from_pretrained(out, trust_remote_code=True)
    assert type(loaded).__name__ == "ActionArtForConditionalGeneration"


def test_push_model_card_names_the_evaluated_dataset(tiny_model_folder, tmp_path, check_model_card):
    from actionart_hf.hub import push_model_folder

    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    metrics = {"accuracy": 0.5, "LS": 0.25, "GS": 0.75}
    summary = {"dataset_id": "synthetic", "dataset_name": "ActionArt-Synthetic", "config": "qa", "split": "test",
               "num_frames": 8, "metrics": metrics}  # fmt: skip
    (eval_dir / "metrics.json").write_text(json.dumps(summary))
    result = push_model_folder(
        tiny_model_folder, "me/tiny", eval_dir=eval_dir, dry_run=True, dry_run_dir=tmp_path / "d"
    )
    card = check_model_card(result.dry_run_dir)
    first = card.data.eval_results[0]
    assert (first.dataset_name, first.dataset_type, first.metric_value) == ("ActionArt-Synthetic", "synthetic", 50.0)
    assert "ActionArt (paper)" not in card.text


def test_pushes_upload_from_the_folder_itself(tiny_model_folder, tmp_path, monkeypatch):
    """Real pushes read the files where they are: no staging copy of weights or videos."""
    import huggingface_hub

    from actionart_hf.data.build_actionart import build_actionart
    from actionart_hf.data.example_release import write_example_release
    from actionart_hf.hub import push_dataset_folder, push_model_folder

    calls = []

    class FakeApi:
        def create_repo(self, repo_id, **kwargs):
            calls.append(("create_repo", repo_id, kwargs["private"]))

        def upload_folder(self, **kwargs):
            calls.append(("upload_folder", kwargs))

        def create_commit(self, **kwargs):
            calls.append(("create_commit", kwargs))

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    dataset = build_actionart(write_example_release(tmp_path / "raw"), tmp_path / "ActionArt")
    result = push_dataset_folder(dataset, "me/ActionArt")
    upload = calls[1][1]
    assert upload["folder_path"] == str(dataset) and "README.md" in upload["allow_patterns"]
    assert any(name.startswith("videos/") for name in upload["allow_patterns"]) and result.dry_run_dir is None

    push_model_folder(tiny_model_folder, "me/tiny", public=True)
    assert calls[2] == ("create_repo", "me/tiny", False)
    operations = {op.path_in_repo: op.path_or_fileobj for op in calls[3][1]["operations"]}
    assert operations["model.safetensors"] == str(tiny_model_folder / "model.safetensors")
    assert b"actionart-hf" in operations["README.md"] and b"Model Card for None" not in operations["README.md"]


def test_push_model_refuses_a_folder_without_weights(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}")
    assert cli(["push-model", str(tmp_path), "--repo-id", "me/x", "--dry-run"]) == 2
    assert "safetensors" in capsys.readouterr().err.splitlines()[-1]


def test_push_metric_dry_run_loads_with_evaluate(tmp_path):
    out = tmp_path / "actionart_accuracy"
    assert cli(["push-metric", "--repo-id", "me/actionart_accuracy", "--dry-run", "--dry-run-dir", str(out)]) == 0
    code = (
        "import sys, evaluate; sys.modules['actionart_hf'] = None\n"
        f"m = evaluate.load({str(out)!r})\n"
        "print(m.compute(predictions=['B', 'The answer is A.'], references=['B', 'C'])['accuracy'])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0.5"


def test_push_functions_take_plain_values(tmp_path, monkeypatch):
    from actionart_hf.hub import push_metric

    out = tmp_path / "space"
    result = push_metric("me/actionart_accuracy", dry_run=True, dry_run_dir=out)
    assert result.dry_run_dir == out and "actionart_accuracy.py" in result.files
    assert (
        result.summary().splitlines()[0]
        == f"Dry run: {out} holds exactly what would be uploaded to me/actionart_accuracy (space):"
    )
    monkeypatch.delenv("ACTIONART_HUB_ORG", raising=False)
    with pytest.raises(ValueError, match="ACTIONART_HUB_ORG"):
        push_metric(dry_run=True, dry_run_dir=tmp_path / "other")
