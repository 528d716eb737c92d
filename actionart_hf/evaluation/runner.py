"""The eval runner: ask a model every question of an ActionArt-style dataset, score it as the paper does, and write
predictions, metrics, a Table 1 row, a per-task plot and `model-index` entries.

    from actionart_hf.evaluation import evaluate_model

    result = evaluate_model("path/to/model", "path/to/ActionArt", output_dir="outputs/eval/my-model")
    result.metrics["accuracy"], result.metrics["LS"]

Output folder (written as the run goes; a killed run resumes where it stopped with the same call):

    run.json           what was evaluated, how (a resumed run must match it)
    predictions.jsonl  one line per asked question: raw output, extracted letter, extraction rule, right or not
    metrics.json       the metric's output (plain, and circular with `circular=True`), extraction rule counts
    table.md           this model's row(s) in Table 1's columns, titled by the dataset, below the paper's rows
                       (left out on generated data such as the synthetic benchmark, which they do not compare with)
    per_task.png       accuracy per sub-task, titled by the dataset
    model_index.json   `model-index` entries (huggingface_hub EvalResult) for the model card

With `shard=` the run asks only its block of the questions (see `actionart_hf.sharding`) and writes the same files
for it, `predictions.jsonl` in question order; `actionart-hf eval-join` (`join_eval_shards`) joins the shards'
folders into the folder of a single run.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_json_atomic, write_jsonl_atomic, write_text_atomic
from ..data.chat import row_to_messages
from ..references import check_local_reference
from ..sharding import Shard
from ..tasks import MCQ_INSTRUCTION, normalize_task
from ..video import DEFAULT_MAX_PIXELS, DEFAULT_NUM_FRAMES, VideoClip, check_sampling, load_video
from .backends import EvalBackend, Query, detect_backend, make_backend
from .benchmark import describe_benchmark
from .circular import rotate_options, rotations
from .paper_results import paper_row
from .predictions import (
    METRICS_FILE,
    PREDICTIONS_FILE,
    PredictionStore,
    prediction_key,
    prediction_record,
    score_records,
)
from .report import model_index_results, plot_per_task, table1_markdown, table1_row


logger = logging.getLogger(__name__)

RUN_FILE = "run.json"
TABLE_FILE, PLOT_FILE, MODEL_INDEX_FILE = "table.md", "per_task.png", "model_index.json"
OUTPUT_FILES = (RUN_FILE, PREDICTIONS_FILE, METRICS_FILE, TABLE_FILE, PLOT_FILE, MODEL_INDEX_FILE)
REQUIRED_COLUMNS = ("id", "video", "task", "question", "options", "answer")


@dataclass
class EvaluationResult:
    """What `evaluate_model` returns.

    Args:
        metrics (`dict`): the metric's output on the original option order: `accuracy` (micro, "Avg. Acc."),
            `macro_accuracy`, `answered_rate`, `num_questions`, one fraction per sub-task code, and bootstrap
            intervals when computed.
        circular_metrics (`dict` or `None`): the same with circular evaluation (every rotation right).
        table (`str`): Table 1 of the paper in markdown with this model's row(s) added in bold.
        row (`str`): this model's markdown row (AC AR AS GS HOI LS MV TL Avg., in percent).
        model_index (`list[dict]`): `model-index` entries for a model card.
        num_asked (`int`): questions sent to the model by this call (the rest were resumed).
        output_dir (`Path` or `None`): where the files were written.
        files (`dict[str, Path]`): the written files by name.
    """

    metrics: dict[str, Any]
    circular_metrics: dict[str, Any] | None
    table: str
    row: str
    model_index: list[dict]
    num_asked: int
    output_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)

    def scores(self) -> dict[str, float]:
        """`accuracy` and the per-task accuracies only (what an α sweep compares)."""
        return {k: v for k, v in self.metrics.items() if k == "accuracy" or k.isupper()}


@dataclass
class _Item:
    key: str
    row: dict
    rotation: int
    options: list[str]
    answer: str


def _load_rows(dataset, config: str, split: str, limit: int | None) -> tuple[list[dict], str]:
    import datasets

    if isinstance(dataset, datasets.DatasetDict):
        raise ValueError(f"Pass one split of the DatasetDict (e.g. dataset['{split}']), not all of {list(dataset)}.")
    if isinstance(dataset, datasets.Dataset):
        loaded, name = dataset, dataset.info.dataset_name or "dataset"
    else:
        from ..data.loading import load_actionart

        loaded, name = load_actionart(dataset, config=config, split=split), str(dataset)
    missing = [c for c in REQUIRED_COLUMNS if c not in loaded.column_names]
    if missing:
        raise ValueError(
            f"Dataset {name!r} ({config}/{split}) lacks the columns {missing}; the runner needs "
            f"{list(REQUIRED_COLUMNS)} (an ActionArt `qa`-style config)."
        )
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit={limit} must be >= 1 (or None for every question).")
        loaded = loaded.select(range(min(limit, len(loaded))))
    if len(loaded) == 0:
        raise ValueError(f"Dataset {name!r} ({config}/{split}) has no questions to evaluate.")
    task_feature = loaded.features["task"]
    columns = [c for c in (*REQUIRED_COLUMNS, "video_id") if c in loaded.column_names]
    rows = loaded.select_columns(columns).to_list()
    seen: set[str] = set()
    for row in rows:
        task = row["task"]
        row["task"] = normalize_task(task_feature.int2str(task) if isinstance(task, int) else task)
        row["options"] = list(row["options"])
        if row["id"] in seen:
            raise ValueError(f"Dataset {name!r} has the id {row['id']!r} twice; ids must be unique.")
        seen.add(row["id"])
        if not row["video"] or not os.path.exists(row["video"]):
            raise ValueError(f"Row {row['id']!r}: video {row['video']!r} does not exist.")
    return rows, name


def _plan(rows: Sequence[dict], circular: bool) -> list[_Item]:
    items = []
    for row in rows:
        for shift in rotations(len(row["options"]), circular):
            try:
                options, answer = rotate_options(row["options"], row["answer"], shift)
            except ValueError as error:
                raise ValueError(f"Row {row['id']!r}: {error}") from None
            items.append(_Item(prediction_key(row["id"], shift), row, shift, options, answer))
    return items


# Backend arguments that change how a run goes, not what it measures: a resumed run may change them.
OPERATIONAL_KWARGS = frozenset(
    {
        "concurrency",
        "device",
        "timeout_s",
        "max_retries",
        "retry_delay_s",
        "api_key_env",
        "base_url",
        "attn_implementation",
    }
)


def _reference(value) -> str:
    """A model or dataset reference that does not depend on the working directory."""
    text = str(value)
    return str(Path(text).resolve()) if Path(text).exists() else text


def _run_identity(
    model, backend: str, dataset, config, split, num_frames, max_pixels, backend_kwargs, shard: Shard | None = None
) -> dict:
    """What a resumed run must share with the run that wrote the predictions (and the shard it asks, if any)."""
    if isinstance(model, EvalBackend):
        described = model.describe()
        model_ref: Any = {k: v for k, v in described.items() if k not in OPERATIONAL_KWARGS}
    else:
        model_ref = _reference(model)
    if isinstance(dataset, (str, os.PathLike)):
        dataset_ref = _reference(dataset)
    else:
        dataset_ref = f"datasets.Dataset@{getattr(dataset, '_fingerprint', None)}"
    shard_entry = {"shard": shard.to_dict()} if shard is not None else {}
    return {
        **shard_entry,
        "model": model_ref,
        "backend": backend,
        "dataset": dataset_ref,
        "config": config,
        "split": split,
        "num_frames": num_frames,
        "max_pixels": max_pixels,
        "backend_kwargs": {k: backend_kwargs[k] for k in sorted(backend_kwargs) if k not in OPERATIONAL_KWARGS},
        "prompt_instruction": MCQ_INSTRUCTION,
    }


def _set_aside(out: Path) -> Path | None:
    """Moves a previous run's output files into a backup folder inside `out` (`None` when there are none)."""
    previous = [name for name in OUTPUT_FILES if (out / name).exists()]
    if not previous:
        return None
    backup = out / f".previous-{uuid.uuid4().hex[:8]}"
    backup.mkdir()
    for name in previous:
        os.replace(out / name, backup / name)
    return backup


