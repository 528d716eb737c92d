"""Hub-ready dataset folders: staged atomic output, parquet splits, and the card with YAML `configs`.

A folder looks like the Hub repository it will become::

    README.md                                   card: YAML metadata (configs, license, ...) + prose
    data/<config>/<split>-00000-of-00001.parquet
    videos/<video_id>.mp4                       videos referenced by relative path from the tables

`datasets.load_dataset(folder, "<config>")` reads it as is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import datasets
from datasets.table import embed_table_storage

from ..atomic import replace_dir, staged_dir, write_jsonl_atomic
from .dataset_card import ACTIONART_CITATION, ACTIONART_SOURCE_URL, render_dataset_card


DATA_DIR = "data"
VIDEO_DIR = "videos"
_SHARD = re.compile(r"^(?P<split>[A-Za-z0-9_.]+)-\d{5}-of-\d{5}\.parquet$")


def check_output_dir(out_dir: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuses an existing output unless `overwrite`, before any work starts.

    Raises:
        ValueError: `out_dir` is a file, or an existing folder and `overwrite` is False.
    """
    out_dir = Path(out_dir)
    if out_dir.is_file():
        raise ValueError(f"Output {str(out_dir)!r} is a file; choose a folder path.")
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise ValueError(f"Output folder {str(out_dir)!r} already exists; pass --overwrite to replace it.")
    return out_dir


def check_hub_folder(folder: Path, target: Path) -> None:
    """Refuses a new dataset folder without a card or without any `data/<config>/<split>-*.parquet` split.

    Raises:
        ValueError: naming `target` (the output the folder was built for) and what is missing.
    """
    if not find_configs(folder):
        raise ValueError(
            f"The build of {str(target)!r} wrote no dataset split (data/<config>/<split>-*.parquet), so it was not "
            "moved into place (any previous output is unchanged); check the inputs and counts."
        )
    if not (folder / "README.md").is_file():
        raise ValueError(f"The build of {str(target)!r} wrote no README.md card, so it was not moved into place.")


@contextmanager
def staged_output_dir(
    out_dir: str | os.PathLike,
    overwrite: bool = False,
    check: Callable[[Path, Path], None] | None = check_hub_folder,
) -> Iterator[Path]:
    """Yields an empty staging folder beside `out_dir` and moves it into place only when the block succeeds.

    An interrupted or failed build, or a new folder that `check` refuses, removes the staging folder and leaves any
    previous output untouched. Leftovers of killed builds of `out_dir` are removed first (see
    `actionart_hf.atomic.output_lock`).

    Args:
        out_dir (`str` or `os.PathLike`): the final folder.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing non-empty `out_dir`.
        check (`Callable[[Path, Path], None]`, *optional*, defaults to [`check_hub_folder`]): validates the new
            folder before it replaces `out_dir`; `None` skips it (folders that are not Hub datasets).
    """
    with staged_dir(check_output_dir(out_dir, overwrite).absolute(), check) as stage:
        yield stage


def write_rejects(out_dir: str | os.PathLike, rejects: Iterable[dict]) -> Path | None:
    """Lists the rows a build left out in `<out_dir>.rejects.jsonl` beside the output (durably, atomically).

    Returns:
        The path when there are rejects; otherwise removes a stale file of an earlier build and returns None.
    """
    out_dir = Path(out_dir)
    path = out_dir.parent / f"{out_dir.name}.rejects.jsonl"
    rejects = list(rejects)
    if not rejects:
        path.unlink(missing_ok=True)
        return None
    return write_jsonl_atomic(path, rejects, durable=True)


