"""A training recipe: the flat mapping of a recipe YAML, parsed into TRL's argument dataclasses and cross-checked.

A recipe's keys are the fields of `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`, plus an
optional `env:` block of environment variables (as in TRL). The same checks apply whether the recipe comes from a
YAML file (`actionart-hf train X.yaml`) or is built in code:

    >>> from actionart_hf.training import parse_recipe, train_stage
    >>> args = parse_recipe({"model_name_or_path": "outputs/base", "output_dir": "outputs/stage1", ...})
    >>> train_stage(*args)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..extras import require_extra
from ..yaml_files import read_yaml_mapping
from .trl_mixture import recipe_with_trl_mixture


def recipe_dataclasses() -> tuple[type, ...]:
    """`(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`: the four classes a recipe fills."""
    from trl import ModelConfig, ScriptArguments, SFTConfig

    from .arguments import ActionArtTrainingArguments

    return (ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)


def recipe_parser(prog: str | None = None):
    """The `trl.TrlParser` over the four recipe dataclasses (`prog` is the program name shown in `--help`)."""
    from trl import TrlParser

    return TrlParser(recipe_dataclasses(), prog=prog)


def load_recipe(path: str | os.PathLike) -> dict[str, Any]:
    """Reads a recipe YAML file into its mapping.

    Raises:
        ValueError: the file does not exist, is not valid YAML (naming the line) or does not hold a mapping.
    """
    return read_yaml_mapping(path, "Recipe")


def parse_recipe(
    recipe: Mapping[str, Any], overrides: Sequence[str] = (), prog: str | None = None
) -> tuple[Any, Any, Any, Any]:
    """Parses a recipe mapping plus command-line overrides into the four argument dataclasses.

    The recipe's values become the parser's defaults and `overrides` (`["--max_steps", "5", ...]`) win over them,
    as with TRL's `--config`. Unknown keys fail (unlike TRL's own script), so a typo in a recipe is an error, not a
    silently ignored setting. An `env:` block is exported to `os.environ`, as TRL does.

    Args:
        recipe (`Mapping[str, Any]`): the keys of a recipe YAML (see `load_recipe`).
        overrides (`Sequence[str]`, *optional*): command-line flags that override the recipe.
        prog (`str`, *optional*): program name shown in `--help`.

    Returns:
        `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`, cross-checked with `check_args`.
    """
    recipe = recipe_with_trl_mixture(recipe)  # TRL's top-level `datasets:` spelling of the mixture
    env = recipe.pop("env", None) or {}
    if not isinstance(env, dict):
        raise ValueError(f"env={env!r} in the recipe must be a mapping of environment variables, e.g. {{HF_HOME: x}}.")
    for key, value in env.items():
        os.environ[key] = str(value)
    if recipe.get("deepspeed") or "--deepspeed" in overrides or os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true":
        require_extra("deepspeed", "Training with a DeepSpeed config")
    parser = recipe_parser(prog)
    unknown = parser.set_defaults_with_config(**recipe)
    if unknown:
        raise ValueError(
            f"Unknown recipe keys {unknown[::2]}: fix their spelling or remove them (a recipe holds the fields of "
            "ScriptArguments, SFTConfig, ModelConfig and ActionArtTrainingArguments)."
        )
    args = parser.parse_args_into_dataclasses(args=list(overrides))
    check_args(*args)
    return args


def check_args(script_args, training_args, model_args, actionart_args) -> None:
    """Cross-checks between the four argument classes; fixes the settings our collator needs.

    Raises:
        ValueError: no model, no data, options that contradict the collator, or nothing left to train.
    """
    if not model_args.model_name_or_path:
        raise ValueError(
            "model_name_or_path is not set; give a checkpoint folder (the previous stage's output_dir) or Hub id. "
            "For the tiny recipes, create the base first: python -m actionart_hf.training.tiny_base"
        )
    if not actionart_args.dataset_mixture and not script_args.dataset_name:
        raise ValueError("No training data: set dataset_mixture (a list of datasets) or dataset_name.")
    if script_args.dataset_name and actionart_args.dataset_mixture:
        raise ValueError("Both dataset_name and dataset_mixture are set; keep one (dataset_mixture can hold both).")
    if training_args.packing or training_args.padding_free:
        raise ValueError("packing / padding_free are not supported with videos; set both to false.")
    if training_args.assistant_only_loss or training_args.completion_only_loss:
        raise ValueError(
            "assistant_only_loss / completion_only_loss belong to TRL's own collators; the ActionArt collator "
            "supervises the assistant turns by default (loss_on: assistant). Remove them from the recipe."
        )
    if (
        actionart_args.freeze_vision_tower
        and actionart_args.freeze_projector
        and actionart_args.freeze_language_model
        and not model_args.use_peft
    ):
        raise ValueError(
            "freeze_vision_tower, freeze_projector and freeze_language_model are all true and use_peft is false: "
            "nothing would train. Unfreeze a module or add LoRA adapters with --use_peft."
        )
    if training_args.eval_strategy != "no" and not actionart_args.eval_dataset_mixture:
        raise ValueError(f"eval_strategy={training_args.eval_strategy!r} needs eval_dataset_mixture; or set 'no'.")
    # How TRL trains VLMs: the collator sees raw rows (no tokenization pass, no column pruning).
    training_args.dataset_kwargs = {**(training_args.dataset_kwargs or {}), "skip_prepare_dataset": True}
    training_args.remove_unused_columns = False


__all__ = ["check_args", "load_recipe", "parse_recipe", "recipe_dataclasses", "recipe_parser"]
