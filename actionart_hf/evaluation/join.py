"""`actionart-hf eval-join`: the output folders of a sharded evaluation → the folder of one whole run.

    # each process (a SLURM array task, a GPU) asks its block of the questions
    actionart-hf eval --model M --dataset D --output-dir outputs/eval/shards/0 --num-shards 2 --shard-index 0
    actionart-hf eval --model M --dataset D --output-dir outputs/eval/shards/1 --num-shards 2 --shard-index 1
    # then one `predictions.jsonl` + `metrics.json` (and table, plot, model-index) for all of them
    actionart-hf eval-join outputs/eval/shards/* --output-dir outputs/eval/M

The shards' predictions are concatenated in shard order (question order) and scored as a single run scores them,
so the joined folder holds the files a single process would have written.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..atomic import staged_dir, write_json_atomic
from ..sharding import Shard
from .predictions import METRICS_FILE, PREDICTIONS_FILE, PredictionStore
from .runner import RUN_FILE, EvaluationResult, RunDescription, score_run


def _read_shard(folder: Path) -> tuple[dict, dict, list[dict]]:
    """`(run.json, metrics.json, prediction records in file order)` of one finished shard.

    Raises:
        ValueError: the folder is not a finished shard of a sharded evaluation.
    """
    files = [folder / RUN_FILE, folder / METRICS_FILE, folder / PREDICTIONS_FILE]
    if not all(path.is_file() for path in files):
        raise ValueError(
            f"{str(folder)!r} is not a finished evaluation (it needs {RUN_FILE}, {METRICS_FILE} and "
            f"{PREDICTIONS_FILE}); run or resume that shard first."
        )
    run, summary = (json.loads(path.read_text(encoding="utf-8")) for path in files[:2])
    if "shard" not in run.get("identity", {}) or "shard" not in summary:
        raise ValueError(f"{str(folder)!r} is not a shard of a sharded evaluation (run without --num-shards).")
    records = []
    with open(files[2], encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream if line.strip()]
    return run, summary, records


def _in_shard_order(folders: Sequence[Path], runs: Sequence[dict]) -> list[int]:
    """The folders' positions in shard order, after checking they are every shard of one run."""
    shards = [Shard(**run["identity"]["shard"]) for run in runs]
    count = shards[0].count
    indices = [shard.index for shard in shards]
    repeated = sorted(i for i, n in Counter(indices).items() if n > 1)
    missing = sorted(set(range(count)) - set(indices))
    if any(shard.count != count for shard in shards) or missing or repeated:
        raise ValueError(
            f"Joining {len(folders)} folder(s) of an evaluation in {count} shards: shard(s) {missing} missing, "
            f"{repeated} given twice, num_shards {sorted({s.count for s in shards})}; pass every shard's "
            "--output-dir once."
        )
    first = {k: v for k, v in runs[0]["identity"].items() if k != "shard"}
    for folder, run in zip(folders, runs):
        identity = {k: v for k, v in run["identity"].items() if k != "shard"}
        if identity != first:
            differs = sorted(k for k in set(first) | set(identity) if first.get(k) != identity.get(k))
            raise ValueError(
                f"{str(folder)!r} evaluated another run than {str(folders[0])!r} (differs in {differs}); join the "
                "shards of one command run with different --shard-index only."
            )
    return sorted(range(len(folders)), key=lambda position: indices[position])


def join_eval_shards(
    shard_dirs: Sequence[str | os.PathLike], output_dir: str | os.PathLike, *, plot: bool = True
) -> EvaluationResult:
    """Joins the output folders of every shard of one sharded evaluation into `output_dir` (replaced atomically).

    Args:
        shard_dirs (`Sequence[str or os.PathLike]`): the shards' `output_dir`s, in any order.
        output_dir (`str` or `os.PathLike`): the joined folder: `run.json`, `predictions.jsonl`, `metrics.json`,
            `table.md`, `model_index.json` and `per_task.png`, as a whole run writes them.
        plot (`bool`, *optional*, defaults to `True`): write `per_task.png`.

    Returns:
        [`EvaluationResult`] of the whole run.

    Raises:
        ValueError: a folder that is not a finished shard, a shard missing or given twice, or shards of different
            runs.
    """
    folders = [Path(d).absolute() for d in shard_dirs]
    if not folders:
        raise ValueError("No shard folder given; pass the --output-dir of every shard.")
    shards = [_read_shard(folder) for folder in folders]
    order = _in_shard_order(folders, [run for run, _, _ in shards])
    shards = [shards[i] for i in order]
    run, summary, _ = shards[0]
    records = [record for _, _, shard_records in shards for record in shard_records]
    description = RunDescription(
        model_name=summary["model"],
        dataset=summary["dataset"],
        dataset_id=summary["dataset_id"],
        config=summary["config"],
        split=summary["split"],
        backend=summary["backend"],
        num_frames=summary["num_frames"],
        circular=summary["circular_metrics"] is not None,
        bootstrap_samples=summary["bootstrap_samples"],
    )
    whole_run = {**run, "identity": {k: v for k, v in run["identity"].items() if k != "shard"}}
    with staged_dir(Path(output_dir).absolute()) as stage:
        write_json_atomic(stage / RUN_FILE, whole_run, default=str)
        PredictionStore(stage / PREDICTIONS_FILE).append(records)
        result = score_run(records, description, stage, plot=plot)
    result.output_dir = Path(output_dir)
    result.files = {name: result.output_dir / name for name in result.files}
    return result


__all__ = ["join_eval_shards"]
