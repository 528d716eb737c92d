"""The quickstart's Table-2-style table (markdown, JSON, PNG) and `report.md`."""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import atomic_file
from .pipeline import CHANCE, TASK_COLUMNS, table_rows, write_text_atomic


def _cell(metrics: dict, key: str) -> dict | None:
    if key not in metrics:
        return None
    return {
        "acc": 100 * metrics[key],
        "low": 100 * metrics.get(f"{key}_ci_low", float("nan")),
        "high": 100 * metrics.get(f"{key}_ci_high", float("nan")),
        "n": metrics.get("num_questions" if key == "accuracy" else f"num_questions_{key}"),
    }


def collect(run) -> dict:
    """`{"rows": [{"key", "label", "cells": {column: {acc, low, high, n}}}], "chance": 25.0, "phases": ...}`."""
    rows = []
    for key, label in table_rows():
        metrics = json.loads((run.evals / key / "metrics.json").read_text())
        metrics = metrics.get("metrics", metrics)
        cells = {code: _cell(metrics, code) for code in TASK_COLUMNS}
        cells["Avg."] = _cell(metrics, "accuracy")
        rows.append({"key": key, "label": label, "cells": cells})
    return {
        "size": run.size_name,
        "seed": run.seed,
        "chance": 100 * CHANCE,
        "columns": [*TASK_COLUMNS, "Avg."],
        "rows": rows,
        "phases": run.status.data["phases"],
    }


