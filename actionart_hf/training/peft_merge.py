"""Merge a LoRA adapter saved by a training stage into its base model, so the next stage can start from it.

```bash
python -m actionart_hf.training.peft_merge outputs/tiny/stage3-lora outputs/tiny/stage3-lora/merged
```
"""

from __future__ import annotations

import json
import logging
from pathlib import Path


logger = logging.getLogger(__name__)


def merge_lora(
    adapter_dir: str | Path,
    output_dir: str | Path,
    base_model: str | None = None,
    trust_remote_code: bool = True,
) -> Path:
    """Loads the base model, applies the adapter, merges it (`merge_and_unload`) and saves model + processor.

    Args:
        adapter_dir (`str` or `Path`): folder with `adapter_config.json` and `adapter_model.safetensors`.
        output_dir (`str` or `Path`): where the merged model goes (safetensors, config, processor, remote code).
        base_model (`str`, *optional*): base checkpoint; defaults to the adapter's `base_model_name_or_path`.
        trust_remote_code (`bool`, *optional*, defaults to `True`): passed to `from_pretrained`.

    Returns:
        `Path` of the merged model folder.
    """
    from peft import PeftModel
    from transformers import AutoModelForImageTextToText, AutoProcessor

    adapter_dir = Path(adapter_dir)
    config_file = adapter_dir / "adapter_config.json"
    if not config_file.is_file():
        raise ValueError(f"{str(adapter_dir)!r} has no adapter_config.json; point at the output_dir of a LoRA stage.")
    base = base_model or json.loads(config_file.read_text())["base_model_name_or_path"]
    model = AutoModelForImageTextToText.from_pretrained(base, trust_remote_code=trust_remote_code, dtype="auto")
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    output_dir = Path(output_dir)
    merged.save_pretrained(output_dir, safe_serialization=True)
    processor_source = adapter_dir if (adapter_dir / "tokenizer_config.json").exists() else base
    AutoProcessor.from_pretrained(processor_source, trust_remote_code=trust_remote_code).save_pretrained(output_dir)
    logger.info("Merged %s into %s -> %s", adapter_dir, base, output_dir)
    return output_dir


if __name__ == "__main__":
    from .cli import make_peft_merge_parser, peft_merge_main

    raise SystemExit(peft_merge_main(make_peft_merge_parser().parse_args()))
