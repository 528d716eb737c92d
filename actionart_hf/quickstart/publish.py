"""Publishing dry runs of every quickstart artefact: the datasets, each trained model with its card, the metric.

Each artefact goes through its publishing function (`actionart_hf.hub`, what the `push-*` commands run) as a dry run
into `<out>/hub/<kind>/<name>/`, which holds exactly what `push-dataset` / `push-model` / `push-metric` would upload;
the file list is written beside it as `<name>.files.txt`. Model cards get their training lineage from `status.json`
and their `model-index` from the model's evaluation on the held-out test split.
"""

from __future__ import annotations

import json
from functools import partial

from ..atomic import write_text_atomic
from ..hub import push_dataset_folder, push_metric, push_model_folder
from ..hub.push_model import CARD_METADATA
from .arms import STAGE2_MIXTURES


STAND_INS = (
    "a tiny model from random weights has neither the pretrained vision encoder nor the pretrained LLM the paper "
    "starts from. Stage 0 trains the vision tower to regress the exact 2D joints of the frames of the generic and "
    "proxy pools (then frozen; no head names the benchmark's states), and the LM warm-up trains the language model "
    "on text-only generic multiple-choice questions whose answer is stated in the prompt (loss on every token)."
)
LIMITATIONS = (
    "A few-million-parameter model trained for minutes on procedurally generated stick figures (64×64, 8 frames): "
    "it shows that the pipeline learns, not that it understands real videos. Use it for tests and studies of the "
    "recipe only; its answers on real footage are meaningless."
)
DATASETS = {
    "benchmark": "ActionArt-Synthetic-quickstart",
    "pd": "ActionArt-Proxy-PD-quickstart",
    "sd": "ActionArt-Proxy-SD-quickstart",
    "fgqa": "ActionArt-Proxy-FGQA-quickstart",
    "ma": "ActionArt-CaptionQA-quickstart",
}


def describe_phase(name: str, phase: dict) -> dict:
    """The card's `{"name", "description", "datasets"}` entry of one recorded training phase."""
    data = phase.get("data", [])
    if name == "stage0":
        description = (
            f"2D joints from the vision tower (stand-in for a pretrained encoder), {phase['steps']} "
            f"steps, {phase['val_error_px']} px mean joint error on validation frames"
        )
        return {"name": name, "description": description, "datasets": ["generic/motion", "proxy_pool/motion"]}
    if name == "lm_warmup":
        description = "text-only generic MCQ with the answer stated in the prompt (stand-in for a pretrained LLM)"
    elif name in ("stage1", "control_stage1_more"):
        description = "generic video SFT (props, positions, movement; none of the benchmark's vocabulary)"
    elif name.startswith("stage2_"):
        description = f"proxy tasks {STAGE2_MIXTURES[name.removeprefix('stage2_')][0]}"
    elif name == "control_shuffled":
        description = "proxy tasks with their texts or answers shuffled across rows (a control)"
    else:
        description = "QA generated from the train captions (the paper's manual-annotation stage)"
    steps = f", {phase['steps']} steps, mean training loss {phase.get('train_loss')}" if "steps" in phase else ""
    return {"name": name, "description": description + steps, "datasets": data}


MODEL_PHASES = {"pf": "pf"}  # model folders written by a phase that is not a training row


def lineage(phases: dict, model: str) -> tuple[list[dict], str | None]:
    """The stages that produced `model` (a folder under `<out>/models`), oldest first, and its merge recipe."""
    stages, merge = [], None
    while model in phases or model in MODEL_PHASES:
        name = MODEL_PHASES.get(model, model)
        phase = phases[name]
        if name == "pf":
            merge = f"{1 - phase['alpha']} * {phase['base']} + {phase['alpha']} * {phase['finetuned']}"
            model = phase["finetuned"]
            continue
        stages.append(describe_phase(name, phase))
        model = phase["start"]
    if model == "untrained":
        description = "random initialisation of a tiny SigLIP + Qwen2 (`actionart_hf.training.tiny_base`)"
        stages.append({"name": "base", "description": description, "datasets": []})
    return stages[::-1], merge


def write_card_metadata(run, key: str) -> None:
    """`<model>/actionart_card.json`, read by `push-model` to render the card."""
    phases = run.status.data["phases"]
    stages, merge = lineage(phases, key)
    metadata = {
        "summary": f"A tiny ActionArt model (`{key}`) trained by `actionart-hf quickstart --size {run.size_name}` on "
        "the embedded synthetic benchmark. It exists to test and study the recipe.",
        "stages": stages,
        "merge": merge,
        "stand_ins": STAND_INS if "stage0" in phases else None,
        "limitations": LIMITATIONS,
        "eval_dataset": DATASETS["benchmark"],
    }
    write_text_atomic(run.models / key / CARD_METADATA, json.dumps(metadata, indent=2))


def publish_dry_runs(run) -> dict:
    """Dry runs of `push-dataset` (every dataset), `push-model` (every trained model) and `push-metric`.

    Returns:
        `dict` with `published`: one `{"dry_run": folder, "command": the real push command}` per artefact, both
        relative to `run.out`.
    """
    hub = run.out / "hub"
    folders = {"benchmark": run.benchmark, "ma": run.ma, **{kind: run.proxy / kind for kind in ("pd", "sd", "fgqa")}}
    jobs = []
    for kind, name in DATASETS.items():
        if folders[kind].exists():
            target = hub / "datasets" / name
            jobs.append(("push-dataset", folders[kind], target, partial(push_dataset_folder, folders[kind])))
    for key in [row.key for row in run.rows if row.stage is not None or row.key == "pf"]:
        write_card_metadata(run, key)
        target = hub / "models" / f"actionart-quickstart-{run.size_name}-{key}".replace("_", "-")
        push = partial(push_model_folder, run.models / key, eval_dir=run.evals / key)
        jobs.append(("push-model", run.models / key, target, push))
    jobs.append(("push-metric", None, hub / "spaces" / "actionart_accuracy", push_metric))
    published = []
    for command, source, target, push in jobs:
        target.parent.mkdir(parents=True, exist_ok=True)
        repo_id = f"<you>/{target.name}"
        result = push(repo_id=repo_id, dry_run=True, dry_run_dir=target, overwrite=True)
        write_text_atomic(target.with_name(target.name + ".files.txt"), result.summary() + "\n")
        relative = [] if source is None else [str(source.relative_to(run.out))]  # the listed command runs from <out>
        real = " ".join(["actionart-hf", command, *relative, "--repo-id", repo_id])
        published.append({"dry_run": str(target.relative_to(run.out)), "command": real})
    return {"published": published}


__all__ = ["DATASETS", "lineage", "publish_dry_runs", "write_card_metadata"]
