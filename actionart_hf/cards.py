"""Model cards from the Jinja template in `actionart_hf/model_cards/`, via huggingface_hub.

card = render_model_card(model_name="actionart-tiny", repo_id="<org>/actionart-tiny", ...)
card.save("model/README.md")

Dataset cards are written with the dataset folders they describe (`actionart_hf.data.dataset_card`).
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from .data.dataset_card import ACTIONART_CITATION
from .video import DEFAULT_NUM_FRAMES


TEMPLATES = Path(__file__).parent / "model_cards"


def render_model_card(
    *,
    model_name: str,
    repo_id: str,
    summary: str,
    base_model: str | None = None,
    stages: list[dict] | None = None,
    datasets: list[str] | None = None,
    merge: str | None = None,
    eval_results: list[EvalResult] | None = None,
    results_table: str | None = None,
    stand_ins: str | None = None,
    limitations: str | None = None,
    license: str | None = None,
    num_frames: int = DEFAULT_NUM_FRAMES,
) -> ModelCard:
    """A model card with `model-index` results, the training stages, the merge recipe and usage code.

    Args:
        model_name (`str`): title.
        repo_id (`str`): the Hub id used in the usage snippet.
        summary (`str`): first paragraph.
        base_model (`str`, *optional*): the checkpoint training started from.
        stages (`list[dict]`, *optional*): `{"name", "description", "datasets"}` per training stage.
        datasets (`list[str]`, *optional*): Hub ids of the training datasets (card metadata).
        merge (`str`, *optional*): the parameter-fusion recipe, e.g. `"0.5 * stage1 + 0.5 * stage2-sd-fgqa"`.
        eval_results (`list[EvalResult]`, *optional*): one per sub-task plus the average (`model-index`).
        results_table (`str`, *optional*): markdown table of the results.
        stand_ins (`str`, *optional*): what replaced pretrained encoders in tiny models.
        limitations (`str`, *optional*): known limitations.
        license (`str`, *optional*): license id.
        num_frames (`int`, *optional*, defaults to 64): frames in the usage snippet.
    """
    card_data = ModelCardData(
        model_name=model_name,
        base_model=base_model,
        datasets=datasets,
        license=license or "other",
        library_name="transformers",
        pipeline_tag="video-text-to-text",
        tags=["actionart", "video", "slowfast", "custom_code"],
        eval_results=eval_results,
    )
    return ModelCard.from_template(
        card_data,
        template_path=str(TEMPLATES / "model_card.md.jinja"),
        model_name=model_name,
        repo_id=repo_id,
        summary=summary.strip(),
        base_model=base_model,
        stages=stages or [],
        merge=merge,
        results_table=results_table,
        stand_ins=stand_ins,
        limitations=limitations,
        num_frames=num_frames,
        citation=ACTIONART_CITATION,
    )


__all__ = ["TEMPLATES", "render_model_card"]
