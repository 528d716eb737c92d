"""The card facts of a trained stage (`actionart_hf.cards`): the lineage of the model it started from, plus itself.

    >>> metadata = stage_card_metadata(script_args, training_args, model_args, actionart_args)
    >>> metadata["stages"][-1]
    {'name': 'stage2-sd-fgqa', 'description': 'SFT with TRL (100 steps, learning rate 1e-05)', 'datasets': [...]}

A stage that starts from a folder with an `actionart_card.json` (the previous stage's `output_dir`) inherits its base
model, stages and datasets; one that starts from a Hub id names it as its base model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..cards import hub_ids, is_hub_id, read_card_metadata, reference_label


def _frozen(actionart_args) -> str:
    parts = [part.replace("_", " ") for part in ("vision_tower", "projector", "language_model")]
    frozen = [name for part, name in zip(("vision_tower", "projector", "language_model"), parts)
              if getattr(actionart_args, f"freeze_{part}")]  # fmt: skip
    return f", frozen: {', '.join(frozen)}" if frozen else ""


def describe_stage(training_args, model_args, actionart_args) -> str:
    """One line on how the stage trained: length, learning rate, LoRA and frozen modules."""
    length = (
        f"{training_args.max_steps} steps"
        if training_args.max_steps > 0
        else f"{training_args.num_train_epochs:g} epoch(s)"
    )
    lora = f", LoRA r={model_args.lora_r}" if model_args.use_peft else ""
    return (
        f"SFT with TRL ({length}, learning rate {training_args.learning_rate:g}{lora}{_frozen(actionart_args)}, "
        f"{actionart_args.num_frames} frames per video)"
    )


def stage_card_metadata(script_args, training_args, model_args, actionart_args) -> dict[str, Any]:
    """The card facts of the model a stage writes to `output_dir` (see the module docstring).

    Args:
        script_args (`trl.ScriptArguments`), training_args (`trl.SFTConfig`), model_args (`trl.ModelConfig`),
        actionart_args (`ActionArtTrainingArguments`): the parsed recipe.

    Returns:
        `dict` of `actionart_hf.cards.CARD_FIELDS`.
    """
    start = str(model_args.model_name_or_path)
    parent = read_card_metadata(start) if Path(start).is_dir() else {}
    sources = [(spec.path, spec.name) for spec in actionart_args.dataset_mixture] or [
        (script_args.dataset_name, script_args.dataset_config)
    ]
    stage = {
        "name": Path(training_args.output_dir).name,
        "description": describe_stage(training_args, model_args, actionart_args),
        "datasets": [reference_label(path, name) for path, name in sources],
    }
    return {
        **{key: parent[key] for key in ("stand_ins", "limitations", "license") if key in parent},
        "summary": f"A video LLM fine-tuned from {reference_label(start)} with `actionart-hf train` (TRL's "
        "`SFTTrainer`) for fine-grained, human-centric video understanding (ActionArt).",
        "base_model": parent.get("base_model") or (start if is_hub_id(start) else None),
        "stages": [*parent.get("stages", []), stage],
        "datasets": list(dict.fromkeys([*parent.get("datasets", []), *hub_ids([path for path, _ in sources])])),
    }


__all__ = ["describe_stage", "stage_card_metadata"]