def _restore(out: Path, backup: Path) -> None:
    """Puts the files a failed `--overwrite` run set aside back in place, dropping what the failed run wrote."""
    for name in OUTPUT_FILES:
        (out / name).unlink(missing_ok=True)
    for path in backup.iterdir():
        os.replace(path, out / path.name)
    backup.rmdir()


def _prepare_output(out: Path, identity: dict, overwrite: bool) -> Path | None:
    """Checks `out` against the run and records the run's identity; with `overwrite`, sets the previous run's files
    aside (returned: the backup folder) so that they come back if this run fails."""
    if out.is_file():
        raise ValueError(f"Output {str(out)!r} is a file; choose a folder.")
    out.mkdir(parents=True, exist_ok=True)
    run_file, predictions = out / RUN_FILE, out / PREDICTIONS_FILE
    backup = None
    if overwrite:
        backup = _set_aside(out)
    elif run_file.exists() and predictions.exists() and predictions.stat().st_size:
        previous = json.loads(run_file.read_text()).get("identity", {})
        differs = sorted(k for k in set(previous) | set(identity) if previous.get(k) != identity.get(k))
        if differs:
            details = "; ".join(f"{k}: {previous.get(k)!r} -> {identity.get(k)!r}" for k in differs)
            raise ValueError(
                f"{str(out)!r} holds predictions of a different run ({details}). Resuming would mix them: pass "
                f"--overwrite (overwrite=True) to start again, or choose another --output-dir."
            )
        logger.info("Resuming the run in %s", out)
    elif predictions.exists():
        raise ValueError(
            f"{str(predictions)!r} exists without {RUN_FILE}, so it cannot be checked against this run; pass "
            f"--overwrite or choose another --output-dir."
        )
    write_json_atomic(run_file, {"identity": identity}, default=str)
    return backup


