"""Uploading files to the Hub from the folder they are in (`HfApi.create_repo` + `upload_folder` / `create_commit`).

The token comes from the usual huggingface_hub login (`hf auth login` or `HF_TOKEN`); it is never logged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path


logger = logging.getLogger(__name__)

IGNORE_PATTERNS = (".*", "**/.*", "__pycache__", "**/__pycache__/**", "*.pyc")


def files_to_upload(folder: str | os.PathLike) -> list[str]:
    """Relative paths of the files `upload_folder` would send (hidden files and caches excluded)."""
    folder = Path(folder)
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            if path.suffix != ".pyc":
                files.append(relative.as_posix())
    return files


# A dataset above either size goes through `HfApi.upload_large_folder` (resumable, several commits) where the
# installed huggingface_hub has it; newer versions split a large `upload_folder` into commits themselves.
LARGE_FOLDER_FILES = 1000
LARGE_FOLDER_BYTES = 10 * 1024**3


def _is_large(folder: Path, files: list[str]) -> bool:
    return len(files) > LARGE_FOLDER_FILES or sum((folder / f).stat().st_size for f in files) > LARGE_FOLDER_BYTES


def upload_files(
    folder: str | os.PathLike,
    files: list[str],
    generated: dict[str, bytes],
    repo_id: str,
    repo_type: str,
    *,
    private: bool = True,
    commit_message: str | None = None,
    space_sdk: str | None = None,
) -> None:
    """Creates the repository if needed (private by default) and uploads `files` of `folder` from where they are.

    Files of the folder go through `HfApi.upload_folder(allow_patterns=files)`, or `upload_large_folder` for a large
    folder; with `generated` files (e.g. a rendered card), everything goes in one `HfApi.create_commit`, which also
    reads the folder's files in place.

    Args:
        folder (`str` or `os.PathLike`): the folder the files are relative to.
        files (`list[str]`): relative paths of the files to upload.
        generated (`dict[str, bytes]`): repository path -> content of files that exist only for this upload.
        repo_id (`str`): `<org>/<name>`.
        repo_type (`str`): `"dataset"`, `"model"` or `"space"`.
        private (`bool`, *optional*, defaults to `True`): create the repository as private.
        commit_message (`str`, *optional*): commit message on the Hub.
        space_sdk (`str`, *optional*): SDK of a new Space (e.g. `"gradio"`).
    """
    from huggingface_hub import CommitOperationAdd, HfApi

    folder = Path(folder)
    api = HfApi()
    api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True, space_sdk=space_sdk)
    message = commit_message or f"Upload {folder.name} with actionart-hf"
    if generated:
        operations = [CommitOperationAdd(path_in_repo=f, path_or_fileobj=str(folder / f)) for f in files]
        operations += [CommitOperationAdd(path_in_repo=f, path_or_fileobj=data) for f, data in generated.items()]
        api.create_commit(repo_id=repo_id, repo_type=repo_type, operations=operations, commit_message=message)
    elif hasattr(api, "upload_large_folder") and _is_large(folder, files):
        api.upload_large_folder(repo_id=repo_id, folder_path=str(folder), repo_type=repo_type, allow_patterns=files,
                                ignore_patterns=list(IGNORE_PATTERNS))  # fmt: skip
    else:
        api.upload_folder(repo_id=repo_id, folder_path=str(folder), repo_type=repo_type, commit_message=message,
                          allow_patterns=files, ignore_patterns=list(IGNORE_PATTERNS))  # fmt: skip
    logger.info("Uploaded %d files to https://huggingface.co/%s%s", len(files) + len(generated), _prefix(repo_type),
                repo_id)  # fmt: skip


def upload_to_hub(
    folder: str | os.PathLike,
    repo_id: str,
    repo_type: str = "dataset",
    private: bool = True,
    dry_run: bool = False,
    commit_message: str | None = None,
    space_sdk: str | None = None,
) -> list[str]:
    """Creates the repository if needed (private by default) and uploads `folder` as it is (see `upload_files`).

    Args:
        folder (`str` or `os.PathLike`): the folder to upload, exactly as it will appear on the Hub.
        repo_id (`str`): `<org>/<name>`.
        repo_type (`str`, *optional*, defaults to `"dataset"`): `"dataset"`, `"model"` or `"space"`.
        private (`bool`, *optional*, defaults to `True`): create the repository as private.
        dry_run (`bool`, *optional*, defaults to `False`): only list the files; contact nothing.
        commit_message (`str`, *optional*): commit message on the Hub.
        space_sdk (`str`, *optional*): SDK of a new Space (e.g. `"gradio"`).

    Returns:
        `list[str]`: the relative paths uploaded (or that would be).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"Nothing to upload: {str(folder)!r} is not a folder.")
    if "/" not in repo_id:
        raise ValueError(f"repo_id {repo_id!r} must look like '<org>/<name>' (set --repo-id or ACTIONART_HUB_ORG).")
    files = files_to_upload(folder)
    if dry_run:
        logger.info("Dry run: %d files of %s would be uploaded to %s (%s).", len(files), folder, repo_id, repo_type)
        return files
    upload_files(folder, files, {}, repo_id, repo_type, private=private, commit_message=commit_message,
                 space_sdk=space_sdk)  # fmt: skip
    return files


def _prefix(repo_type: str) -> str:
    return {"dataset": "datasets/", "space": "spaces/"}.get(repo_type, "")


def default_repo_id(name: str) -> str:
    """`<ACTIONART_HUB_ORG>/<name>`; raises if the organisation is not set."""
    org = os.environ.get("ACTIONART_HUB_ORG")
    if not org:
        raise ValueError(f"Pass --repo-id <org>/{name} or set ACTIONART_HUB_ORG.")
    return f"{org}/{name}"


__all__ = ["default_repo_id", "files_to_upload", "upload_files", "upload_to_hub"]
