"""The quickstart's Table-2-style table (markdown, JSON, PNG), the paper's claims tested on it, and `report.md`.

One seed's run writes its own table; `write_experiment` writes the claims over every seed, the first seed's table
and the plot into the experiment folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text_atomic
from .arms import CHANCE, STAGE2_MIXTURES
from .claims import Claim, claims_markdown, evaluate_claims, paper_claims
from .plot import plot_rows
from .stats import AVERAGE, accuracy_with_interval


KIND_MARKS = {"paper": "", "control": " *(control)*", "reference": ""}


def collect(run) -> dict:
    """`{"rows": [{"key", "label", "kind", "cells": {column: {acc, low, high, n}}}], "columns", "chance", ...}`."""
    tasks = list(run.size.tasks)
    rows = []
    for row in run.rows:
        cells = accuracy_with_interval(run.evals / row.key, tasks, run.size.bootstrap_samples, run.seed)
        rows.append({"key": row.key, "label": row.label, "kind": row.kind, "cells": cells})
    phases = run.status.data["phases"]
    return {
        "size": run.size_name,
        "seed": run.seed,
        "chance": CHANCE,
        "columns": [*tasks, AVERAGE],
        "rows": rows,
        "probes": {key.removeprefix("probe_"): p["probe"] for key, p in phases.items() if key.startswith("probe_")},
        "phases": phases,
    }


def markdown(table: dict) -> str:
    columns = table["columns"]
    lines = ["| model | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for row in table["rows"]:
        cells = []
        for column in columns:
            c = row["cells"].get(column)
            cells.append("–" if c is None else f"{c['acc']:.1f} [{c['low']:.0f}, {c['high']:.0f}]")
        lines.append(f"| {row['label']}{KIND_MARKS[row['kind']]} | " + " | ".join(cells) + " |")
    counts = table["rows"][0]["cells"]
    n = ", ".join(f"{k} {c['n']}" for k, c in counts.items() if c is not None)
    lines.append("")
    lines.append(
        f"Accuracy (%) on the held-out synthetic test split, [95% bootstrap interval]; chance {table['chance']:.0f}%. "
        f"Questions: {n}. Sub-tasks evaluated: {', '.join(columns[:-1])}."
    )
    return "\n".join(lines) + "\n"


def probe_markdown(probes: dict) -> str:
    """The linear probe of the benchmark's body states on each model's visual tokens."""
    if not probes:
        return ""
    states = list(next(iter(probes.values())))
    lines = ["| model | " + " | ".join(states) + " |", "|---|" + "---|" * len(states)]
    priors = next(iter(probes.values()))
    lines.append("| most frequent state | " + " | ".join(f"{100 * priors[s]['prior']:.0f}" for s in states) + " |")
    for key, probe in probes.items():
        lines.append(f"| {key} | " + " | ".join(f"{100 * probe[s]['accuracy']:.0f}" for s in states) + " |")
    return "\n".join(lines) + "\n"


def claims(run) -> list[Claim]:
    """The paper's claims on this run's rows, and the two controls of the stage-3 claim."""
    labels = {row.key: row.label for row in run.rows}
    proxy = f"stage2_{run.size.proxy_arm}"
    tasks = tuple(run.size.tasks)
    result = paper_claims(
        baseline="stage1", proxies=[f"stage2_{key}" for key in run.size.stage2], merged="pf",
        merged_inputs=("stage1", proxy), stage3_from_baseline="stage3_from_baseline",
        stage3_from_proxy="stage3_from_proxy", tasks=tasks, labels=labels,
    )  # fmt: skip
    label = STAGE2_MIXTURES[run.size.proxy_arm][0]
    result += [
        Claim("proxy > compute-matched control", f"Stage 3 from the {label} model beats stage 3 from stage 1 trained "
              "for as many more steps on its own data: the gain is not the extra steps.", "stage3_from_proxy",
              ("stage3_from_stage1_more",), tasks),
        Claim("proxy > shuffled proxies", f"Stage 3 from the {label} model beats stage 3 from the same proxy texts "
              "attached to the wrong images: the gain is the grounding, not the words.", "stage3_from_proxy",
              ("stage3_from_shuffled",), tasks),
    ]  # fmt: skip
    return result


def stand_ins_text(phases: dict) -> str:
    """What replaced the pretrained encoders in this run, with its measured numbers."""
    stage0, warmup = phases["stage0"], phases["lm_warmup"]
    return (
        "**Stand-ins for pretrained encoders (not the paper's method).** A tiny model from random weights has neither "
        "the pretrained SigLIP nor the pretrained LLM the paper starts from. Two short phases replace them:\n"
        f"- *Stage 0* ({stage0['seconds']:.0f} s, {stage0['steps']} steps on {stage0['train_frames']} frames of the "
        "generic and proxy pools): the vision tower regresses the exact 2D joints of every frame through a "
        f"throw-away linear head (validation error {stage0['val_error_px']} px; the mean pose: "
        f"{stage0['val_error_px_mean_pose']} px), then stays frozen. No head names the benchmark's states.\n"
        f"- *LM warm-up* ({warmup['seconds']:.0f} s, {warmup['steps']} steps): text-only generic multiple-choice "
        "questions (where the person is, which prop, how much they move) with the correct option stated before the "
        "question, loss on every token, so the language model learns that the answer is the letter of the option "
        "that names the fact.\n\nAll stages train with loss on every token."
    )


def publishing_text(published: list[dict]) -> str:
    """The publish dry-run folders and the commands (run from the output folder) that upload them for real."""
    if not published:
        return ""
    return "\n".join([
        "## Publishing", "",
        "Every artefact was staged with `--dry-run` (cards included; each folder holds exactly what would be "
        "uploaded). To publish one for real, log in (`hf auth login`) and run its command from this folder:", "",
        "| dry-run folder | command |", "|---|---|",
        *(f"| `{item['dry_run']}` | `{item['command']}` |" for item in published),
    ])  # fmt: skip


def report_md(table: dict, md: str, claims_md: str) -> str:
    phases = table["phases"]
    total = sum(p["seconds"] for p in phases.values())
    timing = "\n".join(f"| {name} | {p['seconds']:.1f} |" for name, p in phases.items())
    publishing = publishing_text(phases.get("publish", {}).get("published", []))
    return f"""# actionart-hf quickstart report (--size {table["size"]}, seed {table["seed"]})