def write_split(
    folder: str | os.PathLike, config: str, split: str, dataset: datasets.Dataset, num_shards: int = 1
) -> list[Path]:
    """Writes `dataset` as `data/<config>/<split>-0000i-of-0000n.parquet`, embedding image bytes.

    Args:
        folder (`str` or `os.PathLike`): the dataset folder (usually a staging folder).
        config (`str`): config name, e.g. `"qa"`.
        split (`str`): split name, e.g. `"test"`.
        dataset (`datasets.Dataset`): rows with explicit `Features`.
        num_shards (`int`, *optional*, defaults to 1): number of parquet files.

    Returns:
        `list[Path]` of the written files.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.]+", split):
        raise ValueError(f"Split name {split!r} may only hold letters, digits, '_' and '.'.")
    target = Path(folder) / DATA_DIR / config
    target.mkdir(parents=True, exist_ok=True)
    has_media = any(isinstance(feature, datasets.Image) for feature in _leaf_features(dataset.features))
    paths = []
    for index in range(num_shards):
        shard = dataset.shard(num_shards, index, contiguous=True)
        if has_media:
            shard = shard.with_format("arrow").map(partial(embed_table_storage), batched=True).with_format(None)
        path = target / f"{split}-{index:05d}-of-{num_shards:05d}.parquet"
        shard.to_parquet(str(path))
        paths.append(path)
    return paths


def read_split_rows(folder: str | os.PathLike, config: str, split: str) -> list[dict]:
    """The rows of `data/<config>/<split>-*.parquet` in a local folder, read directly (no `datasets` cache), with
    `ClassLabel` columns (e.g. `task`) as their names.

    Raises:
        ValueError: no such config or split (lists the splits present).
    """
    import pyarrow.parquet as pq

    config_dir = Path(folder) / DATA_DIR / config
    files = sorted(config_dir.glob(f"{split}-*.parquet"))
    if not files:
        present = sorted({m["split"] for p in config_dir.glob("*.parquet") if (m := _SHARD.match(p.name))})
        raise ValueError(
            f"No {config} split {split!r} in {str(folder)!r} (data/{config}/{split}-*.parquet); splits present: "
            f"{present or 'none'}. Build that split first or pass another one."
        )
    rows = []
    for file in files:
        table = pq.read_table(file)
        features = datasets.Features.from_arrow_schema(table.schema)
        labels = {name: feature for name, feature in features.items() if isinstance(feature, datasets.ClassLabel)}
        for row in table.to_pylist():
            rows.append({**row, **{name: feature.int2str(row[name]) for name, feature in labels.items()}})
    return rows


def _leaf_features(features) -> Iterator:
    if isinstance(features, dict):
        for value in features.values():
            yield from _leaf_features(value)
    elif isinstance(features, (list, tuple)):
        for value in features:
            yield from _leaf_features(value)
    elif isinstance(features, datasets.List):
        yield from _leaf_features(features.feature)
    else:
        yield features


def find_configs(folder: str | os.PathLike) -> dict[str, dict[str, str]]:
    """`{config: {split: glob}}` for every `data/<config>/<split>-*.parquet` in `folder`."""
    configs: dict[str, dict[str, str]] = {}
    for config_dir in sorted((Path(folder) / DATA_DIR).glob("*")):
        splits = sorted({m["split"] for p in config_dir.glob("*.parquet") if (m := _SHARD.match(p.name))})
        if splits:
            configs[config_dir.name] = {s: f"{DATA_DIR}/{config_dir.name}/{s}-*.parquet" for s in splits}
    return configs


def configs_metadata(folder: str | os.PathLike, default: str | None = None) -> list[dict]:
    """The card's YAML `configs:` list for the parquet files present in `folder`."""
    entries = []
    for name, splits in find_configs(folder).items():
        entry = {"config_name": name, "data_files": [{"split": s, "path": p} for s, p in splits.items()]}
        if name == default:
            entry["default"] = True
        entries.append(entry)
    return entries


def largest_config_rows(folder: str | os.PathLike) -> int:
    """Rows of the largest config of `folder` (all its splits), read from the parquet footers."""
    import pyarrow.parquet as pq

    counts = [
        sum(pq.ParquetFile(path).metadata.num_rows for path in Path(folder).glob(f"{DATA_DIR}/{name}/*.parquet"))
        for name in find_configs(folder)
    ]
    return max(counts, default=0)


def write_dataset_card(
    folder: str | os.PathLike,
    *,
    pretty_name: str,
    summary: str,
    sections: dict[str, str] | None = None,
    license: str | None = None,
    default_config: str | None = None,
    citation: str = ACTIONART_CITATION,
    tags: list[str] | None = None,
    license_name: str = "actionart",
    license_link: str = ACTIONART_SOURCE_URL,
) -> Path:
    """Writes `README.md` with YAML `configs` (from the parquet files present), license, size, tags and prose.

    Write the card last: its `configs` list the parquet files in `folder` at call time, and its `size_categories`
    count their rows. See `actionart_hf.data.dataset_card.render_dataset_card` for the arguments; `default_config` is
    marked `default: true`.
    """
    card = render_dataset_card(
        pretty_name=pretty_name,
        summary=summary,
        configs=configs_metadata(folder, default_config),
        num_rows=largest_config_rows(folder),
        license_name=license_name,
        license_link=license_link,
        sections=sections,
        license=license,
        citation=citation,
        tags=tags,
    )
    path = Path(folder) / "README.md"
    card.save(str(path))
    return path


def task_count_table(task_codes: list[str]) -> str:
    """A markdown table of question counts per sub-task (full names from `actionart_hf.tasks`)."""
    from ..tasks import TASKS

    counts = {code: task_codes.count(code) for code in TASKS}
    rows = ["| code | sub-task | questions |", "|---|---|---|"]
    rows += [f"| {code} | {TASKS[code].name} | {count} |" for code, count in counts.items()]
    rows.append(f"| | **total** | **{sum(counts.values())}** |")
    return "\n".join(rows)


__all__ = [
    "DATA_DIR",
    "VIDEO_DIR",
    "check_hub_folder",
    "check_output_dir",
    "configs_metadata",
    "find_configs",
    "largest_config_rows",
    "read_split_rows",
    "replace_dir",
    "staged_output_dir",
    "task_count_table",
    "write_dataset_card",
    "write_rejects",
    "write_split",
]
