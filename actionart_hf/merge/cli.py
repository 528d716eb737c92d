"""`actionart-hf merge`: parameter fusion of a finetuned model with its base, or an α sweep.

actionart-hf merge --base A --finetuned B --alpha 0.5 --output C
actionart-hf merge --base A --finetuned adapter/ --alpha 0.5 --output C     # a PEFT adapter is merged into A first
actionart-hf merge --base A --finetuned B --alpha 0.5 --include "model.language_model.*" --output C
actionart-hf merge --config C/merge_config.yaml --output D                  # the same recipe again
actionart-hf merge --base A --finetuned B --alpha 0.5 --chunk-rows 4096 --output C  # memory flat in tensor size
actionart-hf merge --base A --finetuned B --alpha 0,0.25,0.5,0.75,1 --eval-dataset DIR --output C
"""

from __future__ import annotations

import argparse
import logging


logger = logging.getLogger(__name__)

# CLI dest -> MergeConfig field (flags left unset keep the --config / dataclass value)
_FIELDS = {
    "base": "base_model",
    "finetuned": "finetuned_model",
    "method": "merge_method",
    "include": "include",
    "exclude": "exclude",
    "unmerged_from": "unmerged_from",
    "allow_missing": "allow_missing",
    "allow_extrapolation": "allow_extrapolation",
    "lora_base": "lora_base",
    "trust_remote_code": "trust_remote_code",
    "max_shard_size": "max_shard_size",
}


def make_parser(subparsers=None) -> argparse.ArgumentParser:
    """The `merge` argument parser (a subcommand parser when `subparsers` is given)."""
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    if subparsers is not None:
        parser = subparsers.add_parser("merge", help="Parameter fusion, streamed.", **kwargs)
    else:
        parser = argparse.ArgumentParser(prog="actionart-hf merge", **kwargs)
    inputs = parser.add_argument_group("inputs")
    inputs.add_argument("--base", help="base model: folder, .safetensors file or Hub id (weight 1 - alpha)")
    inputs.add_argument(
        "--finetuned", help="finetuned model or PEFT adapter: folder, file or Hub id (weight alpha); config from here"
    )
    inputs.add_argument("--lora-base", help="model a PEFT adapter is merged into (default: --base)")
    inputs.add_argument("--trust-remote-code", action="store_true", default=None, help="allow remote model code")
    inputs.add_argument("--config", help="a merge_config.yaml; flags given on the command line override it")
    method = parser.add_argument_group("method")
    method.add_argument("--method", help="merge method (default: linear)")
    method.add_argument(
        "--alpha", help="weight of the finetuned model, e.g. 0.5; a comma list (0,0.25,0.5) runs a sweep"
    )
    method.add_argument("--allow-extrapolation", action="store_true", default=None, help="accept alpha outside [0, 1]")
    selection = parser.add_argument_group("selection")
    selection.add_argument(
        "--include", nargs="+", action="extend", help="merge only tensors matching these globs, e.g. 'model.layers.*'"
    )
    selection.add_argument("--exclude", nargs="+", action="extend", help="do not merge tensors matching these globs")
    selection.add_argument(
        "--unmerged-from", choices=["finetuned", "base"], help="source of tensors not merged (default: finetuned)"
    )
    selection.add_argument(
        "--allow-missing", action="store_true", default=None, help="copy tensors present in one model only"
    )
    output = parser.add_argument_group("output")
    output.add_argument("--output", required=True, help="output folder (built beside it, moved into place)")
    output.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    output.add_argument("--max-shard-size", help="re-shard the output, e.g. 5GB (default: the finetuned layout)")
    output.add_argument(
        "--chunk-rows",
        type=int,
        help="read each tensor this many rows at a time instead of mapping it whole: peak memory no longer grows "
        "with the largest tensor (e.g. a 1 GB embedding); same output, bit for bit",
    )
    sweep = parser.add_argument_group("alpha sweep (several --alpha values)")
    sweep.add_argument("--eval-dataset", help="held-out dataset (folder or Hub id) each alpha is evaluated on")
    sweep.add_argument("--eval-config", default="qa", help="dataset config (default: qa)")
    sweep.add_argument("--eval-split", default="test", help="held-out split (default: test)")
    sweep.add_argument("--eval-limit", type=int, help="evaluate on the first N questions only")
    sweep.add_argument("--eval-backend", help="eval runner backend (default: the runner's choice for the model)")
    sweep.add_argument("--eval-num-frames", type=int, help="frames per video for the evaluation")
    return parser


def parse_alphas(text: str) -> list[float]:
    """`"0,0.25,0.5"` → `[0.0, 0.25, 0.5]`.

    Raises:
        ValueError: an entry is not a number, or a value repeats.
    """
    values = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            raise ValueError(f"--alpha {text!r}: {part!r} is not a number; give e.g. 0.5 or 0,0.25,0.5.") from None
    if len(set(values)) != len(values):
        raise ValueError(f"--alpha {text!r} repeats a value.")
    return values


def config_from_args(args: argparse.Namespace, alpha: float | None = None):
    """The `MergeConfig` of the command line (over `--config` if given)."""
    from .config import MergeConfig

    values = MergeConfig.from_yaml(args.config).to_dict() if args.config else {}
    for dest, name in _FIELDS.items():
        value = getattr(args, dest, None)
        if value is not None:
            values[name] = value
    if "base_model" not in values or "finetuned_model" not in values:
        raise ValueError("Give --base and --finetuned (or a --config that names them).")
    if alpha is not None:
        values["parameters"] = {**values.get("parameters", {}), "alpha": alpha}
    return MergeConfig.from_dict(values)


def main(args: argparse.Namespace) -> int:
    """Runs a merge, or an α sweep when `--alpha` lists several values."""
    from .core import merge_checkpoints

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    alphas = parse_alphas(args.alpha) if args.alpha is not None else [None]
    if len(alphas) == 1:
        if args.eval_dataset:
            logger.warning("--eval-dataset is only used by a sweep (several --alpha values); ignoring it.")
        config = config_from_args(args, alphas[0])
        result = merge_checkpoints(config, args.output, overwrite=args.overwrite, chunk_rows=args.chunk_rows)
        print(f"Wrote {result.output} ({len(result.merged)} tensors merged, {len(result.copied)} copied).")
        return 0
    from .sweep import runner_evaluate, sweep_alpha

    if not args.eval_dataset:
        raise ValueError("A sweep (several --alpha values) needs --eval-dataset to pick the best alpha.")
    evaluate = runner_evaluate(
        args.eval_dataset,
        config=args.eval_config,
        split=args.eval_split,
        limit=args.eval_limit,
        backend=args.eval_backend,
        num_frames=args.eval_num_frames,
    )
    sweep = sweep_alpha(config_from_args(args), alphas, args.output, evaluate, overwrite=args.overwrite)
    print(sweep.table)
    print(f"Kept alpha={sweep.best_alpha:g} in {sweep.output}.")
    return 0


__all__ = ["config_from_args", "main", "make_parser", "parse_alphas"]
