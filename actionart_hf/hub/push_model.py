"""`actionart-hf push-model DIR --repo-id <org>/<name>`: publish a checkpoint with its model card.

    actionart-hf push-model outputs/quickstart/models/stage3_proxy --repo-id <org>/actionart-tiny --dry-run
    actionart-hf push-model outputs/merged --repo-id <org>/actionart-7b --eval-dir outputs/eval/merged

The folder is any `save_pretrained` output (train, merge, convert). A `README.md` already in it (e.g. written by
`actionart-hf merge`) is kept unless `--regenerate-card`; otherwise a card is rendered from the
`model_cards/model_card.md.jinja` template with the config, the optional `actionart_card.json` beside the weights
(`summary`, `base_model`, `stages`, `datasets`, `merge`, `stand_ins`, `limitations`) and, with `--eval-dir`, the
`metrics.json` of `actionart-hf eval` as `model-index` results.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..cards import render_model_card
from .prepare import add_push_arguments, copy_tree, push_prepared


CARD_METADATA = "actionart_card.json"


def check_model_folder(folder: Path) -> None:
    """Raises `ValueError` unless `folder` holds a config and safetensors weights."""
    if not (folder / "config.json").is_file():
        raise ValueError(f"{str(folder)!r} has no config.json; pass a save_pretrained folder.")
    if not list(folder.glob("*.safetensors")):
        raise ValueError(f"{str(folder)!r} has no *.safetensors weights (only safetensors are published).")


def model_card_for(folder: Path, repo_id: str, eval_dir: Path | None = None):
    """Renders the card of the model in `folder` (see the module docstring)."""
    metadata = json.loads((folder / CARD_METADATA).read_text()) if (folder / CARD_METADATA).is_file() else {}
    eval_results, results_table = None, None
    if eval_dir is not None:
        from ..evaluation.report import model_index_results, table1_row

        metrics = json.loads((eval_dir / "metrics.json").read_text())
        metrics = metrics.get("metrics", metrics)
        eval_results = model_index_results(metrics, dataset_id=metadata.get("eval_dataset", "ActionArt"))
        results_table = table1_row(repo_id.split("/")[-1], metrics)
    config = json.loads((folder / "config.json").read_text())
    return render_model_card(
        model_name=repo_id.split("/")[-1],
        repo_id=repo_id,
        summary=metadata.get(
            "summary",
            f"An ActionArt SlowFast video LLM (`{config.get('model_type', 'unknown')}`) for fine-grained, "
            "human-centric video understanding, trained with actionart-hf.",
        ),
        base_model=metadata.get("base_model"),
        stages=metadata.get("stages"),
        datasets=metadata.get("datasets"),
        merge=metadata.get("merge"),
        eval_results=eval_results,
        results_table=results_table,
        stand_ins=metadata.get("stand_ins"),
        limitations=metadata.get("limitations"),
        license=metadata.get("license"),
    )


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("push-model", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    parser.add_argument("folder", type=Path, help="model folder (config.json + *.safetensors + processor files)")
    parser.add_argument("--eval-dir", type=Path, help="output folder of `actionart-hf eval` (its metrics.json)")
    parser.add_argument("--regenerate-card", action="store_true", help="replace an existing README.md card")
    add_push_arguments(parser, "actionart-model")
    return parser


def main(args: argparse.Namespace) -> int:
    check_model_folder(args.folder)
    repo_id = args.repo_id or f"local/{args.folder.name}"

    def prepare(stage: Path) -> None:
        copy_tree(args.folder, stage)
        if args.regenerate_card or not (stage / "README.md").is_file():
            (stage / "README.md").unlink(missing_ok=True)
            model_card_for(args.folder, repo_id, args.eval_dir).save(str(stage / "README.md"))

    push_prepared(args, args.folder.name, "model", prepare, args.folder.parent / f"{args.folder.name}-hub-dry-run")
    return 0


__all__ = ["check_model_folder", "main", "make_parser", "model_card_for"]
