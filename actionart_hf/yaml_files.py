"""Reading the YAML files users write (training recipes, merge configs), with errors that name the file and line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def read_yaml_mapping(path: str | os.PathLike, what: str) -> dict[str, Any]:
    """The mapping at the top of a YAML file.

    Args:
        path (`str` or `os.PathLike`): the file.
        what (`str`): what the file holds, for messages, e.g. `"Recipe"` or `"Merge config"`.

    Raises:
        ValueError: the file is missing, is not valid YAML (naming the line and column), or does not hold a mapping.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {str(path)!r} not found (or not a file); pass the path of a YAML file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValueError(f"{what} {str(path)!r} is not valid YAML{where}: {problem}.") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} {str(path)!r} is not UTF-8 text ({error}).") from error
    if not isinstance(data, dict):
        raise ValueError(f"{what} {str(path)!r} holds {type(data).__name__}, not a YAML mapping of keys.")
    return data


__all__ = ["read_yaml_mapping"]
