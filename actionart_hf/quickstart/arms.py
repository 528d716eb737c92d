"""The rows of the quickstart's Table 2: which model each row is, how it is trained, and what it is compared with.

Every trained row is one `Arm`: a start model, a data mixture, a number of steps and a learning rate. Rows of kind
`paper` are the paper's Table 2 (the baseline is the stage-1 model, as in the paper); `control` rows separate the
proxy data's information from its extra steps and words; `reference` rows (the untrained model, the text-only prior)
are not trained.
"""

from __future__ import annotations

from dataclasses import dataclass


# stage-2 proxy mixtures: key -> (label, parts)
STAGE2_MIXTURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pd": ("PD", ("pd",)),
    "sd": ("SD", ("sd",)),
    "fgqa": ("FGQA", ("fgqa",)),
    "pd_fgqa": ("PD + FGQA", ("pd", "fgqa")),
    "sd_fgqa": ("SD + FGQA", ("sd", "fgqa")),
    "pd_sd_fgqa": ("PD + SD + FGQA", ("pd", "sd", "fgqa")),
}
PROXY_CONFIGS = {"pd": "pose_description", "sd": "spatial_difference", "fgqa": "fgqa"}
CHANCE = 25.0  # percent, four options


@dataclass(frozen=True)
class Row:
    """One row of the table.

    Args:
        key (`str`): model folder name under `<out>/models` and eval folder name under `<out>/eval`.
        label (`str`): the row's text in the table.
        kind (`str`): `paper`, `control` or `reference`.
        stage (`str`, *optional*): `stage1`, `stage2` or `stage3` for trained rows (sets steps and learning rate).
        start (`str`, *optional*): the model the row starts from.
        data (`tuple[str]`): the mixture's parts (see `Quickstart.mixture`).
    """

    key: str
    label: str
    kind: str
    stage: str | None = None
    start: str | None = None
    data: tuple[str, ...] = ()


def table_rows(stage2: tuple[str, ...], proxy_arm: str, stage3_from_pf: bool = True) -> list[Row]:
    """The rows of a run, in training order (a row's start model always comes earlier)."""
    proxy_label = STAGE2_MIXTURES[proxy_arm][0]
    rows = [
        Row("untrained", "untrained tiny model (reference)", "reference"),
        Row("text_prior", "text-only prior: answer from the question alone (reference)", "reference"),
        Row("stage1", "baseline: stage 1, generic video SFT", "paper", "stage1", "lm_warmup", ("generic",)),
    ]
    rows += [
        Row(f"stage2_{key}", f"stage 2: {STAGE2_MIXTURES[key][0]}", "paper", "stage2", "stage1",
            STAGE2_MIXTURES[key][1] + ("replay",))
        for key in stage2
    ]  # fmt: skip
    rows += [
        Row("pf", f"PF: stage 1 ⊕ stage 2 {proxy_label}, α on validation", "paper", None, None),
        Row("stage3_from_baseline", "stage 3 (MA) from the baseline", "paper", "stage3", "stage1", ("ma", "replay")),
        Row("stage3_from_proxy", f"stage 3 (MA) from stage 2 {proxy_label}", "paper", "stage3", f"stage2_{proxy_arm}",
            ("ma", "replay")),
        *([Row("stage3_from_pf", "stage 3 (MA) from PF", "paper", "stage3", "pf", ("ma", "replay"))]
          if stage3_from_pf else []),
        Row("control_stage1_more", "control: stage 1 continued for stage 2's steps", "control", "stage2", "stage1",
            ("generic",)),
        Row("stage3_from_stage1_more", "control: stage 3 (MA) from stage 1 continued", "control", "stage3",
            "control_stage1_more", ("ma", "replay")),
        Row("control_shuffled", f"control: stage 2 {proxy_label} on shuffled proxies", "control", "stage2", "stage1",
            tuple(f"{part}_shuffled" for part in STAGE2_MIXTURES[proxy_arm][1]) + ("replay",)),
        Row("stage3_from_shuffled", "control: stage 3 (MA) from shuffled proxies", "control", "stage3",
            "control_shuffled", ("ma", "replay")),
    ]  # fmt: skip
    return rows


__all__ = ["CHANCE", "PROXY_CONFIGS", "STAGE2_MIXTURES", "Row", "table_rows"]
