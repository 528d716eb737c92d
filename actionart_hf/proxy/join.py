"""`actionart-hf proxy join`: the output folders of a sharded proxy build → one Hub folder.

    actionart-hf proxy join --out outputs/proxy_pd shards/pd-0 shards/pd-1 shards/pd-2 shards/pd-3

The shards' tables are concatenated in shard order (`datasets.concatenate_datasets`), their videos linked into one
`videos/`, their failure and reject lists concatenated beside the output, and the card is written again from the
text each shard saved in `<shard>.shard.json` with the counts of the joined rows: the result is the folder a single
process would have built (same rows in the same order, same card).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import datasets

from ..data.hub_folder import (
    DATA_DIR,
    VIDEO_DIR,
    check_output_dir,
    find_configs,
    staged_output_dir,
    task_count_table,
    write_split,
)
from .common import (
    SHARD_RECORD_FORMAT,
    BuildReport,
    exclusive_build,
    link_or_copy,
    reject_table,
    shard_record_path,
    write_jsonl,
    write_proxy_card,
)


logger = logging.getLogger(__name__)

# card sections computed from the rows: recomputed from the joined rows instead of taken from a shard
COUNT_SECTIONS = ("Questions per sub-task", "Rejected questions")


def read_shard_record(shard_dir: Path) -> dict:
    """The `<shard>.shard.json` of one shard's output folder.

    Raises:
        ValueError: the folder is not the output of one shard of a sharded build.
    """
    path = shard_record_path(shard_dir)
    if not shard_dir.is_dir() or not path.is_file():
        raise ValueError(
            f"{str(shard_dir)!r} is not the output of a sharded proxy build (no folder, or no {path.name} beside it); "
            "pass the --out folders of the runs with --num-shards/--shard-index."
        )
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("format") != SHARD_RECORD_FORMAT:
        raise ValueError(f"{path} has format {record.get('format')!r}; this version reads {SHARD_RECORD_FORMAT}.")
    return record


def _check_complete(shard_dirs: Sequence[Path], records: Sequence[dict]) -> list[int]:
    """The shard folders' positions in shard order, after checking they are all the shards of one build."""
    counts = {record["shard"]["count"] for record in records}
    if len(counts) != 1:
        raise ValueError(f"The shards come from builds with different --num-shards ({sorted(counts)}).")
    count = counts.pop()
    indices = [record["shard"]["index"] for record in records]
    missing = sorted(set(range(count)) - set(indices))
    repeated = sorted(i for i, n in Counter(indices).items() if n > 1)
    if missing or repeated:
        raise ValueError(
            f"Joining {len(records)} folder(s) of a build in {count} shards: shard(s) {missing} missing and "
            f"{repeated} given twice; pass the --out folder of every shard once."
        )
    first = records[0]
    for shard_dir, record in zip(shard_dirs, records):
        for key in ("config", "card"):
            if _without_counts(record[key]) != _without_counts(first[key]):
                raise ValueError(
                    f"{str(shard_dir)!r} differs from {str(shard_dirs[0])!r} in its {key}; the shards must come "
                    "from one command run with different --shard-index only."
                )
    return sorted(range(len(records)), key=lambda position: indices[position])


def _without_counts(value):
    """A card's text without the sections computed from its shard's rows (a config name as it is)."""
    if not isinstance(value, dict):
        return value
    sections = {k: v for k, v in value["extra_sections"].items() if k not in COUNT_SECTIONS}
    return {**value, "extra_sections": sections}


def _split_name(shard_dir: Path, config: str) -> str:
    splits = list(find_configs(shard_dir).get(config, {}))
    if len(splits) != 1:
        raise ValueError(f"{str(shard_dir)!r} should hold one {config} split; it holds {splits or 'none'}.")
    return splits[0]


def _read_table(shard_dir: Path, config: str, split: str, cache_dir: Path) -> datasets.Dataset:
    files = sorted(str(path) for path in (shard_dir / DATA_DIR / config).glob(f"{split}-*.parquet"))
    return datasets.Dataset.from_parquet(files, cache_dir=str(cache_dir))


def _count_sections(card: dict, joined: datasets.Dataset, report: BuildReport) -> dict[str, str]:
    """The card's extra sections, those computed from the rows recomputed from the joined rows."""
    sections = dict(card["extra_sections"])
    if "Questions per sub-task" in sections:
        task = joined.features["task"]
        codes = [task.int2str(code) if isinstance(task, datasets.ClassLabel) else code for code in joined["task"]]
        sections["Questions per sub-task"] = task_count_table(codes)
    if "Rejected questions" in sections:
        sections["Rejected questions"] = reject_table(report.rejected)
    return sections


def _concatenate_side_files(shard_dirs: Sequence[Path], kind: str, out_dir: Path) -> Path | None:
    """`<out>.<kind>.jsonl` from the shards' files in order (removed when there is nothing to list)."""
    rows = []
    for shard_dir in shard_dirs:
        path = shard_dir.parent / f"{shard_dir.name}.{kind}.jsonl"
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    target = out_dir.parent / f"{out_dir.name}.{kind}.jsonl"
    if not rows:
        target.unlink(missing_ok=True)
        return None
    return write_jsonl(target, rows)


def join_proxy_shards(
    shard_dirs: Sequence[str | os.PathLike], out_dir: str | os.PathLike, *, overwrite: bool = False
) -> BuildReport:
    """Joins the output folders of every shard of one sharded proxy build into `out_dir`.

    Args:
        shard_dirs (`Sequence[str or os.PathLike]`): the shards' output folders, in any order.
        out_dir (`str` or `os.PathLike`): the joined Hub folder.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output.

    Returns:
        [`BuildReport`] of the joined output (counts summed over the shards).

    Raises:
        ValueError: a folder that is not a shard's output, a shard missing or given twice, or shards of different
            builds.
    """
    shard_dirs = [Path(d).absolute() for d in shard_dirs]
    out_dir = check_output_dir(out_dir, overwrite).absolute()
    records = [read_shard_record(shard_dir) for shard_dir in shard_dirs]
    order = _check_complete(shard_dirs, records)
    shard_dirs, records = [shard_dirs[i] for i in order], [records[i] for i in order]
    config, card = records[0]["config"], records[0]["card"]
    split = _split_name(shard_dirs[0], config)

    report = BuildReport(out_dir, config)
    for record in records:
        counts = record["report"]
        report.failed += counts["failed"]
        report.rejected.update(counts["rejected"])
        report.teacher_calls += counts["teacher_calls"]
        report.cached += counts["cached"]
    work = out_dir.parent / f".{out_dir.name}.join-{uuid.uuid4().hex[:8]}"  # the datasets cache of the tables
    with exclusive_build(out_dir, scratch=work), staged_output_dir(out_dir, overwrite) as stage:
        tables = [_read_table(shard_dir, config, _split_name(shard_dir, config), work) for shard_dir in shard_dirs]
        joined = datasets.concatenate_datasets(tables)
        report.rows = len(joined)
        for shard_dir in shard_dirs:
            for video in sorted((shard_dir / VIDEO_DIR).glob("*")):
                link_or_copy(video, stage / VIDEO_DIR / video.name)
        write_split(stage, config, split, joined)
        report.failure_report = _concatenate_side_files(shard_dirs, "failures", out_dir)
        report.rejects_file = _concatenate_side_files(shard_dirs, "rejects", out_dir)
        write_proxy_card(stage, report, **{**card, "extra_sections": _count_sections(card, joined, report)})
    logger.info(report.summary())
    return report


__all__ = ["COUNT_SECTIONS", "join_proxy_shards", "read_shard_record"]
