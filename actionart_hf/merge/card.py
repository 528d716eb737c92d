"""The merged model's card: the project's card (`actionart_hf.cards`) with the inputs, what was merged, the optional
α sweep and the recipe."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import CONFIG_NAME
from .methods import get_merge_method


if TYPE_CHECKING:
    from .core import MergeResult


# What the merge did, placed in the project's card (`actionart_hf.cards`) after its training section.
DETAILS_TEMPLATE = """## Parameter fusion

A merge made with `actionart-hf merge`: every selected floating-point tensor is `{{ formula }}`, computed in fp32 and
stored in the finetuned model's dtype ([method `{{ method }}`]({{ reference_url }})).

| role | model |
|---|---|
{% for role, value in inputs.items() %}| {{ role }} | `{{ value }}` |
{% endfor %}
- Merged tensors: {{ num_merged }}{{ selection }}
- Copied unchanged: {{ num_copied_finetuned }} from the finetuned model, {{ num_copied_base }} from the base model
{% if dropped %}- Not written (tied in the finetuned model): {{ dropped }}
{% endif %}- Config, tokenizer, processor and code files from the finetuned model: {{ files }}
{% if sweep_table %}
## α sweep

Each α was merged and evaluated; this folder holds the best (α = {{ best_alpha }}). Plot: `sweep.png`.

{{ sweep_table }}
{% endif %}
## Recipe

`{{ config_name }}`, to reproduce: `actionart-hf merge --config {{ config_name }} --output <folder>`

```yaml
{{ config_yaml }}```"""


def _code_list(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def write_model_card(
    folder: str | Path, result: MergeResult, sweep_table: str | None = None, best_alpha: float | None = None
) -> Path:
    """Writes the project's card (`README.md` + `actionart_card.json`) of a merge into `folder`.

    The card takes the training lineage (stages, datasets, base model) of the finetuned model when that is a local
    folder with an `actionart_card.json`. Inputs that are Hub ids become its `base_model` (`base_model_relation:
    merge`); a local input appears by its folder name in the prose, never as a path.

    Args:
        folder (`str` or `Path`): the output (or staging) folder.
        result (`MergeResult`): the merge to describe.
        sweep_table (`str`, *optional*): markdown table of the α sweep.
        best_alpha (`float`, *optional*): the α kept by the sweep.
    """
    from jinja2 import Template

    from .. import cards

    config = result.config
    method = get_merge_method(config.merge_method)
    formula = method.formula(config.parameters)
    finetuned = result.inputs.get("finetuned", "")
    lineage = cards.read_card_metadata(finetuned) if Path(finetuned).is_dir() else {}
    copied = list(result.copied.values())
    details = Template(DETAILS_TEMPLATE).render(
        formula=formula,
        method=method.name,
        reference_url=method.reference_url,
        inputs={role: cards.reference_label(value) for role, value in result.inputs.items()},
        num_merged=len(result.merged),
        selection="".join(
            f"; {key} {_code_list(getattr(config, key))}" for key in ("include", "exclude") if getattr(config, key)
        ),
        num_copied_finetuned=copied.count("finetuned"),
        num_copied_base=copied.count("base"),
        dropped=_code_list(result.dropped),
        files=_code_list(result.files) or "none",
        sweep_table=sweep_table,
        best_alpha=best_alpha,
        config_name=CONFIG_NAME,
        config_yaml=config.to_yaml(),
    )
    merged_ids = cards.hub_ids(list(result.inputs.values()))
    metadata = {
        **lineage,
        "summary": f"A parameter-fusion merge of {cards.reference_label(result.inputs.get('base', ''))} and "
        f"{cards.reference_label(finetuned)} made with `actionart-hf merge`.",
        **({"base_model": merged_ids, "base_model_relation": "merge"} if merged_ids else {}),
        "merge": formula,
        "details": details,
        "tags": ["merge", "parameter-fusion"],
    }
    return cards.write_model_card(folder, metadata, model_name=Path(result.output).name)


__all__ = ["DETAILS_TEMPLATE", "write_model_card"]