class _ClipCache:
    """Decodes each video once for consecutive questions about it (option rotations, several questions a video)."""

    def __init__(self, num_frames: int, max_pixels: int | None, size: int = 8):
        self.num_frames, self.max_pixels, self.size = num_frames, max_pixels, size
        self._clips: OrderedDict[str, VideoClip] = OrderedDict()

    def get(self, path: str) -> VideoClip:
        if path in self._clips:
            self._clips.move_to_end(path)
            return self._clips[path]
        clip = load_video(path, num_frames=self.num_frames, max_pixels=self.max_pixels)
        self._clips[path] = clip
        if len(self._clips) > self.size:
            self._clips.popitem(last=False)
        return clip


def _queries(batch: Sequence[_Item], cache: _ClipCache) -> list[Query]:
    queries = []
    for item in batch:
        row = {**item.row, "options": item.options, "answer": item.answer}
        messages, media = row_to_messages(row, "qa", with_target=False)
        clip = cache.get(media["videos"][0])
        prompt = next(p["text"] for p in messages[0]["content"] if p["type"] == "text")
        total_frames = max(int(round(clip.duration_s * clip.fps)), int(clip.indices.max(initial=-1)) + 1)
        queries.append(
            Query(
                item.key,
                messages,
                prompt,
                row["video"],
                clip.frames,
                clip.timestamps_s,
                clip.fps,
                clip.duration_s,
                clip.indices,
                total_frames,
            )
        )
    return queries


def _batches(items: Sequence[_Item], batch_size: int, cache: _ClipCache) -> Iterator[tuple[list[_Item], list[Query]]]:
    """Batches with their queries; the next batch's videos are decoded while the current one is generated."""
    chunks = [list(items[i : i + batch_size]) for i in range(len(items))[::batch_size]]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="video-decode") as pool:
        upcoming: Future = pool.submit(_queries, chunks[0], cache)
        for index, chunk in enumerate(chunks):
            queries = upcoming.result()
            if index + 1 < len(chunks):
                upcoming = pool.submit(_queries, chunks[index + 1], cache)
            yield chunk, queries


def _default_name(model) -> str:
    if isinstance(model, EvalBackend):
        described = model.describe()
        return str(described.get("model") or described.get("backend"))
    text = str(model).rstrip("/")
    return text.rsplit("/", 1)[-1] or text


