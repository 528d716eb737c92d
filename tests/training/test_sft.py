"""End-to-end training on the tiny model: chained stages, resume, overfitting, LoRA + merge, 2 processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForImageTextToText

from actionart_hf.cli import main as cli_main
from actionart_hf.training.sft import main, parse_args


@pytest.fixture
def train(make_recipe, tmp_path):
    """`train(name, model, mixture, **overrides)` runs one stage in-process; returns its output_dir."""

    def run(name, model, mixture, **overrides):
        recipe = make_recipe(tmp_path / f"{name}.yaml", model, tmp_path / name, mixture, **overrides)
        main(parse_args([recipe]))
        return tmp_path / name

    return run


def weights(folder):
    return load_file(str(Path(folder) / "model.safetensors"))


def history(folder):
    return json.loads((Path(folder) / "trainer_state.json").read_text())["log_history"]


def test_three_stages_chained_with_resume(tiny_data, tiny_base, tmp_path, train, make_recipe, check_model_card):
    data = str(tiny_data)
    # Stage 1 through the console entry point, the recipe given positionally.
    recipe = make_recipe(
        tmp_path / "stage1.yaml",
        tiny_base,
        tmp_path / "stage1",
        [{"path": data, "name": "captions"}, {"path": data, "name": "qa", "weight": 0.5}],
    )
    assert cli_main(["train", recipe, "--max_steps", "2"]) == 0
    stage1 = tmp_path / "stage1"
    # Stage 2 (SD + FGQA) from stage 1, vision tower frozen, projector at its own learning rate.
    stage2 = train(
        "stage2",
        stage1,
        [{"path": data, "name": "sd"}, {"path": data, "name": "fgqa"}],
        freeze_vision_tower=True,
        projector_lr=5e-3,
    )
    # Stage 3 (manual QA) from stage 2, saving a checkpoint, then resumed to more steps.
    stage3 = train("stage3", stage2, [{"path": data, "name": "qa"}], save_strategy="steps", save_steps=2, max_steps=2)
    assert (stage3 / "checkpoint-2").is_dir()
    train("stage3", stage2, [{"path": data, "name": "qa"}], save_strategy="steps", save_steps=2, max_steps=4)
    assert [e["step"] for e in history(stage3) if "loss" in e] == [1, 2, 3, 4]  # 1-2 kept, 3-4 after resuming

    base, w1, w2, w3 = (weights(p) for p in (tiny_base, stage1, stage2, stage3))
    tower = [k for k in w1 if "vision_tower" in k]
    projector = [k for k in w1 if "multi_modal_projector" in k]
    assert tower and projector
    assert any(not torch.equal(base[k], w1[k]) for k in w1)  # stage 1 trained
    assert all(torch.equal(w1[k], w2[k]) for k in tower)  # frozen in stage 2
    assert any(not torch.equal(w1[k], w2[k]) for k in projector)
    assert any(not torch.equal(w2[k], w3[k]) for k in tower)  # unfrozen again in stage 3
    model = AutoModelForImageTextToText.from_pretrained(stage3, trust_remote_code=True)
    assert type(model).__name__ == "ActionArtForConditionalGeneration"
    assert (stage3 / "processor_config.json").is_file()
    # The project's card (never TRL's), its stages chained from stage 1, the datasets named by folder and config.
    check_model_card(tiny_base)  # `python -m actionart_hf.training.tiny_base` writes the card the stages extend
    check_model_card(stage1)
    card = check_model_card(stage3)
    assert card.data.model_name == "stage3" and "**base:**" in card.text and "**stage2:**" in card.text
    assert f"{tiny_data.name}[spatial_difference]" in card.text and "frozen: vision tower" in card.text


def test_overfits_16_rows(tiny_data, tiny_base, train):
    """Loss on 16 rows falls well below its start (labels, gradients and optimizer all work).

    The rows are the 16 MCQ as foreign LLaVA-style conversations with an image (format `messages`). Loss is on the
    answer letter and `<|im_end|>`; the end token is learnt within ~20 steps, which takes the loss from ~ln(vocab)
    to ln(4) / 2 = 0.69. Memorising which letter answers which question takes a randomly initialised tiny LM far
    longer and at a seed-dependent time (see docs/DESIGN.md §6.6), so it is not asserted here.
    """
    mixture = [
        {
            "path": str(tiny_data),
            "name": "conversations",
            "format": "messages",
            "columns": {"messages": "conversations"},
        }
    ]
    out = train(
        "overfit",
        tiny_base,
        mixture,
        max_steps=30,
        per_device_train_batch_size=16,
        learning_rate=1e-2,
        warmup_steps=0,
        lr_scheduler_type="constant",
    )
    losses = [e["loss"] for e in history(out) if "loss" in e]
    assert len(losses) == 30
    assert sum(losses[-3:]) / 3 < 0.2 * losses[0], losses


def test_lora_then_merge(tiny_data, tiny_base, train, check_model_card):
    out = train(
        "lora",
        tiny_base,
        [{"path": str(tiny_data), "name": "qa"}],
        use_peft=True,
        lora_r=4,
        lora_alpha=8,
        lora_dropout=0.0,
        lora_target_modules=[".*language_model.*\\.(q_proj|v_proj|up_proj)"],
        lora_modules_to_save=["multi_modal_projector"],
        save_merged_model=True,
        learning_rate=1e-2,
    )
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["target_modules"] == ".*language_model.*\\.(q_proj|v_proj|up_proj)"
    adapter = load_file(str(out / "adapter_model.safetensors"))
    assert any("lora_A" in k for k in adapter) and not any("vision_tower" in k for k in adapter)

    from peft import PeftModel

    merged = AutoModelForImageTextToText.from_pretrained(out / "merged", trust_remote_code=True).eval()
    with_adapter = PeftModel.from_pretrained(
        AutoModelForImageTextToText.from_pretrained(tiny_base, trust_remote_code=True), str(out)
    ).eval()
    inputs = {"input_ids": torch.tensor([[1, 5, 6, 7, 2]]), "attention_mask": torch.ones(1, 5, dtype=torch.long)}
    with torch.no_grad():
        torch.testing.assert_close(merged(**inputs).logits, with_adapter(**inputs).logits, atol=1e-5, rtol=1e-4)
    base_weights, merged_weights = weights(tiny_base), weights(out / "merged")
    changed = [k for k in merged_weights if not torch.equal(merged_weights[k], base_weights[k])]
    assert changed and all("q_proj" in k or "v_proj" in k or "up_proj" in k or "projector" in k for k in changed)
    assert "LoRA r=4" in check_model_card(out / "merged").text


@pytest.mark.parametrize(
    "mixture, message",
    [
        ([{"path": "{data}/missing", "name": "qa"}], "neither a local folder nor a dataset"),
        ([{"path": "{data}", "name": "pose_description", "format": "captions"}], "needs the column(s) ['video'"),
        ([{"path": "{data}", "name": "qa", "columns": {"video": "clip"}}], "maps from ['clip']"),
        ([{"path": "{data}", "name": "qa", "weight": 0}], "must be > 0"),
    ],
)
def test_bad_config_fails_before_training(tiny_data, tmp_path, make_recipe, mixture, message):
    mixture = [{**entry, "path": entry["path"].format(data=tiny_data)} for entry in mixture]
    # The model path does not exist: the data errors must come first, before any model is loaded.
    recipe = make_recipe(tmp_path / "bad.yaml", tmp_path / "no-model", tmp_path / "out", mixture)
    with pytest.raises(ValueError) as error:
        main(parse_args([recipe]))
    assert message in str(error.value)
    assert not (tmp_path / "out").exists()


def test_two_processes_with_accelerate(tiny_data, tiny_base, tmp_path, make_recipe):
    recipe = make_recipe(
        tmp_path / "ddp.yaml",
        tiny_base,
        tmp_path / "ddp",
        [{"path": str(tiny_data), "name": "qa"}],
        per_device_train_batch_size=2,
        max_steps=2,
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--multi_gpu",  # torchrun; gloo without GPUs
        "-m", "actionart_hf.training.sft", "--config", recipe,
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "on 2 process(es) (MULTI_CPU, backend gloo)" in result.stdout, result.stdout[-2000:]
    state = json.loads((tmp_path / "ddp" / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    # 2 processes x 2 rows a step: 2 steps cover 8 of the 16 rows (a single process would cover 4)
    assert state["log_history"][-1]["epoch"] == pytest.approx(0.5)
    assert AutoModelForImageTextToText.from_pretrained(tmp_path / "ddp", trust_remote_code=True) is not None
