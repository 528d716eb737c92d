"""Dataset mixtures: several datasets / configs with weights and column mappings → one training dataset.

    >>> from actionart_hf.training import DatasetSpec, load_mixture
    >>> train = load_mixture([DatasetSpec("outputs/proxy/sd", name="spatial_difference"),
    ...                       DatasetSpec("outputs/proxy/fgqa", name="fgqa", weight=0.5)])
    >>> train.column_names
    ['messages', 'videos', 'images', 'source']

Every entry is loaded, renamed with its `columns` mapping, checked for the columns its format needs, sampled by
its `weight` and converted with `row_to_example`; videos stay paths (decoded by the collator), images stay
undecoded bytes. All checks run here, before any model is built, so a bad recipe fails in seconds.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import datasets
import numpy as np

from ..data.loading import content_cache_dir, load_actionart
from ..references import is_local_reference
from .arguments import FORMAT_COLUMNS, DatasetSpec, normalize_format
from .formats import EXAMPLE_FEATURES, row_to_example
from .trl_mixture import fraction_row_counts


logger = logging.getLogger(__name__)

_IMAGE_COLUMNS = ("image", "images")


def _is_our_layout(folder: Path, name: str | None) -> bool:
    return name is not None and (folder / "data" / name).is_dir()


def _unknown_dataset(spec: DatasetSpec, where: str, error: Exception | None = None) -> ValueError:
    reason = f" ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})" if error else ""
    return ValueError(
        f"{where}: dataset {spec.path!r} is neither a local folder nor a dataset that could be loaded from the Hub"
        f"{reason}. Fix `path`, or build the data first (e.g. `actionart-hf synth --out {spec.path}` or "
        "`actionart-hf proxy ...`)."
    )


def _load_raw(spec: DatasetSpec, where: str) -> tuple[datasets.Dataset, str | None]:
    """Loads the entry's split; returns it with the folder that relative media paths resolve against."""
    folder = Path(spec.path).expanduser()
    if folder.is_dir() and spec.name and not _is_our_layout(folder, spec.name):
        if _is_our_layout(folder, normalize_format(spec.name)):  # `pd` / `sd` spelled short
            spec.name = normalize_format(spec.name)
    if folder.is_dir():
        if _is_our_layout(folder, spec.name) and not (spec.data_files or spec.data_dir):
            try:
                return load_actionart(folder, config=spec.name, split=spec.split), str(folder.absolute())
            except ValueError as error:
                raise ValueError(f"{where} ({spec.label}): {error}") from error
        if (folder / "data").is_dir() and spec.name and not (spec.data_files or spec.data_dir):
            configs = sorted(p.name for p in (folder / "data").iterdir() if p.is_dir())
            if configs:
                raise ValueError(
                    f"{where}: {spec.path!r} has no config {spec.name!r}; available configs: {configs}. Fix `name`."
                )
        try:
            loaded = datasets.load_dataset(
                str(folder),
                name=spec.name,
                data_files=spec.data_files,
                data_dir=spec.data_dir,
                split=spec.split,
                cache_dir=content_cache_dir(folder),
            )
        except (ValueError, FileNotFoundError) as error:
            raise ValueError(f"{where}: could not load {spec.label} ({error}).") from error
        return loaded, spec.video_root or str(folder.absolute())
    if is_local_reference(spec.path):
        raise _unknown_dataset(spec, where)
    try:
        if spec.name is not None and not (spec.data_files or spec.data_dir or spec.columns):
            loaded = load_actionart(spec.path, config=spec.name, split=spec.split, revision=spec.revision)
        else:
            loaded = datasets.load_dataset(
                spec.path,
                name=spec.name,
                data_files=spec.data_files,
                data_dir=spec.data_dir,
                split=spec.split,
                revision=spec.revision,
            )
    except Exception as error:  # datasets raises many types for "not there" (offline, 404, no such config)
        raise _unknown_dataset(spec, where, error) from error
    return loaded, spec.video_root


