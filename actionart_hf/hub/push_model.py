"""Publishing a checkpoint with the project's model card as a Hub model.

The folder is any `save_pretrained` output (train, merge, convert). Its card is always the project's
(`actionart_hf.cards`), rendered for the push from the config, the `actionart_card.json` beside the weights
(`summary`, `base_model`, `stages`, `datasets`, `merge`, `stand_ins`, `limitations`, ...) and, with `eval_dir`, the
`metrics.json` of `actionart-hf eval` as `model-index` results; any other `README.md` in the folder (such as TRL's
automatic card) is not uploaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..cards import CARD_METADATA, model_card_for
from .prepare import PushResult, UploadPlan, push_plan
from .upload import default_repo_id


def check_model_folder(folder: Path) -> None:
    """Raises `ValueError` unless `folder` holds a config and safetensors weights."""
    if not (folder / "config.json").is_file():
        raise ValueError(f"{str(folder)!r} has no config.json; pass a save_pretrained folder.")
    if not list(folder.glob("*.safetensors")):
        raise ValueError(f"{str(folder)!r} has no *.safetensors weights (only safetensors are published).")


def push_model_folder(
    folder: str | os.PathLike,
    repo_id: str | None = None,
    *,
    eval_dir: str | os.PathLike | None = None,
    public: bool = False,
    dry_run: bool = False,
    dry_run_dir: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> PushResult:
    """Uploads a model folder with its card as a Hub model, or with `dry_run` writes exactly what would be uploaded.

    Args:
        folder (`str` or `os.PathLike`): a `save_pretrained` folder (`config.json` + `*.safetensors` + processor).
        repo_id (`str`, *optional*): Hub model id; defaults to `$ACTIONART_HUB_ORG/<folder name>`.
        eval_dir (`str` or `os.PathLike`, *optional*): output folder of `actionart-hf eval`, whose `metrics.json`
            becomes the card's `model-index` results.
        public (`bool`, *optional*, defaults to `False`): create the repository as public (default: private).
        dry_run (`bool`, *optional*, defaults to `False`): write the upload folder and list it; upload nothing.
        dry_run_dir (`str` or `os.PathLike`, *optional*): where a dry run writes the folder; defaults to the
            sibling `<folder>-hub-dry-run`.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `dry_run_dir`.

    Returns:
        [`PushResult`].
    """
    folder = Path(folder)
    check_model_folder(folder)
    repo_id = repo_id or default_repo_id(folder.name)
    card = model_card_for(folder, repo_id, eval_dir)
    plan = UploadPlan.from_folder(folder, generated={"README.md": str(card).encode()})
    return push_plan(
        plan, repo_id, "model", public=public, dry_run=dry_run, overwrite=overwrite,
        dry_run_dir=dry_run_dir or folder.parent / f"{folder.name}-hub-dry-run",
    )  # fmt: skip


__all__ = ["CARD_METADATA", "check_model_folder", "push_model_folder"]