def evaluate_model(
    model: str | os.PathLike | EvalBackend,
    dataset,
    *,
    config: str = "qa",
    split: str = "test",
    backend: str | None = None,
    num_frames: int | None = DEFAULT_NUM_FRAMES,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    output_dir: str | os.PathLike | None = None,
    batch_size: int = 1,
    circular: bool = False,
    limit: int | None = None,
    model_name: str | None = None,
    dataset_id: str | None = None,
    bootstrap_samples: int = 1000,
    overwrite: bool = False,
    plot: bool = True,
    progress: bool = True,
    backend_kwargs: Mapping[str, Any] | None = None,
    shard: Shard | None = None,
) -> EvaluationResult:
    """Evaluates a model on an ActionArt-style multiple-choice video dataset.

    Args:
        model (`str`, `os.PathLike` or `EvalBackend`): a model folder or Hub id (transformers/actionart backends),
            a model name or server URL (openai backend), or a ready backend instance.
        dataset (`str`, `os.PathLike` or `datasets.Dataset`): a folder written by our builders or a Hub dataset id
            (loaded with `load_actionart`), or a loaded split whose `video` column holds local paths.
        config (`str`, *optional*, defaults to `"qa"`): dataset config.
        split (`str`, *optional*, defaults to `"test"`): dataset split.
        backend (`str`, *optional*): `"transformers"`, `"openai"` or `"actionart"`; detected from `model` when
            `None` (`actionart` for a folder with `model_type: actionart`, `openai` for a URL, else `transformers`).
        num_frames (`int`, *optional*, defaults to 64): frames sampled uniformly per video (the paper's setting).
        max_pixels (`int`, *optional*, defaults to 480*480): per-frame pixel cap (aspect ratio kept).
        output_dir (`str` or `os.PathLike`, *optional*): folder for the files listed in the module docstring;
            `None` writes nothing (and cannot resume).
        batch_size (`int`, *optional*, defaults to 1): questions per `generate` call.
        circular (`bool`, *optional*, defaults to `False`): also ask every rotation of the options and report
            circular accuracy (a question is right only if every rotation is right).
        limit (`int`, *optional*): evaluate the first `limit` questions only.
        model_name (`str`, *optional*): name in the table, plot and model-index (default: last part of `model`).
        dataset_id (`str`, *optional*): Hub dataset id for model-index (default: `dataset` when it is a Hub id).
        bootstrap_samples (`int`, *optional*, defaults to 1000): resamples for 95% intervals (0 disables them).
        overwrite (`bool`, *optional*, defaults to `False`): discard the previous run in `output_dir`.
        plot (`bool`, *optional*, defaults to `True`): write `per_task.png`.
        progress (`bool`, *optional*, defaults to `True`): show a progress bar.
        backend_kwargs (`Mapping[str, Any]`, *optional*): keyword arguments of the backend class (e.g.
            `max_new_tokens`, `dtype`, `base_url`, `concurrency`, `trust_remote_code`).
        shard ([`Shard`], *optional*): ask only this block of the questions (after `limit`); its `metrics.json`
            scores the block, and [`join_eval_shards`] joins the shards' folders into the folder of a whole run.

    Returns:
        [`EvaluationResult`]

    Raises:
        ValueError: bad arguments, an empty dataset, rows without the needed columns, a missing video, or an
            `output_dir` holding a different run.
    """
    num_frames = DEFAULT_NUM_FRAMES if num_frames is None else num_frames
    check_sampling(num_frames, max_pixels)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} is invalid: it must be an integer >= 1.")
    backend_kwargs = dict(backend_kwargs or {})
    model, backend_name = _choose_backend(model, backend, backend_kwargs)
    if isinstance(model, str) and backend_name != "openai":
        check_local_reference(model, "model")
    if isinstance(dataset, (str, os.PathLike)):
        check_local_reference(dataset, "dataset")
    rows, dataset_name = _load_rows(dataset, config, split, limit)
    if shard is not None:
        rows = shard.select(rows)
    items = _plan(rows, circular)

    out = Path(output_dir) if output_dir is not None else None
    backup = None
    if out is not None:
        identity = _run_identity(
            model, backend_name, dataset, config, split, num_frames, max_pixels, backend_kwargs, shard
        )
        backup = _prepare_output(out, identity, overwrite)
    try:
        store = PredictionStore(out / PREDICTIONS_FILE if out is not None else None)
        pending = _unanswered(items, store, out)
        if pending:
            sampling = _ClipCache(num_frames, max_pixels)
            _ask_model(model, backend_name, backend_kwargs, pending, store, sampling, batch_size, out, progress)

        records = [store.get(item.key) for item in items]
        if out is not None and shard is not None:  # question order (a resumed run appends out of order), for the join
            write_jsonl_atomic(out / PREDICTIONS_FILE, records)
        description = RunDescription(
            model_name=model_name or _default_name(model),
            dataset=dataset_name,
            dataset_id=dataset_id if dataset_id is not None else _hub_dataset_id(dataset, dataset_name),
            config=config,
            split=split,
            backend=backend_name,
            num_frames=num_frames,
            circular=circular,
            bootstrap_samples=bootstrap_samples,
            shard=shard,
        )
        result = score_run(records, description, out, plot=plot, num_asked=len(pending))
    except BaseException:
        if backup is not None:  # --overwrite replaces the previous run only with a finished one
            _restore(out, backup)
        raise
    if backup is not None:
        shutil.rmtree(backup)
    return result


