"""The videos a Hub dataset's rows reference, downloaded together with one `huggingface_hub.snapshot_download`.

Video columns hold paths relative to the dataset repository (`videos/<id>.mp4`). Downloading them with
`snapshot_download(allow_patterns=<those paths>)` fetches them in parallel into the Hub cache (a second call finds
them there), instead of one `hf_hub_download` per row.
"""

from __future__ import annotations

import glob
import os


def is_repo_path(value: str | None) -> bool:
    """Whether a video value is a path inside the repository (not empty, absolute or a URL)."""
    return bool(value) and not os.path.isabs(value) and "://" not in value


def download_hub_videos(
    repo_id: str, paths, revision: str | None = None, cache_dir: str | os.PathLike | None = None
) -> dict[str, str]:
    """Downloads the repository files `paths` of a Hub dataset in one `snapshot_download`.

    Args:
        repo_id (`str`): the Hub dataset id.
        paths (iterable of `str`): video values of the rows; those that are not repository paths are skipped.
        revision (`str`, *optional*): Hub revision.
        cache_dir (`str` or `os.PathLike`, *optional*): huggingface_hub cache folder.

    Returns:
        `dict[str, str]`: repository path -> local file, for every repository path in `paths`.
    """
    from huggingface_hub import snapshot_download

    wanted = sorted({path for path in paths if is_repo_path(path)})
    if not wanted:
        return {}
    root = snapshot_download(
        repo_id,
        repo_type="dataset",
        revision=revision,
        cache_dir=cache_dir,
        allow_patterns=[glob.escape(path) for path in wanted],  # exact names, even with [ ] * ? in them
    )
    return {path: os.path.join(root, path) for path in wanted}


__all__ = ["download_hub_videos", "is_repo_path"]
