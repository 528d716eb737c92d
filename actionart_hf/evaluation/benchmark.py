"""What an evaluated dataset is called, and whether it is generated data, for the titles of the eval's table and plot.

    >>> describe_benchmark("outputs/quickstart/synthetic")
    BenchmarkInfo(name='ActionArt-Synthetic', synthetic=True)

A folder built by our tools names itself in its card (`pretty_name`; the synthetic benchmark is tagged `synthetic`);
a Hub dataset goes by the last part of its id. The paper's published rows are only comparable with the real
benchmark, so the table and plot of generated data leave them out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchmarkInfo:
    """The name and kind of an evaluated dataset.

    Args:
        name (`str`): its pretty name (card `pretty_name`, else its folder or Hub name).
        synthetic (`bool`): generated data (card tag `synthetic`), whose scores the paper's rows do not compare with.
    """

    name: str
    synthetic: bool = False


def describe_benchmark(dataset) -> BenchmarkInfo:
    """The [`BenchmarkInfo`] of a dataset folder, a Hub dataset id or a loaded `datasets.Dataset`."""
    if not isinstance(dataset, (str, os.PathLike)):
        return BenchmarkInfo(getattr(getattr(dataset, "info", None), "dataset_name", None) or "dataset")
    folder = Path(dataset)
    card = folder / "README.md"
    if not card.is_file():
        return BenchmarkInfo(str(dataset).rstrip("/").rsplit("/", 1)[-1])
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(card).data
    return BenchmarkInfo(data.pretty_name or folder.absolute().name, "synthetic" in (data.tags or []))


__all__ = ["BenchmarkInfo", "describe_benchmark"]
