"""`actionart-hf push-dataset DIR --repo-id <org>/ActionArt`: publish a dataset folder built by our tools.

    actionart-hf push-dataset outputs/ActionArt-example --repo-id <org>/ActionArt --dry-run
    actionart-hf push-dataset outputs/quickstart/synthetic --repo-id <org>/ActionArt-Synthetic

The folder must hold a card (`README.md` with YAML `configs`) and `data/<config>/*.parquet`; it is uploaded as is
(private unless `--public`), with the token of the usual huggingface_hub login.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..data.hub_folder import find_configs
from .prepare import add_push_arguments, copy_tree, push_prepared


def check_dataset_folder(folder: Path) -> None:
    """Raises `ValueError` unless `folder` looks like a dataset built by our tools."""
    if not (folder / "README.md").is_file():
        raise ValueError(
            f"{str(folder)!r} has no README.md card; build it with actionart-hf (build-actionart, synth, proxy)."
        )
    if not find_configs(folder):
        raise ValueError(f"{str(folder)!r} has no data/<config>/<split>-*.parquet files.")


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("push-dataset", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    parser.add_argument("folder", type=Path, help="dataset folder (README.md + data/ + videos/)")
    add_push_arguments(parser, "ActionArt")
    return parser


def main(args: argparse.Namespace) -> int:
    check_dataset_folder(args.folder)
    push_prepared(
        args, args.folder.name, "dataset", lambda stage: copy_tree(args.folder, stage),
        args.folder.parent / f"{args.folder.name}-hub-dry-run",
    )  # fmt: skip
    return 0


__all__ = ["check_dataset_folder", "main", "make_parser"]
