"""The streaming merge: exact against an in-memory reference, sharding, ties, selection, files, refusals."""

import json

import pytest
import torch
from safetensors.torch import load_file

from actionart_hf.merge import CONFIG_NAME, MergeConfig, merge_checkpoints
from actionart_hf.merge.checkpoint import Checkpoint


def reference_merge(base: dict, finetuned: dict, alpha: float) -> dict:
    """The in-memory reference: fp32 weighted average cast back to the finetuned dtype; other tensors copied."""
    out = {}
    for name, tensor in finetuned.items():
        if tensor.is_floating_point():
            out[name] = ((1 - alpha) * base[name].float() + alpha * tensor.float()).to(tensor.dtype)
        else:
            out[name] = tensor
    return out


def load_state_dict(folder):
    checkpoint = Checkpoint(folder)
    return {name: checkpoint.get_tensor(name).clone() for name in checkpoint.tensors}


def assert_same_tensors(actual: dict, expected: dict):
    assert list(actual) == list(expected) or set(actual) == set(expected)
    for name, tensor in expected.items():
        assert actual[name].dtype == tensor.dtype, name
        assert torch.equal(actual[name], tensor), name


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_merge_equals_reference_and_loads_and_generates(qwen_pair, tmp_path, alpha):
    from transformers import AutoModelForCausalLM

    base, finetuned = qwen_pair
    result = merge_checkpoints(MergeConfig(str(base), str(finetuned), parameters={"alpha": alpha}), tmp_path / "out")
    base_model = AutoModelForCausalLM.from_pretrained(base)
    finetuned_model = AutoModelForCausalLM.from_pretrained(finetuned)
    merged_model = AutoModelForCausalLM.from_pretrained(tmp_path / "out")
    expected = reference_merge(base_model.state_dict(), finetuned_model.state_dict(), alpha)
    assert_same_tensors(merged_model.state_dict(), expected)
    # tied like the inputs: no lm_head stored, and the loaded lm_head is the embedding
    assert "lm_head.weight" not in load_file(tmp_path / "out" / "model.safetensors")
    assert merged_model.lm_head.weight.data_ptr() == merged_model.model.embed_tokens.weight.data_ptr()
    generated = merged_model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=4, do_sample=False)
    assert generated.shape == (1, 7)
    assert len(result.merged) == len(expected) - 1 and not result.copied  # lm_head is the tied embedding


def test_bf16_keeps_dtype_and_accumulates_in_fp32(tmp_path, make_qwen2):
    base = make_qwen2(tmp_path / "a", seed=0, dtype=torch.bfloat16, max_shard_size="16KB")
    finetuned = make_qwen2(tmp_path / "b", seed=1, dtype=torch.bfloat16, max_shard_size="16KB")
    merge_checkpoints(MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.3}), tmp_path / "out")
    merged = load_state_dict(tmp_path / "out")
    expected = reference_merge(load_state_dict(base), load_state_dict(finetuned), 0.3)
    assert_same_tensors(merged, expected)
    assert all(t.dtype == torch.bfloat16 for t in merged.values())
    # same shard layout as the finetuned model, with an index
    index = json.loads((tmp_path / "out" / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) == len(Checkpoint(finetuned).groups) > 1
    assert index["metadata"]["total_size"] == sum(t.numel() * t.element_size() for t in merged.values())


def test_max_shard_size_reshards(qwen_pair, tmp_path):
    from transformers import AutoModelForCausalLM

    base, finetuned = qwen_pair
    config = MergeConfig(str(base), str(finetuned), max_shard_size="30KB")
    merge_checkpoints(config, tmp_path / "out")
    index = json.loads((tmp_path / "out" / "model.safetensors.index.json").read_text())
    files = sorted(set(index["weight_map"].values()))
    assert len(files) > 1 and files[0] == f"model-00001-of-{len(files):05d}.safetensors"
    assert all((tmp_path / "out" / f).stat().st_size <= 30_000 + 4096 for f in files)
    AutoModelForCausalLM.from_pretrained(tmp_path / "out")


def test_files_card_and_recipe(qwen_pair, tmp_path, check_model_card):
    base, finetuned = qwen_pair
    config = MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.25})
    result = merge_checkpoints(config, tmp_path / "out")
    out = tmp_path / "out"
    assert result.files == ["chat_template.jinja", "config.json", "generation_config.json", "tokenizer_config.json"]
    assert json.loads((out / "tokenizer_config.json").read_text())["seed"] == 1  # from the finetuned model
    assert not (out / "trainer_state.json").exists()
    card = (out / "README.md").read_text()
    assert "0.75 * base + 0.25 * finetuned" in card and "the original card" not in card
    assert "tags:" in card and "parameter-fusion" in card
    assert "| finetuned | `finetuned` |" in check_model_card(out).text  # inputs by folder name, not by path
    saved = MergeConfig.from_yaml(out / CONFIG_NAME)
    assert saved == config  # absolute local paths: the recipe works from any folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_non_float_tensors_copied_and_selection(raw_pair, tmp_path, toy_tensors):
    base, finetuned = raw_pair
    a, b = toy_tensors(0), toy_tensors(1)
    config = MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.5})
    merge_checkpoints(config, tmp_path / "all")
    assert_same_tensors(load_file(tmp_path / "all" / "model.safetensors"), reference_merge(a, b, 0.5))

    config = MergeConfig(str(base), str(finetuned), include=["encoder.*", "scale"], exclude=["*.bias"])
    result = merge_checkpoints(config, tmp_path / "some")
    merged = load_file(tmp_path / "some" / "model.safetensors")
    assert sorted(result.merged) == ["encoder.weight", "scale"]
    assert torch.equal(merged["encoder.weight"], 0.5 * a["encoder.weight"] + 0.5 * b["encoder.weight"])
    for name in ("encoder.bias", "decoder.weight", "position_ids", "mask"):
        assert torch.equal(merged[name], b[name]), name

    config = MergeConfig(str(base), str(finetuned), include=["decoder.*"], unmerged_from="base")
    merged = load_file(merge_checkpoints(config, tmp_path / "from-base").output / "model.safetensors")
    for name in ("encoder.weight", "encoder.bias", "position_ids", "mask", "scale"):
        assert torch.equal(merged[name], a[name]), name


