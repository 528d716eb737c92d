"""`actionart-hf push-dataset | push-model | push-metric`: publish a dataset folder, a model folder or the metric.

    actionart-hf push-dataset outputs/ActionArt-example --repo-id <org>/ActionArt --dry-run
    actionart-hf push-model outputs/merged --repo-id <org>/actionart-7b --eval-dir outputs/eval/merged
    actionart-hf push-metric --repo-id <org>/actionart_accuracy --dry-run   # writes outputs/space/actionart_accuracy

Each command uploads with the token of the usual huggingface_hub login (private unless `--public`); `--dry-run`
writes exactly what would be uploaded to a folder and lists it.
"""

from __future__ import annotations

import argparse
from pathlib import Path


DESCRIPTIONS = {
    "push-dataset": """Publish a dataset folder built by our tools (build-actionart, synth, proxy).

    actionart-hf push-dataset outputs/ActionArt-example --repo-id <org>/ActionArt --dry-run
    actionart-hf push-dataset outputs/quickstart/synthetic --repo-id <org>/ActionArt-Synthetic

The folder must hold a card (README.md with YAML configs) and data/<config>/*.parquet; it is uploaded as is.
""",
    "push-model": """Publish a checkpoint with its model card.

    actionart-hf push-model outputs/quickstart/models/stage3_proxy --repo-id <org>/actionart-tiny --dry-run
    actionart-hf push-model outputs/merged --repo-id <org>/actionart-7b --eval-dir outputs/eval/merged

The folder is any save_pretrained output (train, merge, convert). Its card is the project's, rendered for the
push from the config, the actionart_card.json beside the weights and, with --eval-dir, the metrics.json of
`actionart-hf eval` (model-index); another README.md in the folder, such as TRL's automatic card, is not uploaded.
""",
    "push-metric": """Publish the accuracy metric as a Hub Space.

    actionart-hf push-metric --repo-id <org>/actionart_accuracy --dry-run   # writes outputs/space/actionart_accuracy
    python -c "import evaluate; print(evaluate.load('outputs/space/actionart_accuracy'))"

The Space holds the metric script, its helper scoring.py, the card (sdk: gradio), app.py and requirements.txt;
once pushed, evaluate.load("<org>/actionart_accuracy") works anywhere.
""",
}


def _add_push_arguments(parser: argparse.ArgumentParser, default_name: str) -> None:
    """`--repo-id`, `--public`, `--dry-run`, `--dry-run-dir`, `--overwrite`."""
    parser.add_argument("--repo-id", help=f"Hub repository (default: $ACTIONART_HUB_ORG/{default_name})")
    parser.add_argument("--public", action="store_true", help="create the repository as public (default: private)")
    parser.add_argument("--dry-run", action="store_true", help="write the upload folder and list it; upload nothing")
    parser.add_argument("--dry-run-dir", type=Path, help="where --dry-run writes the folder (default: a sibling)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --dry-run-dir")


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser | None:
    """Adds `push-dataset`, `push-model` and `push-metric` to `subparsers`, or to a new parser.

    Args:
        subparsers (`argparse._SubParsersAction`, *optional*): the subcommands of `actionart-hf` (dest `command`).

    Returns:
        `argparse.ArgumentParser`: the new parser holding the three commands when `subparsers` is None, else None.
    """
    parser = None
    if subparsers is None:
        parser = argparse.ArgumentParser(prog="actionart-hf", description=__doc__,
                                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        subparsers = parser.add_subparsers(dest="command", required=True)
    commands = {
        name: subparsers.add_parser(name, description=text, formatter_class=argparse.RawDescriptionHelpFormatter)
        for name, text in DESCRIPTIONS.items()
    }
    dataset, model, metric = commands["push-dataset"], commands["push-model"], commands["push-metric"]
    dataset.add_argument("folder", type=Path, help="dataset folder (README.md + data/ + videos/)")
    model.add_argument("folder", type=Path, help="model folder (config.json + *.safetensors + processor files)")
    model.add_argument("--eval-dir", type=Path, help="output folder of `actionart-hf eval` (its metrics.json)")
    _add_push_arguments(dataset, "<folder name>")
    _add_push_arguments(model, "<folder name>")
    _add_push_arguments(metric, "actionart_accuracy")
    return parser


def main(args: argparse.Namespace) -> int:
    """Runs the push command named by `args.command` and prints what was (or would be) uploaded."""
    from . import push_dataset_folder, push_metric, push_model_folder

    push = {"repo_id": args.repo_id, "public": args.public, "dry_run": args.dry_run,
            "dry_run_dir": args.dry_run_dir, "overwrite": args.overwrite}  # fmt: skip
    if args.command == "push-dataset":
        result = push_dataset_folder(args.folder, **push)
    elif args.command == "push-model":
        result = push_model_folder(args.folder, eval_dir=args.eval_dir, **push)
    else:
        result = push_metric(**push)
    print(result.summary())
    return 0


__all__ = ["main", "make_parser"]