The paper's experiment on the embedded synthetic benchmark, with each stage seeing only what the paper's stage sees:
disjoint pools of clips (benchmark test / benchmark train = the scarce manual annotations / a generic pool for stage 1
/ a proxy pool in a shifted style for stage 2), stage 1 on generic video SFT without the benchmark's vocabulary (the
baseline), the proxy tasks built by the proxy pipeline with a noisy teacher, parameter fusion with α chosen on the
validation split, stage 3 on the manual annotations from the baseline and from the proxy model, and two controls.

{claims_md}

## Table (Table 2 form)

{md}
![accuracy per row](table.png)

## Where perception changed: linear probe of the benchmark's body states on the visual tokens (% of test frames)

{probe_markdown(table["probes"])}
{stand_ins_text(phases)}

{publishing}

## Wall time per phase (seconds, as recorded in status.json; a resumed run keeps the first times)

| phase | s |
|---|---|
{timing}
| **total** | **{total:.1f}** |
"""


def write_outputs(run) -> dict:
    """Writes one seed's `table.md`, `table.json`, `table.png` and `report.md` into the run's folder."""
    table = collect(run)
    md = markdown(table)
    results = evaluate_claims(claims(run), {run.seed: {row.key: run.evals / row.key for row in run.rows}},
                              samples=run.size.bootstrap_samples)  # fmt: skip
    table["claims"] = [result.to_dict() for result in results]
    claims_md = claims_markdown(results, {row.key: row.label for row in run.rows})
    write_text_atomic(run.out / "table.md", md)
    write_text_atomic(run.out / "table.json", json.dumps(table, indent=2))
    plot_rows(table, run.out / "table.png", title=f"actionart-hf quickstart (--size {run.size_name}, seed {run.seed})")
    write_text_atomic(run.out / "report.md", report_md(table, md, claims_md))
    return table


def write_experiment(out: Path, runs: list) -> str:
    """The claims over every seed's run (`claims.md`, `claims.json`) in `out`; returns the markdown."""
    first = runs[0]
    labels = {row.key: row.label for row in first.rows}
    results = evaluate_claims(claims(first), {run.seed: {row.key: run.evals / row.key for row in run.rows}
                                              for run in runs}, samples=first.size.bootstrap_samples)  # fmt: skip
    md = f"# The paper's claims over {len(runs)} seed(s) (--size {first.size_name})\n\n" + claims_markdown(
        results, labels
    )
    write_text_atomic(out / "claims.md", md + "\n")
    write_text_atomic(out / "claims.json", json.dumps([r.to_dict() for r in results], indent=2))
    return md


__all__ = ["claims", "collect", "markdown", "report_md", "write_experiment", "write_outputs"]
