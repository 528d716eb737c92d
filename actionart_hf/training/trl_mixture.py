"""TRL's `DatasetMixtureConfig` spelling of a training mixture, accepted beside ours.

TRL writes a mixture as a top-level `datasets:` list (or `dataset_mixture: {datasets: [...]}`) of
`DatasetConfig` entries: `path`, `name`, `data_dir`, `data_files`, `split`, `columns` (a list: the columns to
keep) and `fraction` (the target share of the mixture). Ours is `dataset_mixture:`, a list whose entries add
`weight` (how often each row is seen), `columns` as a mapping (renames), `format`, `tasks`, ... Both can be read:

```yaml
# TRL's spelling                              # ours
datasets:                                     dataset_mixture:
  - path: outputs/proxy/sd                      - {path: outputs/proxy/sd, name: spatial_difference}
    name: spatial_difference                    - {path: outputs/proxy/fgqa, name: fgqa, weight: 0.5}
  - path: outputs/proxy/fgqa
    name: fgqa
    fraction: 0.3
```

`fraction` keeps TRL's meaning: fractions are normalised to sum to one and the first `round(share * N)` rows of each
dataset are kept, `N` the largest mixture size that oversamples no dataset (`fraction_row_counts`). It does not
combine with `weight`. TRL's `streaming: true` and `test_split_size` are refused (videos are not streamed; evaluate on
`eval_dataset_mixture`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


TRL_MIXTURE_KEYS = ("datasets", "streaming", "test_split_size")


def mixture_entries(value: Any, field_name: str = "dataset_mixture") -> Any:
    """The entry list of a mixture written either way: a `DatasetMixtureConfig`-like mapping or object gives its
    `datasets`; anything else is returned as is.

    Raises:
        ValueError: `streaming: true` or a `test_split_size`, which have no counterpart here.
    """
    if not isinstance(value, Mapping) and hasattr(value, "datasets"):  # a trl.DatasetMixtureConfig
        value = {key: getattr(value, key) for key in TRL_MIXTURE_KEYS}
        value["datasets"] = [vars(entry) if hasattr(entry, "__dict__") else entry for entry in value["datasets"]]
    if not (isinstance(value, Mapping) and "datasets" in value):
        return value
    unknown = sorted(set(value) - set(TRL_MIXTURE_KEYS))
    if unknown:
        raise ValueError(f"{field_name} has unknown keys {unknown}; TRL's mixture has {list(TRL_MIXTURE_KEYS)}.")
    if value.get("streaming"):
        raise ValueError(f"{field_name}.streaming=true is not supported (videos are decoded from files); remove it.")
    if value.get("test_split_size") is not None:
        raise ValueError(
            f"{field_name}.test_split_size={value['test_split_size']!r} is not supported; list the evaluation data "
            "in eval_dataset_mixture instead."
        )
    return list(value["datasets"] or [])


def recipe_with_trl_mixture(recipe: Mapping[str, Any]) -> dict[str, Any]:
    """`recipe` with TRL's top-level `datasets` / `streaming` / `test_split_size` keys moved into `dataset_mixture`.

    Raises:
        ValueError: both spellings are used at once.
    """
    recipe = dict(recipe)
    trl_keys = {key: recipe.pop(key) for key in TRL_MIXTURE_KEYS if key in recipe}
    if not trl_keys:
        return recipe
    if recipe.get("dataset_mixture"):
        raise ValueError(
            "The recipe has both TRL's `datasets:` and `dataset_mixture:`; keep one list of datasets (see "
            "actionart_hf.training.trl_mixture)."
        )
    recipe["dataset_mixture"] = mixture_entries({"datasets": None, **trl_keys}, "datasets")
    return recipe


def fraction_row_counts(lengths: list[int], fractions: list[float]) -> list[int]:
    """Rows kept per dataset for TRL's `fraction`: shares normalised to one, the mixture as large as possible
    without oversampling any dataset (`trl.scripts.utils.get_dataset`'s rule).

    Args:
        lengths (`list[int]`): rows of each dataset.
        fractions (`list[float]`): the `fraction` of each dataset (> 0).

    Returns:
        `list[int]`: `round(share * N)` per dataset.
    """
    shares = [fraction / sum(fractions) for fraction in fractions]
    total = min(length / share for length, share in zip(lengths, shares) if share > 0)
    return [round(share * total) for share in shares]


__all__ = ["TRL_MIXTURE_KEYS", "fraction_row_counts", "mixture_entries", "recipe_with_trl_mixture"]
