"""The package's layers, read from the source with `ast`: the command line stays in the CLI layer, and publishing
reads data, never the reverse."""

import ast
from pathlib import Path

import pytest


PACKAGE = Path(__file__).resolve().parents[1] / "actionart_hf"
MODULES = sorted(PACKAGE.rglob("*.py"))
PUBLISHING = ("actionart_hf.hub", "actionart_hf.cards")


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def in_cli_layer(path: Path) -> bool:
    """`cli.py` files, TRL's script convention (`training/sft.py`) and transformers' (`convert_*.py`)."""
    name = relative(path)
    return path.name == "cli.py" or name == "actionart_hf/training/sft.py" or path.name.startswith("convert_")


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Absolute names of everything `path` imports (relative imports resolved against its package)."""
    package = relative(path).split("/")[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def argv_calls(path: Path, source: str | None = None) -> list[str]:
    """Calls such as `main([...])` or `parser.parse_args([...])`: a command run with an argv list."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.List):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("main", "cli_main", "parse_args", "parse_args_and_config"):
                calls.append(f"{relative(path)}:{node.lineno} {name}([...])")
    return calls


@pytest.mark.parametrize("path", [p for p in MODULES if not in_cli_layer(p)], ids=relative)
def test_command_line_stays_in_the_cli_layer(path):
    assert "argparse" not in imported_modules(path), f"{relative(path)} imports argparse; move it to the area's cli.py"
    assert not argv_calls(path), "call the library function instead of a command line"


def test_the_rules_see_what_they_forbid():
    """The checks resolve relative imports and find argv calls (so the rules cannot pass vacuously)."""
    module = PACKAGE / "data" / "example.py"
    source = "import argparse\nfrom ..hub import upload_to_hub\nfrom . import cli\ncli.main(['--out', 'x'])\n"
    assert {"argparse", "actionart_hf.hub.upload_to_hub", "actionart_hf.data.cli"} <= imported_modules(module, source)
    assert argv_calls(module, source) == ["actionart_hf/data/example.py:4 main([...])"]


@pytest.mark.parametrize("path", [p for p in MODULES if p.is_relative_to(PACKAGE / "data")], ids=relative)
def test_data_imports_nothing_of_publishing(path):
    """`hub/` reads `data/`; `data/` never imports `hub/` or `cards.py`. Building a folder and pushing it are two
    steps that the command line chains: `build-actionart --push` (`data/cli.py`) is the one place that imports both."""
    publishing = {name for name in imported_modules(path) if name.startswith(PUBLISHING)}
    if path.name == "cli.py":
        publishing -= {"actionart_hf.hub", "actionart_hf.hub.default_repo_id", "actionart_hf.hub.upload_to_hub"}
    assert not publishing, f"{relative(path)} imports {sorted(publishing)}"
