"""The dataset card (`README.md`) of a Hub dataset folder, from the Jinja template beside this module.

card = render_dataset_card(pretty_name="ActionArt", summary="...", configs=configs_metadata(folder), num_rows=2678)
card.save(f"{folder}/README.md")
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import DatasetCard, DatasetCardData


TEMPLATE = Path(__file__).parent / "dataset_card.md.jinja"
ACTIONART_SOURCE_URL = "https://www.modelscope.cn/datasets/maybex/ActionArt"
PROJECT_URL = "https://github.com/actionart-hf/actionart-hf"
# The Hub's `size_categories` values, by upper bound of the number of rows.
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
)
ACTIONART_CITATION = """@article{peng2025actionart,
  title   = {ActionArt: Advancing Multimodal Large Models for Fine-Grained Human-Centric Video Understanding},
  author  = {Peng, Yi-Xing and Yang, Qize and Tang, Yu-Ming and Fu, Shenghao and Lin, Kun-Yu and Wei, Xihan and
             Zheng, Wei-Shi},
  journal = {arXiv preprint},
  year    = {2025}
}"""


def size_category(num_rows: int) -> str:
    """The Hub's `size_categories` value of a dataset of `num_rows` rows (`"n<1K"`, `"1K<n<10K"`, ...)."""
    for bound, category in SIZE_CATEGORIES:
        if num_rows < bound:
            return category
    return "n>1T" if num_rows >= 10**12 else "100M<n<1B"


def render_dataset_card(
    *,
    pretty_name: str,
    summary: str,
    configs: list[dict],
    num_rows: int,
    sections: dict[str, str] | None = None,
    license: str | None = None,
    license_name: str = "actionart",
    license_link: str = ACTIONART_SOURCE_URL,
    citation: str = ACTIONART_CITATION,
    tags: list[str] | None = None,
) -> DatasetCard:
    """A dataset card with YAML `configs`, license, size and tags, and the given prose sections.

    Args:
        pretty_name (`str`): title.
        summary (`str`): first paragraph.
        configs (`list[dict]`): the YAML `configs` entries (`config_name`, `data_files`, optional `default`).
        num_rows (`int`): rows of the largest config, for `size_categories`.
        sections (`dict[str, str]`, *optional*): `## <title>` sections in order (features, counts, method, ...).
        license (`str`, *optional*): a Hub license id set by the user; `"other"` when unknown.
        license_name (`str`, *optional*, defaults to `"actionart"`), license_link (`str`, *optional*, defaults to the
            original ActionArt release): the terms that apply when the license is `other`, as the Hub's card spec
            asks (`license_name` a lowercase slug, `license_link` a URL).
        citation (`str`, *optional*): BibTeX, the ActionArt paper by default.
        tags (`list[str]`, *optional*): extra tags.
    """
    other = license in (None, "other")
    card_data = DatasetCardData(
        pretty_name=pretty_name,
        license=license or "other",
        **({"license_name": license_name, "license_link": license_link} if other else {}),
        language="en",
        size_categories=[size_category(num_rows)],
        task_categories=["video-text-to-text"],
        tags=["actionart", "video", "human-motion", *(tags or [])],
        configs=configs,
    )
    license_text = f"`{license}`" if license else "Not set: pass `--license` when building (recorded as `other`)."
    if other:
        license_text += f" The terms of the source apply: {license_link}."
    return DatasetCard.from_template(
        card_data,
        template_path=str(TEMPLATE),
        pretty_name=pretty_name,
        summary=summary.strip(),
        sections=[(title, body.strip()) for title, body in (sections or {}).items()],
        license_text=license_text,
        citation=citation.strip(),
    )


__all__ = [
    "ACTIONART_CITATION",
    "ACTIONART_SOURCE_URL",
    "PROJECT_URL",
    "TEMPLATE",
    "render_dataset_card",
    "size_category",
]
