"""A PEFT LoRA adapter as the finetuned model is merged into its base first, then fused."""

import json

import pytest
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


def tiny_actionart_with_adapter(root, marker):
    """A tiny ActionArt base saved with its remote code (which, once run, writes `marker`) and a LoRA adapter on it
    that records the base's path, as a training stage leaves them."""
    from peft import LoraConfig, get_peft_model

    from actionart_hf.models.tiny import build_tiny_actionart

    model, processor = build_tiny_actionart(texts=["What does the person do ?"], num_frames=4)
    base = root / "base"
    model.save_pretrained(base)
    processor.save_pretrained(base)
    with open(base / "configuration_actionart.py", "a") as code:
        code.write(f"\nopen({str(marker)!r}, 'w').close()  # runs only when the remote code is trusted\n")
    model.name_or_path = str(base)
    torch.manual_seed(3)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, lora).save_pretrained(root / "adapter")
    return base, root / "adapter"


def test_merge_lora_saves_the_processor_and_runs_remote_code_only_when_asked(tmp_path):
    from transformers import AutoProcessor

    from actionart_hf.merge.loading import adapter_base_name, merge_lora

    marker = tmp_path / "remote-code-ran"
    base, adapter = tiny_actionart_with_adapter(tmp_path, marker)
    assert adapter_base_name(adapter) == str(base)
    merged = merge_lora(adapter, tmp_path / "merged")  # the base comes from adapter_config.json
    assert not marker.exists()  # the base's own code did not run: the installed ActionArt classes were used
    assert (merged / "model.safetensors").is_file() and not (merged / "adapter_config.json").exists()
    processor = AutoProcessor.from_pretrained(merged)
    assert type(processor).__name__ == "ActionArtProcessor" and processor.video_processor is not None

    merge_lora(adapter, tmp_path / "merged-remote", trust_remote_code=True)
    assert marker.exists()


def test_peft_merge_script_passes_trust_remote_code(tmp_path, monkeypatch):
    from actionart_hf.training import peft_merge

    calls = []
    monkeypatch.setattr(peft_merge, "merge_lora", lambda *args, **kwargs: calls.append((args, kwargs)))
    assert peft_merge.main(["adapter", "out"]) == 0
    assert peft_merge.main(["adapter", "out", "--base-model", "b", "--trust-remote-code"]) == 0
    assert [kwargs for _, kwargs in calls] == [
        {"base_model": None, "trust_remote_code": False},
        {"base_model": "b", "trust_remote_code": True},
    ]


def test_merge_lora_refuses_a_folder_without_an_adapter(tmp_path):
    from actionart_hf.merge.loading import merge_lora

    with pytest.raises(ValueError, match="has no adapter_config.json"):
        merge_lora(tmp_path, tmp_path / "out")
