"""Parameter fusion: `out = (1 - alpha) * base + alpha * finetuned`, streamed shard by shard (docs/DESIGN.md §6.7).

from actionart_hf.merge import MergeConfig, merge_checkpoints

merge_checkpoints(MergeConfig(base_model="A", finetuned_model="B", parameters={"alpha": 0.5}), "C")

Command line: `actionart-hf merge --base A --finetuned B --alpha 0.5 --output C` (`actionart_hf.merge.cli`).
"""

from .checkpoint import COPY_PATTERNS, Checkpoint, StreamingSafetensorsWriter
from .config import CONFIG_NAME, MergeConfig
from .core import MergeResult, merge_checkpoints, plan_merge
from .methods import MERGE_METHODS, LinearMerge, MergeMethod, MethodParameter, get_merge_method


__all__ = [
    "CONFIG_NAME",
    "COPY_PATTERNS",
    "MERGE_METHODS",
    "Checkpoint",
    "LinearMerge",
    "MergeConfig",
    "MergeMethod",
    "MergeResult",
    "MethodParameter",
    "StreamingSafetensorsWriter",
    "get_merge_method",
    "merge_checkpoints",
    "plan_merge",
]
