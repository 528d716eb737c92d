"""The paper's claims as data, tested on each seed's eval folders with paired bootstrap intervals.

A claim names two rows of the table (by the keys the caller gives its eval folders) and the sub-tasks it is about;
it is written down before any number is computed, and its verdict in each seed is read off the 95% paired bootstrap
interval of the accuracy difference (`better` minus `worse`, micro average over the claim's sub-tasks, in points):

- **held**: the interval's lower bound is above `-margin` (with the default margin 0: the difference is positive),
- **reversed**: its upper bound is below `-margin` (the difference goes the other way),
- **unclear**: otherwise (the test questions cannot tell).

A strict claim ("proxy > baseline") has margin 0. A claim of "no worse" ("PF ≥ the better of its inputs") has a
margin of tolerance: it holds when the interval rules out a loss of more than `margin` points and is reversed when
the whole interval is a loss of more than `margin` points.

    claims = paper_claims(
        baseline="stage1", proxies=["stage2_sd_fgqa"], merged="merged", merged_inputs=("stage1", "stage2_sd_fgqa"),
        stage3_from_baseline="stage3_from_baseline", stage3_from_proxy="stage3_from_proxy", tasks=("GS", "LS"),
    )
    results = evaluate_claims(claims, {0: {"stage1": "out/eval/stage1", ...}, 1: {...}})
    print(claims_markdown(results))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ..tasks import normalize_task
from .stats import AVERAGE, DifferenceCell, accuracy_with_interval, paired_difference


HELD, REVERSED, UNCLEAR = "held", "reversed", "unclear"
# Sub-task groups of claim (a): spatial (the pose in a frame) and temporal (order, timing, counts) understanding.
PAPER_GROUPS: dict[str, tuple[str, ...]] = {"spatial": ("GS", "LS"), "temporal": ("AS", "TL", "AC")}
NO_WORSE_MARGIN = 1.0  # points a "≥" claim tolerates


@dataclass(frozen=True)
class Claim:
    """One comparison between rows of the table.

    Args:
        name (`str`): a short name, e.g. `"proxy > baseline (spatial)"`.
        text (`str`): the claim in words.
        better (`str`): the key of the row claimed to be better.
        worse (`tuple[str, ...]`): the key(s) it is compared with; with several, the one with the highest accuracy
            on `tasks` in each seed ("the better of its inputs"). Picking it on the test questions makes the claim
            harder to hold, never easier.
        tasks (`tuple[str, ...]`): the sub-tasks (codes) whose micro average is compared.
        margin (`float`, *optional*, defaults to 0): points of loss the claim tolerates (0 for "better than").
    """

    name: str
    text: str
    better: str
    worse: tuple[str, ...]
    tasks: tuple[str, ...]
    margin: float = 0.0

    def __post_init__(self):
        if isinstance(self.worse, str) or not self.worse:
            raise ValueError(f"Claim {self.name!r}: worse={self.worse!r} must be a non-empty tuple of row keys.")
        if self.better in self.worse:
            raise ValueError(f"Claim {self.name!r}: better={self.better!r} is also in worse={self.worse!r}.")
        if isinstance(self.tasks, str) or not self.tasks:
            raise ValueError(f"Claim {self.name!r}: tasks={self.tasks!r} must be a non-empty tuple of sub-tasks.")
        object.__setattr__(self, "tasks", tuple(normalize_task(task) for task in self.tasks))
        if self.margin < 0:
            raise ValueError(f"Claim {self.name!r}: margin={self.margin} must be >= 0 points.")

    @property
    def relation(self) -> str:
        """`">"`, or `"≥ (within m points)"` for a claim with a margin."""
        if self.margin == 0:
            return ">"
        return f"≥ (within {self.margin:g} point{'' if self.margin == 1 else 's'})"


@dataclass(frozen=True)
class SeedOutcome:
    """A claim's comparison in one seed.

    Args:
        seed (`int` or `str`): the seed.
        better (`str`): the row key claimed better.
        worse (`str`): the row key it was compared with (the best of `Claim.worse` in this seed).
        difference (`DifferenceCell`): `better` minus `worse` on the claim's sub-tasks together, in points.
        per_task (`dict[str, DifferenceCell]`): the same per sub-task.
        verdict (`str`): `"held"`, `"reversed"` or `"unclear"`.
    """

    seed: int | str
    better: str
    worse: str
    difference: DifferenceCell
    per_task: dict[str, DifferenceCell]
    verdict: str


@dataclass
class ClaimResult:
    """A claim with its outcome in every seed."""

    claim: Claim
    outcomes: list[SeedOutcome] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        """The number of seeds with that verdict."""
        return sum(outcome.verdict == verdict for outcome in self.outcomes)

    def summary(self) -> str:
        """E.g. `"held in 2 of 3 seeds (reversed in 0, unclear in 1)"`."""
        return (
            f"held in {self.count(HELD)} of {len(self.outcomes)} seeds (reversed in {self.count(REVERSED)}, "
            f"unclear in {self.count(UNCLEAR)})"
        )

    def to_dict(self) -> dict:
        """JSON-ready: the claim, its outcomes and the summary."""
        return {**asdict(self), "summary": self.summary()}


def verdict(difference: DifferenceCell, margin: float = 0.0) -> str:
    """`"held"` when the interval's lower bound is above `-margin`, `"reversed"` when its upper bound is below
    `-margin`, `"unclear"` otherwise."""
    if difference["low"] > -margin:
        return HELD
    if difference["high"] < -margin:
        return REVERSED
    return UNCLEAR


def paper_claims(
    baseline: str,
    proxies: Sequence[str],
    merged: str,
    merged_inputs: tuple[str, str],
    stage3_from_baseline: str,
    stage3_from_proxy: str,
    tasks: Sequence[str],
    groups: Mapping[str, tuple[str, ...]] = PAPER_GROUPS,
    labels: Mapping[str, str] | None = None,
) -> list[Claim]:
    """The paper's three claims over the given row keys, restricted to the sub-tasks evaluated.

    (a) each stage-2 proxy row > the stage-1 baseline, per sub-task group with evaluated sub-tasks; (b) the merged
    (PF) row ≥ the better of its two inputs, within `NO_WORSE_MARGIN` points, on every evaluated sub-task; (c) stage 3
    from the proxy (or PF) row > stage 3 from the baseline, on every evaluated sub-task.

    Args:
        baseline (`str`): the stage-1 row.
        proxies (`Sequence[str]`): the stage-2 rows (one claim (a) per row and group).
        merged (`str`): the PF row.
        merged_inputs (`tuple[str, str]`): the two rows PF merges.
        stage3_from_baseline (`str`): stage 3 trained from the baseline.
        stage3_from_proxy (`str`): stage 3 trained from the proxy or PF model.
        tasks (`Sequence[str]`): the sub-tasks the run evaluates.
        groups (`Mapping[str, tuple[str, ...]]`, *optional*): sub-task groups of claim (a) (the paper's spatial and
            temporal groups by default).
        labels (`Mapping[str, str]`, *optional*): row labels for the claims' text (the keys by default).

    Returns:
        `list[Claim]`
    """
    evaluated = tuple(dict.fromkeys(normalize_task(task) for task in tasks))
    if not evaluated:
        raise ValueError("tasks=() names no evaluated sub-task; pass the sub-tasks the run evaluates, e.g. ('GS',).")
    if len(merged_inputs) != 2:
        raise ValueError(f"merged_inputs={merged_inputs!r} must name the two rows PF merges.")

    def label(key: str) -> str:
        return (labels or {}).get(key, key)

    listed = ", ".join(evaluated)
    claims = []
    for proxy in proxies:
        for group, members in groups.items():
            group_tasks = tuple(task for task in members if task in evaluated)
            if group_tasks:
                claims.append(
                    Claim(
                        f"proxy > baseline ({group}): {label(proxy)}",
                        f"Stage-2 proxy training ({label(proxy)}) improves on the stage-1 baseline "
                        f"({label(baseline)}) on {group} understanding ({', '.join(group_tasks)}).",
                        better=proxy,
                        worse=(baseline,),
                        tasks=group_tasks,
                    )
                )
    claims.append(
        Claim(
            "PF ≥ the better of its inputs",
            f"Parameter fusion ({label(merged)}) is at least as good as the better of the two models it merges "
            f"({label(merged_inputs[0])}, {label(merged_inputs[1])}) on {listed}.",
            better=merged,
            worse=tuple(merged_inputs),
            tasks=evaluated,
            margin=NO_WORSE_MARGIN,
        )
    )
    claims.append(
        Claim(
            "stage 3 from proxy > stage 3 from baseline",
            f"The same stage-3 training on the manual annotations gives a better model when it starts from the proxy "
            f"model ({label(stage3_from_proxy)}) than from the baseline ({label(stage3_from_baseline)}) on {listed}.",
            better=stage3_from_proxy,
            worse=(stage3_from_baseline,),
            tasks=evaluated,
        )
    )
    return claims


def _folder(rows: Mapping[str, str | os.PathLike], key: str, claim: Claim, seed) -> str | os.PathLike:
    if key not in rows:
        raise ValueError(
            f"Claim {claim.name!r} needs the row {key!r}, which seed {seed} lacks (it has {sorted(rows)}); evaluate "
            f"that row or leave the claim out."
        )
    return rows[key]


def evaluate_claims(
    claims: Sequence[Claim],
    runs: Mapping[int | str, Mapping[str, str | os.PathLike]],
    samples: int = 1000,
    seed: int = 0,
) -> list[ClaimResult]:
    """Each claim's paired difference, interval and verdict in each seed.

    Args:
        claims (`Sequence[Claim]`): the claims, e.g. from `paper_claims`.
        runs (`Mapping`): per seed, `{row key: eval folder}`.
        samples (`int`, *optional*, defaults to 1000): bootstrap resamples per comparison.
        seed (`int`, *optional*, defaults to 0): seed of the resamples.

    Returns:
        `list[ClaimResult]`, in the order of `claims`.

    Raises:
        ValueError: no seeds, a seed lacks a row a claim needs, or two rows of a seed answered different questions.
    """
    if not runs:
        raise ValueError("runs={} holds no seed; pass {seed: {row key: eval folder}} for at least one seed.")
    results = []
    for claim in claims:
        result = ClaimResult(claim)
        for run_seed, rows in runs.items():
            better = _folder(rows, claim.better, claim, run_seed)
            candidates = {key: _folder(rows, key, claim, run_seed) for key in claim.worse}
            if len(candidates) == 1:
                worse = claim.worse[0]
            else:
                accuracy = {
                    key: accuracy_with_interval(path, claim.tasks, samples, seed)[AVERAGE]["acc"]
                    for key, path in candidates.items()
                }
                worse = max(claim.worse, key=lambda key: accuracy[key])  # ties: the first listed
            cells = paired_difference(candidates[worse], better, claim.tasks, samples, seed)
            difference = cells.pop(AVERAGE)
            result.outcomes.append(
                SeedOutcome(run_seed, claim.better, worse, difference, cells, verdict(difference, claim.margin))
            )
        results.append(result)
    return results


def claims_statement(claims: Sequence[Claim], labels: Mapping[str, str] | None = None) -> str:
    """The claims and how each is tested, in markdown, without any number."""
    labels = labels or {}
    lines = [
        "Each claim compares two rows of the table on the same test questions: the accuracy of the first row minus "
        "that of the second, in points, on the listed sub-tasks together, with a 95% paired bootstrap interval "
        "(the same resampled questions for both rows). In each seed a claim **held** when the interval's lower "
        "bound is above minus its margin (0 for a claim of 'better than'), is **reversed** when its upper bound is "
        "below minus its margin, and is **unclear** otherwise: the test questions cannot tell.",
        "",
    ]
    for number, claim in enumerate(claims, start=1):
        worse = " / ".join(f"`{labels.get(key, key)}`" for key in claim.worse)
        best = " (whichever scores higher in that seed)" if len(claim.worse) > 1 else ""
        lines.append(
            f"{number}. **{claim.name}**: {claim.text} Tested: `{labels.get(claim.better, claim.better)}` "
            f"{claim.relation} {worse}{best} on {', '.join(claim.tasks)}."
        )
    return "\n".join(lines)


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def verdicts_markdown(results: Sequence[ClaimResult], labels: Mapping[str, str] | None = None) -> str:
    """A table of every claim's outcome per seed, then one summary line per claim."""
    labels = labels or {}
    lines = [
        "| claim | seed | rows compared | difference (points) | 95% interval | questions | verdict |",
        "|---|---|---|---:|---|---:|---|",
    ]
    for number, result in enumerate(results, start=1):
        for outcome in result.outcomes:
            d = outcome.difference
            compared = f"{labels.get(outcome.better, outcome.better)} − {labels.get(outcome.worse, outcome.worse)}"
            lines.append(
                f"| {number} | {outcome.seed} | {compared} | {_signed(d['diff'])} | "
                f"[{_signed(d['low'])}, {_signed(d['high'])}] | {d['n']} | {outcome.verdict} |"
            )
    lines.append("")
    lines += [f"{n}. **{r.claim.name}**: {r.summary()}." for n, r in enumerate(results, start=1)]
    return "\n".join(lines)


def claims_markdown(results: Sequence[ClaimResult], labels: Mapping[str, str] | None = None) -> str:
    """The claims first (what is compared, and how it is judged), then their verdicts in every seed.

    Args:
        results (`Sequence[ClaimResult]`): from `evaluate_claims`.
        labels (`Mapping[str, str]`, *optional*): row labels to print instead of the keys.
    """
    return (
        "## The paper's claims\n\n"
        + claims_statement([result.claim for result in results], labels)
        + "\n\n## Verdicts\n\n"
        + verdicts_markdown(results, labels)
        + "\n"
    )


__all__ = [
    "HELD",
    "NO_WORSE_MARGIN",
    "PAPER_GROUPS",
    "REVERSED",
    "UNCLEAR",
    "Claim",
    "ClaimResult",
    "SeedOutcome",
    "claims_markdown",
    "claims_statement",
    "evaluate_claims",
    "paper_claims",
    "verdict",
    "verdicts_markdown",
]
