"""The parts of a merge that need a model class: PEFT adapters and tied-weight lookup (transformers, imported lazily).

Merging an adapter loads its base model fully in memory (in the checkpoint's dtype), applies the adapter with
`peft.PeftModel.from_pretrained(...).merge_and_unload()` and saves the result with `save_pretrained` into a temporary
folder, which the streaming merge then reads like any checkpoint: peak memory is one full model plus the adapter,
and the temporary folder needs the model's size on disk (next to the output).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path


logger = logging.getLogger(__name__)

_AUTO_CLASSES = ("AutoModelForImageTextToText", "AutoModelForCausalLM", "AutoModelForVision2Seq", "AutoModel")


def _register_local_models() -> None:
    """Imports actionart_hf's own models, if present, so the Auto classes know them."""
    import importlib

    try:
        importlib.import_module("actionart_hf.models.actionart")
    except ImportError:
        pass


def model_class_for(folder: str | os.PathLike, trust_remote_code: bool = False):
    """The model class of the checkpoint in `folder` (from `config.json` `architectures`, else the Auto classes).

    Raises:
        ValueError: no class is found for the config.
    """
    import transformers
    from transformers import AutoConfig

    _register_local_models()
    config = AutoConfig.from_pretrained(folder, trust_remote_code=trust_remote_code)
    architectures = list(getattr(config, "architectures", None) or [])
    for architecture in architectures:
        if hasattr(transformers, architecture):
            return getattr(transformers, architecture), config
    auto_map = getattr(config, "auto_map", None) or {}
    for auto_name in _AUTO_CLASSES:
        if auto_name in auto_map and trust_remote_code:
            from transformers.dynamic_module_utils import get_class_from_dynamic_module

            return get_class_from_dynamic_module(auto_map[auto_name], folder), config
        auto_class = getattr(transformers, auto_name)
        if type(config) in auto_class._model_mapping:
            return auto_class._model_mapping[type(config)], config
    hint = " (it has remote code: pass --trust-remote-code)" if auto_map and not trust_remote_code else ""
    raise ValueError(f"No model class found for {str(folder)!r} (architectures={architectures}){hint}.")


def tied_weight_aliases(folder: str | os.PathLike, trust_remote_code: bool = False) -> dict[str, str]:
    """`{tied name: source name}` of the model in `folder`, e.g. `{"lm_head.weight": "model.embed_tokens.weight"}`.

    The model is built on the meta device (no memory, no weights read). Empty when the weights are not tied or no
    model class is found.
    """
    import torch

    try:
        model_class, config = model_class_for(folder, trust_remote_code)
        with torch.device("meta"):
            model = model_class._from_config(config)
    except Exception as error:  # best effort: without the lookup, one-sided tensors are reported as missing
        logger.warning("Could not build the model of %s to look up tied weights: %s", folder, error)
        return {}
    aliases = getattr(model, "all_tied_weights_keys", None) or {}
    return {str(target): str(source) for target, source in dict(aliases).items()}


def adapter_base_name(adapter: Path) -> str | None:
    """`base_model_name_or_path` recorded in the adapter's `adapter_config.json`."""
    return json.loads((adapter / "adapter_config.json").read_text()).get("base_model_name_or_path")


def merge_adapter(adapter: Path, base: Path, output: Path, trust_remote_code: bool = False) -> Path:
    """Merges the PEFT adapter in `adapter` into the model in `base` and saves the merged model to `output`.

    Memory: the whole base model plus the adapter (see the module docstring).

    Raises:
        ValueError: the adapter cannot be merged into the weights (e.g. prompt tuning).
    """
    from peft import PeftModel

    model_class, _ = model_class_for(base, trust_remote_code)
    logger.info("Merging adapter %s into %s (%s) in memory", adapter, base, model_class.__name__)
    model = model_class.from_pretrained(base, dtype="auto", trust_remote_code=trust_remote_code)
    peft_model = PeftModel.from_pretrained(model, adapter)
    if not hasattr(peft_model, "merge_and_unload"):
        raise ValueError(f"The adapter in {str(adapter)!r} cannot be merged into the weights (no merge_and_unload).")
    merged = peft_model.merge_and_unload()
    merged.save_pretrained(output)
    return output


__all__ = ["adapter_base_name", "merge_adapter", "model_class_for", "tied_weight_aliases"]
