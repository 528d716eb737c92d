"""`predictions.jsonl`: one JSON line per answered question, appended and flushed as the run goes, so a run that
is killed resumes without asking any answered question again.

A line is written whole or not at all from the reader's point of view: a line cut off by a kill (no newline, or
invalid JSON at the end) is dropped and truncated away when the file is opened again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path


logger = logging.getLogger(__name__)


def prediction_key(question_id: str, rotation: int = 0) -> str:
    """The key of one asked question: its id, plus `#r<k>` for option rotation k > 0 (circular evaluation)."""
    return question_id if rotation == 0 else f"{question_id}#r{rotation}"


class PredictionStore:
    """Predictions by key, kept in memory and (with a `path`) appended to a JSONL file.

    Args:
        path (`str` or `os.PathLike`, *optional*): the JSONL file; `None` keeps predictions in memory only.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else None
        self._records: dict[str, dict] = {}
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        good_end = 0
        for number, line in enumerate(data.splitlines(keepends=True), start=1):
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
                key = record["key"]
            except (ValueError, KeyError, TypeError) as error:
                if good_end + len(line) < len(data):
                    raise ValueError(
                        f"{self.path}:{number} is not a prediction record ({error}); the file is damaged before its "
                        f"last line: fix or delete it, or pass --overwrite."
                    ) from error
                break
            self._records[key] = record
            good_end += len(line)
        if good_end < len(data):
            logger.warning(
                "%s ends with %d bytes of an unfinished line (a killed run); dropping them.",
                self.path,
                len(data) - good_end,
            )
            with open(self.path, "r+b") as handle:
                handle.truncate(good_end)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def __len__(self) -> int:
        return len(self._records)

    def get(self, key: str) -> dict | None:
        return self._records.get(key)

    def append(self, records: Iterable[dict]) -> None:
        """Adds records (each with a unique `key`); with a file, appends them and flushes them to disk."""
        records = list(records)
        if self.path is not None and records:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(lines)
                handle.flush()
                os.fsync(handle.fileno())
        for record in records:
            self._records[record["key"]] = record


__all__ = ["PredictionStore", "prediction_key"]
