"""The merged model's card (`huggingface_hub.ModelCard`): inputs, recipe, what was merged, optional α sweep."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import CONFIG_NAME
from .methods import get_merge_method


if TYPE_CHECKING:
    from .core import MergeResult


CARD_TEMPLATE = """---
{{ card_data }}
---

# {{ model_name }}

A parameter-fusion merge made with `actionart-hf merge`: every selected floating-point tensor is
`{{ formula }}`, computed in fp32 and stored in the finetuned model's dtype
([method `{{ method }}`]({{ reference_url }})).

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
{{ config_yaml }}```
"""


def _code_list(values: list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def write_model_card(
    folder: str | Path, result: MergeResult, sweep_table: str | None = None, best_alpha: float | None = None
) -> Path:
    """Writes `README.md` into `folder`: card metadata (`base_model` Hub ids, `base_model_relation: merge`) and prose.

    Args:
        folder (`str` or `Path`): the output (or staging) folder.
        result (`MergeResult`): the merge to describe.
        sweep_table (`str`, *optional*): markdown table of the α sweep.
        best_alpha (`float`, *optional*): the α kept by the sweep.
    """
    from huggingface_hub import ModelCard, ModelCardData

    config = result.config
    method = get_merge_method(config.merge_method)
    hub_ids = [value.split("@")[0] for value in result.inputs.values() if not Path(value).is_absolute()]
    card_data = ModelCardData(
        base_model=hub_ids or None,
        library_name="transformers",
        tags=["merge", "parameter-fusion", "actionart-hf"],
        **({"base_model_relation": "merge"} if hub_ids else {}),
    )
    copied = list(result.copied.values())
    card = ModelCard.from_template(
        card_data,
        template_str=CARD_TEMPLATE,
        model_name=Path(result.output).name,
        formula=method.formula(config.parameters),
        method=method.name,
        reference_url=method.reference_url,
        inputs=result.inputs,
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
    path = Path(folder) / "README.md"
    card.save(str(path))
    return path


__all__ = ["CARD_TEMPLATE", "write_model_card"]
