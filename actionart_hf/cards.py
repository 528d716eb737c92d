"""The project's model card, one template for every model folder the project writes (train, merge, convert,
quickstart), rendered with huggingface_hub.

A model folder keeps the card's facts in `actionart_card.json` beside its weights (`CARD_FIELDS`: summary, base model,
stages, datasets, merge, ...) and the rendered card in `README.md`. A later stage, a merge or `push-model` reads the
facts back, so the lineage grows from stage to stage and the card can be rendered again with evaluation results:

    >>> from actionart_hf.cards import write_model_card
    >>> write_model_card("outputs/stage2", {"summary": "...", "base_model": "Qwen/Qwen2-7B", "stages": [...]})
    >>> write_model_card("outputs/stage2", repo_id="<org>/actionart-7b", eval_dir="outputs/eval/stage2")

Card metadata holds Hub ids only: a dataset or model given as a local folder appears by its folder name in the
prose and not at all in the metadata. Dataset cards are written with the dataset folders they describe
(`actionart_hf.data.dataset_card`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from .data.dataset_card import ACTIONART_CITATION
from .video import DEFAULT_NUM_FRAMES


TEMPLATES = Path(__file__).parent / "model_cards"
CARD_METADATA = "actionart_card.json"
CARD_FIELDS = (
    "summary",
    "base_model",
    "base_model_relation",
    "stages",
    "datasets",
    "merge",
    "details",
    "stand_ins",
    "limitations",
    "license",
    "tags",
    "eval_dataset",
)
# The tag that marks a card as the project's (TRL's automatic card and other tools' cards lack it).
CARD_TAG = "actionart-hf"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def is_hub_id(reference: str | os.PathLike | None) -> bool:
    """Whether `reference` reads as a Hub repository id (`org/name`, optionally `@revision`), not a local path."""
    if reference is None:
        return False
    text = str(reference).split("@")[0]
    return bool(_HUB_ID.match(text)) and not Path(text).exists()


def reference_label(reference: str | os.PathLike, config: str | None = None) -> str:
    """A dataset or model as a card names it: its Hub id, or the name of its local folder; then `[config]`."""
    text = str(reference).rstrip("/")
    label = text.split("@")[0] if is_hub_id(text) else Path(text).name
    return label + (f"[{config}]" if config else "")


def hub_ids(references: list[str] | None) -> list[str]:
    """The Hub ids among `references` (labels as `reference_label` writes them), without configs, first seen first."""
    ids = [str(reference).split("[")[0].split("@")[0] for reference in references or []]
    return list(dict.fromkeys(i for i in ids if is_hub_id(i)))


def read_card_metadata(folder: str | os.PathLike) -> dict[str, Any]:
    """The card facts stored in `<folder>/actionart_card.json` (`{}` when the folder has none).

    Raises:
        ValueError: the file is not a JSON mapping.
    """
    path = Path(folder) / CARD_METADATA
    if not path.is_file():
        return {}
    metadata = json.loads(path.read_text())
    if not isinstance(metadata, dict):
        raise ValueError(f"{str(path)!r} holds {type(metadata).__name__}; it must be a JSON mapping of card fields.")
    return metadata


def render_model_card(
    *,
    model_name: str,
    repo_id: str,
    summary: str,
    base_model: str | list[str] | None = None,
    base_model_relation: str | None = None,
    stages: list[dict] | None = None,
    datasets: list[str] | None = None,
    merge: str | None = None,
    details: str | None = None,
    eval_results: list[EvalResult] | None = None,
    results_table: str | None = None,
    stand_ins: str | None = None,
    limitations: str | None = None,
    license: str | None = None,
    tags: list[str] | None = None,
    num_frames: int = DEFAULT_NUM_FRAMES,
) -> ModelCard:
    """A model card with `model-index` results, the training stages, the merge recipe and usage code.

    Args:
        model_name (`str`): title.
        repo_id (`str`): the Hub id used in the usage snippet.
        summary (`str`): first paragraph.
        base_model (`str` or `list[str]`, *optional*): the Hub checkpoint(s) training or merging started from.
        base_model_relation (`str`, *optional*): `"merge"`, `"finetune"`, ... (card metadata).
        stages (`list[dict]`, *optional*): `{"name", "description", "datasets"}` per training stage.
        datasets (`list[str]`, *optional*): the training datasets; the Hub ids among them go into the metadata.
        merge (`str`, *optional*): the parameter-fusion recipe, e.g. `"0.5 * stage1 + 0.5 * stage2-sd-fgqa"`.
        details (`str`, *optional*): markdown placed after the training section (e.g. what a merge did).
        eval_results (`list[EvalResult]`, *optional*): one per sub-task plus the average (`model-index`).
        results_table (`str`, *optional*): markdown table of the results.
        stand_ins (`str`, *optional*): what replaced pretrained encoders in tiny models.
        limitations (`str`, *optional*): known limitations.
        license (`str`, *optional*): license id.
        tags (`list[str]`, *optional*): tags added to the project's.
        num_frames (`int`, *optional*, defaults to 64): frames in the usage snippet.
    """
    base_ids = hub_ids([base_model] if isinstance(base_model, str) else base_model)
    card_data = ModelCardData(
        model_name=model_name,
        base_model=base_ids or None,
        datasets=hub_ids(datasets) or None,
        license=license or "other",
        library_name="transformers",
        pipeline_tag="video-text-to-text",
        tags=list(dict.fromkeys(["actionart", CARD_TAG, "video", "slowfast", "custom_code", *(tags or [])])),
        eval_results=eval_results or None,
        **({"base_model_relation": base_model_relation} if base_ids and base_model_relation else {}),
    )
    return ModelCard.from_template(
        card_data,
        template_path=str(TEMPLATES / "model_card.md.jinja"),
        model_name=model_name,
        repo_id=repo_id,
        summary=summary.strip(),
        base_model=", ".join(base_ids) or None,
        stages=stages or [],
        merge=merge,
        details=details,
        results_table=results_table,
        stand_ins=stand_ins,
        limitations=limitations,
        num_frames=num_frames,
        citation=ACTIONART_CITATION,
    )


def _eval_results(eval_dir: Path, model_name: str, eval_dataset: str | None) -> tuple[list[EvalResult], str]:
    """The `model-index` entries and the results table of the `metrics.json` that `actionart-hf eval` wrote."""
    from .evaluation.report import model_index_results, table1_header, table1_row

    path = eval_dir / "metrics.json"
    if not path.is_file():
        raise ValueError(
            f"eval_dir={str(eval_dir)!r} has no metrics.json; pass the --output-dir of `actionart-hf eval`."
        )
    summary = json.loads(path.read_text())
    metrics = summary.get("metrics", summary)
    dataset_id = eval_dataset or summary.get("dataset_id") or "ActionArt"
    results = model_index_results(
        metrics,
        dataset_id=dataset_id,
        dataset_name=summary.get("dataset_name") or dataset_id.split("/")[-1],
        dataset_config=summary.get("config", "qa"),
        dataset_split=summary.get("split", "test"),
        circular_metrics=summary.get("circular_metrics"),
        num_frames=summary.get("num_frames"),
    )
    return results, table1_header() + "\n" + table1_row(model_name, metrics)


def model_card_for(
    folder: str | os.PathLike,
    repo_id: str | None = None,
    eval_dir: str | os.PathLike | None = None,
    model_name: str | None = None,
) -> ModelCard:
    """The project's card of the model in `folder`, from its config, `actionart_card.json` and optional eval results.

    Args:
        folder (`str` or `os.PathLike`): a `save_pretrained` folder.
        repo_id (`str`, *optional*): the Hub id of the usage snippet; defaults to `<org>/<model name>`.
        eval_dir (`str` or `os.PathLike`, *optional*): output folder of `actionart-hf eval`, whose `metrics.json`
            becomes the card's `model-index` and results table.
        model_name (`str`, *optional*): the title; defaults to the last part of `repo_id`, else the folder's name.
    """
    folder = Path(folder)
    metadata = read_card_metadata(folder)
    unknown = sorted(set(metadata) - set(CARD_FIELDS))
    if unknown:
        raise ValueError(f"{CARD_METADATA} of {str(folder)!r} has unknown fields {unknown}; allowed: {CARD_FIELDS}.")
    model_name = model_name or (repo_id or folder.absolute().name).split("/")[-1]
    eval_results, results_table = None, None
    if eval_dir is not None:
        eval_results, results_table = _eval_results(Path(eval_dir), model_name, metadata.get("eval_dataset"))
    config_path = folder / "config.json"
    model_type = json.loads(config_path.read_text()).get("model_type", "unknown") if config_path.is_file() else None
    summary = metadata.get("summary") or (
        f"An ActionArt SlowFast video LLM (`{model_type}`) for fine-grained, human-centric video understanding, "
        "trained with actionart-hf."
    )
    fields = {key: metadata.get(key) for key in CARD_FIELDS if key not in ("summary", "eval_dataset")}
    return render_model_card(
        model_name=model_name,
        repo_id=repo_id or f"<org>/{model_name}",
        summary=summary,
        eval_results=eval_results,
        results_table=results_table,
        **fields,
    )


def write_model_card(
    folder: str | os.PathLike,
    metadata: dict[str, Any] | None = None,
    *,
    repo_id: str | None = None,
    eval_dir: str | os.PathLike | None = None,
    model_name: str | None = None,
) -> Path:
    """Writes the project's card into `<folder>/README.md`, first storing `metadata` as `actionart_card.json`.

    Args:
        folder (`str` or `os.PathLike`): a `save_pretrained` folder.
        metadata (`dict`, *optional*): card facts (`CARD_FIELDS`); `None` keeps the stored ones.
        repo_id (`str`, *optional*), eval_dir (`str` or `os.PathLike`, *optional*), model_name (`str`, *optional*):
            see `model_card_for`.

    Returns:
        `Path` of the card.
    """
    folder = Path(folder)
    if metadata is not None:
        stored = {key: value for key, value in metadata.items() if value not in (None, [], "")}
        (folder / CARD_METADATA).write_text(json.dumps(stored, indent=2) + "\n")
    path = folder / "README.md"
    model_card_for(folder, repo_id, eval_dir, model_name).save(str(path))
    return path


__all__ = [
    "CARD_FIELDS",
    "CARD_METADATA",
    "CARD_TAG",
    "TEMPLATES",
    "hub_ids",
    "is_hub_id",
    "model_card_for",
    "read_card_metadata",
    "reference_label",
    "render_model_card",
    "write_model_card",
]
