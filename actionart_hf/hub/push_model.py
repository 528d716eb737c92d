"""Publishing a checkpoint with its model card as a Hub model.

The folder is any `save_pretrained` output (train, merge, convert). A `README.md` already in it (e.g. written by
`actionart-hf merge`) is kept unless `regenerate_card`; otherwise a card is rendered from the
`model_cards/model_card.md.jinja` template with the config, the optional `actionart_card.json` beside the weights
(`summary`, `base_model`, `stages`, `datasets`, `merge`, `stand_ins`, `limitations`) and, with `eval_dir`, the
`metrics.json` of `actionart-hf eval` as `model-index` results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..cards import render_model_card
from .prepare import PushResult, copy_tree, push_prepared
from .upload import default_repo_id


CARD_METADATA = "actionart_card.json"


def check_model_folder(folder: Path) -> None:
    """Raises `ValueError` unless `folder` holds a config and safetensors weights."""
    if not (folder / "config.json").is_file():
        raise ValueError(f"{str(folder)!r} has no config.json; pass a save_pretrained folder.")
    if not list(folder.glob("*.safetensors")):
        raise ValueError(f"{str(folder)!r} has no *.safetensors weights (only safetensors are published).")


def model_card_for(folder: Path, repo_id: str, eval_dir: Path | None = None):
    """Renders the card of the model in `folder` (see the module docstring)."""
    metadata = json.loads((folder / CARD_METADATA).read_text()) if (folder / CARD_METADATA).is_file() else {}
    eval_results, results_table = None, None
    if eval_dir is not None:
        from ..evaluation.report import model_index_results, table1_row

        metrics = json.loads((eval_dir / "metrics.json").read_text())
        metrics = metrics.get("metrics", metrics)
        eval_results = model_index_results(metrics, dataset_id=metadata.get("eval_dataset", "ActionArt"))
        results_table = table1_row(repo_id.split("/")[-1], metrics)
    config = json.loads((folder / "config.json").read_text())
    return render_model_card(
        model_name=repo_id.split("/")[-1],
        repo_id=repo_id,
        summary=metadata.get(
            "summary",
            f"An ActionArt SlowFast video LLM (`{config.get('model_type', 'unknown')}`) for fine-grained, "
            "human-centric video understanding, trained with actionart-hf.",
        ),
        base_model=metadata.get("base_model"),
        stages=metadata.get("stages"),
        datasets=metadata.get("datasets"),
        merge=metadata.get("merge"),
        eval_results=eval_results,
        results_table=results_table,
        stand_ins=metadata.get("stand_ins"),
        limitations=metadata.get("limitations"),
        license=metadata.get("license"),
    )


def push_model_folder(
    folder: str | os.PathLike,
    repo_id: str | None = None,
    *,
    eval_dir: str | os.PathLike | None = None,
    regenerate_card: bool = False,
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
        regenerate_card (`bool`, *optional*, defaults to `False`): replace a `README.md` card already in `folder`.
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

    def prepare(stage: Path) -> None:
        copy_tree(folder, stage)
        if regenerate_card or not (stage / "README.md").is_file():
            (stage / "README.md").unlink(missing_ok=True)
            card = model_card_for(folder, repo_id, None if eval_dir is None else Path(eval_dir))
            card.save(str(stage / "README.md"))

    return push_prepared(
        prepare, repo_id, "model", public=public, dry_run=dry_run, overwrite=overwrite,
        dry_run_dir=dry_run_dir or folder.parent / f"{folder.name}-hub-dry-run",
    )  # fmt: skip


__all__ = ["CARD_METADATA", "check_model_folder", "model_card_for", "push_model_folder"]