@dataclass(frozen=True)
class RunDescription:
    """What an evaluation's results are about, for `metrics.json`, the table and model-index.

    Args:
        model_name (`str`): name in the table, plot and model-index.
        dataset (`str`): the dataset as given.
        dataset_id (`str`): its Hub id (or folder name) for model-index.
        config (`str`), split (`str`): the dataset config and split.
        backend (`str`): the backend's name.
        num_frames (`int`): frames per video.
        circular (`bool`): whether every option rotation was asked.
        bootstrap_samples (`int`): resamples for the 95% intervals.
        shard ([`Shard`], *optional*): the block of the questions asked, for one shard of a sharded run.
    """

    model_name: str
    dataset: str
    dataset_id: str
    config: str
    split: str
    backend: str
    num_frames: int
    circular: bool
    bootstrap_samples: int
    shard: Shard | None = None

    def summary(self, plain: dict[str, Any], circular_metrics: dict | None, records: Sequence[dict]) -> dict:
        """The content of `metrics.json` (a shard's also names the shard and the bootstrap resamples)."""
        summary = {
            "model": self.model_name,
            "dataset": self.dataset,
            "dataset_id": self.dataset_id,
            "config": self.config,
            "split": self.split,
            "backend": self.backend,
            "num_frames": self.num_frames,
            "metrics": plain,
            "circular_metrics": circular_metrics,
            "extraction_rules": dict(Counter(r["rule"] for r in records).most_common()),
        }
        if self.shard is not None:
            summary.update(shard=self.shard.to_dict(), bootstrap_samples=self.bootstrap_samples)
        return summary


def score_run(
    records: Sequence[dict], description: RunDescription, out: Path | None, *, plot: bool = True, num_asked: int = 0
) -> EvaluationResult:
    """Scores the prediction records of a run (all rotations, in question order) and writes `metrics.json`,
    `table.md`, `model_index.json` and `per_task.png` to `out` (nothing when `out` is None).

    Returns:
        [`EvaluationResult`]
    """
    plain = score_records([r for r in records if r["rotation"] == 0], False, description.bootstrap_samples)
    circular_metrics = score_records(records, True, description.bootstrap_samples) if description.circular else None
    name = description.model_name
    rows_for_table = [(name, plain)] + ([(f"{name} (circular)", circular_metrics)] if circular_metrics else [])
    benchmark = describe_benchmark(description.dataset)
    title = f"{name} on {benchmark.name} ({description.config}/{description.split})"
    result = EvaluationResult(
        metrics=plain,
        circular_metrics=circular_metrics,
        table=f"**{title}**, accuracy (%)\n\n"
        + table1_markdown(rows_for_table, include_paper=not benchmark.synthetic),
        row=table1_row(name, plain),
        model_index=_model_index(
            name, plain, circular_metrics, description.dataset_id, benchmark.name, description.config,
            description.split, description.num_frames,
        ),
        num_asked=num_asked,
        output_dir=out,
    )  # fmt: skip
    if out is not None:
        summary = {
            **description.summary(plain, circular_metrics, records),
            "dataset_name": benchmark.name,
            "table1_row": result.row,
        }
        _write_results(result, summary, out)
        if plot:  # the paper's rows as reference marks, except on generated data
            references = [] if benchmark.synthetic else [paper_row("Human (10%)"), paper_row("ActionArt (paper)")]
            result.files[PLOT_FILE] = plot_per_task(out / PLOT_FILE, rows_for_table, title, references)
    return result


