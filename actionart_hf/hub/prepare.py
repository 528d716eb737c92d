"""Shared steps of the `push-*` commands: arguments, staging the exact upload folder, upload or dry run."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..data.hub_folder import check_output_dir, replace_dir
from .upload import default_repo_id, upload_to_hub


def add_push_arguments(parser: argparse.ArgumentParser, default_name: str) -> None:
    """`--repo-id`, `--public`, `--dry-run`, `--dry-run-dir`, `--overwrite`."""
    parser.add_argument("--repo-id", help=f"Hub repository (default: $ACTIONART_HUB_ORG/{default_name})")
    parser.add_argument("--public", action="store_true", help="create the repository as public (default: private)")
    parser.add_argument("--dry-run", action="store_true", help="write the upload folder and list it; upload nothing")
    parser.add_argument("--dry-run-dir", type=Path, help="where --dry-run writes the folder (default: a sibling)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --dry-run-dir")


def copy_tree(source: Path, target: Path) -> None:
    """Copies `source` into `target`, hard-linking files where the filesystem allows (no extra disk for weights)."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc"))  # fmt: skip


def push_prepared(
    args: argparse.Namespace,
    default_name: str,
    repo_type: str,
    prepare: Callable[[Path], None],
    default_dry_run_dir: Path,
    space_sdk: str | None = None,
) -> list[str]:
    """Writes the upload folder with `prepare(folder)`, then uploads it, or with --dry-run keeps and lists it."""
    repo_id = args.repo_id or default_repo_id(default_name)
    if args.dry_run:
        target = check_output_dir(args.dry_run_dir or default_dry_run_dir, args.overwrite).absolute()
        target.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        prepare(stage)
        replace_dir(stage, target)
        files = upload_to_hub(target, repo_id, repo_type, private=not args.public, dry_run=True)
        print(f"Dry run: {target} holds exactly what would be uploaded to {repo_id} ({repo_type}):")
    else:
        with tempfile.TemporaryDirectory(prefix="actionart-upload-") as stage:
            prepare(Path(stage))
            files = upload_to_hub(stage, repo_id, repo_type, private=not args.public, space_sdk=space_sdk)
        print(f"Uploaded to {repo_id} ({repo_type}):")
    print("\n".join(f"  {name}" for name in files))
    return files


__all__ = ["add_push_arguments", "copy_tree", "push_prepared"]
