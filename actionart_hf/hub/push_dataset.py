"""Publishing a dataset folder built by our tools (`build-actionart`, `synth`, `proxy`) as a Hub dataset.

The folder must hold a card (`README.md` with YAML `configs`) and `data/<config>/*.parquet`; it is uploaded as is,
from where it is (private unless `public`), with the token of the usual huggingface_hub login.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..data.hub_folder import find_configs
from .prepare import PushResult, UploadPlan, push_plan
from .upload import default_repo_id


def check_dataset_folder(folder: Path) -> None:
    """Raises `ValueError` unless `folder` looks like a dataset built by our tools."""
    if not (folder / "README.md").is_file():
        raise ValueError(
            f"{str(folder)!r} has no README.md card; build it with actionart-hf (build-actionart, synth, proxy)."
        )
    if not find_configs(folder):
        raise ValueError(f"{str(folder)!r} has no data/<config>/<split>-*.parquet files.")


def push_dataset_folder(
    folder: str | os.PathLike,
    repo_id: str | None = None,
    *,
    public: bool = False,
    dry_run: bool = False,
    dry_run_dir: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> PushResult:
    """Uploads a built dataset folder as a Hub dataset, or with `dry_run` writes exactly what would be uploaded.

    Args:
        folder (`str` or `os.PathLike`): dataset folder (`README.md` + `data/` + `videos/`).
        repo_id (`str`, *optional*): Hub dataset id; defaults to `$ACTIONART_HUB_ORG/<folder name>`.
        public (`bool`, *optional*, defaults to `False`): create the repository as public (default: private).
        dry_run (`bool`, *optional*, defaults to `False`): write the upload folder and list it; upload nothing.
        dry_run_dir (`str` or `os.PathLike`, *optional*): where a dry run writes the folder; defaults to the
            sibling `<folder>-hub-dry-run`.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `dry_run_dir`.

    Returns:
        [`PushResult`].
    """
    folder = Path(folder)
    check_dataset_folder(folder)
    return push_plan(
        UploadPlan.from_folder(folder), repo_id or default_repo_id(folder.name), "dataset", public=public,
        dry_run=dry_run, dry_run_dir=dry_run_dir or folder.parent / f"{folder.name}-hub-dry-run", overwrite=overwrite,
    )  # fmt: skip


__all__ = ["check_dataset_folder", "push_dataset_folder"]
