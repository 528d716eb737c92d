# /// script
# dependencies = [
#     "actionart-hf",
#     "trl>=1.0",
#     "peft",
# ]
# ///
"""Train one stage of ActionArt with TRL's `SFTTrainer` from a recipe YAML (docs/DESIGN.md §6.6).

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
import logging
import os
import re
import sys
from pathlib import Path


logger = logging.getLogger(__name__)

# TRL's dataclass parser treats any field named `config` as the YAML path; ours are safe.
_REGEX_CHARS = re.compile(r"[*()|\\\[\]^$]")


def _dataclass_types():
    from trl import ModelConfig, ScriptArguments, SFTConfig

    from .arguments import ActionArtTrainingArguments

    return (ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)


def make_parser(subparsers: argparse._SubParsersAction | None = None, prog: str | None = None):
    """The `TrlParser` over `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`.

    Args:
        subparsers (`argparse._SubParsersAction`, *optional*): add the parser as a `train` subcommand.
        prog (`str`, *optional*): program name shown in `--help`.

    Returns:
        `trl.TrlParser`.
    """
    from trl import TrlParser

    if subparsers is not None:
        return subparsers.add_parser(
            "train", help="Train a stage from a recipe YAML.", dataclass_types=_dataclass_types()
        )
    return TrlParser(_dataclass_types(), prog=prog)


def _normalize_argv(argv: list[str]) -> list[str]:
    """`X.yaml ...` (the recipe given positionally, as `actionart-hf train X.yaml`) → `--config X.yaml ...`."""
    argv = list(argv)
    if "--config" not in argv and argv and not argv[0].startswith("-") and argv[0].endswith((".yaml", ".yml")):
        argv = ["--config", argv[0], *argv[1:]]
    return argv


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> tuple:
    """Parses a recipe plus command-line overrides into the four argument dataclasses.

    Unknown YAML keys fail (`fail_with_unknown_args=True`, unlike TRL's own script), so a typo in a recipe is an
    error, not a silently ignored setting.

    Args:
        argv (`list[str]`, *optional*): arguments (default `sys.argv[1:]`); `X.yaml` may come first without
            `--config`.
        prog (`str`, *optional*): program name for `--help`.

    Returns:
        `(ScriptArguments, SFTConfig, ModelConfig, ActionArtTrainingArguments)`, cross-checked with `check_args`.
    """
    argv = _normalize_argv(sys.argv[1:] if argv is None else argv)
    if "--config" in argv:
        index = argv.index("--config")
        if index + 1 >= len(argv) or not Path(argv[index + 1]).is_file():
            missing = argv[index + 1] if index + 1 < len(argv) else "(nothing)"
            raise ValueError(f"Recipe {missing!r} not found; pass the path of a YAML file, e.g. recipes/tiny/...")
    parser = make_parser(prog=prog)
    args = parser.parse_args_and_config(argv, fail_with_unknown_args=True)
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


def _peft_config(model_args):
    from trl import get_peft_config

    targets = model_args.lora_target_modules
    if isinstance(targets, list) and len(targets) == 1 and _REGEX_CHARS.search(targets[0]):
        model_args.lora_target_modules = targets[0]  # PEFT matches a string as a regex, a list by name suffix
    return get_peft_config(model_args)


def _last_checkpoint(training_args) -> str | None:
    """The checkpoint to resume from: the given folder, none (`false`), or the last one in `output_dir`."""
    from transformers.trainer_utils import get_last_checkpoint

    value = training_args.resume_from_checkpoint
    output_dir = training_args.output_dir
    last = get_last_checkpoint(output_dir) if os.path.isdir(output_dir) else None
    word = value.strip().lower() if isinstance(value, str) else value
    if word in ("false", "no", "none", "0"):
        return None  # explicit opt-out: start over even if output_dir holds checkpoints
    if word in ("true", "yes", "last", True):
        if last is None:
            raise ValueError(f"resume_from_checkpoint={value!r}, but {output_dir!r} holds no checkpoint-* folder.")
        return last
    if value not in (None, "", False):
        if not os.path.isdir(value):
            raise ValueError(f"resume_from_checkpoint={value!r} is not a checkpoint folder.")
        return str(value)
    if last is not None:
        logger.info("Resuming from %s (found in output_dir).", last)
    return last


def build_datasets(script_args, training_args, actionart_args):
    """The train (and eval) datasets of the recipe, checked before any model is loaded."""
    from .arguments import DatasetSpec
    from .mixture import load_mixture

    specs = actionart_args.dataset_mixture or [
        DatasetSpec.from_entry(
            {
                "path": script_args.dataset_name,
                "name": script_args.dataset_config,
                "split": script_args.dataset_train_split,
            }
        )
    ]
    train = load_mixture(specs, seed=actionart_args.mixture_seed)
    evaluation = None
    if training_args.eval_strategy != "no":
        evaluation = load_mixture(
            actionart_args.eval_dataset_mixture, seed=actionart_args.mixture_seed, field_name="eval_dataset_mixture"
        )
    return train, evaluation


def load_model_and_processor(training_args, model_args):
    """`AutoModelForImageTextToText` + `AutoProcessor` of `model_name_or_path` (dtype, attention, remote code)."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    try:  # registers ActionArt with the Auto classes (checkpoints also carry the code for trust_remote_code)
        import actionart_hf.models.actionart  # noqa: F401
    except ImportError:  # pragma: no cover - the package is always there when this module is
        pass

    kwargs = dict(training_args.model_init_kwargs or {})
    kwargs.setdefault("revision", model_args.model_revision)
    kwargs.setdefault("trust_remote_code", training_args.trust_remote_code)
    if model_args.attn_implementation is not None:
        kwargs.setdefault("attn_implementation", model_args.attn_implementation)
    dtype = model_args.dtype
    if dtype not in (None, "auto"):
        dtype = getattr(torch, dtype)
    kwargs.setdefault("dtype", dtype if dtype is not None else torch.float32)
    path = model_args.model_name_or_path
    if not Path(path).exists() and (path.startswith((".", "/", "~")) or path.count("/") > 1):
        raise ValueError(
            f"model_name_or_path={path!r} does not exist. Run the previous stage first (stages chain by "
            "model_name_or_path = previous output_dir); for the tiny recipes create the base with "
            "`python -m actionart_hf.training.tiny_base`."
        )
    model = AutoModelForImageTextToText.from_pretrained(path, **kwargs)
    processor = AutoProcessor.from_pretrained(
        path, revision=model_args.model_revision, trust_remote_code=training_args.trust_remote_code
    )
    return model, processor


def _training_videos(dataset) -> list[str]:
    """Every video path of the uniform training rows, in first-seen order."""
    return list(dict.fromkeys(path for paths in dataset["videos"] for path in paths or []))


def check_data(collator, dataset, num_examples: int) -> None:
    """Collates the first `num_examples` examples of every source of the mixture (decoding their media)."""
    if num_examples <= 0:
        return
    seen: dict[str, int] = {}
    sources = dataset["source"]
    for index, source in enumerate(sources):
        if seen.get(source, 0) >= num_examples:
            continue
        seen[source] = seen.get(source, 0) + 1
        try:
            collator([dataset[index]])
        except Exception as error:
            raise ValueError(f"Example {index} of {source} cannot be collated: {error}") from error


def main(script_args, training_args=None, model_args=None, actionart_args=None):
    """Runs one stage: data → model → `ActionArtSFTTrainer.train` → save (→ merged LoRA) → eval → push.

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
    import datasets
    import transformers
    from transformers import set_seed

    from .collator import ActionArtDataCollator
    from .modules import apply_freezing
    from .trainer import ActionArtSFTTrainer

    check_args(script_args, training_args, model_args, actionart_args)
    # 1. seed, threads and logging
    set_seed(training_args.seed)
    if actionart_args.num_threads is not None:
        import torch

        torch.set_num_threads(actionart_args.num_threads)
    log_level = training_args.get_process_log_level()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=log_level)
    logger.setLevel(log_level)
    datasets.utils.logging.set_verbosity(log_level)
    transformers.utils.logging.set_verbosity(log_level)
    logger.info("Model %s, output %s", model_args.model_name_or_path, training_args.output_dir)
    # 2. resume
    checkpoint = _last_checkpoint(training_args)
    # 3. data (every dataset checked before the model is loaded)
    with training_args.main_process_first(desc="loading the dataset mixture"):  # rank 0 fills the datasets cache
        train_dataset, eval_dataset = build_datasets(script_args, training_args, actionart_args)
    # 4. model, processor, collator
    model, processor = load_model_and_processor(training_args, model_args)
    max_frames = getattr(model.config, "max_frames", None)
    if max_frames is not None and actionart_args.num_frames > max_frames:
        raise ValueError(
            f"num_frames={actionart_args.num_frames} exceeds the model's max_frames={max_frames}; lower num_frames."
        )
    apply_freezing(model, actionart_args)
    vision_features = None
    if actionart_args.vision_feature_cache:
        from .vision_cache import prepare_vision_features

        with training_args.main_process_first(desc="encoding videos into the vision feature cache"):
            vision_features = prepare_vision_features(
                actionart_args.vision_feature_cache,
                model,
                processor,
                _training_videos(train_dataset),
                actionart_args.num_frames,
                actionart_args.max_pixels,
                actionart_args.video_backend,
                show_progress=not training_args.disable_tqdm,
            )
    collator = ActionArtDataCollator(
        processor,
        num_frames=actionart_args.num_frames,
        max_pixels=actionart_args.max_pixels,
        video_backend=actionart_args.video_backend,
        loss_on=actionart_args.loss_on,
        max_length=training_args.max_length,
        vision_features=vision_features,
    )
    check_data(collator, train_dataset, actionart_args.check_data_batches)
    trainer = ActionArtSFTTrainer(
        model=model,
        args=training_args,
        data_collator=collator,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=processor,
        peft_config=_peft_config(model_args),
        actionart_args=actionart_args,
    )
    # 5. train
    state = trainer.accelerator.state
    trainer.accelerator.print(
        f"Training {model_args.model_name_or_path} -> {training_args.output_dir} on {state.num_processes} "
        f"process(es) ({state.distributed_type.value}, backend {state.backend or 'none'}), {len(train_dataset)} "
        f"examples" + (f", resuming from {checkpoint}" if checkpoint else "")
    )
    result = trainer.train(resume_from_checkpoint=checkpoint)
    metrics = dict(result.metrics)
    metrics["train_samples"] = len(train_dataset)
    trainer.log_metrics("train", metrics)
    trainer.save_metrics("train", metrics)
    trainer.save_state()
    # 6. save
    trainer.save_model(training_args.output_dir)
    dataset_names = ", ".join(spec.label for spec in actionart_args.dataset_mixture) or script_args.dataset_name
    if trainer.accelerator.is_main_process:
        trainer.create_model_card(dataset_name=dataset_names)
        if model_args.use_peft and actionart_args.save_merged_model:
            from ..merge.loading import merge_lora

            merged = Path(training_args.output_dir) / "merged"
            merge_lora(training_args.output_dir, merged, trust_remote_code=training_args.trust_remote_code)
    trainer.accelerator.wait_for_everyone()
    # 7. evaluate
    if eval_dataset is not None:
        eval_metrics = trainer.evaluate()
        eval_metrics["eval_samples"] = len(eval_dataset)
        trainer.log_metrics("eval", eval_metrics)
        trainer.save_metrics("eval", eval_metrics)
    # 8. push
    if training_args.push_to_hub:
        trainer.push_to_hub(dataset_name=dataset_names)
    logger.info("Saved to %s", training_args.output_dir)
    return result


def run_cli(argv: list[str] | None = None, prog: str | None = "actionart-hf train") -> int:
    """`actionart-hf train X.yaml [--flag value ...]`: parse (recipe given positionally or with --config) and run."""
    args = parse_args(argv, prog=prog)
    main(*args)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(prog="python -m actionart_hf.training.sft"))
