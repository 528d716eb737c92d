"""The paper's experiment on the embedded synthetic benchmark, on a laptop.

    >>> from actionart_hf.quickstart import run_experiment
    >>> run_experiment("outputs/quickstart", size="tiny", seeds=1)

Command line: `actionart-hf quickstart --out outputs/quickstart --size tiny` (`actionart_hf.quickstart.cli`).
"""

from __future__ import annotations

from .arms import table_rows
from .pipeline import Quickstart, run_experiment
from .sizes import SIZES, QuickstartSize


__all__ = ["SIZES", "Quickstart", "QuickstartSize", "run_experiment", "table_rows"]
