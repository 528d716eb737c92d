"""Merging two tiny ActionArt checkpoints (an architecture mergekit does not know): LLM only, remote code kept."""

import pytest
import torch
from safetensors.torch import load_file

from actionart_hf.merge import MergeConfig, merge_checkpoints


actionart = pytest.importorskip("actionart_hf.models.actionart", reason="the ActionArt model is not installed")


def save_tiny_actionart(folder, seed):
    from transformers import Qwen2Config, SiglipVisionConfig

    config = actionart.ActionArtConfig(
        vision_config=SiglipVisionConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=32,
            patch_size=8, vision_use_head=False,
        ),
        text_config=Qwen2Config(
            vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2,
        ),
        video_token_id=5,
    )  # fmt: skip
    torch.manual_seed(seed)
    actionart.ActionArtForConditionalGeneration(config).save_pretrained(folder)
    return folder


def test_merge_two_tiny_actionart_checkpoints_llm_only(tmp_path, check_model_card):
    from transformers import AutoModelForImageTextToText

    from actionart_hf.cards import write_model_card

    base = save_tiny_actionart(tmp_path / "stage1", seed=0)
    finetuned = save_tiny_actionart(tmp_path / "stage2", seed=1)
    stages = [{"name": "stage1", "description": "video SFT"}, {"name": "stage2", "description": "proxy SFT"}]
    write_model_card(finetuned, {"base_model": "org/base-7b", "stages": stages, "datasets": ["org/proxy"]})
    config = MergeConfig(str(base), str(finetuned), parameters={"alpha": 0.5}, include=["model.language_model.*"])
    result = merge_checkpoints(config, tmp_path / "pf")

    a, b = load_file(base / "model.safetensors"), load_file(finetuned / "model.safetensors")
    merged = load_file(tmp_path / "pf" / "model.safetensors")
    assert set(merged) == set(b) and set(result.merged) == {n for n in b if n.startswith("model.language_model.")}
    for name, tensor in merged.items():
        expected = (0.5 * a[name] + 0.5 * b[name]) if name in result.merged else b[name]
        assert torch.equal(tensor, expected), name
    assert {"configuration_actionart.py", "modeling_actionart.py", "config.json"} <= set(result.files)
    card = check_model_card(tmp_path / "pf")  # the finetuned model's lineage, then the merge
    assert card.data.base_model == ["org/base-7b"] and card.data.datasets == ["org/proxy"]
    assert "**stage2:**" in card.text and "`0.5 * base + 0.5 * finetuned`" in card.text

    model = AutoModelForImageTextToText.from_pretrained(tmp_path / "pf")
    assert type(model).__name__ == "ActionArtForConditionalGeneration"
    assert torch.equal(model.state_dict()["lm_head.weight"], b["lm_head.weight"])
    output = model.generate(input_ids=torch.tensor([[1, 2, 3]]), max_new_tokens=2, do_sample=False)
    assert output.shape == (1, 5)
