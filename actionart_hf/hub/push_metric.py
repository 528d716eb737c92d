"""`actionart-hf push-metric --repo-id <org>/actionart_accuracy`: publish the metric as a Hub Space.

    actionart-hf push-metric --repo-id <org>/actionart_accuracy --dry-run   # writes outputs/space/actionart_accuracy
    python -c "import evaluate; print(evaluate.load('outputs/space/actionart_accuracy'))"

The Space holds the metric script, its helper `scoring.py`, the card (`README.md`, `sdk: gradio`), `app.py` and
`requirements.txt`; once pushed, `evaluate.load("<org>/actionart_accuracy")` works anywhere.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from .prepare import add_push_arguments, push_prepared


METRIC_DIR = Path(__file__).resolve().parents[1] / "metrics" / "actionart_accuracy"
SPACE_FILES = ("actionart_accuracy.py", "scoring.py", "README.md", "app.py", "requirements.txt")


def write_space(folder: Path) -> None:
    """Copies the files of the metric's Space into `folder`."""
    for name in SPACE_FILES:
        shutil.copy2(METRIC_DIR / name, folder / name)


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("push-metric", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    add_push_arguments(parser, "actionart_accuracy")
    return parser


def main(args: argparse.Namespace) -> int:
    # evaluate.load(<folder>) reads <folder>/<folder name>.py, so the dry-run folder keeps the metric's name.
    push_prepared(args, "actionart_accuracy", "space", write_space, Path("outputs") / "space" / "actionart_accuracy",
                  space_sdk="gradio")  # fmt: skip
    return 0


__all__ = ["SPACE_FILES", "main", "make_parser", "write_space"]
