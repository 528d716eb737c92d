# /// script
# dependencies = [
#     "actionart-hf",
#     "trl>=1.0",
#     "peft",
# ]
# ///
"""Train one stage of ActionArt with TRL's `SFTTrainer` from a recipe YAML (docs/DESIGN.md §6.6).

A TRL-style script over the library: `parse_args` reads the recipe (`actionart_hf.training.recipe`) and `main` runs
`actionart_hf.training.train_stage`.

# One stage, any of the three entry points
```bash
actionart-hf train recipes/tiny/stage2_proxy/config_sd_fgqa.yaml
python -m actionart_hf.training.sft --config recipes/tiny/stage2_proxy/config_sd_fgqa.yaml
accelerate launch --config_file recipes/accelerate_configs/zero3.yaml -m actionart_hf.training.sft \\
    --config recipes/actionart-7b/stage2_proxy/config_sd_fgqa.yaml
```

# Overrides and LoRA (command-line flags win over the YAML)
```bash
actionart-hf train recipes/tiny/stage3_manual/config_from_proxy.yaml --learning_rate 1e-4 --max_steps 20 \\
    --use_peft --lora_r 16 --lora_alpha 32 --lora_target_modules q_proj k_proj v_proj o_proj
```

Stages chain through `model_name_or_path` = the previous stage's `output_dir`. A stage whose `output_dir` already
holds `checkpoint-*` folders resumes from the last one; `--resume_from_checkpoint <dir>` picks one, and
`--resume_from_checkpoint false` starts over.
"""

from __future__ import annotations

import argparse
import sys

from .recipe import load_recipe, parse_recipe, recipe_dataclasses, recipe_parser
from .stage import train_stage


def make_parser(subparsers: argparse._SubParsersAction | None = None, prog: str | None = None):
    """The `TrlParser` over `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`.

    Args:
        subparsers (`argparse._SubParsersAction`, *optional*): add the parser as a `train` subcommand.
        prog (`str`, *optional*): program name shown in `--help`.

    Returns:
        `trl.TrlParser`.
    """
    if subparsers is not None:
        return subparsers.add_parser(
            "train", help="Train a stage from a recipe YAML.", dataclass_types=recipe_dataclasses()
        )
    return recipe_parser(prog)


def _normalize_argv(argv: list[str]) -> list[str]:
    """`X.yaml ...` (the recipe given positionally, as `actionart-hf train X.yaml`) → `--config X.yaml ...`."""
    argv = list(argv)
    if "--config" not in argv and argv and not argv[0].startswith("-") and argv[0].endswith((".yaml", ".yml")):
        argv = ["--config", argv[0], *argv[1:]]
    return argv


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> tuple:
    """Parses a recipe plus command-line overrides into the four argument dataclasses.

    The YAML file is read by `load_recipe` and checked by `parse_recipe` (unknown keys fail, unlike TRL's own
    script), with the other flags as overrides. `-h` / `--help` prints the short help (`actionart_hf.training.help`)
    and `--help-all` TRL's full list, then exit.

    Args:
        argv (`list[str]`, *optional*): arguments (default `sys.argv[1:]`); `X.yaml` may come first without
            `--config`.
        prog (`str`, *optional*): program name for `--help`.

    Returns:
        `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`, cross-checked with `check_args`.
    """
    argv = _normalize_argv(sys.argv[1:] if argv is None else argv)
    if "--help-all" in argv:
        recipe_parser(prog).parse_args(["--help"])
    if "-h" in argv or "--help" in argv:
        from .help import short_help

        print(short_help(recipe_parser(prog), prog or "python -m actionart_hf.training.sft"), end="")
        raise SystemExit(0)
    recipe = {}
    if "--config" in argv:
        index = argv.index("--config")
        recipe = load_recipe(argv[index + 1] if index + 1 < len(argv) else "(nothing)")
        del argv[index : index + 2]
    return parse_recipe(recipe, argv, prog=prog)


def main(script_args, training_args=None, model_args=None, actionart_args=None):
    """Runs one stage with `actionart_hf.training.train_stage`.

    Args:
        script_args (`trl.ScriptArguments`, or the tuple of all four): dataset name / splits.
        training_args (`trl.SFTConfig`): the trainer settings (`output_dir`, `learning_rate`, ...).
        model_args (`trl.ModelConfig`): `model_name_or_path`, dtype, LoRA settings.
        actionart_args (`ActionArtTrainingArguments`): mixture, frames, freezing, per-module learning rates.

    Returns:
        `transformers.trainer_utils.TrainOutput` of the run.
    """
    if training_args is None:  # main(args) with the tuple that parse_args returns
        script_args, training_args, model_args, actionart_args = script_args
    return train_stage(script_args, training_args, model_args, actionart_args)


def run_cli(argv: list[str] | None = None, prog: str | None = "actionart-hf train") -> int:
    """`actionart-hf train X.yaml [--flag value ...]`: parse (recipe given positionally or with --config) and run."""
    args = parse_args(argv, prog=prog)
    main(*args)
    return 0


if __name__ == "__main__":
    from ..cli import report_user_errors

    prog = "python -m actionart_hf.training.sft"
    sys.exit(report_user_errors(prog, lambda: run_cli(prog=prog)))
