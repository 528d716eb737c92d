"""`python -m actionart_hf.integrations.lmms_eval`: write the ActionArt lmms-eval task folder.

python -m actionart_hf.integrations.lmms_eval --dataset <org>/ActionArt --output lmms_tasks/actionart
"""

from __future__ import annotations

import argparse


def make_parser() -> argparse.ArgumentParser:
    """Arguments of `python -m actionart_hf.integrations.lmms_eval` (see `write_task_folder`)."""
    parser = argparse.ArgumentParser(
        prog="python -m actionart_hf.integrations.lmms_eval", description="Write the ActionArt lmms-eval task folder."
    )
    parser.add_argument("--dataset", required=True, help="Hub dataset id or local dataset folder")
    parser.add_argument("--output", required=True, help="folder to pass to lmms-eval --include_path")
    parser.add_argument("--config", default="qa")
    parser.add_argument("--split", default="test")
    parser.add_argument("--overwrite", action="store_true")
    return parser


def main(args: argparse.Namespace) -> int:
    """Writes the folder with `write_task_folder` and prints the lmms-eval command that uses it (and how to install
    lmms-eval where it is missing)."""
    from ...extras import install_hint, missing_modules
    from . import write_task_folder

    folder = write_task_folder(args.output, args.dataset, args.config, args.split, args.overwrite)
    print(f"lmms-eval --include_path {folder} --tasks actionart,actionart_circular ...")
    if missing_modules("lmms"):
        print(f"lmms-eval is not installed here: {install_hint('lmms')}.")
    return 0


__all__ = ["main", "make_parser"]
