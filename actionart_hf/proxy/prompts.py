"""Versioned prompt files for the proxy-task teachers.

Each prompt lives in `actionart_hf/proxy/prompts/<name>.v<version>.yaml` with the keys `name`, `version`, `teacher`
(sent to the teacher), `student` (stored in the dataset row as the training prompt) and optional extras. A prompt is
never edited in place once used: a change is a new file with the next version, so rows and cache keys made with an
older prompt stay traceable (`Prompt.tag`, e.g. `"pose_description.v1"`, is recorded in every row's `teacher`).

    >>> prompt = load_prompt("pose_description")        # the highest version
    >>> prompt.tag
    'pose_description.v1'
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


PROMPT_DIR = Path(__file__).parent / "prompts"
PROMPT_NAMES = (
    "pose_description",
    "spatial_difference",
    "unit_label",
    "fgqa_mcq",
    "caption_events",
    "caption_pose_mcq",
)
_FILE = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.ya?ml$")


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt.

    Args:
        name (`str`): prompt name, e.g. `"pose_description"`.
        version (`int`): version number from the file name.
        teacher (`str`): text sent to the teacher (may hold `{placeholders}` filled with `format`).
        student (`str`): the training prompt stored in the dataset rows (empty when the task has none).
        extra (`dict`): any other keys of the file (e.g. `task_hints`).
    """

    name: str
    version: int
    teacher: str
    student: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def task_lines(self, tasks: Sequence[str]) -> str:
        """The file's `task_hints` line of each sub-task (`- <task>` where it has none), one per line."""
        hints = self.extra.get("task_hints", {})
        return "\n".join(hints.get(task, f"- {task}") for task in tasks)

    @property
    def tag(self) -> str:
        """`"<name>.v<version>"`, recorded in every row and cache key."""
        return f"{self.name}.v{self.version}"


def _candidates(name: str, directory: Path) -> dict[int, Path]:
    found = {}
    for path in directory.glob(f"{name}.v*.y*ml"):
        match = _FILE.match(path.name)
        if match and match["name"] == name:
            found[int(match["version"])] = path
    return found


def load_prompt(name: str, version: int | None = None, directory: str | os.PathLike | None = None) -> Prompt:
    """Loads prompt `name` (the highest version unless `version` is given).

    Args:
        name (`str`): one of `PROMPT_NAMES`, or any name with a file in `directory`.
        version (`int`, *optional*): a specific version.
        directory (`str` or `os.PathLike`, *optional*): a folder of custom prompt files (`<name>.v<N>.yaml`);
            defaults to the packaged prompts.

    Raises:
        ValueError: no such prompt or version, or a file missing the `teacher` key.
    """
    directory = Path(directory) if directory is not None else PROMPT_DIR
    candidates = _candidates(name, directory)
    if not candidates:
        raise ValueError(f"No prompt file {name}.v<N>.yaml in {str(directory)!r}; known: {', '.join(PROMPT_NAMES)}.")
    chosen = max(candidates) if version is None else version
    if chosen not in candidates:
        raise ValueError(f"Prompt {name!r} has no version {version}; available: {sorted(candidates)}.")
    path = candidates[chosen]
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not str(data.get("teacher", "")).strip():
        raise ValueError(f"Prompt file {str(path)!r} needs a non-empty `teacher` key.")
    extra = {k: v for k, v in data.items() if k not in ("name", "version", "teacher", "student")}
    return Prompt(name, chosen, str(data["teacher"]), str(data.get("student") or ""), extra)


__all__ = ["PROMPT_DIR", "PROMPT_NAMES", "Prompt", "load_prompt"]
