"""`actionart-hf eval`: evaluate a model on ActionArt (or the synthetic benchmark) and print its Table 1 row beside
the paper's.

    # any video-capable transformers model
    actionart-hf eval --model llava-hf/llava-onevision-qwen2-7b-ov-hf --dataset <org>/ActionArt --batch-size 4
    # our model (detected from its config), circular evaluation too
    actionart-hf eval --model outputs/actionart-7b --dataset path/to/ActionArt --circular
    # an OpenAI-compatible server (vLLM, `transformers serve`, ...); the key comes from $OPENAI_API_KEY
    actionart-hf eval --backend openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-7B-Instruct \
        --dataset <org>/ActionArt --num-frames 16

A killed run resumes when the same command is run again (answered questions are not asked again).

On several GPUs or machines, `--num-shards N --shard-index i` asks the i-th of N contiguous blocks of the questions
into its own --output-dir, and `actionart-hf eval-join` joins the shards' folders into the folder of one run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..cli import add_shard_arguments
from ..video import DEFAULT_MAX_PIXELS, DEFAULT_NUM_FRAMES


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    """The `eval` arguments, as a standalone parser or as a subcommand of `subparsers`."""
    description = "Evaluate a model on ActionArt: predictions, metrics, a Table 1 row, a plot and model-index."
    if subparsers is not None:
        parser = subparsers.add_parser("eval", help=description, description=description)
    else:
        parser = argparse.ArgumentParser(prog="actionart-hf eval", description=description)
    parser.add_argument("--model", required=True, help="model folder or Hub id; for --backend openai the model name")
    parser.add_argument("--dataset", required=True, help="dataset folder (built by our tools) or Hub dataset id")
    parser.add_argument("--config", default="qa", help="dataset config (default: qa)")
    parser.add_argument("--split", default="test", help="dataset split (default: test)")
    parser.add_argument(
        "--num-frames", type=int, default=DEFAULT_NUM_FRAMES, help="frames sampled per video (default: %(default)s)"
    )
    parser.add_argument(
        "--max-pixels", type=int, default=DEFAULT_MAX_PIXELS, help="pixel cap per frame (default: %(default)s)"
    )
    parser.add_argument(
        "--backend",
        choices=["actionart", "transformers", "openai"],
        help="how to run the model (default: actionart for an ActionArt folder, openai for a URL, else transformers)",
    )
    parser.add_argument("--output-dir", help="results folder (default: outputs/eval/<model>-<config>-<split>)")
    parser.add_argument("--batch-size", type=int, default=1, help="questions per generate call / request batch")
    parser.add_argument("--circular", action="store_true", help="also ask every option rotation (circular accuracy)")
    parser.add_argument("--limit", type=int, help="evaluate the first N questions only")
    parser.add_argument("--max-new-tokens", type=int, default=16, help="tokens generated per answer (default: 16)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for 95%% intervals (0: off)")
    parser.add_argument("--model-name", help="name in the table, plot and model-index (default: from --model)")
    parser.add_argument("--dataset-id", help="Hub dataset id for model-index (default: --dataset when a Hub id)")
    parser.add_argument("--overwrite", action="store_true", help="discard a previous run in --output-dir")
    parser.add_argument("--no-plot", action="store_true", help="do not write per_task.png")
    parser.add_argument("--no-paper-rows", action="store_true", help="print only this model's row")
    local = parser.add_argument_group("transformers / actionart backends")
    local.add_argument("--device", help="e.g. cuda, cuda:1, cpu (default: cuda when available)")
    local.add_argument("--dtype", help="bfloat16, float16, float32 or auto (default: bfloat16 on GPU, else float32)")
    local.add_argument("--trust-remote-code", action="store_true", help="allow the model's own code (auto_map)")
    local.add_argument("--revision", help="Hub revision of the model")
    remote = parser.add_argument_group("openai backend")
    remote.add_argument("--base-url", help="server root, e.g. http://127.0.0.1:8000/v1 (default: $OPENAI_BASE_URL)")
    remote.add_argument("--api-key-env", default="OPENAI_API_KEY", help="environment variable holding the API key")
    remote.add_argument("--concurrency", type=int, default=4, help="parallel requests (default: 4)")
    remote.add_argument("--image-format", choices=["jpeg", "png"], default="jpeg", help="frame encoding")
    add_shard_arguments(parser)
    if subparsers is not None:
        make_join_parser(subparsers)
    return parser


def backend_kwargs_from_args(args: argparse.Namespace, backend: str) -> dict:
    """The keyword arguments of `backend`'s class set on the command line."""
    kwargs: dict = {"max_new_tokens": args.max_new_tokens}
    if backend == "openai":
        kwargs.update(
            base_url=args.base_url,
            api_key_env=args.api_key_env,
            concurrency=args.concurrency,
            image_format=args.image_format,
        )
    else:
        kwargs.update(device=args.device, dtype=args.dtype, revision=args.revision)
        if args.trust_remote_code:
            kwargs["trust_remote_code"] = True
    return {k: v for k, v in kwargs.items() if v is not None}


