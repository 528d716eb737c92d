"""Shared steps of publishing: plan the files of a push, then upload them from where they are, or write a dry run.

A push never copies the folder it publishes: the upload reads the files in place, and a dry run hard-links them into
its folder (copying only across filesystems), so a dataset's videos or a model's weights take no extra disk.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..data.hub_folder import check_output_dir, replace_dir
from .upload import files_to_upload, upload_files


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


@dataclass
class UploadPlan:
    """The files of one push: files of `source` (sent from where they are) and files generated for the push.

    Args:
        source (`Path`): the folder whose files are published.
        files (`list[str]`): paths relative to `source` to publish (hidden files and caches never are).
        generated (`dict[str, bytes]`): repository path -> content, written for this push (e.g. a rendered card);
            they replace a source file of the same path.
    """

    source: Path
    files: list[str]
    generated: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_folder(cls, source: str | os.PathLike, generated: dict[str, bytes] | None = None) -> UploadPlan:
        """Every file of `source` (see `files_to_upload`) plus the `generated` ones."""
        generated = dict(generated or {})
        return cls(Path(source), [f for f in files_to_upload(source) if f not in generated], generated)

    @property
    def names(self) -> list[str]:
        """Every repository path of the push, sorted."""
        return sorted([*self.files, *self.generated])

    def write(self, target: Path) -> None:
        """Fills the empty folder `target` with the push: hard links to the source files, then the generated ones."""
        for name in self.files:
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.source / name, destination)
            except OSError:  # another filesystem, or links not allowed there
                shutil.copy2(self.source / name, destination)
        for name, content in self.generated.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(content)


def push_plan(
    plan: UploadPlan,
    repo_id: str,
    repo_type: str,
    *,
    public: bool = False,
    dry_run: bool = False,
    dry_run_dir: str | os.PathLike,
    overwrite: bool = False,
    space_sdk: str | None = None,
) -> PushResult:
    """Uploads the files of `plan`, or for a dry run writes them to `dry_run_dir`.

    Args:
        plan ([`UploadPlan`]): what to publish.
        repo_id (`str`): the Hub repository, `<org>/<name>`.
        repo_type (`str`): `"dataset"`, `"model"` or `"space"`.
        public (`bool`, *optional*, defaults to `False`): create the repository as public (default: private).
        dry_run (`bool`, *optional*, defaults to `False`): write the folder to `dry_run_dir` and upload nothing.
        dry_run_dir (`str` or `os.PathLike`): where a dry run writes the folder.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `dry_run_dir`.
        space_sdk (`str`, *optional*): SDK of a new Space (e.g. `"gradio"`).

    Returns:
        [`PushResult`].
    """
    if "/" not in repo_id:
        raise ValueError(f"repo_id {repo_id!r} must look like '<org>/<name>' (set --repo-id or ACTIONART_HUB_ORG).")
    if not dry_run:
        upload_files(plan.source, plan.files, plan.generated, repo_id, repo_type, private=not public,
                     space_sdk=space_sdk)  # fmt: skip
        return PushResult(repo_id, repo_type, plan.names)
    target = check_output_dir(dry_run_dir, overwrite).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    plan.write(stage)
    replace_dir(stage, target)
    return PushResult(repo_id, repo_type, files_to_upload(target), dry_run_dir=target)


__all__ = ["PushResult", "UploadPlan", "push_plan"]
