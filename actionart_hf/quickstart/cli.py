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
        "The paper's experiment on a laptop: disjoint synthetic pools -> proxy data (noisy oracle teacher) -> tiny "
        "ActionArt model -> stage 1 (generic video SFT, the baseline), stage 2 proxy mixtures, PF (alpha on "
        "validation), stage 3 on the manual annotations from the baseline and from the proxy model, and controls -> "
        "evaluation on the held-out test split -> Table-2-style table, the paper's claims tested with paired "
        "bootstrap intervals, report.md. Resumable: rerun the same command to continue."
    )
    if subparsers is not None:
        parser = subparsers.add_parser("quickstart", description=description, help=description)
    else:
        parser = argparse.ArgumentParser(prog="actionart-hf quickstart", description=description)
    parser.add_argument("--out", default="outputs/quickstart", help="output folder (default: outputs/quickstart)")
    parser.add_argument("--size", default="tiny", choices=list(SIZES), help="tiny (default, <10 min on 2 CPU "
                        "cores), small (more data and steps), smoke (tests)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of data, model and training (default 0)")
    seeds_help = "repeat the experiment for this many seeds (seed, seed+1, ...; each in <out>/seed-<s>) and test the "
    parser.add_argument("--seeds", type=int, default=1, help=seeds_help + "claims over all of them (default 1)")
    parser.add_argument("--overwrite", action="store_true", help="delete --out first instead of resuming")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def main(args: argparse.Namespace) -> int:
    """Runs (or resumes) the experiment with `run_experiment(...)` and prints the claims' verdicts."""
    from .pipeline import run_experiment

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("actionart_hf.quickstart").setLevel(logging.INFO)
    claims = run_experiment(args.out, size=args.size, seed=args.seed, seeds=args.seeds, overwrite=args.overwrite,
                            progress=not args.no_progress)  # fmt: skip
    print(claims)
    return 0


__all__ = ["main", "make_parser"]
