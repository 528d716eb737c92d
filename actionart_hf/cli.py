"""The `actionart-hf` command line.

Each area's command line lives in its own `cli.py`, exposing ``make_parser(subparsers=None)``, which adds the area's
command(s) to the `actionart-hf` subcommands (TRL's `Command` style), and ``main(args: argparse.Namespace) -> int |
None``; `train` is TRL's script convention (`training/sft.py`). This module only assembles them. Modules are
imported only when their command runs, so `actionart-hf --help` is instant.

    actionart-hf --help
    actionart-hf build-actionart --help

Errors, the same in every command: a user's mistake (a bad argument, a missing or unreadable file, a refused
output; a `ValueError` or a missing-path `OSError`) ends in one line `actionart-hf <command>: error: <message>` on
stderr and exit status 2, without a traceback; `--debug` (before the command, or after it for every command but
`train`, where TRL owns the flag) shows the traceback. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path


# command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "build-actionart": ("actionart_hf.data.cli", "Raw ActionArt release -> Hub-ready dataset folder."),
    "synth": ("actionart_hf.synthetic.cli", "Generate the synthetic human-motion benchmark (exact labels)."),
    "proxy": ("actionart_hf.proxy.cli", "Build proxy-task data: pd | sd | fgqa | caption-qa."),
    "train": ("actionart_hf.training.sft", "Train a stage with TRL's SFTTrainer from a recipe YAML."),
    "merge": ("actionart_hf.merge.cli", "Parameter fusion: (1-alpha)*base + alpha*finetuned, streamed."),
    "eval": ("actionart_hf.evaluation.cli", "Evaluate a model on ActionArt (or the synthetic benchmark)."),
    "eval-join": ("actionart_hf.evaluation.cli", "Join the output folders of a sharded evaluation."),
    "push-dataset": ("actionart_hf.hub.cli", "Publish a built dataset folder to the Hub (or --dry-run)."),
    "push-model": ("actionart_hf.hub.cli", "Publish a model folder to the Hub (or --dry-run)."),
    "push-metric": ("actionart_hf.hub.cli", "Publish the accuracy metric as a Space (or --dry-run)."),
    "quickstart": ("actionart_hf.quickstart.cli", "Run the whole pipeline on synthetic data on a laptop."),
}


def add_shard_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds `--num-shards` and `--shard-index` (see `actionart_hf.sharding`) to an area's parser."""
    group = parser.add_argument_group("shards (one job on several machines)")
    group.add_argument(
        "--num-shards", type=int, default=1, help="split the work into N contiguous blocks (default 1: all of it)"
    )
    group.add_argument(
        "--shard-index",
        type=int,
        default=0,
        help="the block this process does, 0..N-1 (e.g. $SLURM_ARRAY_TASK_ID); join the shards' outputs afterwards",
    )


# What a user's mistake raises (a `ValueError` names the item, the value and the fix); anything else is a bug.
USER_ERRORS = (ValueError, FileNotFoundError, NotADirectoryError, IsADirectoryError)
DEBUG_FLAG = "--debug"


def report_user_errors(prog: str, run: Callable[[], int | None], debug: bool = False) -> int:
    """Runs `run()` and returns its exit status; a user error (`USER_ERRORS`) prints one line on stderr instead of a
    traceback and returns 2.

    Args:
        prog (`str`): the program named in the line, e.g. `"actionart-hf synth"`.
        run (`Callable[[], int | None]`): the command (`None` counts as 0).
        debug (`bool`, *optional*, defaults to `False`): re-raise user errors too (full traceback).
    """
    try:
        return int(run() or 0)
    except USER_ERRORS as error:
        if debug:
            raise
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2


def _available() -> dict[str, tuple[str, str]]:
    """Commands whose module is installed (features land one issue at a time).

    Looked up as files, not with `importlib.util.find_spec`, which imports the parent packages: their imports (numpy,
    PIL, huggingface_hub, ...) would add about 100 MB to every command's memory, the streaming merge's included.
    """
    root = Path(__file__).parent
    available = {}
    for name, spec in COMMANDS.items():
        module = root.joinpath(*spec[0].split(".")[1:])
        if module.with_suffix(".py").is_file() or (module / "__init__.py").is_file():
            available[name] = spec
    return available


def _top_parser(commands: dict[str, tuple[str, str]]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actionart-hf",
        description="ActionArt: fine-grained human-centric video understanding on the Hugging Face stack.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n" + "\n".join(f"  {name:<16} {spec[1]}" for name, spec in commands.items()),
    )
    parser.add_argument("command", choices=list(commands), metavar="command", help="one of the commands below")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `actionart-hf` console script (errors as in the module docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = argv[:1] == [DEBUG_FLAG]
    argv = argv[1:] if debug else argv
    commands = _available()
    if not argv or argv[0].startswith("-") or argv[0] not in commands:
        _top_parser(commands).parse_args(argv[:1] or ["--help"])
        return 2
    name, rest = argv[0], argv[1:]
    prog = f"actionart-hf {name}"
    module = importlib.import_module(commands[name][0])
    if hasattr(module, "run_cli"):  # commands that parse their own argv (e.g. TrlParser's `--config X.yaml`)
        return report_user_errors(prog, lambda: module.run_cli(rest, prog=prog), debug)
    parser = argparse.ArgumentParser(prog="actionart-hf")
    subparsers = parser.add_subparsers(dest="command", required=True)
    module.make_parser(subparsers)
    for subparser in subparsers.choices.values():
        subparser.add_argument(DEBUG_FLAG, action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    return report_user_errors(prog, lambda: module.main(args), debug or args.debug)


__all__ = ["COMMANDS", "DEBUG_FLAG", "USER_ERRORS", "add_shard_arguments", "main", "report_user_errors"]


if __name__ == "__main__":
    sys.exit(main())