def default_output_dir(model: str, config: str, split: str) -> Path:
    """`outputs/eval/<last part of the model>-<config>-<split>`."""
    name = str(model).rstrip("/").rsplit("/", 1)[-1].replace(":", "_") or "model"
    return Path("outputs") / "eval" / f"{name}-{config}-{split}"


def main(args: argparse.Namespace) -> int:
    from ..sharding import shard_or_whole
    from .backends import detect_backend
    from .report import table1_header
    from .runner import evaluate_model

    if getattr(args, "command", "eval") == "eval-join":
        return join_main(args)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    backend = args.backend or detect_backend(args.model)
    output_dir = Path(args.output_dir) if args.output_dir else default_output_dir(args.model, args.config, args.split)
    result = evaluate_model(
        args.model,
        args.dataset,
        config=args.config,
        split=args.split,
        backend=backend,
        num_frames=args.num_frames,
        max_pixels=args.max_pixels,
        output_dir=output_dir,
        batch_size=args.batch_size,
        circular=args.circular,
        limit=args.limit,
        model_name=args.model_name,
        dataset_id=args.dataset_id,
        bootstrap_samples=args.bootstrap,
        overwrite=args.overwrite,
        plot=not args.no_plot,
        backend_kwargs=backend_kwargs_from_args(args, backend),
        shard=shard_or_whole(args.num_shards, args.shard_index),
    )
    metrics = result.metrics
    print(f"{table1_header()}\n{result.row}" if args.no_paper_rows else result.table)
    line = (
        f"\naccuracy {100 * metrics['accuracy']:.1f}% (macro {100 * metrics['macro_accuracy']:.1f}%) on "
        f"{metrics['num_questions']} questions, answered {100 * metrics['answered_rate']:.1f}%"
    )
    if "accuracy_ci_low" in metrics:
        line += f", 95% CI [{100 * metrics['accuracy_ci_low']:.1f}, {100 * metrics['accuracy_ci_high']:.1f}]"
    if result.circular_metrics:
        line += f"; circular accuracy {100 * result.circular_metrics['accuracy']:.1f}%"
    print(line)
    print(f"results in {output_dir}/: " + ", ".join(sorted(p.name for p in result.files.values())))
    sys.stdout.flush()
    return 0


JOIN_DESCRIPTION = """Join the output folders of a sharded `actionart-hf eval` into the folder of one whole run.

    actionart-hf eval --model M --dataset D --output-dir outputs/eval/shards/0 --num-shards 2 --shard-index 0
    actionart-hf eval --model M --dataset D --output-dir outputs/eval/shards/1 --num-shards 2 --shard-index 1
    actionart-hf eval-join outputs/eval/shards/* --output-dir outputs/eval/M
"""


def make_join_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Adds the `eval-join` subcommand to `subparsers`."""
    parser = subparsers.add_parser(
        "eval-join",
        help="Join the output folders of a sharded evaluation.",
        description=JOIN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shards", nargs="+", help="the shards' --output-dir folders (any order)")
    parser.add_argument("--output-dir", required=True, help="the joined results folder (replaced if it exists)")
    parser.add_argument("--no-plot", action="store_true", help="do not write per_task.png")
    return parser


def join_main(args: argparse.Namespace) -> int:
    """Joins the shards of `eval-join` and prints the whole run's Table 1 row."""
    from .join import join_eval_shards
    from .report import table1_header

    try:
        result = join_eval_shards(args.shards, args.output_dir, plot=not args.no_plot)
    except ValueError as error:
        print(f"actionart-hf eval-join: error: {error}", file=sys.stderr)
        return 2
    print(f"{table1_header()}\n{result.row}")
    print(f"\naccuracy {100 * result.metrics['accuracy']:.1f}% on {result.metrics['num_questions']} questions")
    print(f"results in {args.output_dir}/: " + ", ".join(sorted(result.files)))
    return 0


if __name__ == "__main__":
    from ..cli import report_user_errors

    arguments = make_parser().parse_args()
    sys.exit(report_user_errors("python -m actionart_hf.evaluation.cli", lambda: main(arguments)))


__all__ = ["backend_kwargs_from_args", "default_output_dir", "join_main", "main", "make_join_parser", "make_parser"]
