"""The parts of a merge that need a model class: PEFT adapters and tied-weight lookup (transformers, imported lazily).

[`merge_lora`] is the one LoRA-merge path of the package: `actionart-hf merge` with an adapter as the finetuned
model, a training stage's `merge_lora` step and `python -m actionart_hf.training.peft_merge` all use it. It loads the
base model fully in memory (in the checkpoint's dtype), applies the adapter with
`peft.PeftModel.from_pretrained(...).merge_and_unload()` and saves the result and the processor with
`save_pretrained`. The streaming merge saves it into a temporary folder beside its output and reads it like any
checkpoint: peak memory is one full model plus the adapter, and the temporary folder needs the model's size on disk.
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


_PROCESSOR_FILES = ("processor_config.json", "preprocessor_config.json", "tokenizer_config.json")


def merge_lora(
    adapter_dir: str | os.PathLike,
    output_dir: str | os.PathLike,
    base_model: str | os.PathLike | None = None,
    trust_remote_code: bool = False,
    save_processor: bool = True,
) -> Path:
    """Merges a PEFT LoRA adapter into its base model (`merge_and_unload`); saves the merged model and its processor.

    The base model loads in full (in its checkpoint's dtype) through the class its config names (see
    [`model_class_for`]). The processor comes from the adapter folder when training saved one there, else from the
    base; a local base without processor files gives a model-only folder.

    Args:
        adapter_dir (`str` or `os.PathLike`): folder with `adapter_config.json` and the adapter weights (e.g. the
            `output_dir` of a LoRA training stage).
        output_dir (`str` or `os.PathLike`): where the merged model (safetensors, config), processor and the
            project's model card (with the adapter's `actionart_card.json` lineage) are saved.
        base_model (`str` or `os.PathLike`, *optional*): base checkpoint (folder or Hub id); defaults to the
            adapter's `base_model_name_or_path`.
        trust_remote_code (`bool`, *optional*, defaults to `False`): run the base model's own code (`auto_map`).
            Off by default: the base is named by a file the user may not have written.
        save_processor (`bool`, *optional*, defaults to `True`): save the processor too (the streaming merge turns it
            off: it copies the processor files of the adapter and its base into its output itself).

    Returns:
        `Path` of the merged model folder.

    Raises:
        ValueError: `adapter_dir` holds no adapter, it names no base model, or the adapter cannot be merged into the
            weights (e.g. prompt tuning).
    """
    from peft import PeftModel

    from ..cards import read_card_metadata, write_model_card

    adapter_dir, output_dir = Path(adapter_dir), Path(output_dir)
    if not (adapter_dir / "adapter_config.json").is_file():
        raise ValueError(f"{str(adapter_dir)!r} has no adapter_config.json; point at the output_dir of a LoRA stage.")
    base = str(base_model or adapter_base_name(adapter_dir) or "")
    if not base:
        raise ValueError(
            f"The adapter in {str(adapter_dir)!r} records no base_model_name_or_path; pass the base model "
            "(base_model=..., --base-model)."
        )
    model_class, _ = model_class_for(base, trust_remote_code)
    logger.info("Merging adapter %s into %s (%s) in memory", adapter_dir, base, model_class.__name__)
    model = model_class.from_pretrained(base, dtype="auto", trust_remote_code=trust_remote_code)
    peft_model = PeftModel.from_pretrained(model, str(adapter_dir))
    if not hasattr(peft_model, "merge_and_unload"):
        raise ValueError(
            f"The adapter in {str(adapter_dir)!r} cannot be merged into the weights (no merge_and_unload)."
        )
    peft_model.merge_and_unload().save_pretrained(output_dir, safe_serialization=True)
    if save_processor:
        _save_processor(adapter_dir, base, output_dir, trust_remote_code)
    write_model_card(output_dir, read_card_metadata(adapter_dir) or None)
    return output_dir


def _save_processor(adapter_dir: Path, base: str, output_dir: Path, trust_remote_code: bool) -> None:
    """Saves the processor of the adapter folder (when training saved one there) or of the base into `output_dir`."""
    from transformers import AutoProcessor

    has_files = [any((Path(folder) / name).is_file() for name in _PROCESSOR_FILES) for folder in (adapter_dir, base)]
    if has_files[0]:
        source = str(adapter_dir)
    elif has_files[1] or not Path(base).is_dir():  # a Hub id is asked for its processor
        source = base
    else:
        logger.warning("Neither %s nor %s holds a processor; %s holds the model only.", adapter_dir, base, output_dir)
        return
    AutoProcessor.from_pretrained(source, trust_remote_code=trust_remote_code).save_pretrained(output_dir)


__all__ = ["adapter_base_name", "merge_lora", "model_class_for", "tied_weight_aliases"]
