"""Every refused input fails before anything is written, with a message naming the tensor, value or path."""

import json

import pytest
import torch

from actionart_hf.merge import LinearMerge, MergeConfig, merge_checkpoints
from actionart_hf.merge.config import MergeConfig as Config


def test_different_architectures(raw_pair, tmp_path):
    base, finetuned = raw_pair
    (finetuned / "config.json").write_text(json.dumps({"model_type": "other", "architectures": ["OtherModel"]}))
    with pytest.raises(ValueError, match="model_type='toy' but the finetuned model .* has model_type='other'"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_shape_mismatch_names_the_tensor(tmp_path, make_qwen2):
    base = make_qwen2(tmp_path / "a", seed=0, intermediate_size=64)
    finetuned = make_qwen2(tmp_path / "b", seed=1, intermediate_size=48)
    with pytest.raises(ValueError, match=r"'model.layers.0.mlp.down_proj.weight' has shape \(32, 64\) in the base"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "out")


def test_float_vs_int(tmp_path, write_checkpoint, toy_tensors):
    a, b = toy_tensors(0), toy_tensors(1)
    b["position_ids"] = b["position_ids"].float()
    base, finetuned = write_checkpoint(tmp_path / "a", a), write_checkpoint(tmp_path / "b", b)
    with pytest.raises(ValueError, match="'position_ids' is torch.int64 in the base model but torch.float32"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "out")


@pytest.mark.parametrize("side", ["base", "finetuned"])
def test_missing_keys(tmp_path, write_checkpoint, toy_tensors, side):
    a, b = toy_tensors(0), toy_tensors(1)
    (a if side == "base" else b).pop("decoder.weight")
    base, finetuned = write_checkpoint(tmp_path / "a", a), write_checkpoint(tmp_path / "b", b)
    other = "finetuned" if side == "base" else "base"
    with pytest.raises(
        ValueError, match=f"'decoder.weight' is in the {other} model but missing from the {side}.*allow-missing"
    ):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "out")


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_alpha_outside_unit_interval(raw_pair, tmp_path, alpha, toy_tensors):
    base, finetuned = raw_pair
    with pytest.raises(ValueError, match=f"alpha={alpha} is outside \\[0, 1\\]; pass --allow-extrapolation"):
        MergeConfig(str(base), str(finetuned), parameters={"alpha": alpha})
    config = MergeConfig(str(base), str(finetuned), parameters={"alpha": alpha}, allow_extrapolation=True)
    from safetensors.torch import load_file

    merged = load_file(merge_checkpoints(config, tmp_path / "out").output / "model.safetensors")
    a, b = toy_tensors(0), toy_tensors(1)
    assert torch.equal(merged["encoder.weight"], (1 - alpha) * a["encoder.weight"] + alpha * b["encoder.weight"])


def test_bad_config_values(raw_pair):
    base, finetuned = map(str, raw_pair)
    with pytest.raises(ValueError, match="Unknown merge method 'ties'"):
        Config(base, finetuned, merge_method="ties")
    with pytest.raises(ValueError, match="has no parameter 'beta'"):
        Config(base, finetuned, parameters={"beta": 1})
    with pytest.raises(ValueError, match="alpha='x' must be a finite number"):
        Config(base, finetuned, parameters={"alpha": "x"})
    with pytest.raises(ValueError, match="unmerged_from='neither'"):
        Config(base, finetuned, unmerged_from="neither")
    with pytest.raises(ValueError, match="Unknown merge config key 'alpha'"):
        Config.from_dict({"base_model": base, "finetuned_model": finetuned, "alpha": 0.5})


def test_patterns_that_match_nothing(raw_pair, tmp_path):
    base, finetuned = raw_pair
    with pytest.raises(ValueError, match="include pattern 'model.layers.*' matches no tensor"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned), include=["model.layers.*"]), tmp_path / "out")
    with pytest.raises(ValueError, match="exclude pattern 'vision' matches no tensor"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned), exclude=["vision"]), tmp_path / "out")


def test_output_inside_an_input_or_containing_one(raw_pair, tmp_path):
    base, finetuned = raw_pair
    config = MergeConfig(str(base), str(finetuned))
    with pytest.raises(ValueError, match="is inside the base model folder"):
        merge_checkpoints(config, base / "merged")
    with pytest.raises(ValueError, match="is inside the finetuned model folder"):
        merge_checkpoints(config, finetuned, overwrite=True)
    with pytest.raises(ValueError, match="contains the base model folder"):
        merge_checkpoints(config, tmp_path, overwrite=True)
    assert sorted(p.name for p in base.iterdir()) == sorted(
        ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        + ["model.safetensors.index.json"]
    )


def test_existing_output_needs_overwrite_and_failures_leave_it_intact(raw_pair, tmp_path, monkeypatch):
    base, finetuned = raw_pair
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("user data")
    config = MergeConfig(str(base), str(finetuned))
    with pytest.raises(ValueError, match="already exists; pass --overwrite"):
        merge_checkpoints(config, out)
    (out / "keep.txt").unlink()
    (out / "file").write_text("x")

    calls = []

    def failing_merge(self, base_chunk, finetuned_chunk, parameters, out):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return torch.mul(base_chunk, 0.5, out=out)

    monkeypatch.setattr(LinearMerge, "merge", failing_merge)
    with pytest.raises(OSError, match="disk full"):
        merge_checkpoints(config, out, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "finetuned", "out"]  # no staging folder left
    monkeypatch.undo()
    merge_checkpoints(config, out, overwrite=True)
    assert (out / "model.safetensors").exists() and not (out / "file").exists()
    with pytest.raises(ValueError, match="is a file"):
        merge_checkpoints(config, out / "model.safetensors")
