"""Deterministic shards of a proxy build or an evaluation, so one job can run on several machines.

Shard `i` of `N` takes the `i`-th of `N` contiguous, near-equal blocks of the work items in their fixed order (the
sorted source videos of a proxy build, the pseudo-long videos of FGQA, the captions of caption-QA, the questions of
an evaluation): items `[i * total // N, (i + 1) * total // N)`. The partition depends only on `N`, `i` and the item
list, never on timing or the machine, and joining the shards in index order gives the rows of a single-process run
in the same order.

    shard = Shard(index=1, count=4)
    shard.select(list(range(10)))   # [2, 3, 4]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar


T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """One of `count` contiguous blocks of a list of work items.

    Args:
        index (`int`, *optional*, defaults to 0): which block, from 0.
        count (`int`, *optional*, defaults to 1): how many blocks; 1 is the whole list.

    Raises:
        ValueError: `count < 1` or `index` outside `[0, count)`.
    """

    index: int = 0
    count: int = 1

    def __post_init__(self):
        if self.count < 1:
            raise ValueError(f"num_shards={self.count} must be >= 1.")
        if not 0 <= self.index < self.count:
            raise ValueError(
                f"shard_index={self.index} must be in [0, {self.count}) for num_shards={self.count}; shards are "
                "numbered from 0."
            )

    @property
    def is_whole(self) -> bool:
        """Whether this shard is the whole list (`count == 1`)."""
        return self.count == 1

    def bounds(self, total: int) -> tuple[int, int]:
        """`(start, stop)` of this shard's block among `total` items."""
        return total * self.index // self.count, total * (self.index + 1) // self.count

    def select(self, items: Sequence[T]) -> list[T]:
        """This shard's block of `items`, in their order."""
        start, stop = self.bounds(len(items))
        return list(items[start:stop])

    def describe_items(self, total: int, what: str) -> str:
        """Which items this shard takes, e.g. `"items 50-99 of 200 source videos"` (counted from 0)."""
        start, stop = self.bounds(total)
        return f"items {start}-{stop - 1} of {total} {what}" if stop > start else f"none of {total} {what}"

    def to_dict(self) -> dict[str, int]:
        return {"index": self.index, "count": self.count}


def shard_or_whole(num_shards: int, shard_index: int) -> Shard | None:
    """The `Shard` of `--num-shards` / `--shard-index`, or None for a whole run (`num_shards == 1`).

    Raises:
        ValueError: `num_shards < 1` or `shard_index` outside `[0, num_shards)`.
    """
    shard = Shard(shard_index, num_shards)
    return None if shard.is_whole else shard


__all__ = ["Shard", "shard_or_whole"]
