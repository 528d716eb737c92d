"""`python -m actionart_hf.models.convert`: a LLaVA-OneVision / LLaVA-Video checkpoint converted to ActionArt, with
the project's model card (`actionart_hf.cards`).

    python -m actionart_hf.models.convert --source llava-hf/LLaVA-Video-7B-Qwen2-hf \\
        --output outputs/actionart-7b-init --dtype bfloat16

The arguments are those of `actionart_hf.models.actionart.convert_llava_onevision_to_actionart`, which converts; that
file lives in the model folder, which imports nothing of this package (it may sit next to the weights), so the card
is written here.
"""

from __future__ import annotations

import os
import sys

from ..cards import hub_ids, reference_label, write_model_card


def write_conversion_card(output_dir: str | os.PathLike, source: str | os.PathLike) -> None:
    """The project's card of a converted checkpoint: the source as its base model (when a Hub id)."""
    summary = (
        f"{reference_label(source)} converted to the ActionArt SlowFast layout (vision tower, projector and LLM "
        "unchanged) with actionart-hf. It still needs the paper's stage 1 (video SFT) to adapt to the SlowFast "
        "arrangement."
    )
    stage = {"name": "conversion", "description": "LLaVA-OneVision weights in the ActionArt SlowFast layout"}
    write_model_card(output_dir, {"summary": summary, "base_model": hub_ids([str(source)]), "stages": [stage]})


def main(argv: list[str] | None = None) -> int:
    """Converts with the converter's own command line, then writes the card into `--output`."""
    from .actionart import convert_llava_onevision_to_actionart as converter

    argv = sys.argv[1:] if argv is None else argv
    args = converter.make_parser().parse_args(argv)
    status = converter.main(argv)
    write_conversion_card(args.output, args.source)
    return status


__all__ = ["main", "write_conversion_card"]


if __name__ == "__main__":
    sys.exit(main())
