"""The short `--help` of `actionart-hf train`: what the command does, how to pass the recipe, and the options people
set; `--help-all` prints TRL's full list (every field of the four recipe classes).
"""

from __future__ import annotations

import re
import textwrap


DESCRIPTION = """\
Train one stage of ActionArt with TRL's SFTTrainer from a recipe YAML.

A recipe is one flat YAML file of the fields of TRL's ScriptArguments, SFTConfig and ModelConfig and of
ActionArtTrainingArguments (dataset_mixture, num_frames, freezing, per-module learning rates). Pass it first (or
with --config); any field can then be overridden on the command line as --field value.

examples:
  actionart-hf train recipes/tiny/stage2_proxy/config_sd_fgqa.yaml
  actionart-hf train recipes/tiny/stage3_manual/config_from_proxy.yaml --learning_rate 1e-4 --max_steps 20
  accelerate launch --config_file recipes/accelerate_configs/zero3.yaml -m actionart_hf.training.sft \\
      --config recipes/actionart-7b/stage2_proxy/config_sd_fgqa.yaml      # ZeRO-3 needs actionart-hf[deepspeed]
"""
# The options of the short help, in the order a recipe usually lists them.
COMMON_OPTIONS = (
    "model_name_or_path",
    "output_dir",
    "dataset_mixture",
    "dataset_name",
    "num_frames",
    "max_pixels",
    "learning_rate",
    "num_train_epochs",
    "max_steps",
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "max_length",
    "bf16",
    "gradient_checkpointing",
    "freeze_vision_tower",
    "vision_tower_lr",
    "use_peft",
    "lora_r",
    "save_steps",
    "logging_steps",
    "report_to",
    "resume_from_checkpoint",
    "seed",
    "push_to_hub",
    "hub_model_id",
)
_FIRST_SENTENCE = re.compile(r"^(.+?\.)(\s|$)", re.DOTALL)


def _first_sentence(text: str) -> str:
    text = " ".join(text.replace("%%", "%").split())
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def short_help(parser, prog: str) -> str:
    """The short help of the train command, from the help texts of `parser` (the full `TrlParser`).

    Args:
        parser (`trl.TrlParser`): the parser over the four recipe classes.
        prog (`str`): the program name shown in the usage line.
    """
    actions = {}
    for action in parser._actions:  # the first action of a dest (`--x`, not its `--no_x` twin)
        if action.option_strings and action.option_strings[0].startswith("--"):
            actions.setdefault(action.dest, action)
    lines = [f"usage: {prog} RECIPE.yaml [--field value ...]", "", DESCRIPTION, "options people set most:"]
    for dest in COMMON_OPTIONS:
        action = actions[dest]
        default = "" if action.default in (None, "", []) else f" (default: {action.default})"
        wrapped = textwrap.wrap(_first_sentence(action.help or "") + default, 119 - 34)
        lines.append(f"  --{dest:<30}{wrapped[0] if wrapped else ''}")
        lines += [" " * 34 + line for line in wrapped[1:]]
    lines += ["", f"All {len(actions)} options (every field of the four classes): {prog} --help-all"]
    return "\n".join(lines) + "\n"


__all__ = ["COMMON_OPTIONS", "DESCRIPTION", "short_help"]