def markdown(table: dict) -> str:
    columns = table["columns"]
    lines = ["| model | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for row in table["rows"]:
        cells = []
        for column in columns:
            c = row["cells"].get(column)
            cells.append("–" if c is None else f"{c['acc']:.1f} [{c['low']:.0f}, {c['high']:.0f}]")
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    counts = table["rows"][0]["cells"]
    n = ", ".join(f"{k} {c['n']}" for k, c in counts.items() if c is not None)
    lines.append("")
    lines.append(f"Accuracy (%) on the held-out synthetic test split, [95% bootstrap interval]; chance "
                 f"{table['chance']:.0f}%. Questions: {n}.")  # fmt: skip
    return "\n".join(lines) + "\n"


def plot(table: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    columns = table["columns"]
    rows = table["rows"]
    fig, ax = plt.subplots(figsize=(12, 4.5))
    width = 0.8 / len(rows)
    x = np.arange(len(columns))
    for i, row in enumerate(rows):
        acc = [row["cells"][c]["acc"] if row["cells"].get(c) else np.nan for c in columns]
        low = [row["cells"][c]["low"] if row["cells"].get(c) else np.nan for c in columns]
        high = [row["cells"][c]["high"] if row["cells"].get(c) else np.nan for c in columns]
        err = [np.subtract(acc, low), np.subtract(high, acc)]
        ax.bar(x + (i - len(rows) / 2 + 0.5) * width, acc, width, yerr=err, capsize=1.5, label=row["label"])
    ax.axhline(table["chance"], color="black", linestyle="--", linewidth=1, label="chance")
    ax.set_xticks(x, columns)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"actionart-hf quickstart (--size {table['size']}): held-out synthetic test split, 95% intervals")
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    fig.tight_layout()
    with atomic_file(path) as temporary:
        fig.savefig(temporary, dpi=120)
    plt.close(fig)


def learned(table: dict, key: str, task: str) -> str:
    """Verdict for one task of one row against the untrained baseline and chance (non-overlapping intervals)."""
    rows = {row["key"]: row for row in table["rows"]}
    cell, base = rows[key]["cells"].get(task), rows["base"]["cells"].get(task)
    if cell is None:
        return f"{task}: no test questions"
    above_base = base is not None and cell["low"] > base["high"]
    above_chance = cell["low"] > table["chance"]
    verdict = "LEARNED" if above_base and above_chance else "not learned"
    return (f"{task}: {cell['acc']:.1f}% [{cell['low']:.1f}, {cell['high']:.1f}] vs baseline "
            f"{base['acc']:.1f}% [{base['low']:.1f}, {base['high']:.1f}] and chance {table['chance']:.0f}% → "
            f"{verdict} (above baseline: {above_base}, above chance: {above_chance})")  # fmt: skip


def stand_ins_text(phases: dict) -> str:
    """What replaced the pretrained encoders in this run, with its measured numbers."""
    stage0, warmup = phases.get("stage0"), phases.get("lm_warmup")
    if not stage0 and not warmup:
        return (
            "No stand-ins for pretrained encoders were run, so rows near chance or below it (unanswered questions "
            "count as wrong) are expected: the table then measures the plumbing."
        )
    lines = [
        "**Stand-ins for pretrained encoders (not the paper's method).** A tiny model from random weights has neither "
        "the pretrained SigLIP nor the pretrained LLM the paper starts from, and from random weights it stays at "
        "chance. Two short phases replace them:"
    ]
    if stage0:
        lines.append(
            f"- *Stage 0* ({stage0['seconds']:.0f} s, {stage0['steps']} steps on {stage0['train_frames']} train "
            "frames): the vision tower regresses the exact 2D joints of every frame through one throw-away linear "
            "head and names the frame's body states (posture, facing, hand heights, arm directions, torso, legs) from "
            "its mean patch feature through another; on validation frames the joints are off by "
            f"{stage0['val_error_px']} px (the mean training pose: {stage0['val_error_px_mean_pose']} px)"
            + (
                f" and {100 * stage0['val_state_accuracy']:.0f}% of the states are right"
                if "val_state_accuracy" in stage0
                else ""
            )
            + ". The tower stays frozen afterwards."
        )
    if warmup:
        lines.append(
            f"- *LM warm-up* ({warmup['seconds']:.0f} s, {warmup['steps']} steps): text-only multiple-choice "
            "questions of the train split with the correct option stated before the question, loss on every token, "
            "so the language model learns that the answer is the letter of the option that names the fact; stage 1 "
            "replays a tenth of it."
        )
    lines.append("All stages train with loss on every token. Every number here is measured by this run.")
    return "\n".join(lines)


def publishing_text(published: list[dict]) -> str:
    """The publish dry-run folders and the commands (run from the output folder) that upload them for real."""
    if not published:
        return ""
    lines = [
        "## Publishing",
        "",
        "Every artefact was staged with its `push-*` command and `--dry-run` (cards included; each folder holds "
        "exactly what would be uploaded, and loads with `load_dataset`, `from_pretrained(..., "
        "trust_remote_code=True)` or `evaluate.load`). To publish one for real, log in (`hf auth login`) and run "
        "its command from this folder:",
        "",
        "| dry-run folder | command |",
        "|---|---|",
        *(f"| `{item['dry_run']}` | `{item['command']}` |" for item in published),
    ]
    return "\n".join(lines)


def report_md(table: dict, md: str) -> str:
    phases = table["phases"]
    total = sum(p["seconds"] for p in phases.values())
    timing = "\n".join(f"| {name} | {p['seconds']:.1f} |" for name, p in phases.items())
    stand_ins = stand_ins_text(phases)
    verdicts = "\n".join(f"- {learned(table, 'stage3_from_proxy', t)}" for t in ("GS", "LS"))
    publishing = publishing_text(phases.get("publish", {}).get("published", []))
    return f"""# actionart-hf quickstart report (--size {table["size"]}, seed {table["seed"]})

The paper's pipeline end to end on the embedded synthetic benchmark: synthetic clips (train / validation / test
kept apart), proxy data (PD, SD, FGQA) labelled by the oracle teacher from the train clips only, QA from the train
captions (stage 3 "MA"), a tiny ActionArt model with random weights, stage 1 (video SFT), the four stage-2 proxy
mixtures, parameter fusion (α = 0.5, stage 1 ⊕ stage 2 SD + FGQA), stage 3 from stage 1 and from the merged model,
each evaluated on the held-out test split with `evaluate_model` (bootstrap 95% intervals).

## Table (Table 2 form)

{md}
![per-task accuracy](table.png)

## Did the final model learn? (stage 3 from the merged proxy model; non-overlapping 95% intervals required)

{verdicts}

{stand_ins}

{publishing}

## Wall time per phase (seconds, as recorded in status.json; a resumed run keeps the first times)

| phase | s |
|---|---|
{timing}
| **total** | **{total:.1f}** |
"""


def write_outputs(run) -> dict:
    table = collect(run)
    md = markdown(table)
    write_text_atomic(run.out / "table.md", md)
    write_text_atomic(run.out / "table.json", json.dumps(table, indent=2))
    plot(table, run.out / "table.png")
    write_text_atomic(run.out / "report.md", report_md(table, md))
    print(md)
    for task in ("GS", "LS"):
        print(learned(table, "stage3_from_proxy", task))
    return table


__all__ = ["collect", "learned", "markdown", "plot", "report_md", "write_outputs"]