def _choose_backend(
    model: str | os.PathLike | EvalBackend, backend: str | None, backend_kwargs: dict[str, Any]
) -> tuple[str | EvalBackend, str]:
    """`(model, backend name)`: a backend instance as it is, else the model reference and the named or detected
    backend."""
    if isinstance(model, EvalBackend):
        if backend_kwargs or (backend and backend != model.name):
            raise ValueError("With a backend instance as `model`, leave `backend` and `backend_kwargs` unset.")
        return model, model.name
    return str(model), backend or detect_backend(str(model))


def _unanswered(items: Sequence[_Item], store: PredictionStore, out: Path | None) -> list[_Item]:
    """The items without a stored prediction (all of them unless a run is resumed)."""
    pending = [item for item in items if item.key not in store]
    if len(pending) < len(items):
        done = len(items) - len(pending)
        logger.info("%d of %d questions already answered in %s; asking the rest.", done, len(items), out)
    return pending


def _ask_model(
    model: str | EvalBackend,
    backend_name: str,
    backend_kwargs: dict[str, Any],
    pending: Sequence[_Item],
    store: PredictionStore,
    sampling: _ClipCache,
    batch_size: int,
    out: Path | None,
    progress: bool,
) -> None:
    """Asks the model every pending question, batch by batch, appending each batch's predictions to `store`.

    A backend created here from `model` is recorded in `run.json` and closed at the end, also after a failure.
    """
    from tqdm.auto import tqdm

    runner_backend = model if isinstance(model, EvalBackend) else _make_backend(backend_name, model, backend_kwargs)
    if out is not None:
        run = json.loads((out / RUN_FILE).read_text())
        run["backend"] = runner_backend.describe()
        write_json_atomic(out / RUN_FILE, run, default=str)
    bar = tqdm(total=len(pending), desc=f"Evaluating {_default_name(model)}", unit="q", disable=not progress)
    try:
        for chunk, queries in _batches(pending, batch_size, sampling):
            outputs = runner_backend.generate(queries)
            if len(outputs) != len(queries):
                raise RuntimeError(f"Backend {backend_name} returned {len(outputs)} answers for {len(queries)}.")
            store.append(
                prediction_record(item.row, output, item.rotation, item.options, item.answer)
                for item, output in zip(chunk, outputs)
            )
            bar.update(len(chunk))
    finally:
        bar.close()
        if runner_backend is not model:
            runner_backend.close()


def _make_backend(backend_name: str, model: str, backend_kwargs: dict[str, Any]) -> EvalBackend:
    """The backend for `model`; a model that cannot be found or read is the user's error (a `ValueError`)."""
    try:
        return make_backend(backend_name, model, **backend_kwargs)
    except OSError as error:  # transformers: not a local folder nor a Hub repo (or offline), missing files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(
            f"Cannot load the model {model!r} ({backend_name} backend): {first_line} Fix --model (a model folder or "
            "a Hub id)."
        ) from error


def _hub_dataset_id(dataset, dataset_name: str) -> str:
    """The dataset's Hub id when `dataset` is one, else the last part of its name."""
    is_hub_id = isinstance(dataset, str) and not Path(dataset).exists()
    return dataset if is_hub_id else Path(dataset_name).name


def _model_index(
    name: str,
    plain: dict[str, Any],
    circular_metrics: dict[str, Any] | None,
    dataset_id: str,
    dataset_name: str,
    config: str,
    split: str,
    num_frames: int,
) -> list[dict]:
    """`model-index` entries of the scores for a model card."""
    from huggingface_hub.repocard_data import eval_results_to_model_index

    eval_results = model_index_results(
        plain,
        dataset_id=dataset_id,
        dataset_name=dataset_name,
        dataset_config=config,
        dataset_split=split,
        circular_metrics=circular_metrics,
        num_frames=num_frames,
    )
    return eval_results_to_model_index(name, eval_results)


def _write_results(result: EvaluationResult, summary: dict[str, Any], out: Path) -> None:
    """Writes `metrics.json`, `table.md` and `model_index.json`, and lists the run's files in `result.files`."""
    write_json_atomic(out / METRICS_FILE, summary, default=str)
    write_text_atomic(out / TABLE_FILE, result.table + "\n")
    write_json_atomic(out / MODEL_INDEX_FILE, result.model_index, default=str)
    result.files = {n: out / n for n in (RUN_FILE, PREDICTIONS_FILE, METRICS_FILE, TABLE_FILE, MODEL_INDEX_FILE)}


__all__ = ["EvaluationResult", "RunDescription", "evaluate_model", "score_run"]
