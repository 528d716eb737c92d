"""Reading a raw ActionArt release whatever its spelling: QA and captions files (JSON, JSONL or CSV) and videos.

The official layout is not fixed, so every field accepts the common spellings and is normalised:

| field | accepted keys | accepted values |
|---|---|---|
| video | video, video_id, video_name, video_path, video_file, vid | file name with or without extension or folder |
| options | options, candidates, choices, option | a list, a dict `{"A": ...}`, or an `"A. ...\\nB. ..."` string |
| answer | answer, correct_answer, label, gt, ground_truth | a letter ("B", "(B)", "B."), 0-based index, option text |
| task | task, task_type, sub_task, subtask, category, type | a code, alias or full name (see `actionart_hf.tasks`) |
| question | question, query, prompt, q | text |
| id | id, qid, question_id, uid | text; made from the video and position when absent |
| caption | caption, description, text, annotation | text |
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

from ..tasks import OPTION_LETTERS, normalize_task


VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".flv", ".wmv", ".3gp")
TABLE_EXTENSIONS = (".json", ".jsonl", ".csv")
KEYS = {
    "video": ("video", "video_id", "video_name", "video_path", "video_file", "vid"),
    "options": ("options", "candidates", "choices", "option"),
    "answer": ("answer", "correct_answer", "label", "gt", "ground_truth"),
    "task": ("task", "task_type", "sub_task", "subtask", "category", "type"),
    "question": ("question", "query", "prompt", "q"),
    "id": ("id", "qid", "question_id", "uid"),
    "caption": ("caption", "description", "text", "annotation"),
    "split": ("split", "subset"),
}
_EXTRA_CELLS = "\0extra"  # DictReader key of cells beyond the header
_OPTION_LINE = re.compile(r"^\s*\(?([A-Fa-f])[.):]\s*(.*)$")
_LETTER = re.compile(r"^\s*\(?\s*([A-Fa-f])\s*[.)]?\s*$")


class RawRowError(ValueError):
    """A raw row that cannot be normalised; carries the row's id (or position) and the reason."""

    def __init__(self, row_id: str, reason: str):
        self.row_id, self.reason = row_id, reason
        super().__init__(f"row {row_id!r}: {reason}")


def read_table(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Rows of a JSON (a list, or a dict holding one list), JSONL or CSV file.

    Raises:
        ValueError: the file is missing, of another type, or not readable; names the file and, where known, the line
            (JSONL, CSV) or row (JSON) at fault.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_EXTENSIONS:
        raise ValueError(f"Cannot read {str(path)!r}: use one of {', '.join(TABLE_EXTENSIONS)}.")
    if not path.is_file():
        raise ValueError(f"Table {str(path)!r} does not exist (or is not a file); check the path.")
    try:
        if suffix == ".jsonl":
            rows, where = [], []
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        try:
                            rows.append(json.loads(line))
                        except json.JSONDecodeError as error:
                            raise ValueError(f"line {number}: {error.msg} (column {error.colno})") from None
                        where.append(f"line {number}")
            return _check_rows(path, rows, where)
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                lists = [value for value in data.values() if isinstance(value, list)]
                if len(lists) != 1:
                    raise ValueError("a JSON object must hold exactly one list of rows")
                data = lists[0]
            if not isinstance(data, list):
                raise ValueError("the JSON must be a list of rows")
            return _check_rows(path, data, [f"row {index}" for index in range(len(data))])
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, restkey=_EXTRA_CELLS)
            rows = []
            for row in reader:
                if _EXTRA_CELLS in row:
                    raise ValueError(f"line {reader.line_num} has more cells than the header")
                rows.append(row)
            return rows
    except (json.JSONDecodeError, ValueError, csv.Error, UnicodeDecodeError) as error:
        raise ValueError(f"Cannot read {str(path)!r}: {error}") from error


def _check_rows(path: Path, rows: list, where: list[str]) -> list[dict[str, Any]]:
    """`rows` when every one is a JSON object; else a ValueError naming the first that is not."""
    for row, place in zip(rows, where):
        if not isinstance(row, dict):
            raise ValueError(f"{place} is {type(row).__name__} {row!r:.40}, not an object of fields")
    return rows


def pick(row: dict[str, Any], field: str, required: bool = True, row_id: str = "?") -> Any:
    """The value of the first accepted spelling of `field` present in `row` (keys compared case-insensitively)."""
    lowered = {str(key).strip().lower(): value for key, value in row.items()}
    for key in KEYS[field]:
        value = lowered.get(key)
        if value is not None and value != "":
            return value
    if required:
        raise RawRowError(row_id, f"has no {field!r} field (accepted keys: {', '.join(KEYS[field])})")
    return None


def video_key(value: str) -> str:
    """Normalises a video reference (`a/b/clip_01.mp4`, `clip_01`) to its stem (`clip_01`)."""
    name = Path(str(value).strip().replace("\\", "/")).name
    stem, suffix = os.path.splitext(name)
    return stem if suffix.lower() in VIDEO_EXTENSIONS else name


