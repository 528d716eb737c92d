"""The dataset card (`README.md`) of a Hub dataset folder, from the Jinja template beside this module.

card = render_dataset_card(pretty_name="ActionArt", summary="...", configs=configs_metadata(folder))
card.save(f"{folder}/README.md")
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import DatasetCard, DatasetCardData


TEMPLATE = Path(__file__).parent / "dataset_card.md.jinja"
ACTIONART_CITATION = """@article{peng2025actionart,
  title   = {ActionArt: Advancing Multimodal Large Models for Fine-Grained Human-Centric Video Understanding},
  author  = {Peng, Yi-Xing and Yang, Qize and Tang, Yu-Ming and Fu, Shenghao and Lin, Kun-Yu and Wei, Xihan and
             Zheng, Wei-Shi},
  journal = {arXiv preprint},
  year    = {2025}
}"""


def render_dataset_card(
    *,
    pretty_name: str,
    summary: str,
    configs: list[dict],
    sections: dict[str, str] | None = None,
    license: str | None = None,
    citation: str = ACTIONART_CITATION,
    tags: list[str] | None = None,
) -> DatasetCard:
    """A dataset card with YAML `configs`, license and tags, and the given prose sections.

    Args:
        pretty_name (`str`): title.
        summary (`str`): first paragraph.
        configs (`list[dict]`): the YAML `configs` entries (`config_name`, `data_files`, optional `default`).
        sections (`dict[str, str]`, *optional*): `## <title>` sections in order (features, counts, method, ...).
        license (`str`, *optional*): a Hub license id set by the user; `"other"` when unknown.
        citation (`str`, *optional*): BibTeX, the ActionArt paper by default.
        tags (`list[str]`, *optional*): extra tags.
    """
    card_data = DatasetCardData(
        pretty_name=pretty_name,
        license=license or "other",
        language="en",
        task_categories=["video-text-to-text"],
        tags=["actionart", "video", "human-motion", *(tags or [])],
        configs=configs,
    )
    license_text = f"`{license}`" if license else "Not set: pass `--license` when building (recorded as `other`)."
    return DatasetCard.from_template(
        card_data,
        template_path=str(TEMPLATE),
        pretty_name=pretty_name,
        summary=summary.strip(),
        sections=[(title, body.strip()) for title, body in (sections or {}).items()],
        license_text=license_text,
        citation=citation.strip(),
    )


__all__ = ["ACTIONART_CITATION", "TEMPLATE", "render_dataset_card"]
