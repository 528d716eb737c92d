"""The quickstart's disjoint pools of synthetic clips, one seed each.

Each stage of the experiment sees only the clips the paper's stage would see:

- `benchmark` (splits `test`, `validation`, `train`): ActionArt itself. Its test split is evaluation only, its
  validation split chooses the merge's α, and its train captions are the scarce manual annotations (MA) of stage 3.
- `generic` (split `train`): generic video instruction data, for stage 0 and stage 1.
- `proxy` (split `train`): other people's videos (NTU RGB+D, Kinetics in the paper) in a shifted style, for stage 0
  and the proxy tasks of stage 2 (PD, SD, FGQA through the proxy pipeline).

Every pool is generated from its own seed (`derive_seed(seed, pool index)`), so no clip, and no clip's video bytes,
appear in two pools; `check_disjoint` verifies it on the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path


POOL_NAMES = ("benchmark", "generic", "proxy")


@dataclass(frozen=True)
class PoolSpec:
    """One pool: its folder name, its split sizes and how its style differs from the benchmark's.

    Args:
        name (`str`): one of `POOL_NAMES`.
        splits (`dict[str, int]`): clips per split.
        style (`dict`): `SynthConfig` fields that differ from the benchmark's (camera yaw, colours, clutter, noise).
    """

    name: str
    splits: dict
    style: dict


# The proxy pool's videos look different from the benchmark's, as NTU RGB+D or Kinetics differ from ActionArt's
# videos: a wider camera yaw, another torso colour, more clutter and pixel noise. Limb colours stay (they are how a
# 64-pixel figure shows its left and right side).
PROXY_STYLE = {"camera_yaw": 45.0, "body_color": (40, 90, 60), "clutter": 6, "noise": 6.0}


def pool_seed(seed: int, name: str) -> int:
    """The generator seed of pool `name` of experiment seed `seed` (distinct per pool)."""
    from ..synthetic.random_streams import derive_seed

    return derive_seed(seed, 1 + POOL_NAMES.index(name))


def build_pool(out: Path, spec: PoolSpec, seed: int, base_config, workers: int = 2, progress: bool = True) -> dict:
    """Generates one pool into `out` (replaced atomically) and returns its splits."""
    from ..synthetic import build_synthetic_dataset

    config = replace(base_config, **spec.style)
    build_synthetic_dataset(
        out, seed=pool_seed(seed, spec.name), splits=dict(spec.splits), config=config, workers=workers,
        overwrite=True, show_progress=progress,
    )  # fmt: skip
    return {"splits": dict(spec.splits), "seed": pool_seed(seed, spec.name), "style": dict(spec.style)}


def video_digests(folder: Path) -> dict[str, str]:
    """`{sha256 of the video bytes: relative path}` of every MP4 under `folder`."""
    return {
        hashlib.sha256(path.read_bytes()).hexdigest(): str(path.relative_to(folder))
        for path in sorted(folder.rglob("*.mp4"))
    }


def check_disjoint(folders: dict[str, Path]) -> None:
    """Raises a `ValueError` naming both files when two folders hold a video with the same bytes.

    Args:
        folders (`dict[str, Path]`): label → folder; every MP4 below each folder is compared with every other folder's.
    """
    seen: dict[str, tuple[str, str]] = {}
    for label, folder in folders.items():
        for digest, path in video_digests(Path(folder)).items():
            if digest in seen and seen[digest][0] != label:
                other_label, other_path = seen[digest]
                raise ValueError(
                    f"The same video bytes are in {label}/{path} and {other_label}/{other_path}: the quickstart's "
                    "pools must not share a clip."
                )
            seen.setdefault(digest, (label, path))


__all__ = ["POOL_NAMES", "PROXY_STYLE", "PoolSpec", "build_pool", "check_disjoint", "pool_seed", "video_digests"]