def _resolve_media_paths(dataset: datasets.Dataset, root: str | None, spec: DatasetSpec) -> datasets.Dataset:
    """Makes relative `video` / `videos` paths absolute against `root` (or downloads them from a Hub dataset)."""
    columns = [c for c in ("video", "videos") if c in dataset.column_names]
    if not columns:
        return dataset
    if root is not None:

        def resolve(path: str) -> str:
            return path if (not path or os.path.isabs(path) or "://" in path) else os.path.join(root, path)

    elif not is_local_reference(spec.path):
        from ..data.hub_videos import download_hub_videos

        values = [v for c in columns for row in dataset[c] for v in ([row] if isinstance(row, str) else row or [])]
        local = download_hub_videos(spec.path, values, spec.revision)  # one parallel download of every video

        def resolve(path: str) -> str:
            return local.get(path, path)

    else:
        return dataset

    def resolve_batch(batch):
        out = {}
        for column in columns:
            values = batch[column]
            if column == "video":
                out[column] = [resolve(v) if isinstance(v, str) else v for v in values]
            else:
                out[column] = [[resolve(v) for v in (vs or [])] for vs in values]
        return out

    return dataset.map(resolve_batch, batched=True, desc=f"Resolving video paths of {spec.label}")


def _apply_columns(dataset: datasets.Dataset, spec: DatasetSpec, where: str) -> datasets.Dataset:
    mapping = dict(spec.columns)
    missing_sources = [source for source in mapping.values() if source not in dataset.column_names]
    if missing_sources:
        raise ValueError(
            f"{where} ({spec.label}): `columns` maps from {missing_sources}, which the dataset does not have; its "
            f"columns are {dataset.column_names}."
        )
    # Drop columns that would collide with a mapped name, then rename `{ours: theirs}`.
    clashes = [ours for ours, theirs in mapping.items() if ours in dataset.column_names and ours != theirs]
    clashes = [c for c in clashes if c not in mapping.values()]
    if clashes:
        dataset = dataset.remove_columns(clashes)
    renames = {theirs: ours for ours, theirs in mapping.items() if theirs != ours}
    if renames:
        dataset = dataset.rename_columns(renames)
    required = FORMAT_COLUMNS[spec.format]
    if spec.format == "messages":
        required = ("messages",)
    missing = [column for column in required if column not in dataset.column_names]
    if missing:
        hint = ", ".join(f"{column}: <one of {dataset.column_names}>" for column in missing)
        raise ValueError(
            f"{where} ({spec.label}): format {spec.format!r} needs the column(s) {missing}, but the dataset has "
            f"{dataset.column_names}. Map them with `columns: {{{hint}}}`, or fix `format`/`name`."
        )
    return dataset


def sample_by_weight(num_rows: int, weight: float, rng: np.random.Generator) -> np.ndarray:
    """Row indices for one epoch of the mixture: every row `floor(weight)` times plus a random `frac(weight)` share.

    Args:
        num_rows (`int`): rows of the dataset.
        weight (`float`): > 0.
        rng (`np.random.Generator`): source of the random share.

    Returns:
        `np.ndarray` of int64 indices, of length `round(weight * num_rows)`.
    """
    whole = int(math.floor(weight))
    extra = int(round((weight - whole) * num_rows))
    indices = [np.tile(np.arange(num_rows, dtype=np.int64), whole)]
    if extra:
        indices.append(np.sort(rng.choice(num_rows, size=extra, replace=False)).astype(np.int64))
    return np.concatenate(indices)


def _keep_tasks(raw: datasets.Dataset, spec: DatasetSpec, where: str) -> datasets.Dataset:
    """The rows whose `task` (a class id or a name) is one of `spec.tasks`."""
    from ..tasks import normalize_task

    feature = raw.features.get("task")
    if feature is None:
        raise ValueError(
            f"{where} ({spec.label}) sets tasks={spec.tasks} but has no `task` column (columns: {raw.column_names}); "
            "drop `tasks` or map a column onto `task` with `columns`."
        )
    names = feature.names if isinstance(feature, datasets.ClassLabel) else None
    wanted = set(spec.tasks)
    keep = [
        index
        for index, value in enumerate(raw["task"])
        if normalize_task(names[value] if names is not None else value) in wanted
    ]
    return raw.select(keep)


