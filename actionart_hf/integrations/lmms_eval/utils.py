"""lmms-eval hooks of the ActionArt tasks (`actionart`, `actionart_circular`), scored with actionart-hf's metric.

lmms-eval imports this file from the task folder (`--include_path`); it needs `actionart-hf` installed. The prompt
is the benchmark's fixed MCQ prompt (`actionart_hf.tasks.format_mcq_prompt`): the question and options here, the
answer instruction as the task's `post_prompt` (`lmms_eval_specific_kwargs`, so a model's entry can replace it).
Answers are extracted with the same deterministic rules as `evaluate.load("actionart_accuracy")`, and aggregations
return percentages.

Videos are stored in the dataset as paths relative to the dataset root. They are resolved against the task's
`dataset_path` (read from `_default_template_yaml` beside this file, or `$ACTIONART_LMMS_DATASET`): a local folder,
or, for a Hub dataset, the video cache that lmms-eval fills once before the run (`dataset_kwargs: {video: True,
cache_dir, create_link: True}`: `$HF_HOME/<cache_dir>`).
"""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache
from pathlib import Path

from actionart_hf.evaluation.circular import rotate_options
from actionart_hf.evaluation.report import table1_row
from actionart_hf.metrics.actionart_accuracy.scoring import explain_answer, normalize_task, score
from actionart_hf.tasks import MCQ_INSTRUCTION, TASK_CODES, format_options


logger = logging.getLogger(__name__)

TEMPLATE_FILE = "_default_template_yaml"
DATASET_ENV = "ACTIONART_LMMS_DATASET"
PLACEHOLDER = "ACTIONART_DATASET"


def _template_value(key: str) -> str | None:
    """A `key: value` line of `_default_template_yaml` beside this file (top level or indented)."""
    text = (Path(__file__).with_name(TEMPLATE_FILE)).read_text(encoding="utf-8")
    match = re.search(rf"^\s*{key}:\s*(\S+)\s*$", text, flags=re.M)
    return match.group(1) if match else None


@lru_cache(maxsize=1)
def dataset_location() -> str:
    """The dataset the task reads: `$ACTIONART_LMMS_DATASET`, else `dataset_path` of `_default_template_yaml`."""
    location = os.environ.get(DATASET_ENV) or _template_value("dataset_path") or PLACEHOLDER
    if location == PLACEHOLDER:
        raise ValueError(
            f"The ActionArt lmms-eval task has no dataset: write the task folder with `python -m "
            f"actionart_hf.integrations.lmms_eval --dataset <org>/ActionArt --output <dir>`, or set ${DATASET_ENV}."
        )
    return location


def _task_code(doc: dict) -> str:
    task = doc["task"]
    return TASK_CODES[task] if isinstance(task, int) else normalize_task(task)


def video_cache() -> str:
    """`$HF_HOME/<cache_dir>`: where lmms-eval puts a Hub dataset's videos (`dataset_kwargs` of the template)."""
    hf_home = os.path.expanduser(os.getenv("HF_HOME", "~/.cache/huggingface/"))
    return os.path.join(hf_home, _template_value("cache_dir") or "actionart")


def actionart_doc_to_visual(doc: dict) -> list[str]:
    """`[absolute video path]` of a row: in the local dataset folder, or in lmms-eval's video cache (Hub dataset)."""
    video = doc["video"]
    if os.path.isabs(video) and os.path.exists(video):
        return [video]
    location = dataset_location()
    root = location if os.path.isdir(location) else video_cache()
    path = os.path.join(root, video)
    if not os.path.exists(path):
        where = "the dataset folder" if root == location else "lmms-eval's video cache (dataset_kwargs video: True)"
        raise ValueError(f"Row {doc.get('id')!r}: video {path!r} does not exist in {where}.")
    return [path]


def actionart_doc_to_text(doc: dict, lmms_eval_specific_kwargs: dict | None = None) -> str:
    """The question and its `A. ...` options between the task's pre and post prompts; the default post prompt is
    the benchmark's answer instruction, which makes the whole the fixed MCQ prompt."""
    kwargs = lmms_eval_specific_kwargs or {}
    post_prompt = kwargs.get("post_prompt", f"\n{MCQ_INSTRUCTION}")
    return (
        f"{kwargs.get('pre_prompt', '')}{doc['question'].strip()}\n{format_options(list(doc['options']))}{post_prompt}"
    )


def actionart_doc_to_target(doc: dict) -> str:
    """The answer letter."""
    return doc["answer"]


def actionart_circular_docs(dataset):
    """`process_docs` of `actionart_circular`: one row per rotation of each question's options (`rotation` column)."""

    def expand(batch: dict) -> dict:
        out: dict[str, list] = {key: [] for key in (*batch, "rotation")}
        for index in range(len(batch["id"])):
            for shift in range(len(batch["options"][index])):
                options, answer = rotate_options(batch["options"][index], batch["answer"][index], shift)
                for key in batch:
                    out[key].append(batch[key][index])
                out["options"][-1], out["answer"][-1] = options, answer
                out["rotation"].append(shift)
        return out

    return dataset.map(expand, batched=True, desc="Rotating options")


def actionart_process_results(doc: dict, results: list[str]) -> dict[str, dict]:
    """One record per question for every metric of the task (the aggregations score them together)."""
    output = results[0] if results else ""
    extraction = explain_answer(output, list(doc["options"]))
    record = {
        "id": doc["id"],
        "rotation": doc.get("rotation", 0),
        "task": _task_code(doc),
        "options": list(doc["options"]),
        "answer": doc["answer"],
        "output": output,
        "prediction": extraction.letter,
        "rule": extraction.rule,
    }
    metrics = ["actionart_accuracy", "actionart_macro_accuracy", *(f"actionart_{code}" for code in TASK_CODES)]
    return {metric: record for metric in metrics}


def actionart_scores(results: list[dict]) -> dict:
    """The metric over lmms-eval's records (circular when they hold several rotations of a question)."""
    circular = any(r.get("rotation", 0) for r in results)
    scores = score(
        [r["output"] for r in results],
        [r["answer"] for r in results],
        tasks=[r["task"] for r in results],
        options=[r["options"] for r in results],
        groups=[r["id"] for r in results] if circular else None,
    )
    return scores


def actionart_aggregate_accuracy(results: list[dict]) -> float:
    """Micro accuracy in percent (Table 1's "Avg. Acc."); logs the Table 1 row."""
    scores = actionart_scores(results)
    logger.info("ActionArt Table 1 row (AC AR AS GS HOI LS MV TL Avg.): %s", table1_row("model", scores))
    return 100 * scores["accuracy"]


def actionart_aggregate_macro_accuracy(results: list[dict]) -> float:
    """Mean of the per-task accuracies, in percent."""
    return 100 * actionart_scores(results)["macro_accuracy"]


def _aggregate_task(code: str):
    def aggregate(results: list[dict]) -> float:
        value = actionart_scores(results).get(code)
        return float("nan") if value is None else 100 * value

    aggregate.__name__ = f"actionart_aggregate_{code}"
    aggregate.__doc__ = f"Accuracy of sub-task {code} in percent (NaN without {code} questions)."
    return aggregate


actionart_aggregate_AC = _aggregate_task("AC")
actionart_aggregate_AR = _aggregate_task("AR")
actionart_aggregate_AS = _aggregate_task("AS")
actionart_aggregate_GS = _aggregate_task("GS")
actionart_aggregate_HOI = _aggregate_task("HOI")
actionart_aggregate_LS = _aggregate_task("LS")
actionart_aggregate_MV = _aggregate_task("MV")
actionart_aggregate_TL = _aggregate_task("TL")
