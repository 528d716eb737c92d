"""Publishing the accuracy metric as a Hub Space, for `evaluate.load("<org>/actionart_accuracy")`.

The Space holds the metric script, its helper `scoring.py`, the card (`README.md`, `sdk: gradio`), `app.py` and
`requirements.txt`; once pushed, `evaluate.load("<org>/actionart_accuracy")` works anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from .prepare import PushResult, UploadPlan, push_plan
from .upload import default_repo_id


METRIC_NAME = "actionart_accuracy"
METRIC_DIR = Path(__file__).resolve().parents[1] / "metrics" / METRIC_NAME
SPACE_FILES = ("actionart_accuracy.py", "scoring.py", "README.md", "app.py", "requirements.txt")


def push_metric(
    repo_id: str | None = None,
    *,
    public: bool = False,
    dry_run: bool = False,
    dry_run_dir: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> PushResult:
    """Uploads the metric as a Gradio Space, or with `dry_run` writes exactly what would be uploaded.

    Args:
        repo_id (`str`, *optional*): Space id; defaults to `$ACTIONART_HUB_ORG/actionart_accuracy`.
        public (`bool`, *optional*, defaults to `False`): create the Space as public (default: private).
        dry_run (`bool`, *optional*, defaults to `False`): write the Space folder and list it; upload nothing.
        dry_run_dir (`str` or `os.PathLike`, *optional*, defaults to `outputs/space/actionart_accuracy`): where a
            dry run writes the folder. `evaluate.load(<folder>)` reads `<folder>/<folder name>.py`, so keep the
            metric's name as the folder name to load it locally.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `dry_run_dir`.

    Returns:
        [`PushResult`].
    """
    return push_plan(
        UploadPlan(METRIC_DIR, list(SPACE_FILES)), repo_id or default_repo_id(METRIC_NAME), "space", public=public,
        dry_run=dry_run, dry_run_dir=dry_run_dir or Path("outputs") / "space" / METRIC_NAME, overwrite=overwrite,
        space_sdk="gradio",
    )  # fmt: skip


__all__ = ["METRIC_DIR", "METRIC_NAME", "SPACE_FILES", "push_metric"]