def test_tied_base_untied_finetuned_uses_base_embedding(tmp_path, make_qwen2):
    base = make_qwen2(tmp_path / "tied", seed=0, tie_word_embeddings=True)
    finetuned = make_qwen2(tmp_path / "untied", seed=1, tie_word_embeddings=False)
    merge_checkpoints(MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.5}), tmp_path / "out")
    a, b = load_state_dict(base), load_state_dict(finetuned)
    merged = load_file(tmp_path / "out" / "model.safetensors")
    assert torch.equal(merged["lm_head.weight"], 0.5 * a["model.embed_tokens.weight"] + 0.5 * b["lm_head.weight"])

    # the other way round the output stays tied like the finetuned model (whose config it gets)
    result = merge_checkpoints(MergeConfig(str(finetuned), str(base)), tmp_path / "tied-out")
    assert result.dropped == ["lm_head.weight"]
    assert "lm_head.weight" not in load_file(tmp_path / "tied-out" / "model.safetensors")


def test_allow_missing_copies_one_sided_tensors(tmp_path, write_checkpoint, toy_tensors):
    a, b = toy_tensors(0), toy_tensors(1)
    extra_a = {**a, "only_base": torch.ones(2)}
    b.pop("decoder.weight")
    base = write_checkpoint(tmp_path / "a", extra_a)
    finetuned = write_checkpoint(tmp_path / "b", {**b, "only_finetuned": torch.zeros(3)})
    with pytest.raises(
        ValueError, match=r"Tensor 'only_finetuned' is in the finetuned model but missing from the base"
    ):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "out")
    result = merge_checkpoints(MergeConfig(str(base), str(finetuned), allow_missing=True), tmp_path / "out")
    merged = load_file(tmp_path / "out" / "model.safetensors")
    assert result.copied["only_finetuned"] == "finetuned" and result.copied["only_base"] == "base"
    assert torch.equal(merged["decoder.weight"], a["decoder.weight"]) and torch.equal(
        merged["only_base"], torch.ones(2)
    )


def test_mixed_dtypes_take_the_finetuned_dtype(tmp_path, write_checkpoint, toy_tensors):
    a, b = toy_tensors(0), toy_tensors(1, dtype=torch.bfloat16)
    base, finetuned = write_checkpoint(tmp_path / "a", a), write_checkpoint(tmp_path / "b", b)
    merge_checkpoints(MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.3}), tmp_path / "out")
    assert_same_tensors(load_file(tmp_path / "out" / "model.safetensors"), reference_merge(a, b, 0.3))
