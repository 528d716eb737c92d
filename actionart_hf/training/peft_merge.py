"""Merge a LoRA adapter saved by a training stage into its base model, so the next stage can start from it.

```bash
python -m actionart_hf.training.peft_merge outputs/tiny/stage3-lora outputs/tiny/stage3-lora/merged
```

The base model is the adapter's `base_model_name_or_path` unless `--base-model` names another; its own code
(`auto_map`) runs only with `--trust-remote-code`. The merge itself is [`actionart_hf.merge.loading.merge_lora`];
the command line is in `actionart_hf.training.cli`.
"""

from __future__ import annotations

from ..merge.loading import merge_lora


if __name__ == "__main__":
    from .cli import make_peft_merge_parser, peft_merge_main

    raise SystemExit(peft_merge_main(make_peft_merge_parser().parse_args()))


__all__ = ["merge_lora"]
