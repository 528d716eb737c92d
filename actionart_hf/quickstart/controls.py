"""Shuffled proxies: the control that keeps the proxy data's words and steps but breaks their grounding.

Pose descriptions and spatial differences keep their texts, attached to the images of other rows; FGQA questions keep
their videos and options, with the answers permuted across rows. A model trained on them sees the same vocabulary
for as many steps as the real proxy arm, but nothing ties a text to what the image shows.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np


# config -> the column whose values are permuted across rows
SHUFFLED_COLUMN = {"pose_description": "response", "spatial_difference": "response", "fgqa": "answer"}


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def shuffle_proxy(folder: str | Path, config: str, out: str | Path, seed: int = 0) -> int:
    """Writes a copy of the proxy dataset `folder` with `SHUFFLED_COLUMN[config]` permuted across rows.

    Args:
        folder (`str` or `Path`): a proxy dataset folder (`data/<config>/*.parquet`, card, videos).
        config (`str`): `pose_description`, `spatial_difference` or `fgqa`.
        out (`str` or `Path`): output folder (replaced atomically).
        seed (`int`, *optional*, defaults to 0): seed of the permutation.

    Returns:
        `int`: rows whose value changed.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..atomic import staged_dir

    if config not in SHUFFLED_COLUMN:
        raise ValueError(f"config={config!r} has no shuffled control; use one of {sorted(SHUFFLED_COLUMN)}.")
    folder, column = Path(folder), SHUFFLED_COLUMN[config]
    files = sorted((folder / "data" / config).glob("*.parquet"))
    if not files:
        raise ValueError(f"{folder} has no data/{config}/*.parquet to shuffle; build the proxy data first.")
    rng = np.random.default_rng(seed)
    changed = 0
    with staged_dir(Path(out)) as stage:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".parquet":
                _link_or_copy(path, stage / path.relative_to(folder))
        for path in files:
            table = pq.read_table(path)
            values = table.column(column).to_pylist()
            permuted = [values[i] for i in rng.permutation(len(values))]
            changed += sum(a != b for a, b in zip(values, permuted))
            index = table.column_names.index(column)
            table = table.set_column(index, column, pa.array(permuted, type=table.schema.field(column).type))
            target = stage / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target)
    return changed


__all__ = ["SHUFFLED_COLUMN", "shuffle_proxy"]