def parse_options(value: Any, row_id: str) -> list[str]:
    """Options from a list, a letter-keyed dict, a JSON list string, or an `"A. ...\\nB. ..."` string."""
    if isinstance(value, dict):
        return [str(value[key]).strip() for key in sorted(value)]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return parse_options(json.loads(text), row_id)
            except json.JSONDecodeError:
                pass
        lines = [line for line in re.split(r"\n|(?=\s\(?[B-F][.)]\s)", text) if line.strip()]
        parsed = [_OPTION_LINE.match(line) for line in lines]
        if lines and all(parsed):
            letters = "".join(m.group(1).upper() for m in parsed)
            if letters == OPTION_LETTERS[: len(letters)]:
                return [m.group(2).strip() for m in parsed]
        raise RawRowError(row_id, f"options {value!r} are not a list or 'A. ...' lines in order")
    if isinstance(value, (list, tuple)):
        options = []
        for item in value:
            match = _OPTION_LINE.match(str(item))
            options.append(match.group(2).strip() if match else str(item).strip())
        return options
    raise RawRowError(row_id, f"options of type {type(value).__name__} are not supported")


def parse_answer(value: Any, options: list[str], row_id: str) -> str:
    """The answer letter from a letter, a 0-based index, an `"A. text"` string or the option text."""
    letters = OPTION_LETTERS[: len(options)]
    if isinstance(value, bool):
        raise RawRowError(row_id, f"answer {value!r} is not a letter, index or option text")
    if isinstance(value, (int, float)) and float(value).is_integer():
        index = int(value)
        if 0 <= index < len(options):
            return letters[index]
        raise RawRowError(row_id, f"answer index {index} is outside 0..{len(options) - 1} (indices are 0-based)")
    text = str(value).strip()
    if (match := _LETTER.match(text)) and match.group(1).upper() in letters:
        return match.group(1).upper()
    if text.isdigit():
        return parse_answer(int(text), options, row_id)
    if (match := _OPTION_LINE.match(text)) and match.group(1).upper() in letters:
        return match.group(1).upper()
    folded = [option.casefold() for option in options]
    if text.casefold() in folded and folded.count(text.casefold()) == 1:
        return letters[folded.index(text.casefold())]
    raise RawRowError(row_id, f"answer {value!r} is not a letter {letters[0]}-{letters[-1]}, an index or an option")


def normalize_qa_row(row: dict[str, Any], position: int) -> dict[str, Any]:
    """One raw QA row → `{id, video_id, task, question, options, answer}` (the `video` path is set by the builder)."""
    raw_id = pick(row, "id", required=False)
    row_id = str(raw_id) if raw_id is not None else f"#{position}"
    video_id = video_key(pick(row, "video", row_id=row_id))
    options = parse_options(pick(row, "options", row_id=row_id), row_id)
    try:
        task = normalize_task(pick(row, "task", row_id=row_id))
    except ValueError as error:
        raise RawRowError(row_id, str(error)) from error
    return {
        "id": row_id if raw_id is not None else f"{video_id}-{position}",
        "video_id": video_id,
        "task": task,
        "question": str(pick(row, "question", row_id=row_id)).strip(),
        "options": options,
        "answer": parse_answer(pick(row, "answer", row_id=row_id), options, row_id),
    }


def normalize_caption_row(row: dict[str, Any], position: int) -> dict[str, Any]:
    """One raw caption row → `{video_id, caption}`."""
    row_id = str(pick(row, "id", required=False) or f"#{position}")
    return {
        "video_id": video_key(pick(row, "video", row_id=row_id)),
        "caption": str(pick(row, "caption", row_id=row_id)).strip(),
    }


def find_videos(root: str | os.PathLike) -> dict[str, Path]:
    """`{video_key: path}` for every video file under `root` (recursively).

    Raises:
        ValueError: two files share a key (e.g. `a/x.mp4` and `b/x.avi`).
    """
    found: dict[str, Path] = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith("."):
            key = video_key(path.name)
            if key in found:
                raise ValueError(f"Two videos share the name {key!r}: {found[key]} and {path}; rename one.")
            found[key] = path
    return found


def find_table(root: str | os.PathLike, word: str) -> Path | None:
    """The one JSON/JSONL/CSV file under `root` whose name contains `word` (e.g. "qa", "caption")."""
    candidates = [
        p
        for p in sorted(Path(root).rglob("*"))
        if p.is_file() and p.suffix.lower() in TABLE_EXTENSIONS and word in p.stem.lower()
    ]
    if len(candidates) > 1:
        names = ", ".join(str(p) for p in candidates)
        raise ValueError(f"Several files in {str(root)!r} look like the {word} file ({names}); pass it explicitly.")
    return candidates[0] if candidates else None


__all__ = [
    "KEYS",
    "RawRowError",
    "TABLE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "find_table",
    "find_videos",
    "normalize_caption_row",
    "normalize_qa_row",
    "parse_answer",
    "parse_options",
    "pick",
    "read_table",
    "video_key",
]
