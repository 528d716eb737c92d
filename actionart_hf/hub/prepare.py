"""Shared steps of publishing: stage the exact upload folder, then upload it or keep it as a dry run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..data.hub_folder import check_output_dir, replace_dir
from .upload import upload_to_hub


@dataclass
class PushResult:
    """What a push sent (or, for a dry run, would send).

    Args:
        repo_id (`str`): the Hub repository, `<org>/<name>`.
        repo_type (`str`): `"dataset"`, `"model"` or `"space"`.
        files (`list[str]`): relative paths of the uploaded (or listed) files.
        dry_run_dir (`Path`, *optional*): the folder holding exactly what would be uploaded; `None` after an upload.
    """

    repo_id: str
    repo_type: str
    files: list[str]
    dry_run_dir: Path | None = None

    def summary(self) -> str:
        """The file listing with a header line saying where the files went (or would go)."""
        where = f"{self.repo_id} ({self.repo_type}):"
        if self.dry_run_dir is not None:
            header = f"Dry run: {self.dry_run_dir} holds exactly what would be uploaded to {where}"
        else:
            header = f"Uploaded to {where}"
        return "\n".join([header, *(f"  {name}" for name in self.files)])


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
    prepare: Callable[[Path], None],
    repo_id: str,
    repo_type: str,
    *,
    public: bool = False,
    dry_run: bool = False,
    dry_run_dir: str | os.PathLike,
    overwrite: bool = False,
    space_sdk: str | None = None,
) -> PushResult:
    """Writes the upload folder with `prepare(folder)`, then uploads it, or for a dry run keeps it in `dry_run_dir`.

    Args:
        prepare (`Callable[[Path], None]`): fills the (empty) upload folder it is given.
        repo_id (`str`): the Hub repository, `<org>/<name>`.
        repo_type (`str`): `"dataset"`, `"model"` or `"space"`.
        public (`bool`, *optional*, defaults to `False`): create the repository as public (default: private).
        dry_run (`bool`, *optional*, defaults to `False`): keep the folder in `dry_run_dir` and upload nothing.
        dry_run_dir (`str` or `os.PathLike`): where a dry run writes the folder.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `dry_run_dir`.
        space_sdk (`str`, *optional*): SDK of a new Space (e.g. `"gradio"`).

    Returns:
        [`PushResult`].
    """
    if dry_run:
        target = check_output_dir(dry_run_dir, overwrite).absolute()
        target.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        prepare(stage)
        replace_dir(stage, target)
        files = upload_to_hub(target, repo_id, repo_type, private=not public, dry_run=True)
        return PushResult(repo_id, repo_type, files, dry_run_dir=target)
    with tempfile.TemporaryDirectory(prefix="actionart-upload-") as stage:
        prepare(Path(stage))
        files = upload_to_hub(stage, repo_id, repo_type, private=not public, space_sdk=space_sdk)
    return PushResult(repo_id, repo_type, files)


__all__ = ["PushResult", "copy_tree", "push_prepared"]
