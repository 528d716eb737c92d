"""The merge recipe as a dataclass: validated on creation, saved as `merge_config.yaml` next to the output.

config = MergeConfig(base_model="A", finetuned_model="B", parameters={"alpha": 0.5}, include=["model.*"])
config.save_yaml("C/merge_config.yaml")
MergeConfig.from_yaml("C/merge_config.yaml")  # the same recipe
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..yaml_files import read_yaml_mapping
from .methods import get_merge_method


CONFIG_NAME = "merge_config.yaml"
UNMERGED_SOURCES = ("finetuned", "base")


@dataclass
class MergeConfig:
    """How to merge a finetuned checkpoint with its base.

    > Inputs

    Args:
        base_model (`str`):
            Folder, single `.safetensors` file or Hub id of the base model (weight `1 - alpha`).
        finetuned_model (`str`):
            Folder, single `.safetensors` file or Hub id of the finetuned model (weight `alpha`), or of a PEFT
            adapter (a folder with `adapter_config.json`), which is merged into `lora_base` first. The output's
            config, tokenizer, processor, chat template and remote-code files come from it.
        lora_base (`str`, *optional*):
            Model the adapter is merged into; defaults to `base_model`.
        trust_remote_code (`bool`, *optional*, defaults to `False`):
            Allow remote code when a model class must be built (adapters, tied-weight lookup).

    > Method

    Args:
        merge_method (`str`, *optional*, defaults to `"linear"`):
            A key of `actionart_hf.merge.MERGE_METHODS`.
        parameters (`dict`, *optional*):
            The method's parameters, e.g. `{"alpha": 0.5}`; unset ones take the declared defaults.
        allow_extrapolation (`bool`, *optional*, defaults to `False`):
            Accept weights outside `[0, 1]`.

    > Selection

    Args:
        include (`list[str]`, *optional*):
            `fnmatch` patterns of tensor names to merge (all float tensors when empty), e.g. `"model.layers.*"`.
        exclude (`list[str]`, *optional*):
            Patterns of tensor names not to merge, applied after `include`, e.g. `"*vision_tower*"`.
        unmerged_from (`str`, *optional*, defaults to `"finetuned"`):
            Which model the tensors that are not merged (excluded, or not floating point) are copied from.
        allow_missing (`bool`, *optional*, defaults to `False`):
            Copy tensors that exist in only one model instead of refusing.

    > Output

    Args:
        max_shard_size (`str` or `int`, *optional*):
            Largest output shard, e.g. `"5GB"`; by default the finetuned model's shard layout is kept.
    """

    base_model: str
    finetuned_model: str
    merge_method: str = "linear"
    parameters: dict[str, Any] = field(default_factory=dict)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    unmerged_from: str = "finetuned"
    allow_missing: bool = False
    allow_extrapolation: bool = False
    lora_base: str | None = None
    trust_remote_code: bool = False
    max_shard_size: str | int | None = None

    def __post_init__(self):
        for name in ("base_model", "finetuned_model"):
            value = getattr(self, name)
            if not isinstance(value, (str, os.PathLike)) or not str(value):
                raise ValueError(f"{name}={value!r} must be a folder, a .safetensors file or a Hub id.")
            setattr(self, name, str(value))
        if self.lora_base is not None:
            self.lora_base = str(self.lora_base)
        self.parameters = get_merge_method(self.merge_method).resolve_parameters(
            dict(self.parameters or {}), self.allow_extrapolation
        )
        for name in ("include", "exclude"):
            patterns = getattr(self, name)
            if isinstance(patterns, str):
                patterns = [patterns]
            if not all(isinstance(p, str) and p for p in patterns or []):
                raise ValueError(f"{name}={patterns!r} must be a list of non-empty name patterns.")
            setattr(self, name, list(patterns or []))
        if self.unmerged_from not in UNMERGED_SOURCES:
            raise ValueError(f"unmerged_from={self.unmerged_from!r} must be one of {UNMERGED_SOURCES}.")
        if self.max_shard_size is not None:
            parse_size(self.max_shard_size)

    @property
    def max_shard_bytes(self) -> int | None:
        return None if self.max_shard_size is None else parse_size(self.max_shard_size)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def save_yaml(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.write_text(self.to_yaml(), encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> MergeConfig:
        """Builds a config from a dict (e.g. parsed YAML); unknown keys raise `ValueError`."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown merge config key {unknown[0]!r}; known keys: {sorted(known)}.")
        return cls(**values)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike) -> MergeConfig:
        return cls.from_dict(read_yaml_mapping(path, "Merge config"))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS.update({"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40})


def parse_size(size: str | int) -> int:
    """`"5GB"` → 5_000_000_000 bytes (`KB`/`MB`/`GB`/`TB` are powers of 10, `KiB`/`MiB`/`GiB` of 2).

    Raises:
        ValueError: not a positive size.
    """
    if isinstance(size, int) and not isinstance(size, bool):
        number = size
    else:
        match = _SIZE.match(str(size))
        if not match:
            raise ValueError(f"max_shard_size={size!r} is not a size such as '5GB' or '500MB'.")
        number = int(float(match[1]) * _UNITS[(match[2] or "B").upper()])
    if number <= 0:
        raise ValueError(f"max_shard_size={size!r} must be positive.")
    return number


__all__ = ["CONFIG_NAME", "UNMERGED_SOURCES", "MergeConfig", "parse_size"]
