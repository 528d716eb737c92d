"""Loading ActionArt-style datasets with video paths resolved to local files.

>>> from actionart_hf import load_actionart
>>> ds = load_actionart("path/to/ActionArt", config="qa", split="test")   # or "<org>/ActionArt"
>>> ds[0]["video"]   # absolute local path, ready for actionart_hf.load_video
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import datasets

from .hub_folder import find_configs
from .schemas import VIDEO_COLUMNS


def content_cache_dir(folder: str | os.PathLike) -> str:
    """A `datasets` cache folder keyed on the content of a local dataset folder, so that a folder rebuilt in place is
    never read stale (the `datasets` cache of a local folder is keyed on its name and file patterns only).

    The key hashes the folder's absolute path and the relative path, size and modification time of every file in
    it (hidden files and folders excluded); every local dataset read of the package loads through it.

    Returns:
        `str`: `<HF_DATASETS_CACHE>/actionart/<key>`.
    """
    folder = Path(folder).absolute()
    stats = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not any(part.startswith(".") for part in relative.parts) and path.is_file():
            stat = path.stat()
            stats.append((str(relative), stat.st_size, stat.st_mtime_ns))
    key = datasets.fingerprint.Hasher.hash([str(folder), sorted(stats)])[:16]
    return str(Path(datasets.config.HF_DATASETS_CACHE) / "actionart" / key)


def load_actionart(
    path_or_repo_id: str | os.PathLike,
    config: str = "qa",
    split: str | None = "test",
    revision: str | None = None,
    cache_dir: str | None = None,
) -> datasets.Dataset | datasets.DatasetDict:
    """Loads one config of a local dataset folder or Hub dataset and makes its video paths local and absolute.

    Args:
        path_or_repo_id (`str` or `os.PathLike`): a folder written by our builders, or a Hub dataset id.
        config (`str`, *optional*, defaults to `"qa"`): `qa`, `captions`, `motion`, `fgqa`, `pose_description`, ...
        split (`str`, *optional*, defaults to `"test"`): a split, or `None` for a `DatasetDict` of all splits.
        revision (`str`, *optional*): Hub revision.
        cache_dir (`str`, *optional*): `datasets` cache folder.

    Returns:
        `datasets.Dataset` (or `DatasetDict`) whose `video` / `source_video` columns hold absolute local paths. For a
        Hub id only the videos the rows reference are downloaded, together and in parallel (`snapshot_download` with
        `allow_patterns`, see `actionart_hf.data.hub_videos`).
    """
    folder = Path(path_or_repo_id)
    if folder.is_dir():
        if not (folder / "data" / config).is_dir():
            available = sorted(p.name for p in (folder / "data").glob("*")) if (folder / "data").is_dir() else []
            raise ValueError(f"{str(folder)!r} has no config {config!r}; available configs: {available or 'none'}.")
        splits = find_configs(folder).get(config, {})
        if split is not None and re.fullmatch(r"[\w.]+", split) and split not in splits:  # a plain name, no slice
            raise ValueError(
                f"{str(folder)!r} has no {config} split {split!r} (data/{config}/{split}-*.parquet); splits present: "
                f"{sorted(splits) or 'none'}. Choose one of them or build that split."
            )
        cache_dir = cache_dir or content_cache_dir(folder)
        loaded = datasets.load_dataset(str(folder), config, split=split, cache_dir=cache_dir)
        resolve = _local_resolver(folder.absolute())
    else:
        from .hub_videos import download_hub_videos

        loaded = datasets.load_dataset(
            str(path_or_repo_id), config, split=split, revision=revision, cache_dir=cache_dir
        )
        resolve = _downloaded_resolver(download_hub_videos(str(path_or_repo_id), _video_values(loaded), revision))
    return _resolve_video_columns(loaded, resolve)


def _local_resolver(root: Path):
    def resolve(relative: str) -> str:
        return str(root / relative) if relative else relative

    return resolve


def _downloaded_resolver(local: dict[str, str]):
    def resolve(relative: str) -> str:
        return local.get(relative, relative)

    return resolve


def _video_values(loaded) -> list[str]:
    """Every value of the video columns of a `Dataset` or of each split of a `DatasetDict`."""
    splits = loaded.values() if isinstance(loaded, datasets.DatasetDict) else [loaded]
    return [value for ds in splits for column in VIDEO_COLUMNS if column in ds.column_names for value in ds[column]]


def _resolve_video_columns(loaded, resolve):
    def apply(dataset: datasets.Dataset) -> datasets.Dataset:
        columns = [c for c in VIDEO_COLUMNS if c in dataset.column_names]
        if not columns:
            return dataset
        resolved: dict[str, str] = {}

        def resolve_batch(*values: list[str]) -> dict[str, list[str]]:
            for column_values in values:
                for value in column_values:
                    if value not in resolved:
                        resolved[value] = resolve(value)
            return {column: [resolved[v] for v in vals] for column, vals in zip(columns, values)}

        return dataset.map(
            resolve_batch,
            input_columns=columns,
            batched=True,
            desc="Resolving video paths",
            load_from_cache_file=False,
        )

    if isinstance(loaded, datasets.DatasetDict):
        return datasets.DatasetDict({name: apply(ds) for name, ds in loaded.items()})
    return apply(loaded)


__all__ = ["content_cache_dir", "load_actionart"]
