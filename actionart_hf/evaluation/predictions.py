"""`predictions.jsonl`: one JSON line per answered question, appended and flushed as the run goes, so a run that
is killed resumes without asking any answered question again.

An eval folder holds it beside `metrics.json` (the scores of its records). `prediction_record` and `score_records`
are the one definition of a record and of its scoring; `read_predictions` reads a finished folder's records back
(for statistics across runs) and `write_predictions_folder` writes a folder of answers that no model generated (a
text-only prior, a test fixture).

A line is written whole or not at all from the reader's point of view: a line cut off by a kill (no newline, or
invalid JSON at the end) is dropped and truncated away when the file is opened again.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..atomic import staged_dir
from ..metrics.actionart_accuracy.scoring import explain_answer, score


logger = logging.getLogger(__name__)

PREDICTIONS_FILE, METRICS_FILE = "predictions.jsonl", "metrics.json"


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


def prediction_record(
    row: Mapping[str, Any],
    output: str | None,
    rotation: int = 0,
    options: Sequence[str] | None = None,
    answer: str | None = None,
) -> dict[str, Any]:
    """The `predictions.jsonl` record of one asked question.

    Args:
        row (`Mapping`): the question's `qa` row (`id`, `task` code, `question`, `options`, `answer`, `video_id`).
        output (`str` or `None`): the raw answer.
        rotation (`int`, *optional*, defaults to 0): the option rotation asked (circular evaluation).
        options (`Sequence[str]`, *optional*): the options as asked (defaults to the row's).
        answer (`str`, *optional*): the answer letter as asked (defaults to the row's).

    Returns:
        `dict`: `key`, `id`, `rotation`, `task`, `video_id`, `question`, `options`, `answer`, `output`, `prediction`
        (the extracted letter or `None`), `rule` (the extraction rule) and `correct`.
    """
    options = list(row["options"] if options is None else options)
    answer = row["answer"] if answer is None else answer
    extraction = explain_answer(output, options)
    return {
        "key": prediction_key(row["id"], rotation),
        "id": row["id"],
        "rotation": rotation,
        "task": row["task"],
        "video_id": row.get("video_id"),
        "question": row["question"],
        "options": options,
        "answer": answer,
        "output": output,
        "prediction": extraction.letter,
        "rule": extraction.rule,
        "correct": extraction.letter == answer,
    }


def score_records(records: Sequence[dict], circular: bool = False, bootstrap_samples: int = 1000) -> dict[str, Any]:
    """The metric's output on prediction records; with `circular`, a question is right only if every rotation is."""
    return score(
        [r["output"] for r in records],
        [r["answer"] for r in records],
        tasks=[r["task"] for r in records],
        options=[r["options"] for r in records],
        groups=[r["id"] for r in records] if circular else None,
        bootstrap_samples=bootstrap_samples,
    )


def read_predictions(eval_dir: str | os.PathLike) -> list[dict]:
    """The records of the original option order (rotation 0) in `eval_dir/predictions.jsonl`, in file order.

    Raises:
        ValueError: the folder has no `predictions.jsonl`, a line is not a record, or it holds no record.
    """
    path = Path(eval_dir) / PREDICTIONS_FILE
    if not path.is_file():
        raise ValueError(f"{str(eval_dir)!r} has no {PREDICTIONS_FILE}; pass the output_dir of an evaluation.")
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
                if record["rotation"] == 0:
                    records.append(record)
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(
                    f"{path}:{number} is not a prediction record ({error}); finish or rerun that evaluation."
                ) from error
    if not records:
        raise ValueError(f"{path} holds no prediction; finish or rerun that evaluation.")
    return records


def write_predictions_folder(
    out: str | os.PathLike,
    rows: Sequence[Mapping[str, Any]],
    outputs: Sequence[str | None],
    model_name: str,
    dataset: str,
    split: str = "test",
    bootstrap_samples: int = 1000,
) -> dict[str, Any]:
    """Writes `out/predictions.jsonl` and `out/metrics.json` for answers given without a model, replacing `out`.

    The files have the layout `evaluate_model` writes, so statistics and tables read both alike.

    Args:
        out (`str` or `os.PathLike`): the eval folder (replaced atomically).
        rows (`Sequence[Mapping]`): the `qa` rows asked, with `task` as a sub-task code.
        outputs (`Sequence[str | None]`): the answer to each row.
        model_name (`str`): what answered (the `model` of `metrics.json`).
        dataset (`str`): the dataset the rows come from.
        split (`str`, *optional*, defaults to `"test"`): their split.
        bootstrap_samples (`int`, *optional*, defaults to 1000): resamples for 95% intervals (0 disables them).

    Returns:
        `dict`: the metrics (as in `metrics.json`'s `metrics`).
    """
    if len(rows) != len(outputs):
        raise ValueError(f"{len(rows)} rows but {len(outputs)} outputs for {str(out)!r}; pass one output per row.")
    records = [prediction_record(row, output) for row, output in zip(rows, outputs)]
    metrics = score_records(records, bootstrap_samples=bootstrap_samples)
    summary = {
        "model": model_name,
        "dataset": dataset,
        "split": split,
        "metrics": metrics,
        "circular_metrics": None,
        "extraction_rules": dict(Counter(r["rule"] for r in records).most_common()),
    }
    with staged_dir(Path(out).absolute()) as stage:
        PredictionStore(stage / PREDICTIONS_FILE).append(records)
        (stage / METRICS_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return metrics


__all__ = [
    "METRICS_FILE",
    "PREDICTIONS_FILE",
    "PredictionStore",
    "prediction_key",
    "prediction_record",
    "read_predictions",
    "score_records",
    "write_predictions_folder",
]
