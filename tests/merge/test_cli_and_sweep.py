"""`actionart-hf merge` and the α sweep (with a deterministic scoring function instead of the eval runner)."""

import json

import pytest
import torch
from safetensors.torch import load_file

from actionart_hf.cli import main as cli_main
from actionart_hf.merge import MergeConfig
from actionart_hf.merge.cli import parse_alphas
from actionart_hf.merge.sweep import sweep_alpha


def distance_score(target_alpha: float, base_mean: float, finetuned_mean: float):
    """Scores a merged folder by how close its encoder mean is to the mean at `target_alpha` (deterministic)."""

    def evaluate(folder):
        mean = load_file(folder / "model.safetensors")["encoder.weight"].mean().item()
        target = (1 - target_alpha) * base_mean + target_alpha * finetuned_mean
        overall = 1.0 - abs(mean - target) / abs(finetuned_mean - base_mean)
        return {"accuracy": overall, "AC": overall / 2, "MV": 1.0 - overall / 2}

    return evaluate


def test_cli_merge_and_config_reproduces(raw_pair, tmp_path, capsys):
    base, finetuned = raw_pair
    argv = ["merge", "--base", str(base), "--finetuned", str(finetuned), "--alpha", "0.3", "--output"]
    assert cli_main([*argv, str(tmp_path / "a"), "--exclude", "*.bias"]) == 0
    assert "Wrote" in capsys.readouterr().out
    config = MergeConfig.from_yaml(tmp_path / "a" / "merge_config.yaml")
    assert config.parameters == {"alpha": 0.3} and config.exclude == ["*.bias"]
    assert (
        cli_main(["merge", "--config", str(tmp_path / "a" / "merge_config.yaml"), "--output", str(tmp_path / "b")])
        == 0
    )
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()
    # a flag overrides the recipe
    recipe = str(tmp_path / "a" / "merge_config.yaml")
    assert cli_main(["merge", "--config", recipe, "--alpha", "1", "--output", str(tmp_path / "c")]) == 0
    assert MergeConfig.from_yaml(tmp_path / "c" / "merge_config.yaml").parameters == {"alpha": 1.0}


def test_cli_refusals_are_one_line_errors(raw_pair, tmp_path, capsys):
    base, finetuned = raw_pair
    argv = ["merge", "--base", str(base), "--finetuned", str(finetuned), "--output", str(tmp_path / "o")]
    assert cli_main([*argv, "--alpha", "2"]) == 2
    assert "alpha=2.0 is outside [0, 1]; pass --allow-extrapolation" in capsys.readouterr().err
    assert cli_main([*argv, "--alpha", "0,0.5"]) == 2
    assert "needs --eval-dataset" in capsys.readouterr().err
    assert cli_main([*argv, "--alpha", "0,x"]) == 2
    assert "'x' is not a number" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert parse_alphas("0,0.25,1") == [0.0, 0.25, 1.0]


def test_sweep_keeps_best_and_writes_table_and_plot(raw_pair, tmp_path, toy_tensors):
    base, finetuned = raw_pair
    a, b = toy_tensors(0), toy_tensors(1)
    evaluate = distance_score(0.75, a["encoder.weight"].mean().item(), b["encoder.weight"].mean().item())
    config = MergeConfig(str(base), str(finetuned), exclude=["decoder.*"])
    sweep = sweep_alpha(config, [0, 0.25, 0.5, 0.75, 1], tmp_path / "out", evaluate)

    out = tmp_path / "out"
    assert sweep.best_alpha == 0.75 and sweep.scores[3]["accuracy"] == pytest.approx(1.0, abs=1e-5)
    merged = load_file(out / "model.safetensors")
    assert torch.equal(merged["encoder.weight"], 0.25 * a["encoder.weight"] + 0.75 * b["encoder.weight"])
    assert torch.equal(merged["decoder.weight"], b["decoder.weight"])  # the recipe's exclude holds in every merge
    assert MergeConfig.from_yaml(out / "merge_config.yaml").parameters == {"alpha": 0.75}
    record = json.loads((out / "sweep.json").read_text())
    assert record["best_alpha"] == 0.75 and [s["accuracy"] for s in record["scores"]] == [
        s["accuracy"] for s in sweep.scores
    ]
    table = (out / "sweep.md").read_text()
    assert table.splitlines()[0] == "| α | accuracy | AC | MV |" and "| **0.75** |" in table
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    card = (out / "README.md").read_text()
    assert "## α sweep" in card and "| **0.75** |" in card and "# out" in card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "finetuned", "out"]  # work folders removed


def test_sweep_ties_go_to_first_and_bad_scores_refused(raw_pair, tmp_path):
    base, finetuned = raw_pair
    config = MergeConfig(str(base), str(finetuned))
    sweep = sweep_alpha(config, [0.5, 0.0, 1.0], tmp_path / "out", lambda folder: {"accuracy": 0.5})
    assert sweep.best_alpha == 0.5
    with pytest.raises(ValueError, match="without 'accuracy'"):
        sweep_alpha(config, [0, 1], tmp_path / "bad", lambda folder: {"acc": 1.0})
    with pytest.raises(ValueError, match="alpha=3.0 is outside"):
        sweep_alpha(config, [0, 3], tmp_path / "bad", lambda folder: {"accuracy": 1.0})
    with pytest.raises(ValueError, match="already exists"):
        sweep_alpha(config, [0, 1], tmp_path / "out", lambda folder: {"accuracy": 1.0})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "finetuned", "out"]


def test_cli_sweep_uses_the_runner_evaluate(raw_pair, tmp_path, monkeypatch, capsys):
    base, finetuned = raw_pair
    seen = {}

    def fake_runner_evaluate(dataset, **options):
        seen.update(dataset=dataset, **options)

        def evaluate(folder):
            alpha = MergeConfig.from_yaml(folder / "merge_config.yaml").parameters["alpha"]
            return {"accuracy": 1.0 - abs(alpha - 0.5)}

        return evaluate

    monkeypatch.setattr("actionart_hf.merge.sweep.runner_evaluate", fake_runner_evaluate)
    argv = ["merge", "--base", str(base), "--finetuned", str(finetuned), "--alpha", "0,0.5,1"]
    assert cli_main([*argv, "--eval-dataset", "DATA", "--eval-limit", "4", "--output", str(tmp_path / "o")]) == 0
    assert seen["dataset"] == "DATA" and seen["limit"] == 4 and seen["split"] == "test"
    assert "Kept alpha=0.5" in capsys.readouterr().out
    assert (tmp_path / "o" / "sweep.png").exists()
