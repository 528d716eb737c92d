"""The model folder is copied next to the weights by `save_pretrained`: its files may import only the standard
library, `torch`, `transformers` and each other, and each ends with `__all__`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest


FOLDER = Path(__file__).resolve().parents[2] / "actionart_hf" / "models" / "actionart"
ALLOWED = {"torch", "transformers"} | set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.py")), ids=lambda path: path.name)
def test_imports_and_all(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = [node.module.split(".")[0]]
        else:
            continue
        assert set(roots) <= ALLOWED, f"{path.name}:{node.lineno} imports {roots}"
    last = tree.body[-1]
    assert isinstance(last, ast.Assign) and last.targets[0].id == "__all__", f"{path.name} does not end with __all__"
