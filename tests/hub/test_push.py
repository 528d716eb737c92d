"""Dry runs of push-dataset / push-model / push-metric write folders that the standard Hugging Face calls load."""

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


def test_push_model_dry_run_loads_with_remote_code(tmp_path):
    from transformers import AutoModelForImageTextToText

    from actionart_hf.models.tiny import build_tiny_actionart

    model, processor = build_tiny_actionart(texts=["The person raises the left arm."])
    model.save_pretrained(tmp_path / "model")
    processor.save_pretrained(tmp_path / "model")
    out = tmp_path / "dry"
    assert cli(["push-model", str(tmp_path / "model"), "--repo-id", "me/actionart-tiny", "--dry-run",
                "--dry-run-dir", str(out)]) == 0  # fmt: skip
    card = (out / "README.md").read_text()
    assert "pipeline_tag: video-text-to-text" in card and 'from_pretrained("me/actionart-tiny"' in card
    loaded = AutoModelForImageTextToText.from_pretrained(out, trust_remote_code=True)
    assert type(loaded).__name__ == "ActionArtForConditionalGeneration"


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
