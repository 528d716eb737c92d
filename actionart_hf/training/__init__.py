"""Training: TRL SFT script, dataset mixtures, the video collator, per-module learning rates (docs/DESIGN.md §6.6).

    >>> from actionart_hf.training import ActionArtTrainingArguments, DatasetSpec, load_mixture, ActionArtDataCollator
    >>> from actionart_hf.training import load_recipe, parse_recipe, train_stage
    >>> train_stage(*parse_recipe(load_recipe("recipes/tiny/stage2_proxy/config_sd_fgqa.yaml")))

Command line: `actionart-hf train RECIPE.yaml` (= `python -m actionart_hf.training.sft --config RECIPE.yaml`).
"""

from __future__ import annotations

import importlib


_EXPORTS = {
    "ActionArtTrainingArguments": ".arguments",
    "DatasetSpec": ".arguments",
    "FORMAT_COLUMNS": ".arguments",
    "ActionArtDataCollator": ".collator",
    "IGNORE_INDEX": ".collator",
    "load_mixture": ".mixture",
    "load_dataset_entry": ".mixture",
    "sample_by_weight": ".mixture",
    "row_to_example": ".formats",
    "apply_freezing": ".modules",
    "parameter_groups": ".modules",
    "ActionArtSFTTrainer": ".trainer",
    "merge_lora": "..merge.loading",
    "check_args": ".recipe",
    "load_recipe": ".recipe",
    "parse_recipe": ".recipe",
    "train_stage": ".stage",
    "make_tiny_base": ".tiny_base",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
