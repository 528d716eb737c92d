"""`actionart-hf quickstart`: the whole ActionArt pipeline on the embedded synthetic benchmark, on a laptop.

actionart-hf quickstart --out outputs/quickstart --size tiny
"""

from __future__ import annotations

import argparse
import logging

from .sizes import SIZES


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    """Arguments of `actionart-hf quickstart`, as a standalone parser or as a subcommand of `subparsers`."""
    description = (
        "Synthetic benchmark -> proxy data (oracle teacher) -> tiny ActionArt model -> stage 1, stage 2 mixtures, "
        "merge, stage 3 -> evaluation of every step on the held-out test split -> Table-2-style table (markdown, "
        "JSON, PNG) and report.md. Resumable: rerun the same command to continue."
    )
    if subparsers is not None:
        parser = subparsers.add_parser("quickstart", description=description, help=description)
    else:
        parser = argparse.ArgumentParser(prog="actionart-hf quickstart", description=description)
    parser.add_argument("--out", default="outputs/quickstart", help="output folder (default: outputs/quickstart)")
    parser.add_argument("--size", default="tiny", choices=list(SIZES), help="tiny (default, <10 min on 2 CPU "
                        "cores), small (more data and steps), smoke (tests)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of data, model and training (default 0)")
    parser.add_argument("--overwrite", action="store_true", help="delete --out first instead of resuming")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def main(args: argparse.Namespace) -> int:
    """Runs (or resumes) the quickstart with `Quickstart(...).run()`."""
    from .pipeline import Quickstart

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("actionart_hf.quickstart").setLevel(logging.INFO)
    Quickstart(args.out, size=args.size, seed=args.seed, overwrite=args.overwrite, progress=not args.no_progress).run()
    return 0


__all__ = ["main", "make_parser"]
