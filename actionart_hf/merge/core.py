"""Streaming parameter fusion: `out = (1 - alpha) * base + alpha * finetuned`, tensor by tensor, shard by shard.

    from actionart_hf.merge import MergeConfig, merge_checkpoints

    config = MergeConfig(base_model="stage1", finetuned_model="stage2-sd-fgqa", parameters={"alpha": 0.5})
    result = merge_checkpoints(config, "actionart-pf")

Memory: each output tensor is computed in fp32 chunks of `CHUNK_NUMEL` elements from memory-mapped inputs and written
straight into its shard, so the peak is about the two input tensors being merged (mapped pages) plus a few chunks,
whatever the model size. With `chunk_rows`, each input tensor is read `chunk_rows` rows at a time
(`Checkpoint.row_blocks`) instead of mapped whole, so the peak is two blocks plus the chunks, whatever the tensor size
(a 1 GB embedding included); the output is bit-identical, as the merge is element-wise. Inputs are checked in full
(architecture, names, shapes, dtypes, patterns, paths) before anything is written; the output is built in a staging
folder beside it and moved into place at the end.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import torch

from ..atomic import output_lock, replace_dir, scratch_dir, staged_dir
from .checkpoint import (
    Checkpoint,
    StreamingSafetensorsWriter,
    TensorInfo,
    copy_model_files,
    is_adapter,
    resolve_model_path,
    shard_file_names,
    split_into_shards,
    write_index,
)
from .config import CONFIG_NAME, MergeConfig
from .methods import get_merge_method


logger = logging.getLogger(__name__)

CHUNK_NUMEL = 1 << 20  # elements merged at once: 4 MB per fp32 chunk bounds the temporaries


@dataclass(frozen=True)
class TensorPlan:
    """What happens to one output tensor.

    Args:
        name (`str`): output (and finetuned) name.
        action (`str`): `"merge"` or `"copy"`.
        source (`str`): for copies, `"base"` or `"finetuned"`.
        base_name (`str`, *optional*): the base tensor merged in (differs from `name` for tied weights).
        dtype (`torch.dtype`): output dtype.
        shape (`tuple[int, ...]`): output shape.
    """

    name: str
    action: str
    source: str
    base_name: str | None
    dtype: torch.dtype
    shape: tuple[int, ...]

    @property
    def info(self) -> TensorInfo:
        return TensorInfo(self.name, self.dtype, self.shape, Path())


@dataclass
class MergePlan:
    """The output tensors in write order, and the base tensors left out because the finetuned model ties them."""

    tensors: list[TensorPlan]
    dropped: list[str]


@dataclass
class MergeResult:
    """What a merge wrote.

    Args:
        output (`Path`): the output folder.
        config (`MergeConfig`): the recipe (also in `merge_config.yaml`).
        merged (`list[str]`): tensors averaged.
        copied (`dict[str, str]`): tensors copied unchanged -> `"base"` or `"finetuned"`.
        dropped (`list[str]`): base tensors not written because the finetuned model ties them to another tensor.
        files (`list[str]`): non-weight files copied from the finetuned model.
        inputs (`dict[str, str]`): role -> resolved path (or `id@commit` for Hub downloads).
        seconds (`float`): wall time of the tensor pass.
    """

    output: Path
    config: MergeConfig
    merged: list[str] = field(default_factory=list)
    copied: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class ResolvedInputs:
    """Both checkpoints opened (after downloads and any adapter merge), reusable for several merges (α sweep)."""

    base: Checkpoint
    finetuned: Checkpoint
    file_sources: list[Path]
    inputs: dict[str, str]
    local_paths: dict[str, Path]
    recipe: dict[str, str] = field(default_factory=dict)

    def recipe_config(self, config: MergeConfig) -> MergeConfig:
        """`config` with local inputs named by absolute path (what `merge_config.yaml` records)."""
        return dataclasses.replace(config, **self.recipe)


def _describe(name_or_path: str, path: Path) -> str:
    if Path(name_or_path).expanduser().exists():
        return str(path)
    commit = path.name if len(path.name) == 40 else None  # snapshot folders are named by commit
    return f"{name_or_path}@{commit}" if commit else name_or_path


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(output: str | os.PathLike, overwrite: bool) -> Path:
    """The absolute output folder, refusing a file or an existing non-empty folder without `overwrite`.

    Raises:
        ValueError: `output` is a file, or an existing non-empty folder and `overwrite` is False.
    """
    output = Path(output).expanduser().absolute()
    if output.is_file():
        raise ValueError(f"Output {str(output)!r} is a file; choose a folder path.")
    if output.exists() and any(output.iterdir()) and not overwrite:
        raise ValueError(f"Output folder {str(output)!r} already exists; pass --overwrite to replace it.")
    return output


def _check_not_nested(output: Path, inputs: dict[str, Path]) -> None:
    resolved_output = output.resolve()
    for role, path in inputs.items():
        folder = path if path.is_dir() else path.parent
        folder = folder.resolve()
        if _is_within(resolved_output, folder):
            raise ValueError(
                f"Output {str(output)!r} is inside the {role} model folder {str(folder)!r}; write it elsewhere."
            )
        if _is_within(folder, resolved_output):
            raise ValueError(
                f"Output {str(output)!r} contains the {role} model folder {str(folder)!r}, which replacing it "
                "would delete; write it elsewhere."
            )


def _check_architectures(base: Checkpoint, finetuned: Checkpoint) -> None:
    if base.config is None or finetuned.config is None:
        return
    for key in ("model_type", "architectures"):
        a, b = base.config.get(key), finetuned.config.get(key)
        if a is not None and b is not None and a != b:
            raise ValueError(
                f"The base model {str(base.path)!r} has {key}={a!r} but the finetuned model {str(finetuned.path)!r} "
                f"has {key}={b!r}; both must be the same architecture."
            )


@contextmanager
def resolve_inputs(config: MergeConfig, output: Path) -> Iterator[ResolvedInputs]:
    """Resolves, downloads and opens both models; merges a PEFT adapter into its base (into a temporary folder).

    The block holds the output's lock ([`actionart_hf.atomic.output_lock`]): what killed merges of `output` left
    beside it is removed first, and temporary folders are made with `scratch_dir(output)`.

    Raises:
        ValueError: a missing input, the output inside an input (or the reverse), or different architectures.
    """
    local_paths = {
        "base": resolve_model_path(config.base_model, "base"),
        "finetuned": resolve_model_path(config.finetuned_model, "finetuned"),
    }
    inputs = {role: _describe(getattr(config, f"{role}_model"), path) for role, path in local_paths.items()}
    # the recipe saved next to the output names local inputs by absolute path, so it works from any folder
    recipe = {f"{role}_model": inputs[role] for role in ("base", "finetuned") if Path(inputs[role]).is_absolute()}
    adapter = local_paths["finetuned"] if is_adapter(local_paths["finetuned"]) else None
    if adapter is not None:
        lora_base = config.lora_base or config.base_model
        local_paths["adapter base"] = resolve_model_path(lora_base, "adapter base")
        inputs["adapter base"] = _describe(lora_base, local_paths["adapter base"])
        if config.lora_base is not None and Path(inputs["adapter base"]).is_absolute():
            recipe["lora_base"] = inputs["adapter base"]
    _check_not_nested(output, local_paths)
    base = Checkpoint(local_paths["base"], "base")
    with ExitStack() as stack:
        stack.enter_context(output_lock(output))
        if adapter is None:
            finetuned = Checkpoint(local_paths["finetuned"], "finetuned")
            file_sources = [finetuned.folder]
        else:
            from .loading import adapter_base_name, merge_lora

            adapter_base = Checkpoint(local_paths["adapter base"], "adapter base")
            _check_architectures(base, adapter_base)
            recorded = adapter_base_name(adapter)
            if recorded and recorded not in (config.lora_base, config.base_model):
                logger.warning(
                    "The adapter records base model %r; merging it into %r (set lora_base / --lora-base to change).",
                    recorded,
                    config.lora_base or config.base_model,
                )
            merged_dir = scratch_dir(output)
            stack.callback(shutil.rmtree, merged_dir, ignore_errors=True)
            merge_lora(adapter, merged_dir, adapter_base.folder, config.trust_remote_code, save_processor=False)
            finetuned = Checkpoint(merged_dir, "finetuned (adapter merged)")
            finetuned.path = adapter  # error messages name what the user passed
            file_sources = [adapter_base.folder, adapter]
        _check_architectures(base, finetuned)
        yield ResolvedInputs(base, finetuned, file_sources, inputs, local_paths, recipe)


def _selected(name: str, config: MergeConfig) -> bool:
    if config.include and not any(fnmatch(name, p) for p in config.include):
        return False
    return not any(fnmatch(name, p) for p in config.exclude)


def _missing_error(names: list[str], present: str, absent: str) -> ValueError:
    more = f" (and {len(names) - 1} more: {', '.join(names[1:4])}{', ...' if len(names) > 4 else ''})"
    return ValueError(
        f"Tensor {names[0]!r} is in the {present} model but missing from the {absent} model"
        f"{more if len(names) > 1 else ''}; pass --allow-missing (allow_missing=True) to copy such tensors "
        "unchanged from the model that has them."
    )


def plan_merge(base: Checkpoint, finetuned: Checkpoint, config: MergeConfig) -> MergePlan:
    """Checks the two tensor tables against each other and decides, per output tensor, merge or copy.

    Output tensors are the finetuned model's, in its file order, then (with `allow_missing`) tensors only the base
    has. A tensor the base does not store because it ties it to another (e.g. `lm_head.weight` to the embeddings)
    is merged with that one; a base tensor the finetuned model ties away is not written, so the output stays tied
    like the finetuned model whose config it gets.

    Raises:
        ValueError: naming the tensor: different shapes, float vs non-float, a missing tensor (without
            `allow_missing`), or an include/exclude pattern that matches no tensor.
    """
    base_names = {name: name for name in base.tensors}
    only_finetuned = [n for n in finetuned.tensors if n not in base.tensors]
    only_base = [n for n in base.tensors if n not in finetuned.tensors]
    dropped = []
    if only_finetuned or only_base:
        from .loading import tied_weight_aliases

        base_ties = tied_weight_aliases(base.folder, config.trust_remote_code) if base.config else {}
        finetuned_ties = tied_weight_aliases(finetuned.folder, config.trust_remote_code) if finetuned.config else {}
        for name in list(only_finetuned):
            if base_ties.get(name) in base.tensors:
                base_names[name] = base_ties[name]
                only_finetuned.remove(name)
                logger.info("%s: the base model ties it to %s; merging with that", name, base_ties[name])
        for name in list(only_base):
            if finetuned_ties.get(name) in finetuned.tensors:
                dropped.append(name)
                only_base.remove(name)
                logger.info("%s: tied in the finetuned model; not written (the output stays tied)", name)
    if only_finetuned and not config.allow_missing:
        raise _missing_error(only_finetuned, "finetuned", "base")
    if only_base and not config.allow_missing:
        raise _missing_error(only_base, "base", "finetuned")

    all_names = list(finetuned.tensors) + only_base
    for option in ("include", "exclude"):
        for pattern in getattr(config, option):
            if not any(fnmatch(name, pattern) for name in all_names):
                raise ValueError(
                    f"{option} pattern {pattern!r} matches no tensor (names look like {all_names[0]!r}); patterns "
                    "are fnmatch globs over full names, e.g. 'model.layers.*'."
                )

    plans = []
    warned_dtype = False
    for name, info in finetuned.tensors.items():
        base_name = base_names.get(name)
        if base_name is None or base_name not in base.tensors:
            plans.append(TensorPlan(name, "copy", "finetuned", None, info.dtype, info.shape))
            continue
        base_info = base.tensors[base_name]
        if base_info.shape != info.shape:
            raise ValueError(
                f"Tensor {name!r} has shape {tuple(base_info.shape)} in the base model but {tuple(info.shape)} in "
                "the finetuned model; merging needs equal shapes (same architecture and sizes)."
            )
        if base_info.is_float != info.is_float:
            raise ValueError(
                f"Tensor {name!r} is {base_info.dtype} in the base model but {info.dtype} in the finetuned model; "
                "only floating-point tensors are merged, and both sides must agree."
            )
        if base_info.dtype != info.dtype and not warned_dtype:
            logger.warning(
                "Tensor %s is %s in the base model but %s in the finetuned model; merged tensors keep the "
                "finetuned model's dtype.",
                name,
                base_info.dtype,
                info.dtype,
            )
            warned_dtype = True
        if info.is_float and _selected(name, config):
            plans.append(TensorPlan(name, "merge", "", base_name, info.dtype, info.shape))
        elif config.unmerged_from == "base":
            plans.append(TensorPlan(name, "copy", "base", base_name, base_info.dtype, base_info.shape))
        else:
            plans.append(TensorPlan(name, "copy", "finetuned", None, info.dtype, info.shape))
    for name in only_base:
        info = base.tensors[name]
        plans.append(TensorPlan(name, "copy", "base", name, info.dtype, info.shape))
    return MergePlan(plans, dropped)


def _layout(plans: list[TensorPlan], finetuned: Checkpoint, max_shard_bytes: int | None) -> list[list[TensorPlan]]:
    by_name = {plan.name: plan for plan in plans}
    if max_shard_bytes is not None:
        names = split_into_shards([(p.name, p.info.nbytes) for p in plans], max_shard_bytes)
    else:  # the finetuned model's shard layout; base-only tensors go to the last shard
        names = [[n for n in group if n in by_name] for group in finetuned.groups]
        names = [group for group in names if group] or [[]]
        names[-1] += [p.name for p in plans if p.name not in finetuned.tensors]
    return [[by_name[n] for n in group] for group in names]


class _ChunkBuffers:
    """fp32 buffers of `CHUNK_NUMEL` elements reused for every chunk (dtype conversion in, result, cast out)."""

    def __init__(self):
        self._buffers: dict[tuple[str, torch.dtype], torch.Tensor] = {}

    def get(self, role: str, dtype: torch.dtype, numel: int) -> torch.Tensor:
        buffer = self._buffers.get((role, dtype))
        if buffer is None:
            buffer = self._buffers[(role, dtype)] = torch.empty(CHUNK_NUMEL, dtype=dtype)
        return buffer[:numel]

    def as_fp32(self, role: str, chunk: torch.Tensor) -> torch.Tensor:
        if chunk.dtype == torch.float32:
            return chunk  # a view of the memory map: read, never written
        return self.get(role, torch.float32, chunk.numel()).copy_(chunk)


def _flat_blocks(checkpoint: Checkpoint, name: str, chunk_rows: int | None) -> Iterator[torch.Tensor]:
    """Tensor `name` flattened: the whole memory map, or blocks of `chunk_rows` rows read one at a time."""
    if chunk_rows is None:
        yield checkpoint.get_tensor(name).reshape(-1)
    else:
        yield from checkpoint.row_blocks(name, chunk_rows)


def _write_tensor(
    writer, plan: TensorPlan, base: Checkpoint, finetuned: Checkpoint, method, parameters, buffers, chunk_rows=None
):
    if plan.action == "copy":
        source, name = (base, plan.base_name) if plan.source == "base" else (finetuned, plan.name)
        for data in _flat_blocks(source, name, chunk_rows):
            for start in range(0, data.numel(), CHUNK_NUMEL):
                writer.write(data[start : start + CHUNK_NUMEL])
        return
    blocks = zip(_flat_blocks(base, plan.base_name, chunk_rows), _flat_blocks(finetuned, plan.name, chunk_rows))
    for base_data, finetuned_data in blocks:
        for start in range(0, base_data.numel(), CHUNK_NUMEL):
            base_chunk = buffers.as_fp32("base", base_data[start : start + CHUNK_NUMEL])
            finetuned_chunk = buffers.as_fp32("finetuned", finetuned_data[start : start + CHUNK_NUMEL])
            out = buffers.get("out", torch.float32, base_chunk.numel())
            merged = method.merge(base_chunk, finetuned_chunk, parameters, out=out)
            if plan.dtype != torch.float32:
                merged = buffers.get("cast", plan.dtype, merged.numel()).copy_(merged)  # round to the stored dtype
            writer.write(merged)


@contextmanager
def staged_output(output: Path, overwrite: bool) -> Iterator[Path]:
    """An empty staging folder beside `output`, moved into place when the block succeeds and removed otherwise."""
    with staged_dir(check_output(output, overwrite)) as stage:
        yield stage


def merge_resolved(
    inputs: ResolvedInputs,
    config: MergeConfig,
    output: str | os.PathLike,
    overwrite: bool = False,
    chunk_rows: int | None = None,
) -> MergeResult:
    """Merges already resolved inputs into `output` (see `merge_checkpoints`); used once per α by the sweep."""
    if chunk_rows is not None and chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be >= 1 (or None to map each tensor whole).")
    from tqdm.auto import tqdm

    from .card import write_model_card

    output = check_output(output, overwrite)
    config = inputs.recipe_config(config)
    method = get_merge_method(config.merge_method)
    plan = plan_merge(inputs.base, inputs.finetuned, config)
    plans = plan.tensors
    result = MergeResult(output, config, inputs=dict(inputs.inputs), dropped=plan.dropped)
    shards = _layout(plans, inputs.finetuned, config.max_shard_bytes)
    file_names = shard_file_names(len(shards))
    logger.info("Merging %s -> %s: %s", inputs.inputs["base"], output, method.formula(config.parameters))
    start = time.perf_counter()
    total = sum(tensor.info.nbytes for tensor in plans)
    buffers = _ChunkBuffers()
    with staged_output(output, overwrite) as stage:
        with tqdm(total=total, unit="B", unit_scale=True, desc="merge", disable=None) as progress:
            for file_name, shard in zip(file_names, shards):
                entries = [(tensor.name, tensor.dtype, tensor.shape) for tensor in shard]
                with StreamingSafetensorsWriter(stage / file_name, entries) as writer:
                    for tensor in shard:
                        _write_tensor(
                            writer, tensor, inputs.base, inputs.finetuned, method, config.parameters, buffers,
                            chunk_rows,
                        )  # fmt: skip
                        if tensor.action == "merge":
                            result.merged.append(tensor.name)
                        else:
                            result.copied[tensor.name] = tensor.source
                        progress.update(tensor.info.nbytes)
        if len(shards) > 1:
            write_index(stage, {f: [tensor.info for tensor in shard] for f, shard in zip(file_names, shards)})
        result.seconds = time.perf_counter() - start
        result.files = copy_model_files(inputs.file_sources, stage)
        config.save_yaml(stage / CONFIG_NAME)
        write_model_card(stage, result)
    num_merged, num_copied = len(result.merged), len(result.copied)
    logger.info("Wrote %s: %d tensors merged, %d copied, in %.1f s", output, num_merged, num_copied, result.seconds)
    return result


def merge_checkpoints(
    config: MergeConfig, output: str | os.PathLike, *, overwrite: bool = False, chunk_rows: int | None = None
) -> MergeResult:
    """Parameter fusion of two checkpoints into `output`, streamed tensor by tensor.

    Every float tensor selected by `config.include` / `config.exclude` is merged with `config.merge_method` in fp32
    and written in the finetuned model's dtype; other tensors are copied from `config.unmerged_from`. The folder
    gets the safetensors shards (plus index when sharded), the finetuned model's config, tokenizer, processor,
    chat template and remote-code files, `merge_config.yaml` and a model card (`README.md`).

    Args:
        config (`MergeConfig`): the recipe.
        output (`str` or `os.PathLike`): the output folder; built beside it and moved into place at the end.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing non-empty output folder.
        chunk_rows (`int`, *optional*): read each tensor this many rows at a time instead of mapping it whole, so
            the peak memory does not grow with the largest tensor (same output, bit for bit).

    Returns:
        `MergeResult`: what was merged, copied and written.

    Raises:
        ValueError: a refused input (see `plan_merge`, `resolve_inputs`, `check_output`), before anything is written.
    """
    output = check_output(output, overwrite)
    with resolve_inputs(config, output) as inputs:
        return merge_resolved(inputs, config, output, overwrite, chunk_rows)


__all__ = [
    "CHUNK_NUMEL",
    "MergePlan",
    "MergeResult",
    "ResolvedInputs",
    "TensorPlan",
    "check_output",
    "merge_checkpoints",
    "merge_resolved",
    "plan_merge",
    "replace_dir",
    "resolve_inputs",
    "staged_output",
]
