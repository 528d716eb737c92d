"""Merge a LoRA adapter saved by a training stage into its base model, so the next stage can start from it.

```bash
python -m actionart_hf.training.peft_merge outputs/tiny/stage3-lora outputs/tiny/stage3-lora/merged
```

The base model is the adapter's `base_model_name_or_path` unless `--base-model` names another; its own code
(`auto_map`) runs only with `--trust-remote-code`. The merge itself is [`actionart_hf.merge.loading.merge_lora`].
"""

from __future__ import annotations

import argparse

from ..merge.loading import merge_lora


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actionart_hf.training.peft_merge", description=__doc__)
    parser.add_argument("adapter_dir", help="output_dir of a LoRA stage")
    parser.add_argument("output_dir", help="where the merged model and its processor are written")
    parser.add_argument("--base-model", default=None, help="base checkpoint (default: from adapter_config.json)")
    parser.add_argument(
        "--trust-remote-code", action="store_true", help="run the base model's own code (off by default)"
    )
    args = parser.parse_args(argv)
    merge_lora(args.adapter_dir, args.output_dir, base_model=args.base_model, trust_remote_code=args.trust_remote_code)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["main", "merge_lora"]