def _answer_with_option_text(row: dict) -> dict:
    """A multiple-choice row whose `answer` is its correct option's text instead of the letter."""
    from ..tasks import letter_index

    return {"answer": row["options"][letter_index(row["answer"])]}


def load_dataset_entry(
    spec: DatasetSpec, index: int = 0, seed: int = 0, field_name: str = "dataset_mixture"
) -> datasets.Dataset:
    """Loads, checks, samples and converts one mixture entry into uniform training examples.

    Args:
        spec ([`DatasetSpec`]): the entry.
        index (`int`, *optional*): its position, for error messages.
        seed (`int`, *optional*): seed of the fractional-weight sampling (offset by `index`).
        field_name (`str`, *optional*): the argument the entry came from, for error messages.

    Returns:
        `datasets.Dataset` with the columns of `EXAMPLE_FEATURES`.
    """
    where = f"{field_name}[{index}]"
    raw, root = _load_raw(spec, where)
    already_resolved = "video" in raw.column_names and not spec.columns  # load_actionart made them absolute
    raw = _apply_columns(raw, spec, where)
    if not already_resolved:
        raw = _resolve_media_paths(raw, root, spec)
    for column in _IMAGE_COLUMNS:
        feature = raw.features.get(column)
        if isinstance(feature, datasets.Image):
            raw = raw.cast_column(column, datasets.Image(decode=False))
        elif isinstance(feature, datasets.List) and isinstance(feature.feature, datasets.Image):
            raw = raw.cast_column(column, datasets.List(datasets.Image(decode=False)))
    if spec.tasks is not None:
        raw = _keep_tasks(raw, spec, where)
    if spec.max_samples is not None:
        raw = raw.select(range(min(int(spec.max_samples), len(raw))))
    if len(raw) == 0:
        raise ValueError(f"{where} ({spec.label}) has no rows; check `split` and the dataset.")
    indices = sample_by_weight(len(raw), spec.weight, np.random.default_rng(seed + index))
    if len(indices) == 0:
        raise ValueError(
            f"{where} ({spec.label}): weight={spec.weight} of {len(raw)} rows keeps no row; raise the weight."
        )
    if len(indices) != len(raw) or not np.array_equal(indices, np.arange(len(raw))):
        raw = raw.select(indices)
    label, fmt = spec.label, spec.format
    if spec.answer == "option":
        raw = raw.map(_answer_with_option_text, desc=f"Option-text answers {label}")
    return raw.map(
        lambda row: row_to_example(row, fmt, label, root),
        remove_columns=raw.column_names,
        features=EXAMPLE_FEATURES,
        desc=f"Chat format {label}",
    )


def load_mixture(specs: list[DatasetSpec], seed: int = 0, field_name: str = "dataset_mixture") -> datasets.Dataset:
    """Builds the training dataset of a mixture (see the module docstring).

    Args:
        specs (`list[DatasetSpec]`): the entries (at least one).
        seed (`int`, *optional*, defaults to 0): sampling seed of fractional weights.
        field_name (`str`, *optional*): the argument the entries came from, for error messages.

    Returns:
        `datasets.Dataset` with columns `messages` (JSON), `videos`, `images`, `source`; the rows of the entries
        in order (the trainer shuffles).
    """
    if not specs:
        raise ValueError(f"{field_name} is empty; list at least one dataset (or set dataset_name).")
    parts = [load_dataset_entry(spec, index, seed, field_name) for index, spec in enumerate(specs)]
    if specs[0].fraction is not None:  # TRL's `fraction`: the first rows of each dataset, in the given shares
        counts = fraction_row_counts([len(part) for part in parts], [spec.fraction for spec in specs])
        parts = [part.select(range(count)) for part, count in zip(parts, counts)]
    for spec, part in zip(specs, parts):
        logger.info("%s: %d examples (weight %g, format %s)", spec.label, len(part), spec.weight, spec.format)
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


__all__ = ["load_dataset_entry", "load_mixture", "sample_by_weight"]
