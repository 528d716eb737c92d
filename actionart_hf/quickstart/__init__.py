"""The whole ActionArt pipeline on the embedded synthetic benchmark, on a laptop.

    >>> from actionart_hf.quickstart import Quickstart
    >>> Quickstart("outputs/quickstart", size="tiny").run()

Command line: `actionart-hf quickstart --out outputs/quickstart --size tiny` (`actionart_hf.quickstart.cli`).
"""

from __future__ import annotations

from .pipeline import Quickstart, table_rows
from .sizes import SIZES, QuickstartSize


__all__ = ["SIZES", "Quickstart", "QuickstartSize", "table_rows"]
