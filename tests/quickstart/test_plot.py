"""The table's plot: a PNG that opens, drawn without touching matplotlib's backend."""

import math

import matplotlib
import pytest
from PIL import Image

from actionart_hf.quickstart.plot import plot_rows


def cell(acc, n=100):
    return {"acc": acc, "low": acc - 8.0, "high": acc + 8.0, "n": n}


TABLE = {
    "columns": ["GS", "LS", "AC", "AS", "Avg."],
    "chance": 25.0,
    "rows": [
        {
            "key": "base",
            "label": "untrained",
            "kind": "reference",
            "cells": {c: cell(0.0) for c in ("GS", "LS", "Avg.")},
        },
        {
            "key": "text_prior",
            "label": "text-only prior",
            "kind": "reference",
            "cells": {"GS": cell(31.0), "Avg.": cell(30.0)},
        },
        {
            "key": "stage1",
            "label": "stage 1 (baseline)",
            "kind": "paper",
            "cells": {"GS": cell(45.0), "LS": None, "Avg.": cell(40.0)},
        },
        {
            "key": "continued",
            "label": "stage 1 continued",
            "kind": "control",
            "cells": {"GS": {**cell(44.0), "low": math.nan}},
        },
        {
            "key": "stage3",
            "label": "stage 3 from proxy",
            "kind": "paper",
            "cells": {"GS": cell(70.0), "LS": cell(55.0), "AS": cell(33.0), "Avg.": cell(52.0)},
        },
    ],
}


def test_writes_a_png_and_leaves_the_backend_alone(tmp_path):
    backend = dict.__getitem__(matplotlib.rcParams, "backend")
    path = plot_rows(TABLE, tmp_path / "plots" / "table.png", title="quickstart, seed 0")
    assert dict.__getitem__(matplotlib.rcParams, "backend") == backend
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 600 and image.height > 200
    assert sorted(p.name for p in path.parent.iterdir()) == ["table.png"]  # no temporary file left
    plot_rows({**TABLE, "columns": ["GS"]}, path)  # replaces the file
    with Image.open(path) as image:
        assert image.width < 600


def test_refuses_bad_tables(tmp_path):
    with pytest.raises(ValueError, match="lacks \\['chance'\\]"):
        plot_rows({"columns": ["GS"], "rows": TABLE["rows"]}, tmp_path / "t.png")
    bad_row = {**TABLE["rows"][0], "kind": "baseline"}
    with pytest.raises(ValueError, match="Row 'base' has kind='baseline'"):
        plot_rows({**TABLE, "rows": [bad_row]}, tmp_path / "t.png")
    with pytest.raises(ValueError, match="no columns or no rows"):
        plot_rows({**TABLE, "rows": []}, tmp_path / "t.png")
    assert not any(tmp_path.iterdir())
