"""The training area's developer commands, run as `python -m` scripts (the `train` command is TRL's script `sft.py`).

```bash
python -m actionart_hf.training.tiny_base --out outputs/tiny/base    # words of outputs/synth, outputs/proxy
python -m actionart_hf.training.peft_merge outputs/tiny/stage3-lora outputs/tiny/stage3-lora/merged
```

Each script's module parses its arguments with the parser made here.
"""

from __future__ import annotations

import argparse
import logging


def make_tiny_base_parser() -> argparse.ArgumentParser:
    """Arguments of `python -m actionart_hf.training.tiny_base` (see `make_tiny_base`)."""
    from .tiny_base import DEFAULT_DATA

    parser = argparse.ArgumentParser(
        prog="python -m actionart_hf.training.tiny_base",
        description="Create the tiny base ActionArt checkpoint of the tiny recipes (offline).",
    )
    parser.add_argument("--out", default="outputs/tiny/base", help="output folder (default: outputs/tiny/base)")
    parser.add_argument(
        "--data",
        nargs="+",
        default=None,
        help=f"dataset folders whose words the tokenizer covers (default: {DEFAULT_DATA})",
    )
    parser.add_argument("--tokenizer", choices=("word", "bpe"), default="word", help="tokenizer kind (default: word)")
    parser.add_argument("--num-frames", type=int, default=4, help="frames the video processor samples (default: 4)")
    parser.add_argument("--image-size", type=int, default=32, help="frame side the vision tower sees (default: 32)")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    return parser


def tiny_base_main(args: argparse.Namespace) -> int:
    """Creates the tiny base checkpoint with `make_tiny_base`."""
    from .tiny_base import make_tiny_base

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = make_tiny_base(
        args.out,
        data=args.data,
        tokenizer_kind=args.tokenizer,
        num_frames=args.num_frames,
        seed=args.seed,
        overwrite=args.overwrite,
        image_size=args.image_size,
    )
    print(f"Tiny base checkpoint written to {out}")
    return 0


def make_peft_merge_parser() -> argparse.ArgumentParser:
    """Arguments of `python -m actionart_hf.training.peft_merge` (see `merge_lora`)."""
    parser = argparse.ArgumentParser(
        prog="python -m actionart_hf.training.peft_merge",
        description="Merge a LoRA adapter saved by a training stage into its base model.",
    )
    parser.add_argument("adapter_dir", help="output_dir of a LoRA stage")
    parser.add_argument("output_dir", help="where the merged model and its processor are written")
    parser.add_argument("--base-model", default=None, help="base checkpoint (default: from adapter_config.json)")
    parser.add_argument(
        "--trust-remote-code", action="store_true", help="run the base model's own code (off by default)"
    )
    return parser


__all__ = ["make_peft_merge_parser", "make_tiny_base_parser", "tiny_base_main"]
