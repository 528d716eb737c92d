"""Loading ActionArt-style datasets with video paths resolved to local files.

>>> from actionart_hf import load_actionart
>>> ds = load_actionart("path/to/ActionArt", config="qa", split="test")   # or "<org>/ActionArt"
>>> ds[0]["video"]   # absolute local path, ready for actionart_hf.load_video
"""

from __future__ import annotations

import os
from pathlib import Path

import datasets

from .schemas import VIDEO_COLUMNS


def _cache_tag(folder: Path) -> str:
    """Changes whenever a parquet file of the folder changes, so a folder rebuilt in place is never read stale."""
    stats = sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*.parquet")
    )
    return datasets.fingerprint.Hasher.hash(stats)[:16]


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
        cache_dir = cache_dir or str(Path(datasets.config.HF_DATASETS_CACHE) / "actionart" / _cache_tag(folder))
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


__all__ = ["load_actionart"]
