"""`train_stage`: one ActionArt training stage with TRL's `SFTTrainer`, from the four parsed argument dataclasses.

The steps follow open-r1's script order: seed and logging, resume, data, model, train, save, evaluate, push.

    >>> from actionart_hf.training import load_recipe, parse_recipe, train_stage
    >>> train_stage(*parse_recipe(load_recipe("recipes/tiny/stage2_proxy/config_sd_fgqa.yaml")))
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path


logger = logging.getLogger(__name__)

_REGEX_CHARS = re.compile(r"[*()|\\\[\]^$]")


def train_stage(script_args, training_args, model_args, actionart_args):
    """Runs one stage: data → model → `ActionArtSFTTrainer.train` → save (→ merged LoRA) → eval → push.

    Args:
        script_args (`trl.ScriptArguments`): dataset name / splits.
        training_args (`trl.SFTConfig`): the trainer settings (`output_dir`, `learning_rate`, ...).
        model_args (`trl.ModelConfig`): `model_name_or_path`, dtype, LoRA settings.
        actionart_args (`ActionArtTrainingArguments`): mixture, frames, freezing, per-module learning rates.

    Returns:
        `transformers.trainer_utils.TrainOutput` of the run.
    """
    from .card import stage_card_metadata
    from .recipe import check_args

    check_args(script_args, training_args, model_args, actionart_args)
    configure_run(training_args, actionart_args)
    logger.info("Model %s, output %s", model_args.model_name_or_path, training_args.output_dir)
    checkpoint = resume_checkpoint(training_args)
    with training_args.main_process_first(desc="loading the dataset mixture"):  # rank 0 fills the datasets cache
        train_dataset, eval_dataset = build_datasets(script_args, training_args, actionart_args)
    model, processor = load_model_and_processor(training_args, model_args)
    prepare_model(model, actionart_args)
    collator = build_collator(model, processor, train_dataset, training_args, actionart_args)
    check_data(collator, train_dataset, actionart_args.check_data_batches)
    card = stage_card_metadata(script_args, training_args, model_args, actionart_args)
    data = (train_dataset, eval_dataset)
    trainer = build_trainer(model, processor, collator, *data, training_args, model_args, actionart_args, card)
    result = run_training(trainer, train_dataset, checkpoint, model_args.model_name_or_path)
    save_outputs(trainer, model_args, actionart_args)
    if eval_dataset is not None:
        run_evaluation(trainer, eval_dataset)
    if training_args.push_to_hub:
        trainer.push_to_hub()
    logger.info("Saved to %s", training_args.output_dir)
    return result


def configure_run(training_args, actionart_args) -> None:
    """Seeds everything, sets torch's thread count and the log level of this module, datasets and transformers."""
    import datasets
    import transformers
    from transformers import set_seed

    set_seed(training_args.seed)
    if actionart_args.num_threads is not None:
        import torch

        torch.set_num_threads(actionart_args.num_threads)
    log_level = training_args.get_process_log_level()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=log_level)
    logger.setLevel(log_level)
    datasets.utils.logging.set_verbosity(log_level)
    transformers.utils.logging.set_verbosity(log_level)


def resume_checkpoint(training_args) -> str | None:
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


def prepare_model(model, actionart_args) -> None:
    """Checks `num_frames` against the model's `max_frames`, then freezes the modules the recipe keeps fixed."""
    from .modules import apply_freezing

    max_frames = getattr(model.config, "max_frames", None)
    if max_frames is not None and actionart_args.num_frames > max_frames:
        raise ValueError(
            f"num_frames={actionart_args.num_frames} exceeds the model's max_frames={max_frames}; lower num_frames."
        )
    apply_freezing(model, actionart_args)


def _training_videos(dataset) -> list[str]:
    """Every video path of the uniform training rows, in first-seen order."""
    return list(dict.fromkeys(path for paths in dataset["videos"] for path in paths or []))


def build_collator(model, processor, train_dataset, training_args, actionart_args):
    """The `ActionArtDataCollator` of the recipe, reading the vision feature cache (filled first) when one is set."""
    from .collator import ActionArtDataCollator

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
    return ActionArtDataCollator(
        processor,
        num_frames=actionart_args.num_frames,
        max_pixels=actionart_args.max_pixels,
        video_backend=actionart_args.video_backend,
        loss_on=actionart_args.loss_on,
        max_length=training_args.max_length,
        vision_features=vision_features,
    )


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


def _peft_config(model_args):
    from trl import get_peft_config

    targets = model_args.lora_target_modules
    if isinstance(targets, list) and len(targets) == 1 and _REGEX_CHARS.search(targets[0]):
        model_args.lora_target_modules = targets[0]  # PEFT matches a string as a regex, a list by name suffix
    return get_peft_config(model_args)


def build_trainer(
    model,
    processor,
    collator,
    train_dataset,
    eval_dataset,
    training_args,
    model_args,
    actionart_args,
    card_metadata: dict | None = None,
):
    """The `ActionArtSFTTrainer` of the stage (LoRA adapters when `use_peft`, per-module learning rates), writing the
    project's model card from `card_metadata` (see `actionart_hf.training.card.stage_card_metadata`)."""
    from .trainer import ActionArtSFTTrainer

    return ActionArtSFTTrainer(
        model=model,
        args=training_args,
        data_collator=collator,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=processor,
        peft_config=_peft_config(model_args),
        actionart_args=actionart_args,
        card_metadata=card_metadata,
    )


def run_training(trainer, train_dataset, checkpoint: str | None, model_name: str):
    """Trains (from `checkpoint` when resuming), then saves the train metrics and the trainer state."""
    training_args = trainer.args
    state = trainer.accelerator.state
    trainer.accelerator.print(
        f"Training {model_name} -> {training_args.output_dir} on {state.num_processes} "
        f"process(es) ({state.distributed_type.value}, backend {state.backend or 'none'}), {len(train_dataset)} "
        f"examples" + (f", resuming from {checkpoint}" if checkpoint else "")
    )
    result = trainer.train(resume_from_checkpoint=checkpoint)
    metrics = dict(result.metrics)
    metrics["train_samples"] = len(train_dataset)
    trainer.log_metrics("train", metrics)
    trainer.save_metrics("train", metrics)
    trainer.save_state()
    return result


def save_outputs(trainer, model_args, actionart_args) -> None:
    """Saves the model to `output_dir`; on the main process also the project's model card and (LoRA) the merged
    model, which carries the same card."""
    output_dir = trainer.args.output_dir
    trainer.save_model(output_dir)
    if trainer.accelerator.is_main_process:
        trainer.create_model_card()
        if model_args.use_peft and actionart_args.save_merged_model:
            from ..merge.loading import merge_lora

            merged = Path(output_dir) / "merged"
            merge_lora(output_dir, merged, trust_remote_code=trainer.args.trust_remote_code)
    trainer.accelerator.wait_for_everyone()


def run_evaluation(trainer, eval_dataset) -> None:
    """Evaluates on `eval_dataset` and saves the eval metrics."""
    metrics = trainer.evaluate()
    metrics["eval_samples"] = len(eval_dataset)
    trainer.log_metrics("eval", metrics)
    trainer.save_metrics("eval", metrics)


__all__ = [
    "build_collator",
    "build_datasets",
    "build_trainer",
    "check_data",
    "configure_run",
    "load_model_and_processor",
    "prepare_model",
    "resume_checkpoint",
    "run_evaluation",
    "run_training",
    "save_outputs",
    "train_stage",
]
