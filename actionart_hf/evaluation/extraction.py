"""Deterministic answer extraction from raw model outputs: never a random guess.

The rules live in one place, `actionart_hf/metrics/actionart_accuracy/scoring.py`, because the `evaluate` metric must
load without this package installed (`evaluate.load` copies the metric and its relative imports into its cache, and
the metric's Hub Space holds only that folder). This module is their public home inside the package:

    >>> from actionart_hf.evaluation.extraction import extract_answer, explain_answer
    >>> extract_answer("Answer: (C) 4 times")
    'C'
    >>> extract_answer("4 times", options=["2 times", "3 times", "4 times"])
    'C'
    >>> explain_answer("It could be A or B.")
    Extraction(letter=None, rule='ambiguous')
"""

from __future__ import annotations

from ..metrics.actionart_accuracy.scoring import Extraction, explain_answer, extract_answer


__all__ = ["Extraction", "explain_answer", "extract_answer"]
