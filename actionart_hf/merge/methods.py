"""Merge methods: one class per method, each declaring its parameters and a reference, in one registry.

    method = get_merge_method("linear")
    parameters = method.resolve_parameters({"alpha": 0.3})        # defaults filled in, values checked
    method.merge(base_fp32, finetuned_fp32, parameters, out=out_fp32)   # element-wise, fp32

Methods are element-wise: the merge streams each tensor in chunks, so `merge` receives matching flat fp32 chunks of
the base and finetuned tensors and writes the result into a reused fp32 buffer `out` (it may not modify its inputs,
which can be memory maps of the checkpoint files).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import torch


@dataclass(frozen=True)
class MethodParameter:
    """A declared parameter of a merge method.

    Args:
        name (`str`): key in the config's `parameters`.
        help (`str`): one line for `--help`, the card and errors.
        default (`float`, *optional*): value used when the config does not set it; `None` makes it required.
    """

    name: str
    help: str
    default: float | None = None

    @property
    def required(self) -> bool:
        return self.default is None


class MergeMethod(ABC):
    """Base class of merge methods (the `mergekit` pattern: a name, declared parameters, a reference)."""

    name: ClassVar[str]
    parameters: ClassVar[tuple[MethodParameter, ...]]
    reference_url: ClassVar[str]

    def resolve_parameters(self, parameters: Mapping[str, Any], allow_extrapolation: bool = False) -> dict[str, Any]:
        """Fills in defaults and checks `parameters`.

        Args:
            parameters (`Mapping[str, Any]`): values set by the config or the command line.
            allow_extrapolation (`bool`, *optional*, defaults to `False`): accept weights outside `[0, 1]`.

        Returns:
            `dict[str, Any]`: every declared parameter, in declaration order.

        Raises:
            ValueError: an unknown or missing parameter, or a value the method rejects.
        """
        declared = {p.name: p for p in self.parameters}
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise ValueError(
                f"Merge method {self.name!r} has no parameter {unknown[0]!r}; its parameters are {sorted(declared)}."
            )
        resolved = {}
        for name, spec in declared.items():
            value = parameters.get(name, spec.default)
            if value is None:
                raise ValueError(f"Merge method {self.name!r} needs parameter {name!r} ({spec.help}).")
            resolved[name] = value
        self.check_parameters(resolved, allow_extrapolation)
        return resolved

    def check_parameters(self, parameters: dict[str, Any], allow_extrapolation: bool) -> None:
        """Raises `ValueError` for values the method rejects (override to add checks)."""
        return None

    @abstractmethod
    def formula(self, parameters: Mapping[str, Any]) -> str:
        """The recipe as one line, e.g. `"0.5 * base + 0.5 * finetuned"` (model card and logs)."""

    @abstractmethod
    def merge(
        self, base: torch.Tensor, finetuned: torch.Tensor, parameters: Mapping[str, Any], out: torch.Tensor
    ) -> torch.Tensor:
        """Merges matching fp32 chunks element-wise into `out`.

        Args:
            base (`torch.Tensor` of shape `(num_elements,)`, float32): chunk of the base tensor (read-only).
            finetuned (`torch.Tensor` of shape `(num_elements,)`, float32): the same chunk of the finetuned tensor
                (read-only).
            parameters (`Mapping[str, Any]`): the resolved parameters.
            out (`torch.Tensor` of shape `(num_elements,)`, float32): where to write the result (reused per chunk).

        Returns:
            `torch.Tensor`: `out`.
        """


class LinearMerge(MergeMethod):
    """Weighted average of two checkpoints (the paper's parameter fusion; model soups with two ingredients).

    `out = (1 - alpha) * base + alpha * finetuned`, computed in fp32 as two products and one sum, so the result is
    bit-for-bit the one of that expression in PyTorch.
    """

    def __init__(self):
        self._scratch = torch.empty(0)  # alpha * finetuned, reused across chunks

    name = "linear"
    parameters = (
        MethodParameter(
            "alpha", "weight of the finetuned model: out = (1 - alpha) * base + alpha * finetuned", default=0.5
        ),
    )
    reference_url = "https://arxiv.org/abs/2203.05482"

    def check_parameters(self, parameters: dict[str, Any], allow_extrapolation: bool) -> None:
        alpha = parameters["alpha"]
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not math.isfinite(alpha):
            raise ValueError(f"alpha={alpha!r} must be a finite number, e.g. 0.5.")
        if not 0.0 <= alpha <= 1.0 and not allow_extrapolation:
            raise ValueError(
                f"alpha={alpha} is outside [0, 1]; pass --allow-extrapolation (allow_extrapolation=True) to "
                "extrapolate past the base or finetuned model."
            )
        parameters["alpha"] = float(alpha)

    def formula(self, parameters: Mapping[str, Any]) -> str:
        alpha = parameters["alpha"]
        return f"{1.0 - alpha:g} * base + {alpha:g} * finetuned"

    def merge(
        self, base: torch.Tensor, finetuned: torch.Tensor, parameters: Mapping[str, Any], out: torch.Tensor
    ) -> torch.Tensor:
        alpha = parameters["alpha"]
        if self._scratch.numel() < finetuned.numel():
            self._scratch = torch.empty(finetuned.numel(), dtype=torch.float32)
        scratch = self._scratch[: finetuned.numel()]
        torch.mul(base, 1.0 - alpha, out=out)
        torch.mul(finetuned, alpha, out=scratch)
        return out.add_(scratch)


MERGE_METHODS: dict[str, type[MergeMethod]] = {method.name: method for method in (LinearMerge,)}


def get_merge_method(name: str) -> MergeMethod:
    """The registered method called `name`.

    Raises:
        ValueError: no method has that name.
    """
    if name not in MERGE_METHODS:
        raise ValueError(f"Unknown merge method {name!r}; choose one of {sorted(MERGE_METHODS)}.")
    return MERGE_METHODS[name]()


__all__ = ["MERGE_METHODS", "LinearMerge", "MergeMethod", "MethodParameter", "get_merge_method"]
