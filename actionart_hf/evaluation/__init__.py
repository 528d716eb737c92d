"""Evaluation: answer extraction, the eval runner with its backends, circular evaluation, Table 1 rows and cards.

    from actionart_hf.evaluation import evaluate_model, extract_answer

Heavy imports (torch, transformers, datasets, matplotlib) happen inside the functions that need them.
"""

from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from .extraction import explain_answer, extract_answer
    from .join import join_eval_shards
    from .runner import EvaluationResult, evaluate_model

_LAZY = {
    "EvaluationResult": "actionart_hf.evaluation.runner",
    "evaluate_model": "actionart_hf.evaluation.runner",
    "explain_answer": "actionart_hf.evaluation.extraction",
    "extract_answer": "actionart_hf.evaluation.extraction",
    "join_eval_shards": "actionart_hf.evaluation.join",
}

__all__ = ["EvaluationResult", "evaluate_model", "explain_answer", "extract_answer", "join_eval_shards"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'actionart_hf.evaluation' has no attribute {name!r}")
