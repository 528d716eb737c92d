"""A PEFT LoRA adapter as the finetuned model is merged into its base first, then fused."""

import json

import torch
from safetensors.torch import load_file

from actionart_hf.merge import MergeConfig, merge_checkpoints


def make_adapter(base, folder):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(3)
    model = AutoModelForCausalLM.from_pretrained(base)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, lora).save_pretrained(folder)
    (folder / "tokenizer_config.json").write_text(json.dumps({"from": "adapter"}))
    return folder


def test_lora_adapter_is_merged_into_base_then_fused(qwen_pair, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base, _ = qwen_pair
    adapter = make_adapter(base, tmp_path / "adapter")
    result = merge_checkpoints(MergeConfig(str(base), str(adapter), parameters={"alpha": 0.5}), tmp_path / "out")

    base_state = AutoModelForCausalLM.from_pretrained(base).state_dict()
    lora_model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), adapter).merge_and_unload()
    finetuned_state = lora_model.state_dict()
    merged = load_file(tmp_path / "out" / "model.safetensors")
    assert set(merged) == set(base_state) - {"lm_head.weight"}  # stays tied like the base
    for name, tensor in merged.items():
        expected = (0.5 * base_state[name].float() + 0.5 * finetuned_state[name].float()).to(tensor.dtype)
        assert torch.equal(tensor, expected), name
    changed = [n for n in merged if not torch.equal(merged[n], base_state[n])]
    assert changed and all("q_proj" in n or "v_proj" in n for n in changed)
    # config from the adapter's base, tokenizer files from the adapter; no adapter files, no temporary folder
    assert "config.json" in result.files and json.loads((tmp_path / "out" / "tokenizer_config.json").read_text()) == {
        "from": "adapter"
    }
    assert not (tmp_path / "out" / "adapter_config.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter", "out"]
    assert result.inputs["adapter base"] == str(base)
    AutoModelForCausalLM.from_pretrained(tmp_path / "out").generate(torch.tensor([[1, 2]]), max_new_tokens=2)
