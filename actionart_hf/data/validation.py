"""Row validation for every build (docs/DESIGN.md §4): one problem per bad row, named by id, with the reason.

Checks: unique ids, 2–6 distinct non-empty options, answer letter inside the options, task code known, video file
present and decodable (each video is probed once, by demuxing, however many rows use it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from ..tasks import MAX_OPTIONS, MIN_OPTIONS, OPTION_LETTERS, TASK_CODES
from ..video import VideoDecodeError, VideoInfo, probe_video


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot go into a dataset (one per bad row, its reasons joined with "; ").

    Args:
        row_id (`str`): the row's `id`.
        reason (`str`): what is wrong and, where possible, how to fix it.
        position (`int`, *optional*): the row's index in the list it was validated in (rows may share an id).
    """

    row_id: str
    reason: str
    position: int | None = None

    def __str__(self) -> str:
        return f"row {self.row_id!r}: {self.reason}"


class DatasetValidationError(ValueError):
    """Raised when a build finds bad rows; lists every problem (use `--drop-invalid` to write them aside)."""

    def __init__(self, problems: list[RowProblem], source: str):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} invalid row(s) in {source}:\n{shown}{more}\n"
            "Fix them, or pass --drop-invalid to write them to a rejects file and build without them."
        )


class VideoProber:
    """Probes each video once and remembers the result (a `VideoInfo` or the decode error's reason)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._seen: dict[str, VideoInfo | str] = {}

    def __call__(self, relative_path: str) -> VideoInfo | str:
        if relative_path not in self._seen:
            try:
                self._seen[relative_path] = probe_video(self.root / relative_path)
            except VideoDecodeError as error:
                self._seen[relative_path] = error.reason
        return self._seen[relative_path]


def check_mcq(options: list[str], answer: str, task: str | None = None) -> str | None:
    """The reason an MCQ is invalid, or None. `task` must already be a code (see `normalize_task`)."""
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        return f"has {len(options)} options; ActionArt questions need {MIN_OPTIONS}-{MAX_OPTIONS}"
    if any(not str(option).strip() for option in options):
        return "has an empty option"
    normalised = [" ".join(str(option).lower().split()) for option in options]
    if len(set(normalised)) != len(normalised):
        return "has duplicate options"
    letters = OPTION_LETTERS[: len(options)]
    if answer not in letters:
        return f"answer {answer!r} is not one of the option letters {', '.join(letters)}"
    if task is not None and task not in TASK_CODES:
        return f"task {task!r} is not one of {', '.join(TASK_CODES)}"
    return None


def validate_rows(rows: list[dict], root: str | os.PathLike, check_videos: bool = True) -> list[RowProblem]:
    """Validates `qa`-style rows (with `options`/`answer`) and `captions`-style rows (without).

    Args:
        rows (`list[dict]`): normalised rows (`id`, `video`, and for MCQ rows `options`, `answer`, `task` code).
        root (`str` or `os.PathLike`): folder the relative `video` paths are resolved against.
        check_videos (`bool`, *optional*, defaults to `True`): probe every referenced video.

    Returns:
        `list[RowProblem]`, one per invalid row (with its `position` in `rows`), empty when every row is valid. Of
        rows sharing an id, the first is kept and the others are invalid.
    """
    problems, seen_ids = [], set()
    probe = VideoProber(root)
    progress = tqdm(rows, desc="Checking rows and videos", unit="row", disable=None if check_videos else True)
    for position, row in enumerate(progress):
        row_id = str(row.get("id") or f"#{position}")
        reasons = []
        if row_id in seen_ids:
            reasons.append("duplicate id")
        seen_ids.add(row_id)
        if "options" in row:
            reason = check_mcq(list(row["options"] or []), str(row.get("answer", "")), row.get("task"))
            if reason:
                reasons.append(reason)
            if not str(row.get("question", "")).strip():
                reasons.append("has an empty question")
        if check_videos and row.get("video"):
            info = probe(str(row["video"]))
            if isinstance(info, str):
                reasons.append(f"video {row['video']!r} cannot be used: {info}")
        elif check_videos:
            reasons.append("has no video")
        if reasons:
            problems.append(RowProblem(row_id, "; ".join(reasons), position))
    return problems


__all__ = ["DatasetValidationError", "RowProblem", "VideoProber", "check_mcq", "validate_rows"]
