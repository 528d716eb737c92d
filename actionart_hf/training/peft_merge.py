"""Merge a LoRA adapter saved by a training stage into its base model, so the next stage can start from it.

```bash
python -m actionart_hf.training.peft_merge outputs/tiny/stage3-lora outputs/tiny/stage3-lora/merged
```

The base model is the adapter's `base_model_name_or_path` unless `--base-model` names another; its own code
(`auto_map`) runs only with `--trust-remote-code`. The merge itself is [`actionart_hf.merge.loading.merge_lora`];
the arguments are in `actionart_hf.training.cli`.
"""

from __future__ import annotations

from ..merge.loading import merge_lora


def main(argv: list[str] | None = None) -> int:
    """Parses `adapter_dir output_dir [--base-model B] [--trust-remote-code]` and merges with [`merge_lora`]."""
    from .cli import make_peft_merge_parser

    args = make_peft_merge_parser().parse_args(argv)
    merge_lora(args.adapter_dir, args.output_dir, base_model=args.base_model, trust_remote_code=args.trust_remote_code)
    return 0


if __name__ == "__main__":
    from ..cli import report_user_errors

    raise SystemExit(report_user_errors("python -m actionart_hf.training.peft_merge", main))


__all__ = ["main", "merge_lora"]
