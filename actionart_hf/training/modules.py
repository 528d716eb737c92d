"""Freezing and per-module learning rates for the three parts of a video LLM: vision tower, projector, LLM.

Parameters are assigned to a part by name fragments (`ActionArtTrainingArguments.*_modules`); the first part
whose fragment occurs in the name wins, in the order vision tower, projector, language model. Parameters of no part
(e.g. a learned newline embedding) are `"other"` and train with the base learning rate.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import torch


logger = logging.getLogger(__name__)

PARTS = ("vision_tower", "projector", "language_model")


def module_part(name: str, patterns: dict[str, list[str]]) -> str:
    """The part (`vision_tower`, `projector`, `language_model` or `other`) a parameter name belongs to."""
    for part in PARTS:
        if any(fragment in name for fragment in patterns[part]):
            return part
    return "other"


def part_patterns(args) -> dict[str, list[str]]:
    """`{part: fragments}` from an `ActionArtTrainingArguments`."""
    return {part: list(getattr(args, f"{part}_modules")) for part in PARTS}


def apply_freezing(model: torch.nn.Module, args) -> dict[str, int]:
    """Sets `requires_grad=False` on the frozen parts and checks that each configured part exists.

    Args:
        model (`torch.nn.Module`): the model, before any PEFT wrapping.
        args (`ActionArtTrainingArguments`): freezing flags, learning rates and name fragments.

    Returns:
        `dict[str, int]`: trainable parameter count per part (`other` included).

    Raises:
        ValueError: a part that is frozen or given its own learning rate matches no parameter name.
    """
    patterns = part_patterns(args)
    totals: dict[str, int] = defaultdict(int)
    trainable: dict[str, int] = defaultdict(int)
    for name, parameter in model.named_parameters():
        part = module_part(name, patterns)
        totals[part] += parameter.numel()
        if part != "other" and getattr(args, f"freeze_{part}"):
            parameter.requires_grad_(False)
        if parameter.requires_grad:
            trainable[part] += parameter.numel()
    for part in PARTS:
        configured = getattr(args, f"freeze_{part}") or getattr(args, f"{part}_lr") is not None
        if configured and totals[part] == 0:
            prefixes = sorted({".".join(n.split(".")[:2]) for n, _ in model.named_parameters()})[:6]
            raise ValueError(
                f"freeze_{part} / {part}_lr is set, but no parameter name contains any of {patterns[part]}; set "
                f"{part}_modules to fragments of this model's parameter names (e.g. {prefixes})."
            )
    summary = {part: trainable[part] for part in (*PARTS, "other")}
    logger.info("Trainable parameters per part: %s (of %s)", summary, dict(totals))
    return summary


def parameter_groups(
    model: torch.nn.Module, args, base_lr: float, weight_decay: float, decay_names: set[str] | list[str]
) -> list[dict]:
    """Optimizer parameter groups: one per (part, with/without weight decay) with the part's learning rate.

    Args:
        model (`torch.nn.Module`): the (possibly PEFT-wrapped) model.
        args (`ActionArtTrainingArguments`): learning rates and name fragments.
        base_lr (`float`): `learning_rate` of the training arguments.
        weight_decay (`float`): weight decay of decayed parameters.
        decay_names (`set[str]`): names of the parameters that get weight decay (as `Trainer` computes them).

    Returns:
        `list[dict]` of `{"params", "lr", "weight_decay"}`, only groups with trainable parameters.
    """
    patterns = part_patterns(args)
    lrs = args.module_lrs(base_lr)
    decay_names = set(decay_names)
    groups: dict[tuple[str, bool], list] = defaultdict(list)
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        groups[(module_part(name, patterns), name in decay_names)].append(parameter)
    result = []
    for (part, decay), params in groups.items():
        lr = lrs.get(part) or base_lr  # a frozen part with trainable params here means LoRA adapters: base lr
        result.append({"params": params, "lr": lr, "weight_decay": weight_decay if decay else 0.0})
    return result


__all__ = ["PARTS", "apply_freezing", "module_part", "parameter_groups"]
